"""Inside the cell: one unit of one layer, one word at a time, with every number of its equations.

Reads widgets and the URL -> traces the sentence and recomputes the chosen unit's step term
by term with rnnviz -> draws the cell diagram, then the chosen view under it (rnnviz.ui.cell_views:
the equations and the whole vectors, the unrolled network, the word's embedding, the classifier
head). Stepping (previous / play / next / slider) reruns only the part below the step controls.
"""

import streamlit as st

from rnnviz.analysis import units as analysis
from rnnviz.core import markup
from rnnviz.core.trace import LayerTrace, SentenceTrace, classifier_step_detail
from rnnviz.lessons import glossary
from rnnviz.plots import diagrams
from rnnviz.ui import cell_views, models, output, player, session, state, teacher, widgets

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = 200  # tokens traced; the rest of a longer text is cut off (as on Explore)
MAX_CHARS = 5000
MAX_LINK_CHARS = 1000  # longer sentences stay out of the URL

_, classifier = models.require_model()
config = classifier.config
incoming = session.incoming_query(["sentence", "layer", "direction", "unit", "word", "view"])
session.follow_sentence("cell_sentence", glossary.DEFAULT_SENTENCE)
session.text_from_query(incoming, "sentence", "cell_sentence", MAX_CHARS)
widgets.view_from_query(incoming, config, layer_key="cell_layer", direction_key="cell_direction")
units = list(range(config.hidden_size))
wanted_unit = session.query_choice(
    incoming, "unit", units, session.whole_number, "unit", "the most active unit"
)
wanted_view = session.query_choice(
    incoming,
    "view",
    cell_views.VIEW.choices,
    str,
    "the view",
    "the cell equations",
    "which this page does not have",
)
if wanted_view is not None:
    state.set_value(cell_views.VIEW, wanted_view)

st.title("Inside the cell: every number of one step")
SENTENCE = state.Control("cell_sentence", glossary.DEFAULT_SENTENCE)
# One row for the text box and the layer / direction / unit pickers (filled in once traced), so that
# the first screen holds the text box, the step controls and the whole diagram.
top_row = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
with top_row:
    text = state.widget(
        st.text_input,
        SENTENCE,
        "Type a sentence and press Enter",
        max_chars=MAX_CHARS,
        help=f"Up to {MAX_TOKENS} words and punctuation marks are traced; the rest is cut off.",
    )
session.share_sentence(SENTENCE.key, text)
sentence = output.read_sentence(classifier, text, MAX_TOKENS)
if sentence is not None and sentence.dropped_tokens:
    st.warning(f"Only the first {MAX_TOKENS} tokens are traced.", icon=":material/content_cut:")
if sentence is not None:
    output.show_unknown_notice(sentence.unknown)

with top_row:
    layer = widgets.layer_picker(config, key="cell_layer")
    direction = widgets.direction_picker(config, key="cell_direction")
    layer_state = None if sentence is None else sentence.trace.state(layer, direction)
    busiest = 0 if layer_state is None else analysis.top_units(layer_state.hidden, "changed", 1)[0]
    unit = widgets.unit_picker(config.hidden_size, key="cell_unit", default=busiest, requested=wanted_unit)
where = f"layer {layer + 1}" + (f", {direction}" if config.bidirectional else "")


@st.fragment(run_every=player.play_interval("cell"))
def one_step(sentence: SentenceTrace, layer_state: LayerTrace) -> None:
    """Step controls, the current word, the diagram and the chosen view under it."""
    tokens = sentence.tokens
    # Teacher mode: the word chips take the slider's place beside the buttons (one row, not three).
    steps_row = (
        st.container(horizontal=True, vertical_alignment="center")
        if teacher.teacher_mode()
        else st.container()
    )
    with steps_row:
        step = player.step_player(len(tokens), key="cell", slider=not teacher.teacher_mode())
        output.show_tokens(tokens, sentence.unknown, current=step)
    session.set_query(
        sentence=text if len(text) <= MAX_LINK_CHARS else None,
        layer=str(layer + 1),
        direction=direction,
        unit=str(unit),
        word=str(step + 1),
    )
    detail = classifier_step_detail(classifier, layer_state, step, unit)
    output.chart(diagrams.cell_diagram(detail, tokens[step]), key="cell_diagram", keep_height=True)
    reading = "right to left, from the last word" if direction == "backward" else "left to right"
    st.caption(
        f"Word {step + 1} of {len(tokens)}: {markup.quote(tokens[step])}. This direction reads {reading}; "
        "the previous state is the one it computed just before. "
        + glossary.diagram_caption(sentence.trace.cell_type)
    )

    view = cell_views.view_picker()
    session.set_query(view=view)
    cell_views.show_view(view, classifier, sentence, step, layer_state, unit, where)
    teacher.link_box()  # here, in the fragment: stepping changes the link's word
    session.flush_query()  # a fragment's rerun does not reach app.py's write


if sentence is None:
    session.set_query(sentence=text if len(text) <= MAX_LINK_CHARS else None, word=None)
    teacher.link_box()
else:
    wanted_step = session.query_choice(
        incoming,
        "word",
        range(len(sentence.tokens)),
        lambda raw: session.whole_number(raw) - 1,
        "word",
        "the current word",
        "which this sentence does not have",
    )
    if wanted_step is not None:
        player.go_to_step("cell", wanted_step)
    one_step(sentence, layer_state)
