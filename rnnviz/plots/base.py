"""What every chart shares: the layout helpers, the colour ranges and the common constants.

The figures live beside this module (trace, pair, training, gates, diagrams), pure functions that
draw, never compute a model or call Streamlit. Conventions shared by every chart:
  * The time axis is categorical with one category per position, "4: not" (position
    from 1, then the token), so repeated tokens ("the … the") stay apart and hover can
    name the token; the tick labels show the token alone.
  * Text that came from a user (tokens, labels) is escaped for plotly's pseudo-HTML
    with `plotly_text`, so "<b>" or "<br>" in a sentence is shown, never interpreted.
  * Numbers go out as float32 arrays (plotly serialises numpy arrays as compact
    base64), with hover rounding to 3 decimals; no per-cell text arrays.
  * Every figure has a title, axis titles and, for heatmaps, a titled colour bar
    on a range fixed by the quantity (see `colour_range`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots.colours import (
    AXIS_TEXT,
    DIVERGING,
    GRID,
    SEQUENTIAL,
    SERIES_COLOURS,
    class_colour,
    class_scale,
)

FONT_SIZE = 15  # readable on a projector
ROW_HEIGHT = 18  # px per heatmap row: at least 16, so a row of units stays readable
FLAT_LABELS = 12  # up to this many words, word labels stay horizontal
MAX_LABEL_CHARS = 16  # longer tokens are cut in tick labels (hover shows up to 60)
WORD_COLUMN_PX = 26  # heatmap column past FLAT_LABELS words: one vertical label (~19 px tall) and a gap
FLAT_COLUMN_PX = 44  # narrowest heatmap column under horizontal labels
HEATMAP_MARGINS = dict(l=60, r=150)  # px; r holds the colour bar, so heatmaps side by side line up
MIN_HEATMAP_WIDTH = 420  # px: a short sentence's heatmap is no narrower than this


@dataclass(frozen=True)
class ColourRange:
    """A colour scale fixed to [zmin, zmax], with the ticks its colour bar shows."""

    zmin: float
    zmax: float
    colorscale: list
    tickvals: tuple[float, ...]
    ticktext: tuple[str, ...]


def colour_range(
    quantity: str, cell_type: str, values: np.ndarray | None = None, _: Translate = english
) -> ColourRange:
    """The fixed colour range for `quantity`: sigmoid gates 0..1 (the ends' words in the language
    of `_`), tanh quantities -1..1, a ReLU state 0..max(1, data max), the LSTM cell state
    ±max(1, data max |c|)."""
    kind = glossary.kind(quantity, cell_type)
    if kind == "sigmoid":
        ends = glossary.GATE_ENDS.get(quantity)
        low, high = (_(ends[0]), _(ends[1])) if ends else ("", "")
        return ColourRange(0.0, 1.0, SEQUENTIAL, (0.0, 0.5, 1.0), (f"0 {low}", "0.5", f"1 {high}"))
    if kind == "tanh":
        return ColourRange(-1.0, 1.0, DIVERGING, (-1.0, 0.0, 1.0), ("−1", "0", "+1"))
    if kind == "relu":
        peak = _peak(values, floor=1.0)
        return ColourRange(0.0, peak, SEQUENTIAL, (0.0, peak), ("0", f"{peak:g}"))
    return diverging_range(values, floor=1.0)


def _peak(values: np.ndarray | None, floor: float) -> float:
    """max |values| rounded up to one decimal, at least `floor` (NaN and ±inf ignored)."""
    if values is None or not np.size(values):
        return floor
    finite = np.asarray(values, dtype=np.float64)
    finite = np.abs(finite[np.isfinite(finite)])
    return max(floor, math.ceil(float(finite.max()) * 10) / 10) if finite.size else floor


def diverging_range(values: np.ndarray | None, floor: float = 0.1) -> ColourRange:
    """A brown-white-teal range symmetric around 0 that fits `values`, at least ±`floor`:
    for the LSTM cell state, and for signed scores such as attributions or differences."""
    peak = _peak(values, floor)
    return ColourRange(-peak, peak, DIVERGING, (-peak, 0.0, peak), (f"−{peak:g}", "0", f"+{peak:g}"))


def toward_class(scale: ColourRange, target: int, classes: int) -> ColourRange:
    """`scale` (signed, centred on 0) recoloured for attributions of class `target`: above 0 in
    that class's colour (the word pushes toward it), below 0 in the other class's colour with two
    classes, else grey (it pushes away from `target`)."""
    against = class_colour(1 - target) if classes == 2 else GRID
    return ColourRange(
        scale.zmin, scale.zmax, class_scale(against, class_colour(target)), scale.tickvals, scale.ticktext
    )


def colour_of(value: float, scale: ColourRange) -> str:
    """The CSS colour ('rgb(r, g, b)') `value` gets on `scale`, clipped to its range."""
    span = scale.zmax - scale.zmin
    where = 0.5 if span <= 0 or not math.isfinite(value) else (value - scale.zmin) / span
    return sample_colorscale(scale.colorscale, [min(1.0, max(0.0, where))])[0]


def plotly_text(text: str, limit: int | None = None) -> str:
    """`text` made safe for plotly labels: cut to `limit` characters, and the three
    characters plotly's pseudo-HTML reacts to (&, <, >) written as entities."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def token_positions(tokens: Sequence[str]) -> list[str]:
    """One category per position for the time axis: '1: the', '2: movie', …"""
    return [f"{t + 1}: {plotly_text(token, 60)}" for t, token in enumerate(tokens)]


