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
from rnnviz.core.trace import SentenceTrace, trace_sentence
from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import Translate
from rnnviz.plots import base as plots
from rnnviz.plots import colours
from rnnviz.plots import html as render
from rnnviz.plots.base import ColourRange
from rnnviz.ui import state
from rnnviz.ui.teacher import teacher_mode

# Plotly's toolbar shows on hover with one button: save the chart as an image made in the browser,
# a PNG at twice its size or an SVG (IMAGE_FORMAT, chosen with image_format_picker); zoom and pan are
# left out (noise on a projector). Plotly's button saves one format per chart: a second button needs
# a JavaScript click handler, which a Streamlit chart config (JSON) cannot carry.
CHART_CONFIG = {
    "displayModeBar": "hover",
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
IMAGE_FORMATS = {"png": "PNG (2×)", "svg": "SVG"}  # what a chart's save button makes -> its label
IMAGE_FORMAT = state.Control("chart_image_format", "png", tuple(IMAGE_FORMATS))


# A chart laid out in pixels sits in a container with this key prefix, which scrolls sideways when
# the chart is wider than the column (teacher.SCROLL_STYLE): the page itself never does.
WIDE_KEY_PREFIX = "rnnviz_wide_"
HALF_PAGE_PX = 600  # px: a chart at most this wide shares a row (half a 1280 px projector's page)
FIRST_SCREEN_HEIGHT = 300  # px: a projector's (1280x720) and a laptop's first screen show this chart whole


def chart(figure: go.Figure, key: str, first_screen: bool = False, keep_height: bool = False) -> None:
    """Draw a plotly figure the way every page does: full width, a save-as-PNG button; in
    teacher mode with larger fonts and a taller plot (plots.for_projector) — except a chart
    that must fit the first screen (`first_screen`), which is FIRST_SCREEN_HEIGHT tall, or one
    laid out to hold the larger fonts in its own height (`keep_height`).

    The changes are made on one copy of the figure's JSON, which goes to Streamlit unvalidated:
    plotly's Figure methods would validate the whole spec again at each step (~50 ms a chart)."""
    spec = figure.to_plotly_json()  # a copy: the caller's figure is left as it was
    if teacher_mode():
        plots.projector_spec(spec, keep_height=first_screen or keep_height)
    if first_screen:
        spec["layout"]["height"] = FIRST_SCREEN_HEIGHT
    plots.readable_text(spec)  # axis text at projector contrast, not the theme's light grey
    drawn = go.Figure(spec, _validate=False)  # every change above is to a property plotly knows
    config = {**CHART_CONFIG, "toImageButtonOptions": image_options(state.value(IMAGE_FORMAT), key)}
    if spec["layout"].get(
        "width"
    ):  # laid out in pixels (a heatmap's word columns): as wide as that, scrolled
        with st.container(key=f"{WIDE_KEY_PREFIX}{key}"):
            st.plotly_chart(drawn, width="content", key=key, config=config)
    else:
        st.plotly_chart(drawn, width="stretch", key=key, config=config)


def translated_axes(figure: go.Figure, _: Translate) -> go.Figure:
    """`figure` with its axis titles in the language of `_` (each English title is its msgid)."""

    def translate(axis) -> None:
        if axis.title.text:
            axis.update(title_text=_(axis.title.text))

    figure.for_each_xaxis(translate)
    figure.for_each_yaxis(translate)
    return figure


def chart_width(figure: go.Figure) -> int | None:
    """The pixel width `chart` draws `figure` at (teacher mode's is larger), or None for one
    as wide as its column."""
    width = figure.layout.width
    if not width:
        return None
    return round(width * plots.PROJECTOR_SCALE) if teacher_mode() else int(width)


def image_options(image_format: str, filename: str) -> dict:
    """Plotly's toImageButtonOptions: a 2× PNG, or an SVG (vector: no scale), named `filename`."""
    if image_format == "svg":
        return {"format": "svg", "filename": filename}
    return {**CHART_CONFIG["toImageButtonOptions"], "filename": filename}


def image_format_picker() -> str:
    """'png' or 'svg': what the camera button of every chart saves (drawn in both modes)."""
    return state.widget(
        st.segmented_control,
        IMAGE_FORMAT,
        "Charts save as",
        list(IMAGE_FORMATS),
        required=True,
        format_func=IMAGE_FORMATS.get,
        help="Each chart's camera button (top right, on hover) saves it as this kind of image, "
        "made in your browser: PNG for slides, SVG to edit or scale without blur.",
    )


def show_tokens(tokens: Sequence[str], unknown: Sequence[bool], current: int | None = None) -> None:
    """The tokens as the model sees them, unknown ones marked, token `current` highlighted
    (escaped HTML)."""
    st.html(render.token_chips(tokens, unknown, current))


def show_coloured_tokens(tokens: Sequence[str], values: np.ndarray, scale: ColourRange, what: str) -> None:
    """The sentence coloured by `values` [steps] on `scale` (escaped HTML)."""
    st.html(render.coloured_tokens(tokens, values, scale, what))


def show_verdict(
    label: str,
    probability: float,
    class_index: int,
    unknown: Sequence[bool] = (),
    title: str = "Prediction for the whole sentence",
) -> None:
    """The final prediction, large, in its class's colour, under `title`; greyed and marked
    when many of the tokens are `unknown` to the model."""
    colour = colours.class_colour(class_index)
    uncertain = glossary.many_unknown(unknown)
    st.html(render.verdict(label, probability, colour, uncertain=uncertain, title=title))


def read_sentence(classifier: Classifier, text: str, max_tokens: int) -> SentenceTrace | None:
    """`text` traced by `classifier` (cut at `max_tokens`), or None after a one-line message when
    there is nothing to trace: an empty box, or only spaces and invisible characters."""
    if not text.strip():
        st.info("Type a sentence above, for example “the movie was not good”, and press Enter.")
        return None
    try:
        return trace_sentence(classifier, text, max_tokens=max_tokens)
    except ValueError:
        st.info("That text has no words the model could read (only spaces or invisible characters).")
        return None


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
