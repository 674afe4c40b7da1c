"""The trace figures of Explore and the Train page: the prediction after each word, the heatmap of one
quantity [steps, units] drawn as [units, steps], and lines of chosen units across the words.

Pure functions following the conventions of rnnviz.plots.base: no Streamlit, no model maths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis import predictions
from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots.base import (
    FONT_SIZE,
    HEATMAP_MARGINS,
    MIN_HEATMAP_WIDTH,
    ColourRange,
    base_layout,
    colour_range,
    column_band,
    heatmap_height,
    legend_right,
    new_figure,
    plotly_text,
    time_axis,
    token_positions,
    word_axis,
)
from rnnviz.plots.colours import GRID, INK, class_colour


def largest_change(prefix_probabilities: np.ndarray) -> tuple[int, int] | None:
    """(position t, class k) of the largest single-word change |P_k[t] - P_k[t-1]| (k rising),
    or None for fewer than two words or no change at all."""
    probabilities = np.asarray(prefix_probabilities, dtype=np.float64)  # [steps, n_labels]
    if len(probabilities) < 2:
        return None
    rise = np.diff(probabilities, axis=0)  # [steps - 1, n_labels]
    t, k = np.unravel_index(int(np.argmax(rise)), rise.shape)
    return (int(t) + 1, int(k)) if rise[t, k] > 0 else None


def prediction_chart(
    tokens: Sequence[str],
    prefix_probabilities: np.ndarray,
    labels: Sequence[str],
    title: str = "Prediction after each word",
    height: int = 380,
    _: Translate = english,
) -> go.Figure:
    """Probability of each class [steps, n_labels] if the sentence ended at each token.

    The background is tinted with the winning class's colour, a dashed line marks 0.5
    for two classes (chance, 1/n, otherwise), each clear flip (`predictions.clear_flips`) is marked
    with a vertical line and '→ label', and the word with the largest rise of one class
    is annotated 'largest change' (in the language of `_`).
    """
    probabilities = np.asarray(prefix_probabilities, dtype=np.float32)  # [steps, n_labels]
    positions = token_positions(tokens)
    colours = [class_colour(k) for k in range(len(labels))]
    data = []
    for k, label in enumerate(labels):
        name = plotly_text(label, 30)
        data.append(
            dict(
                type="scatter",
                x=positions,
                y=probabilities[:, k],
                name=name,
                mode="lines+markers",
                line=dict(color=colours[k], width=3),
                marker=dict(size=8),
                hovertemplate=f"{name}: %{{y:.3f}}<extra></extra>",
            )
        )
    chance = 1.0 / max(1, len(labels))
    shapes = [
        dict(type="line", xref="paper", x0=0, x1=1, y0=chance, y1=chance, line=dict(dash="dash", color=GRID))
    ]
    for first, last, k in predictions.class_runs(probabilities):
        shapes.append(column_band(first, last, colours[k], 0.08))
    annotations = []
    gap = max(2, math.ceil(len(tokens) / 8))  # columns between two flip labels, so they never overprint
    labelled = -gap
    for t, k in predictions.clear_flips(probabilities):
        shapes.append(
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=t - 0.5,
                x1=t - 0.5,
                y0=0,
                y1=1,
                line=dict(width=2, color=INK),
            )
        )
        if t - labelled < gap:  # too close to the last label: the line alone marks this flip
            continue
        labelled = t
        annotations.append(
            dict(
                x=t - 0.5,
                y=1.0,
                xref="x",
                yref="paper",
                yanchor="bottom",
                xanchor="left",
                showarrow=False,
                text=f"→ {plotly_text(labels[k], 30)}",
                # bold: projected, it is large text, for which the class colours' 4.7:1 is enough
                font=dict(color=colours[k], size=FONT_SIZE, weight="bold"),
            )
        )
    biggest = largest_change(probabilities)
    if biggest is not None:
        t, k = biggest
        annotations.append(
            dict(
                x=positions[t],
                y=float(probabilities[t, k]),
                xref="x",
                yref="y",
                text=_("largest change"),
                showarrow=True,
                arrowhead=2,
                ax=0,
                ay=40 if probabilities[t, k] > 0.5 else -40,
                font=dict(color=INK, size=FONT_SIZE - 2),
            )
        )
    layout = base_layout(title, height)
    layout["margin"]["t"] = 80
    legend_right(layout)
    layout.update(
        shapes=shapes,
        annotations=annotations,
        hovermode="x unified",
        xaxis=dict(title=dict(text="the sentence so far, ending with this word"), **time_axis(tokens, 80)),
        yaxis=dict(title=dict(text="probability"), range=[-0.02, 1.02], tickformat=".0%"),
    )
    return new_figure(data, layout, validate=False)  # redrawn at each keystroke: see tests


def state_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    quantity: str,
    cell_type: str,
    units: Sequence[int] | None = None,
    scale: ColourRange | None = None,
    title: str | None = None,
    unit_title: str = "unit",
    _: Translate = english,
) -> go.Figure:
    """Heatmap of one quantity of one layer and direction (the colour bar's words in the language
    of `_`).

    `values` is [steps, hidden_size] as in a trace. It is drawn transposed, as z
    [shown units, steps]: one row per unit (units[0] at the top), one column per token
    (left to right in reading order). `units` picks and orders the rows (default: all,
    by number); `scale` overrides the quantity's fixed colour range.
    """
    values = np.asarray(values, dtype=np.float32)  # [steps, hidden_size]
    shown = np.arange(values.shape[1]) if units is None else np.asarray(units, dtype=np.int64)
    z = np.ascontiguousarray(values[:, shown].T)  # [shown units, steps]
    scale = scale or colour_range(quantity, cell_type, values, _)
    symbol = glossary.symbol(quantity)
    few = len(shown) <= 32  # then every unit gets a tick label
    words = word_axis(tokens)
    # Laid out in pixels: columns wide enough for every word's label (the figure is wider than
    # the page past FLAT_LABELS words: rnnviz.ui.output.chart then scrolls it), rows ROW_HEIGHT
    # tall, and room under them for the labels and the axis title.
    height = heatmap_height(len(shown)) + words.label_depth
    width = max(MIN_HEATMAP_WIDTH, HEATMAP_MARGINS["l"] + words.plot_width + HEATMAP_MARGINS["r"])
    unit_labels = [str(int(u)) for u in shown]
    heatmap = dict(
        type="heatmap",
        z=z,
        x=token_positions(tokens),
        y=unit_labels,
        zmin=scale.zmin,
        zmax=scale.zmax,
        colorscale=scale.colorscale,
        colorbar=dict(
            title=dict(text=symbol, side="top"),
            tickvals=list(scale.tickvals),
            ticktext=list(scale.ticktext),
            thickness=14,
            x=1.02,
            xanchor="left",
        ),
        hovertemplate=f"{_('word')} %{{x}}<br>{_('unit')} %{{y}}<br>{symbol} = %{{z:.3f}}<extra></extra>",
    )
    layout = base_layout(title or glossary.title(quantity), height)
    # A right margin wide enough for every colour bar's labels, so heatmaps side by side get
    # plot areas of the same width.
    layout["margin"].update(HEATMAP_MARGINS, b=40 + words.label_depth)
    layout["width"] = width
    unit_ticks = dict(tickmode="array", tickvals=unit_labels, tickfont=dict(size=12)) if few else {}
    layout.update(
        xaxis=dict(title=dict(text="word"), **words.axis),
        yaxis=dict(title=dict(text=unit_title), type="category", autorange="reversed", **unit_ticks),
    )
    return new_figure([heatmap], layout, validate=False)  # redrawn at each keystroke: see tests


def unit_lines(
    values: np.ndarray,
    tokens: Sequence[str],
    units: Sequence[int],
    quantity: str,
    cell_type: str,
    title: str | None = None,
    height: int = 360,
) -> go.Figure:
    """One line per unit in `units`: values [steps, hidden_size] of `quantity` across the
    tokens, on the quantity's fixed value range."""
    values = np.asarray(values, dtype=np.float32)  # [steps, hidden_size]
    positions = token_positions(tokens)
    symbol = glossary.symbol(quantity)
    data = [
        dict(
            type="scatter",
            x=positions,
            y=values[:, int(unit)],
            name=f"unit {int(unit)}",
            mode="lines+markers",
            line=dict(width=3),
            hovertemplate=f"unit {int(unit)}: {symbol} = %{{y:.3f}}<extra></extra>",
        )
        for unit in units
    ]
    scale = colour_range(quantity, cell_type, values)
    margin = 0.05 * (scale.zmax - scale.zmin)
    names = ", ".join(str(int(u)) for u in units[:6]) + (" …" if len(units) > 6 else "")
    which = f"unit {names}" if len(units) == 1 else f"units {names}"
    layout = base_layout(title or f"{glossary.title(quantity)} of {which}, word by word", height)
    layout.update(
        hovermode="x unified",
        xaxis=dict(title=dict(text="word"), **time_axis(tokens, 80)),
        yaxis=dict(title=dict(text=symbol), range=[scale.zmin - margin, scale.zmax + margin]),
    )
    return new_figure(data, layout, validate=False)  # redrawn at each keystroke: see tests
