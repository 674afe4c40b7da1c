"""Explore's heatmaps of one layer: the switch that picks one quantity (or all of them side by side)
and the grid that lays the chosen heatmaps out with their captions.

One heatmap per update at first: each plotly chart the browser receives is drawn from scratch
(Streamlit gives a chart a new identity whenever its figure changes), so the page answers about
twice as fast with one heatmap as with six (BENCHMARKS.md, "One Explore update"). "All side by
side" keeps the comparison of every gate a click away.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from rnnviz.lessons import glossary
from rnnviz.ui import output, state

ALL = "all"  # the switch's option that draws every quantity of the layer


def view_picker(names: Sequence[str], key: str) -> str:
    """One of `names` (quantities of the cell, names[0] at first) or ALL; a cell with a single
    quantity (a plain RNN's h) gets no switch. Drawn in teacher mode too: a class compares gates."""
    if len(names) == 1:
        return names[0]
    options = [*names, ALL]
    return state.widget(
        st.segmented_control,
        state.Control(key, names[0]),
        "Heatmap",
        options,
        choices=options,
        required=True,
        format_func=lambda name: "All side by side" if name == ALL else glossary.title(name),
        help="One quantity at a time, or every state and gate of the layer side by side.",
    )


def shown(names: Sequence[str], view: str) -> list[str]:
    """The quantities whose heatmaps `view` draws, in `names`' order."""
    return list(names) if view == ALL else [view]


def draw(figures: dict[str, go.Figure], cell_type: str, key: str) -> None:
    """The heatmaps (quantity -> figure), each over its caption: two side by side while each fits
    half a page, else one per row (a long sentence's wide heatmaps)."""
    per_row = 2 if all(output.chart_width(f) <= output.HALF_PAGE_PX for f in figures.values()) else 1
    per_row = min(per_row, len(figures))
    names = list(figures)
    for row in range(0, len(names), per_row):
        for column, quantity in zip(st.columns(per_row), names[row : row + per_row], strict=False):
            with column:
                output.chart(figures[quantity], key=f"{key}_{quantity}")
                st.caption(glossary.caption(quantity, cell_type))
