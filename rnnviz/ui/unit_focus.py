"""Explore's "Focus on units": lines for chosen units of one quantity, the sentence coloured by the
first of them, and the link that switches that unit off on the Units page. A fragment: changing
the units or the quantity reruns this part alone.

Session state: explore_focus_quantity_<cell>, explore_focus_units (rnnviz.ui.state controls).
"""

import streamlit as st

from rnnviz.core.trace import SentenceTrace
from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from rnnviz.plots import trace as trace_plots
from rnnviz.ui import output, state
from rnnviz.ui import units as units_page


@st.fragment
def draw(
    sentence: SentenceTrace, text: str, quantities: dict, top: list[int], layer: int, direction: str
) -> None:
    """Lines for chosen units, the sentence coloured by the first one, and a link that switches it
    off on the Units page (reruns alone)."""
    trace, tokens = sentence.trace, sentence.tokens
    st.subheader("Focus on units")
    pick, which = st.columns([1, 3])
    names = list(quantities)
    with pick:
        quantity_control = state.Control(f"explore_focus_quantity_{trace.cell_type}", names[0])
        quantity = state.widget(
            st.selectbox, quantity_control, "Quantity", names, choices=names, format_func=glossary.title
        )
    with which:
        units_control = state.Control(
            "explore_focus_units",
            tuple(top),
            check=lambda units: all(0 <= u < trace.hidden_size for u in units),
        )
        units = state.widget(
            st.multiselect,
            units_control,
            "Units",
            list(range(trace.hidden_size)),
            default=tuple(top),
            remember=False,
            format_func=lambda unit: f"unit {unit}",
            help="The three units whose hidden state changes most are picked to start with.",
        )
    if not units:
        st.info("Pick one or more units to follow them across the sentence.")
        return
    values = quantities[quantity]
    scale = plots.colour_range(quantity, trace.cell_type, values)
    output.show_coloured_tokens(
        tokens, values[:, units[0]], scale, f"{glossary.symbol(quantity)} of unit {units[0]}"
    )
    st.caption(f"The sentence coloured by unit {units[0]}'s {glossary.NAMES[quantity].lower()} at each word.")
    output.chart(
        trace_plots.unit_lines(values, tokens, units, quantity, trace.cell_type), key="explore_lines"
    )
    units_page.what_if_off(text, tokens, units[0], layer, direction, quantity)