def time_axis(tokens: Sequence[str], max_ticks: int) -> dict:
    """Category x axis with the bare tokens as tick labels (every k-th when there are many)."""
    positions = token_positions(tokens)
    step = max(1, math.ceil(len(tokens) / max_ticks))
    shown = range(0, len(tokens), step)
    return dict(
        type="category",
        categoryorder="array",
        categoryarray=positions,
        range=[-0.5, len(tokens) - 0.5],  # no autorange padding: column t spans t ± 0.5
        tickmode="array",
        tickvals=[positions[t] for t in shown],
        ticktext=[plotly_text(tokens[t], MAX_LABEL_CHARS) for t in shown],
        tickfont=dict(size=FONT_SIZE if len(tokens) <= 40 else 12),
        # Horizontal labels for short sentences; past FLAT_LABELS words they turn and the bottom
        # margin grows to fit them (automargin), so labels never overprint each other.
        tickangle=0 if len(tokens) <= FLAT_LABELS else -45,
        automargin=True,
    )


def text_columns(text: str) -> int:
    """How many half-em columns `text` takes: 2 for a wide (CJK) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_columns(text: str, limit: int) -> str:
    """`text` cut to `limit` columns (a wide character counts twice) with "…", escaped for plotly."""
    if text_columns(text) > limit:
        kept, used = [], 1  # 1: the "…"
        for char in text:
            used += text_columns(char)
            if used > limit:
                break
            kept.append(char)
        text = "".join(kept) + "…"
    return plotly_text(text)


def label_px(label: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of the width in px of a tick label at font `size`: 0.62 em per
    character, two for a wide (CJK) one. Labels are laid out from it, so it errs on the wide side."""
    return text_columns(label) * 0.62 * size + 2


@dataclass(frozen=True)
class WordAxis:
    """A heatmap's x axis with every word labelled, and the pixels its labels need."""

    axis: dict  # plotly xaxis properties
    plot_width: int  # px of plot area that keep the labels apart
    label_depth: int  # px under the plot the labels take (their height, or length when vertical)


def word_axis(tokens: Sequence[str], size: float = FONT_SIZE) -> WordAxis:
    """Every word labelled under a heatmap, never overprinting: up to FLAT_LABELS words the
    labels are horizontal and each column is as wide as the widest label; beyond, they stand
    vertical in WORD_COLUMN_PX columns, so a long sentence makes a wide figure (shown in a
    scrolling box, rnnviz.ui.output.chart) rather than a pile of labels."""
    positions = token_positions(tokens)
    labels = [_cut(token, MAX_LABEL_CHARS) for token in tokens]
    widest = max((label_px(label, size) for label in labels), default=0.0)
    flat = len(tokens) <= FLAT_LABELS
    column = max(FLAT_COLUMN_PX, widest + 10) if flat else WORD_COLUMN_PX
    axis = dict(
        type="category",
        categoryorder="array",
        categoryarray=positions,
        range=[-0.5, len(tokens) - 0.5],  # no autorange padding: column t spans t ± 0.5
        tickmode="array",
        tickvals=positions,
        ticktext=[plotly_text(label) for label in labels],
        tickfont=dict(size=size),
        tickangle=0 if flat else -90,
        automargin=True,
    )
    depth = size * 1.5 if flat else widest + 8
    return WordAxis(axis, math.ceil(column * len(tokens)), math.ceil(depth))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def heatmap_height(rows: int, chrome: int = 150) -> int:
    """Figure height for a heatmap of `rows` rows: ROW_HEIGHT px each plus `chrome` px for the
    title, the word labels and margins (at least 300 px in all)."""
    return int(max(300, chrome + ROW_HEIGHT * rows))


def new_figure(data: list[dict], layout: dict, validate: bool = True) -> go.Figure:
    """One Figure from plain dicts: plotly checks the whole spec once, which is several times
    faster than building it up with add_trace / update_layout. `validate=False` skips even that
    (about 10 ms a figure) for figures redrawn at every keystroke, whose tests prove their JSON
    equal to the validated one."""
    return go.Figure(dict(data=data, layout=layout), _validate=validate)


def base_layout(title: str, height: int) -> dict:
    """The layout every figure starts from: its title, height, projector-sized font and margins."""
    return dict(
        title=dict(text=title, font=dict(size=FONT_SIZE + 3)),
        height=height,
        font=dict(size=FONT_SIZE),
        margin=dict(l=60, r=20, t=60, b=40),
        colorway=list(SERIES_COLOURS),  # lines that are neither a class nor a cell: never red or blue
    )


LEGEND_ROW = 28  # px per row of a legend under the plot


