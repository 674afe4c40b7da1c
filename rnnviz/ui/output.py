"""How every page draws its results: charts, the sentence as tokens, the verdict and the trace
downloads, all the same way on every page.

User text only reaches HTML through rnnviz.plots.html, which escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from rnnviz.core.models import Classifier
from rnnviz.core.trace import SentenceTrace
from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from rnnviz.plots import colours
from rnnviz.plots import html as render
from rnnviz.plots.base import ColourRange
from rnnviz.ui.teacher import teacher_mode

# Plotly's toolbar shows on hover with one button: save the chart as a PNG at twice its size
# (for slides), made in the browser; zoom and pan are left out (noise on a projector).
CHART_CONFIG = {
    "displayModeBar": "hover",
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


FIRST_SCREEN_HEIGHT = 300  # px: a projector's (1280x720) and a laptop's first screen show this chart whole


def chart(figure: go.Figure, key: str, first_screen: bool = False) -> None:
    """Draw a plotly figure the way every page does: full width, a save-as-PNG button; in
    teacher mode with larger fonts and a taller plot (plots.for_projector) — except a chart
    that must fit the first screen (`first_screen`), which is FIRST_SCREEN_HEIGHT tall."""
    if teacher_mode():
        figure = plots.for_projector(figure, keep_height=first_screen)
    if first_screen:
        figure.update_layout(height=FIRST_SCREEN_HEIGHT)
    config = {
        **CHART_CONFIG,
        "toImageButtonOptions": {**CHART_CONFIG["toImageButtonOptions"], "filename": key},
    }
    st.plotly_chart(figure, width="stretch", key=key, config=config)


def show_tokens(tokens: Sequence[str], unknown: Sequence[bool], current: int | None = None) -> None:
    """The tokens as the model sees them, unknown ones marked, token `current` highlighted
    (escaped HTML)."""
    st.html(render.token_chips(tokens, unknown, current))


def show_coloured_tokens(tokens: Sequence[str], values: np.ndarray, scale: ColourRange, what: str) -> None:
    """The sentence coloured by `values` [steps] on `scale` (escaped HTML)."""
    st.html(render.coloured_tokens(tokens, values, scale, what))


def show_verdict(label: str, probability: float, class_index: int, unknown: Sequence[bool] = ()) -> None:
    """The final prediction, large, in its class's colour; greyed and marked when many of the
    tokens are `unknown` to the model."""
    colour = colours.class_colour(class_index)
    st.html(render.verdict(label, probability, colour, uncertain=glossary.many_unknown(unknown)))


def show_unknown_notice(unknown: Sequence[bool]) -> None:
    """A notice when all, or many (glossary.MANY_UNKNOWN_SHARE), of the tokens are unknown."""
    notice = glossary.unknown_notice(unknown)
    if notice == glossary.ALL_UNKNOWN:  # nothing to weigh: the prediction is about <unk> alone
        st.info(notice, icon=":material/help:")
    elif notice:
        st.warning(notice, icon=":material/help:")


def trace_downloads(sentence: SentenceTrace, classifier: Classifier, key: str) -> None:
    """JSON (as `python -m rnnviz trace` prints) and CSV download buttons, built on click."""
    row = st.container(horizontal=True)
    row.download_button(
        "Download the trace as JSON",
        data=lambda: sentence.to_json(classifier.config),
        file_name="rnnviz-trace.json",
        mime="application/json",
        on_click="ignore",
        key=f"{key}_json",
        icon=":material/download:",
    )
    row.download_button(
        "Download the trace as CSV",
        data=sentence.to_csv,
        file_name="rnnviz-trace.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
        icon=":material/download:",
    )
