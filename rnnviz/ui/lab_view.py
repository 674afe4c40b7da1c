"""The Negation lab's sections below the first screen, one tab each: the pair side by side, the
units that differ most, negation units across many pairs, and why the model decided.

Only the open tab is drawn (rnnviz.ui.state.tabs): a new sentence B redraws the first screen's
prediction chart and that tab's charts, not all seven of the page. The open tab is a control like
any other (it survives teacher mode and page visits) and a link can name it (`section=why`).

    view = LabView(classifier, layer, direction, quantity, shown)
    open_section = section_tabs(incoming)      # after session.incoming_query(["section", ...])
    if open_section == "pair": pair_charts(view, comparison)
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from rnnviz.analysis import compare as negation
from rnnviz.core import markup
from rnnviz.core.models import Classifier
from rnnviz.core.trace import SentenceTrace
from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from rnnviz.plots import pair as lab_plots
from rnnviz.ui import cache, lab, lab_inputs, output, session, state, teacher, widgets
from rnnviz.ui import units as units_page

MAX_TOKENS = 100  # tokens per sentence traced and drawn; the rest is cut off

# The tabs: {name in a link: label}. The first is open until the student opens another.
SECTIONS = {
    "pair": "A and B side by side",
    "units": "Units that differ most",
    "pairs": "Negation units across many pairs",
    "why": "Why the model decided",
}
SECTION = state.Control("lab_section", SECTIONS["pair"], choices=tuple(SECTIONS.values()))


@dataclass(frozen=True)
class LabView:
    """What the sections read: the model and the controls above the tabs."""

    classifier: Classifier
    layer: int
    direction: str
    quantity: str
    shown: int


def section_tabs(incoming: dict[str, str]) -> tuple[str, dict[str, object]]:
    """Draw the tabs (a link's `section` opens its tab): (the open section's name, {name: tab})."""
    wanted = session.query_choice(
        incoming,
        "section",
        list(SECTIONS),
        str,
        "the section",
        SECTIONS["pair"],
        "which the lab does not have",
    )
    if wanted is not None:
        state.set_value(SECTION, SECTIONS[wanted])
    label, containers = state.tabs(SECTION, list(SECTIONS.values()))
    name = next(name for name, shown in SECTIONS.items() if shown == label)
    session.set_query(section=None if name == "pair" else name)
    return name, dict(zip(SECTIONS, containers, strict=True))


def pair_charts(view: LabView, comparison: negation.PairComparison) -> None:
    """How far apart A and B are at each word, and their heatmaps on aligned columns."""
    compared = comparison.quantities[view.quantity]
    output.chart(lab_plots.divergence_chart(comparison), key="lab_divergence")
    st.caption(lab.CAPTIONS["divergence"])
    cell_type = view.classifier.config.cell
    heatmaps = lab_plots.pair_heatmaps(comparison, view.quantity, cell_type, compared.top(view.shown))
    output.chart(heatmaps, key="lab_heatmaps")
    st.caption(f"{glossary.caption(view.quantity, cell_type)} {lab.CAPTIONS['heatmaps']}")


def differing_units(view: LabView, comparison: negation.PairComparison, text_a: str, text_b: str) -> None:
    """The units whose values differ most between A and B: a table to pick from, and their lines."""
    compared = comparison.quantities[view.quantity]
    left, right = st.columns([1, 3])
    with left:
        ranked = lab.difference_rows(compared, 10)
        picked_view = (text_a, text_b, view.layer, view.direction, view.quantity)  # new view: no selection
        units = [ranked[r]["unit"] for r in widgets.table_picker(ranked, "lab_top", "multi-row", picked_view)]
    with right:
        cell_type = view.classifier.config.cell
        lines = lab_plots.pair_unit_lines(comparison, view.quantity, cell_type, units or compared.top(3))
        output.chart(lines, key="lab_unit_lines")
        st.caption(
            markup.md_escape(f"Ranked by {compared.basis}. Select rows of the table to draw other units.")
        )


@st.fragment
def negation_units(view: LabView, comparison: negation.PairComparison | None, text_b: str) -> None:
    """Unit scores over many pairs (reruns alone when its inputs or its table selection change)."""
    classifier, quantity = view.classifier, view.quantity
    builtin, typed, upload = lab_inputs.pairs_inputs(
        lab.CAPTIONS["pairs"], lab.CAPTIONS["own pairs"], len(lab.builtin_pair_texts())
    )
    pairs, problems = lab.collect_pairs(builtin, typed, upload, classifier.labels)
    for problem in problems:
        st.error(markup.md_escape(problem), icon=":material/error:")
    try:
        with st.spinner("Scoring every unit over the pairs…"):
            scores = cache.per_sentence(
                lab.unit_scores, classifier, pairs, view.layer, view.direction, quantity
            )
    except ValueError as error:
        st.info(markup.md_escape(f"No unit scores: {error}."))
        return
    left, right = st.columns(2)  # half the page: the table keeps all six columns at both sizes
    with left:
        rows = lab.unit_score_rows(scores, 20)
        picked = widgets.table_picker(
            rows, "lab_units", "single-row-required", (pairs, view.layer, view.direction, quantity)
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
        units_page.what_if_off(
            text_b, tokens_b, unit, view.layer, view.direction, quantity, sentence_name="B"
        )


def why(view: LabView, text_a: str, text_b: str) -> None:
    """Word attributions for both sentences, and gate saturation outside teacher mode."""
    classifier = view.classifier
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
            output.chart(lab_plots.saturation_chart(saturation, view.direction), key="lab_saturation")
            st.caption(lab.saturation_caption(saturation))


def prediction_chart(comparison: negation.PairComparison, trace_a: SentenceTrace) -> None:
    """The first screen's chart: P(the class A's verdict names) after each word, for A and B."""
    target = trace_a.labels.index(trace_a.predicted)
    output.chart(lab_plots.pair_prediction_chart(comparison, target), key="lab_prediction", first_screen=True)
    st.caption(lab.CAPTIONS["prediction"])
