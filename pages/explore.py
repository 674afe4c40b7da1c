"""Explore: type a sentence and watch the chosen model's states and gates, word by word.

Reads controls and the URL -> traces the sentence with rnnviz -> draws. Sentences longer
than MAX_TOKENS tokens are cut (the README says so too).
"""

import streamlit as st

from rnnviz.analysis import units as analysis
from rnnviz.core.trace import SentenceTrace, quantity_names
from rnnviz.lessons import glossary
from rnnviz.plots import trace as trace_plots
from rnnviz.ui import heatmaps, models, output, session, state, teacher, unit_focus, widgets

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = 200  # tokens traced and drawn; the rest of a longer text is cut off
MAX_CHARS = 5000  # characters accepted in the text box and from a link
MAX_LINK_CHARS = 1000  # longer sentences stay out of the URL: very long addresses break reloads
SENTENCE = session.SHARED_SENTENCE  # Explore's text box is the sentence every page starts from

_, classifier = models.require_model()
incoming = session.incoming_query(["sentence", "layer", "direction"])
session.text_from_query(incoming, "sentence", SENTENCE.key, MAX_CHARS)
widgets.view_from_query(
    incoming, classifier.config, layer_key="explore_layer", direction_key="explore_direction"
)

st.title("Explore: watch a recurrent network read")
text = state.widget(
    st.text_input,
    SENTENCE,
    "Type a sentence and press Enter",
    max_chars=MAX_CHARS,
    help=f"Up to {MAX_TOKENS} words and punctuation marks are shown; the rest is cut off.",
)
widgets.preset_pills(glossary.PRESETS, target_key=SENTENCE.key, key="explore_preset")


def read(text: str) -> SentenceTrace | None:
    """The traced sentence, or None after a message when there is nothing to trace."""
    return output.read_sentence(classifier, text, MAX_TOKENS)


def verdict(sentence: SentenceTrace) -> None:
    """The tokens, the verdict and the prediction after each word."""
    if sentence.dropped_tokens:
        st.warning(
            f"This page shows the first {MAX_TOKENS} tokens; "
            f"the last {sentence.dropped_tokens} were cut off.",
            icon=":material/content_cut:",
        )
    output.show_unknown_notice(sentence.unknown)
    labels = sentence.labels
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.caption("The sentence as the model sees it (one box per token):")
        output.show_tokens(sentence.tokens, sentence.unknown)
    with right:
        winner = labels.index(sentence.predicted)
        probability = float(sentence.probabilities[winner])
        output.show_verdict(sentence.predicted, probability, winner, sentence.unknown)
    chart = trace_plots.prediction_chart(sentence.tokens, sentence.prefix_probabilities, labels)
    output.chart(chart, key="explore_pred", first_screen=True)
    st.caption(glossary.prediction_caption(classifier.config.bidirectional))


def inside(
    sentence: SentenceTrace, text: str, layer: int, direction: str, ordering: str, shown: int, view: str
) -> None:
    """The heatmap(s) `view` picks for the chosen layer and direction, then the unit focus (`text`:
    the sentence as typed, for the link to the Units page)."""
    trace, tokens = sentence.trace, sentence.tokens
    layer_state = trace.state(layer, direction)
    quantities = layer_state.quantities()
    order = analysis.unit_order(layer_state.hidden, ordering)[:shown]
    where = f"layer {layer + 1}" + (f", {direction}" if len(trace.directions) > 1 else "")
    unit_title = "unit" if ordering == "index" else f"unit ({analysis.ORDERINGS[ordering]} in h first)"
    st.caption(
        f"Columns are words, rows are units of {where}; rows follow the same order in every chart. "
        "Hover over a cell for the word, the unit and the exact value."
    )
    figures = {
        quantity: trace_plots.state_heatmap(
            quantities[quantity],
            tokens,
            quantity,
            trace.cell_type,
            units=order,
            title=f"{glossary.title(quantity)} · {where}",
            unit_title=unit_title,
        )
        for quantity in heatmaps.shown(list(quantities), view)
    }
    heatmaps.draw(figures, trace.cell_type, key="explore_heat")
    top = analysis.top_units(layer_state.hidden, "changed", 3)
    unit_focus.draw(sentence, text, quantities, top, layer, direction)


sentence = read(text)
if sentence is not None:
    verdict(sentence)
st.subheader("Inside the network")
with st.container(horizontal=True, gap="large"):  # drawn for every text: the controls keep their values
    layer = widgets.layer_picker(classifier.config, key="explore_layer")
    direction = widgets.direction_picker(classifier.config, key="explore_direction")
    ordering = widgets.unit_ordering_picker(key="explore_order")
    shown = widgets.units_shown_picker(classifier.config.hidden_size, key="explore_shown")
view = heatmaps.view_picker(quantity_names(classifier.config.cell), key="explore_view")
session.set_query(
    sentence=text if len(text) <= MAX_LINK_CHARS else None,
    layer=str(layer + 1) if sentence is not None else None,
    direction=direction if sentence is not None else None,
)
if sentence is not None:
    inside(sentence, text, layer, direction, ordering, shown, view)
    if not teacher.teacher_mode():
        st.subheader("Download")
        output.trace_downloads(sentence, classifier, key="explore_download")
        st.caption(
            "Every state and gate of every layer: JSON as `python -m rnnviz trace` prints it, or a long CSV."
        )
teacher.link_box()