def legend_below(layout: dict, rows: int = 1) -> None:
    """Put `layout`'s legend in `rows` horizontal rows at the bottom of the figure, under the
    x-axis title, and grow the bottom margin and the height to hold it: a legend never overlaps
    the title, and the plot keeps its size."""
    layout["legend"] = dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left")
    extra = 30 + LEGEND_ROW * rows
    layout["margin"]["b"] = layout["margin"].get("b", 40) + extra
    layout["height"] = layout.get("height", 450) + extra


def legend_right(layout: dict) -> None:
    """Put `layout`'s legend beside the plot, top right (plotly widens the right margin to fit)."""
    layout["legend"] = dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top")


# --------------------------------------------------------------------------- projector

PROJECTOR_SCALE = 1.35  # teacher mode: fonts and heights this much larger


def _scale_fonts(node: object, scale: float) -> None:
    """Multiply, in place, the `size` of every font dict (font, tickfont, textfont, …) in a
    figure's JSON; a per-point size array is scaled point by point."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                if isinstance(size, int | float):
                    value["size"] = round(size * scale, 1)
                elif isinstance(size, list | tuple | np.ndarray):
                    value["size"] = [round(float(s) * scale, 1) for s in size]
            _scale_fonts(value, scale)
    elif isinstance(node, list | tuple):
        for item in node:
            _scale_fonts(item, scale)


def for_projector(figure: go.Figure, scale: float = PROJECTOR_SCALE, keep_height: bool = False) -> go.Figure:
    """A copy of `figure` for a projector (teacher mode): every font and (unless `keep_height`)
    the height `scale` times larger, so labels stay readable from the back of a room."""
    return go.Figure(projector_spec(figure.to_plotly_json(), scale, keep_height))


def projector_spec(spec: dict, scale: float = PROJECTOR_SCALE, keep_height: bool = False) -> dict:
    """`for_projector` on a figure's JSON dict, changed in place (and returned)."""
    _scale_fonts(spec, scale)
    layout = spec.setdefault("layout", {})
    layout.setdefault("font", {}).setdefault("size", round(12 * scale, 1))  # plotly's default is 12
    if not keep_height:
        layout["height"] = round((layout.get("height") or 450) * scale)  # 450: plotly's default height
    if layout.get("width"):  # a figure laid out in pixels (a heatmap's word columns) grows whole
        layout["width"] = round(layout["width"] * scale)
        margin = layout.setdefault("margin", {})
        for side in ("l", "r", "t", "b"):
            if side in margin:
                margin[side] = round(margin[side] * scale)
    return spec


@cache
def _colour_bar_traces() -> frozenset[str]:
    """Trace types with a colour bar of their own (heatmap, contour, …), from plotly's classes."""
    from plotly.basedatatypes import BaseTraceType

    kinds = (getattr(go, name) for name in go.__all__)  # plotly imports its classes lazily
    return frozenset(
        kind._path_str
        for kind in kinds
        if isinstance(kind, type) and issubclass(kind, BaseTraceType) and "colorbar" in kind._valid_props
    )


def readable_text(spec: dict, colour: str = AXIS_TEXT) -> dict:
    """A figure's JSON dict (changed in place, and returned) with its axis labels, axis titles and
    colour-bar text in `colour`: Streamlit's chart theme greys them to rgb(128, 132, 149), 3.7:1 on
    white, under the 4.5:1 a laptop needs and the 7:1 of a projector. Works on the dict, as
    plotly's update_xaxes & co. would on the Figure, at a hundredth of their cost."""
    layout = spec.setdefault("layout", {})
    axes = {"xaxis", "yaxis"} | {name for name in layout if re.fullmatch(r"[xy]axis\d+", name)}
    for name in axes:
        _readable(layout.setdefault(name, {}), colour)
    for name in {"coloraxis"} | {name for name in layout if re.fullmatch(r"coloraxis\d+", name)}:
        _readable(layout.setdefault(name, {}).setdefault("colorbar", {}), colour)
    for trace in spec.get("data", []):
        if trace.get("type", "scatter") in _colour_bar_traces():
            _readable(trace.setdefault("colorbar", {}), colour)
    return spec


def _readable(part: dict, colour: str) -> None:
    """Tick labels and title of one axis or colour bar in `colour`."""
    part.setdefault("tickfont", {})["color"] = colour
    title = part.get("title")
    title = part["title"] = {"text": title} if isinstance(title, str) else (title or {})
    title.setdefault("font", {})["color"] = colour


def column_band(first: int, last: int, colour: str, opacity: float, xref: str = "x") -> dict:
    """A full-height band behind word columns first..last (inclusive) of a word axis."""
    return dict(
        type="rect", xref=xref, yref="paper", x0=first - 0.5, x1=last + 0.5, y0=0, y1=1,
        fillcolor=colour, opacity=opacity, line=dict(width=0), layer="below",
    )  # fmt: skip


def chance_line(y: float, width: float | None = None) -> dict:
    """A dotted grey line across the whole plot at `y`: the accuracy of guessing."""
    line = {"dash": "dot", "color": GRID} if width is None else {"color": GRID, "width": width, "dash": "dot"}
    return dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=line)
