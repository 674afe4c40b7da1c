"""Negation lab: two sentences side by side, where the network's states part ways at “not”, the
units that carry negation across many pairs, and why the model decided.

Reads widgets and the URL -> traces, compares and explains with rnnviz (the heavy parts cached
per model and inputs by ui.cached) -> draws. Each sentence is cut after MAX_TOKENS tokens.
"""

import streamlit as st

from rnnviz.analysis import compare as negation
from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from rnnviz.plots import pair as lab_plots
from rnnviz.ui import lab
from rnnviz.ui import session as ui
from rnnviz.ui import teacher as ui_teacher

ui.ensure_routed()  # a link straight to this page runs app.py first

MAX_TOKENS = 100  # tokens per sentence traced and drawn; the rest is cut off
MAX_CHARS = 2000  # characters accepted per text box and from a link
MAX_LINK_CHARS = 1000  # longer sentences stay out of the URL: very long addresses break reloads

_, classifier = ui.require_model()
incoming = ui.incoming_query(["a", "b", "layer", "direction"])
for side in ("a", "b"):
    ui.text_from_query(incoming, side, f"lab_{side}", MAX_CHARS)
ui.view_from_query(incoming, classifier.config, layer_key="lab_layer", direction_key="lab_direction")
st.session_state.setdefault("lab_a", lab.DEFAULT_PAIR[0])
st.session_state.setdefault("lab_b", lab.DEFAULT_PAIR[1])

st.title("Negation lab: what changes inside at “not”?")
left, right = st.columns(2)
text_a = left.text_input("Sentence A (press Enter)", key="lab_a", max_chars=MAX_CHARS)
ui.example_pills(
    {f"{lesson}: {b}": {"lab_a": a, "lab_b": b} for lesson, a, b in lab.PAIR_PRESETS}, "lab_preset"
)
variants = ui.cached(lab.variant_rows, classifier, text_a, MAX_TOKENS) if text_a.strip() else []
with st.expander(f"Contrast set: {len(variants)} variants of sentence A; select one to make it sentence B"):
    if not variants:
        st.caption("No rule applies to sentence A: try one with “was”, “is”, “do” or a verb like “loved”.")
    chosen = ui.table_picker(variants, "lab_variants", version=text_a) if variants else []
    if chosen and chosen != st.session_state.get("lab_variant_used"):
        st.session_state["lab_b"] = variants[chosen[0]]["sentence"]  # before B's box is drawn below
    st.session_state["lab_variant_used"] = chosen
text_b = right.text_input("Sentence B (press Enter)", key="lab_b", max_chars=MAX_CHARS)
link = {side: text if len(text) <= MAX_LINK_CHARS else None for side, text in (("a", text_a), ("b", text_b))}

try:
    trace_a, trace_b = negation.trace_pair(classifier, text_a, text_b, max_tokens=MAX_TOKENS)
except ValueError as error:
    ui.set_query(**link, layer=None, direction=None)
    st.info(ui.md_escape(f"{error}.".capitalize()), icon=":material/edit:")
    st.stop()
for note in lab.pair_notes(trace_a, trace_b):
    st.warning(ui.md_escape(note), icon=":material/info:")
for column, name, trace in zip(st.columns(2), "AB", (trace_a, trace_b), strict=True):
    winner = trace.labels.index(trace.predicted)
    with column:
        st.caption(f"Sentence {name} as the model reads it (one box per token):")
        ui.show_tokens(trace.tokens, trace.unknown)
        colour = plots.CLASS_COLOURS[winner % len(plots.CLASS_COLOURS)]
        ui.show_verdict(trace.predicted, float(trace.probabilities[winner]), colour)

st.subheader("Inside the network")
cell_type, hidden_size = trace_a.trace.cell_type, trace_a.trace.hidden_size
names = list(trace_a.trace.states[0].quantities())
if st.session_state.get("lab_quantity") not in names:
    st.session_state["lab_quantity"] = names[0]
st.session_state.setdefault("lab_shown", min(16, hidden_size))
with st.container(horizontal=True, gap="large"):
    layer = ui.layer_picker(classifier.config, key="lab_layer")
    direction = ui.direction_picker(classifier.config, key="lab_direction")
    quantity = st.segmented_control(
        "Quantity", names, key="lab_quantity", format_func=glossary.title, required=True
    )
    shown = ui.units_shown_picker(hidden_size, key="lab_shown")
ui.set_query(**link, layer=str(layer + 1), direction=direction)
comparison = negation.compare(trace_a, trace_b, layer, direction)
compared = comparison.quantities[quantity]

