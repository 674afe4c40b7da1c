"""Negation lab: two sentences side by side, where the network's states part ways at “not”, the
units that carry negation across many pairs, and why the model decided.

Reads widgets and the URL -> traces, compares and explains with rnnviz (the heavy parts cached
per model and inputs by rnnviz.ui.cache) -> draws. Each sentence is cut after MAX_TOKENS tokens.
"""

import streamlit as st

from rnnviz.analysis import compare as negation
from rnnviz.core import markup
from rnnviz.core.trace import SentenceTrace, quantity_names
from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from rnnviz.plots import pair as lab_plots
from rnnviz.ui import cache, lab, lab_inputs, models, output, session, state, teacher, widgets
from rnnviz.ui import units as units_page

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = 100  # tokens per sentence traced and drawn; the rest is cut off
MAX_CHARS = 2000  # characters accepted per text box and from a link
MAX_LINK_CHARS = 1000  # longer sentences stay out of the URL: very long addresses break reloads

_, classifier = models.require_model()
incoming = session.incoming_query(["a", "b", "layer", "direction"])
for side, control in (("a", lab_inputs.SENTENCE_A), ("b", lab_inputs.SENTENCE_B)):
    session.text_from_query(incoming, side, control.key, MAX_CHARS)
widgets.view_from_query(incoming, classifier.config, layer_key="lab_layer", direction_key="lab_direction")

st.title("Negation lab: what changes inside at “not”?")
left, right = st.columns(2)
text_a = state.widget(left.text_input, lab_inputs.SENTENCE_A, "Sentence A (press Enter)", max_chars=MAX_CHARS)
widgets.example_pills(
    {f"{lesson}: {b}": {"lab_a": a, "lab_b": b} for lesson, a, b in lab.PAIR_PRESETS}, "lab_preset"
)
# The first screen: the two boxes, the examples, both verdicts and the prediction chart; the
# contrast set is laid out under them (but runs before B's box: choosing a variant fills it).
verdicts, prediction, contrast = st.container(), st.container(), st.container()
variants = cache.per_sentence(lab.variant_rows, classifier, text_a, MAX_TOKENS) if text_a.strip() else []
with contrast:
    lab_inputs.contrast_set(variants, text_a)
text_b = state.widget(
    right.text_input, lab_inputs.SENTENCE_B, "Sentence B (press Enter)", max_chars=MAX_CHARS
)
link = {side: text if len(text) <= MAX_LINK_CHARS else None for side, text in (("a", text_a), ("b", text_b))}

try:
    trace_a, trace_b = negation.trace_pair(classifier, text_a, text_b, max_tokens=MAX_TOKENS)
except ValueError as error:
    trace_a = trace_b = None
    verdicts.info(markup.md_escape(f"{error}.".capitalize()), icon=":material/edit:")
if trace_a is not None:
    for note in lab.pair_notes(trace_a, trace_b):
        verdicts.warning(markup.md_escape(note), icon=":material/info:")
    for column, name, trace in zip(verdicts.columns(2), "AB", (trace_a, trace_b), strict=True):
        winner = trace.labels.index(trace.predicted)
        with column:  # the verdict, then the sentence as the model reads it (one box per token)
            probability = float(trace.probabilities[winner])
            title = f"Sentence {name}: prediction for the whole sentence"
            output.show_verdict(trace.predicted, probability, winner, trace.unknown, title=title)
            output.show_tokens(trace.tokens, trace.unknown)
            if not all(trace.unknown):  # lab.pair_notes already says so when every word is unknown
                output.show_unknown_notice(trace.unknown)

st.subheader("Inside the network")
names = list(quantity_names(classifier.config.cell))
hidden_size = classifier.config.hidden_size
with st.container(horizontal=True, gap="large"):  # drawn for every pair: the controls keep their values
    layer = widgets.layer_picker(classifier.config, key="lab_layer")
    direction = widgets.direction_picker(classifier.config, key="lab_direction")
    quantity_control = state.Control("lab_quantity", names[0])
    quantity = state.widget(
        st.segmented_control,
        quantity_control,
        "Quantity",
        names,
        choices=names,
        format_func=glossary.title,
        required=True,
    )
    shown = widgets.units_shown_picker(hidden_size, key="lab_shown")
session.set_query(**link, layer=str(layer + 1) if trace_a else None, direction=direction if trace_a else None)


