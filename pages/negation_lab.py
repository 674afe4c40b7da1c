"""Negation lab: two sentences side by side, where the network's states part ways at “not”, the
units that carry negation across many pairs, and why the model decided.

Reads widgets and the URL -> traces, compares and explains with rnnviz (the heavy parts cached
per model and inputs by rnnviz.ui.cache) -> draws the first screen (verdicts, prediction after each
word) and the open tab of rnnviz.ui.lab_view. Each sentence is cut after MAX_TOKENS tokens.
"""

import streamlit as st

from rnnviz.analysis import compare as negation
from rnnviz.core import markup
from rnnviz.core.trace import quantity_names
from rnnviz.lessons import glossary
from rnnviz.ui import cache, lab, lab_inputs, lab_view, models, output, session, state, teacher, widgets

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = lab_view.MAX_TOKENS  # tokens per sentence traced and drawn; the rest is cut off
MAX_CHARS = 2000  # characters accepted per text box and from a link
MAX_LINK_CHARS = 1000  # longer sentences stay out of the URL: very long addresses break reloads

_, classifier = models.require_model()
incoming = session.incoming_query(["a", "b", "layer", "direction", "section"])
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


comparison = None if trace_a is None else negation.compare(trace_a, trace_b, layer, direction)
if comparison is not None:
    with prediction:  # on the first screen, under the verdicts
        lab_view.prediction_chart(comparison, trace_a)
view = lab_view.LabView(classifier, layer, direction, quantity, shown)
open_section, tabs = lab_view.section_tabs(incoming)
with tabs[open_section]:  # only the open tab is drawn: the others cost nothing until opened
    if open_section == "pairs":  # the pairs' controls are drawn whatever the two sentences are
        lab_view.negation_units(view, comparison, text_b)
    elif comparison is None:
        st.info("Type two sentences above to compare them here.", icon=":material/edit:")
    elif open_section == "pair":
        lab_view.pair_charts(view, comparison)
    elif open_section == "units":
        lab_view.differing_units(view, comparison, text_a, text_b)
    else:
        lab_view.why(view, text_a, text_b)
teacher.link_box()