target = trace_a.labels.index(trace_a.predicted)
ui.chart(lab_plots.pair_prediction_chart(comparison, target), key="lab_prediction")
st.caption(lab.CAPTIONS["prediction"])
ui.chart(lab_plots.divergence_chart(comparison), key="lab_divergence")
st.caption(lab.CAPTIONS["divergence"])
ui.chart(lab_plots.pair_heatmaps(comparison, quantity, cell_type, compared.top(shown)), key="lab_heatmaps")
st.caption(f"{glossary.caption(quantity, cell_type)} {lab.CAPTIONS['heatmaps']}")

st.subheader("Units that differ most")
left, right = st.columns([1, 3])
with left:
    ranked = lab.difference_rows(compared, 10)
    view = (text_a, text_b, layer, direction, quantity)  # a new view starts with nothing selected
    units = [ranked[r]["unit"] for r in ui.table_picker(ranked, "lab_top", "multi-row", view)]
with right:
    lines = lab_plots.pair_unit_lines(comparison, quantity, cell_type, units or compared.top(3))
    ui.chart(lines, key="lab_unit_lines")
    st.caption(ui.md_escape(f"Ranked by {compared.basis}. Select rows of the table to draw other units."))


@st.fragment
def negation_units() -> None:
    """Unit scores over many pairs (reruns alone when its inputs or its table selection change)."""
    st.subheader("Negation units across many pairs")
    if ui.teacher_mode():  # no own pairs to type or upload: the built-in ones and any typed before
        st.caption(lab.CAPTIONS["pairs"])
        builtin, typed, upload = ui.hidden_value("lab_builtin", True), ui.hidden_value("lab_typed", ""), None
    else:
        st.caption(f"{lab.CAPTIONS['pairs']} {lab.CAPTIONS['own pairs']}")
        builtin = st.toggle(
            f"Use the {len(lab.builtin_pair_texts())} built-in pairs", value=True, key="lab_builtin"
        )
        left, right = st.columns(2)
        example = "the soup was hot | positive\nthe soup was not hot | negative"
        typed = left.text_area("Your own pairs", key="lab_typed", placeholder=example, max_chars=20_000)
        upload = right.file_uploader(
            "Or upload a pairs file", type=["tsv", "txt"], key="lab_file", max_upload_size=1
        )
    pairs, problems = lab.collect_pairs(builtin, typed, upload and upload.getvalue(), classifier.labels)
    for problem in problems:
        st.error(ui.md_escape(problem), icon=":material/error:")
    try:
        with st.spinner("Scoring every unit over the pairs…"):
            scores = ui.cached(lab.unit_scores, classifier, pairs, layer, direction, quantity)
    except ValueError as error:
        st.info(ui.md_escape(f"No unit scores: {error}."))
        return
    left, right = st.columns([2, 3])
    with left:
        rows = lab.unit_score_rows(scores, 20)
        picked = ui.table_picker(
            rows, "lab_units", "single-row-required", (pairs, layer, direction, quantity)
        )
    with right:
        ui.chart(lab_plots.unit_score_chart(scores), key="lab_unit_scores")
    st.caption(lab.CAPTIONS["scores"])
    unit = rows[picked[0] if picked else 0]["unit"]
    title = f"Unit {unit} on your pair: {glossary.title(quantity)}, A solid, B dashed"
    ui.chart(lab_plots.pair_unit_lines(comparison, quantity, cell_type, [unit], title), key="lab_unit_pair")


negation_units()

st.subheader("Why the model decided")
with st.spinner("Explaining both predictions with integrated gradients…"):
    explained = [ui.cached(lab.attributions, classifier, text, MAX_TOKENS) for text in (text_a, text_b)]
scale = lab.attribution_scale(explained)
for name, result in zip("AB", explained, strict=True):
    ui.show_coloured_tokens(result.tokens, result.values, scale, f"share of P({result.target})")
    if not ui.teacher_mode():  # the numbers behind the colours, and how exact they are
        st.caption(ui.md_escape(lab.attribution_note(name, result)))
st.caption(lab.CAPTIONS["attributions"])
if not ui.teacher_mode():
    with st.spinner("Measuring gate saturation over the sample sentences…"):
        saturation = ui.cached(lab.saturation, classifier)
    if saturation.empty:
        st.info(saturation.explanation, icon=":material/info:")
    else:
        ui.chart(lab_plots.saturation_chart(saturation, direction), key="lab_saturation")
        st.caption(lab.saturation_caption(saturation))
ui_teacher.link_box()