def pair_charts(
    comparison: negation.PairComparison, trace_a: SentenceTrace, text_a: str, text_b: str
) -> None:
    """The pair on aligned columns: predictions, divergence, heatmaps, the units that differ most."""
    compared = comparison.quantities[quantity]
    cell_type = trace_a.trace.cell_type
    target = trace_a.labels.index(trace_a.predicted)
    with prediction:  # on the first screen, under the verdicts
        output.chart(
            lab_plots.pair_prediction_chart(comparison, target), key="lab_prediction", first_screen=True
        )
        st.caption(lab.CAPTIONS["prediction"])
    output.chart(lab_plots.divergence_chart(comparison), key="lab_divergence")
    st.caption(lab.CAPTIONS["divergence"])
    heatmaps = lab_plots.pair_heatmaps(comparison, quantity, cell_type, compared.top(shown))
    output.chart(heatmaps, key="lab_heatmaps")
    st.caption(f"{glossary.caption(quantity, cell_type)} {lab.CAPTIONS['heatmaps']}")

    st.subheader("Units that differ most")
    left, right = st.columns([1, 3])
    with left:
        ranked = lab.difference_rows(compared, 10)
        view = (text_a, text_b, layer, direction, quantity)  # a new view starts with nothing selected
        units = [ranked[r]["unit"] for r in widgets.table_picker(ranked, "lab_top", "multi-row", view)]
    with right:
        lines = lab_plots.pair_unit_lines(comparison, quantity, cell_type, units or compared.top(3))
        output.chart(lines, key="lab_unit_lines")
        st.caption(
            markup.md_escape(f"Ranked by {compared.basis}. Select rows of the table to draw other units.")
        )


@st.fragment
def negation_units(comparison: negation.PairComparison | None, text_b: str) -> None:
    """Unit scores over many pairs (reruns alone when its inputs or its table selection change)."""
    st.subheader("Negation units across many pairs")
    builtin, typed, upload = lab_inputs.pairs_inputs(
        lab.CAPTIONS["pairs"], lab.CAPTIONS["own pairs"], len(lab.builtin_pair_texts())
    )
    pairs, problems = lab.collect_pairs(builtin, typed, upload, classifier.labels)
    for problem in problems:
        st.error(markup.md_escape(problem), icon=":material/error:")
    try:
        with st.spinner("Scoring every unit over the pairs…"):
            scores = cache.per_sentence(lab.unit_scores, classifier, pairs, layer, direction, quantity)
    except ValueError as error:
        st.info(markup.md_escape(f"No unit scores: {error}."))
        return
    left, right = st.columns(2)  # half the page: the table keeps all six columns at both sizes
    with left:
        rows = lab.unit_score_rows(scores, 20)
        picked = widgets.table_picker(
            rows, "lab_units", "single-row-required", (pairs, layer, direction, quantity)
        )
    with right:
        output.chart(lab_plots.unit_score_chart(scores), key="lab_unit_scores")
    st.caption(lab.CAPTIONS["scores"])
    if comparison is not None:
        unit = rows[picked[0] if picked else 0]["unit"]
        title = f"Unit {unit} on your pair: {glossary.title(quantity)}, A solid, B dashed"
        lines = lab_plots.pair_unit_lines(comparison, quantity, classifier.config.cell, [unit], title)
        output.chart(lines, key="lab_unit_pair")
        tokens_b = classifier.tokens_and_ids(text_b)[0]
        units_page.what_if_off(text_b, tokens_b, unit, layer, direction, quantity, sentence_name="B")


def why(text_a: str, text_b: str) -> None:
    """Word attributions for both sentences, and gate saturation outside teacher mode."""
    st.subheader("Why the model decided")
    with st.spinner("Explaining both predictions with integrated gradients…"):
        explained = [
            cache.per_sentence(lab.attributions, classifier, text, MAX_TOKENS) for text in (text_a, text_b)
        ]
    scale = lab.attribution_scale(explained)
    for name, result in zip("AB", explained, strict=True):
        toward = plots.toward_class(scale, result.target_index, len(classifier.labels))
        output.show_coloured_tokens(result.tokens, result.values, toward, f"share of P({result.target})")
        if not teacher.teacher_mode():  # the numbers behind the colours, and how exact they are
            st.caption(markup.md_escape(lab.attribution_note(name, result)))
    st.caption(lab.CAPTIONS["attributions"])
    if not teacher.teacher_mode():
        with st.spinner("Measuring gate saturation over the sample sentences…"):
            saturation = cache.cached(lab.saturation, classifier)
        if saturation.empty:
            st.info(saturation.explanation, icon=":material/info:")
        else:
            output.chart(lab_plots.saturation_chart(saturation, direction), key="lab_saturation")
            st.caption(lab.saturation_caption(saturation))


comparison = None if trace_a is None else negation.compare(trace_a, trace_b, layer, direction)
if comparison is not None:
    pair_charts(comparison, trace_a, text_a, text_b)
negation_units(comparison, text_b)  # the pairs' controls are drawn whatever the two sentences are
if trace_a is not None:
    why(text_a, text_b)
teacher.link_box()
