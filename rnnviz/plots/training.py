"""Training -> plotly Figures for the Train page: curves, the probe across epochs, test results.

Pure functions, like rnnviz.plots.base (whose conventions and helpers they share): no Streamlit, no
model maths; every figure has a title and axis titles. The x axis of the curves is in epochs
(passes over the training data), so runs with different step counts line up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots.base import (
    FONT_SIZE,
    ColourRange,
    base_layout,
    chance_line,
    colour_range,
    legend_below,
    new_figure,
    plotly_text,
    time_axis,
)
from rnnviz.plots.colours import (
    MUTED,
    SEQUENTIAL,
    SERIES_COLOURS,
    WHITE,
    cell_colour,
    cell_of,
    class_colour,
    class_scale,
)
from rnnviz.training.history import Curves

# A single training draws training and validation in the first two series colours; a race gives
# each run its cell type's colour (colours.CELL_COLOURS) and tells training from validation by the dash.
RUN_COLOURS = SERIES_COLOURS
MAX_POINTS = 600  # per line: longer step series are smoothed and thinned to about this many
SMOOTHING = 0.9  # exponential moving average of the batch loss: weight of the past


def smooth(values: np.ndarray, weight: float = SMOOTHING) -> np.ndarray:
    """Exponential moving average [n] -> [n], debiased at the start (as TensorBoard does)."""
    values = np.asarray(values, dtype=np.float64)
    out = np.empty_like(values)
    average = 0.0
    for i, value in enumerate(values):
        average = weight * average + (1 - weight) * value
        out[i] = average / (1 - weight ** (i + 1))
    return out.astype(np.float32)


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th point (and the last) so that a line has at most about MAX_POINTS points."""
    step = max(1, math.ceil(len(x) / MAX_POINTS))
    keep = np.unique(np.r_[np.arange(0, len(x), step), len(x) - 1]) if len(x) else np.arange(0)
    return x[keep], y[keep]


def _epoch_axis(runs: Sequence[Curves]) -> dict:
    end = max([1, *(run.epochs for run in runs)])
    return dict(
        title=dict(text="epoch (passes over the training data)"),
        range=[0, end * 1.02],
        dtick=1 if end <= 20 else None,
        zeroline=False,
    )


def _colours(runs: Sequence[Curves]) -> list[tuple[str, str]]:
    """(training colour, validation colour) per run."""
    if len(runs) == 1:
        return [(RUN_COLOURS[0], RUN_COLOURS[1])]
    return [(_run_colour(run.name, i),) * 2 for i, run in enumerate(runs)]


def _run_colour(name: str, index: int) -> str:
    """A run named after a cell type gets that cell's colour; any other the index-th series colour."""
    return cell_colour(name) if cell_of(name) else RUN_COLOURS[index % len(RUN_COLOURS)]


def _legend_name(run: Curves, what: str, many: bool) -> str:
    return f"{plotly_text(run.name, 30)} {what}" if many else what


def _validation_line(run: Curves, y: Sequence[float], colour: str, many: bool, hover: str) -> dict:
    """A run's validated epochs: dashed, with diamonds; `hover` formats the value."""
    return dict(
        type="scatter",
        x=run.val_x,
        y=y,
        mode="lines+markers",
        name=_legend_name(run, "validation", many),
        line=dict(color=colour, width=2, dash="dash"),
        marker=dict(size=8, symbol="diamond"),
        hovertemplate=f"epoch %{{x:.2f}}: validation {hover}<extra></extra>",
    )


def loss_curves(runs: Sequence[Curves], title: str = "Loss: lower is better", height: int = 360) -> go.Figure:
    """Training loss (each batch's, smoothed) and validation loss per epoch, one colour per run."""
    many = len(runs) > 1
    data = []
    for run, (train_colour, val_colour) in zip(runs, _colours(runs), strict=True):
        x, y = _thin(run.step_x, smooth(run.batch_loss))
        data.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                mode="lines",
                name=_legend_name(run, "training (smoothed)", many),
                line=dict(color=train_colour, width=2),
                hovertemplate="epoch %{x:.2f}: training loss %{y:.3f}<extra></extra>",
            )
        )
        data.append(_validation_line(run, run.val_loss, val_colour, many, "loss %{y:.3f}"))
    layout = base_layout(title, height)
    legend_below(layout, rows=math.ceil(len(data) / 2))  # the curves sit side by side: 2 entries a row
    layout.update(
        xaxis=_epoch_axis(runs),
        yaxis=dict(title=dict(text="cross-entropy loss")),
    )
    return new_figure(data, layout)


def accuracy_curves(
    runs: Sequence[Curves], title: str = "Accuracy: higher is better", height: int = 360
) -> go.Figure:
    """Validation accuracy and accuracy on a sample of the training data after each epoch, with
    a dashed line at chance."""
    many = len(runs) > 1
    data = []
    for run, (train_colour, val_colour) in zip(runs, _colours(runs), strict=True):
        data.append(
            dict(
                type="scatter",
                x=run.train_x,
                y=run.train_accuracy,
                mode="lines+markers",
                name=_legend_name(run, "training", many),
                line=dict(color=train_colour, width=2),
                marker=dict(size=7),
                hovertemplate="epoch %{x:.2f}: training accuracy %{y:.1%}<extra></extra>",
            )
        )
        data.append(_validation_line(run, run.val_accuracy, val_colour, many, "accuracy %{y:.1%}"))
    chance = runs[0].chance if runs else 0.5
    layout = base_layout(title, height)
    legend_below(layout, rows=math.ceil(len(data) / 2))  # the curves sit side by side: 2 entries a row
    layout.update(
        shapes=[chance_line(chance)],
        annotations=[
            dict(
                xref="paper",
                x=1,
                y=chance,
                xanchor="right",
                yanchor="top",
                showarrow=False,
                text="guessing",
                font=dict(color=MUTED, size=FONT_SIZE - 2),
            )
        ],
        xaxis=_epoch_axis(runs),
        yaxis=dict(title=dict(text="share classified right"), range=[0, 1.02], tickformat=".0%"),
    )
    return new_figure(data, layout)


def epoch_labels(epochs: Sequence[float], _: Translate = english) -> list[str]:
    """Row labels of the epoch heatmaps: 'untrained', 'epoch 1', …, 'epoch 2.4' (stopped mid-way),
    in the language of `_`."""
    return [_("untrained") if epoch == 0 else _("epoch {epoch:g}").format(epoch=epoch) for epoch in epochs]


def probability_range(labels: Sequence[str], shown: int) -> ColourRange:
    """0..1 for P(labels[shown]) in the class colours: toward 1 the shown class's colour, toward 0
    the other class's (two classes) or white (more)."""
    two = len(labels) == 2
    low = plotly_text(labels[1 - shown] if two else "0", 16)
    high = plotly_text(labels[shown], 16)
    scale = class_scale(class_colour(1 - shown) if two else WHITE, class_colour(shown))
    return ColourRange(0.0, 1.0, scale, (0.0, 0.5, 1.0), (f"0 {low}", "0.5", f"1 {high}"))


def epoch_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    epochs: Sequence[float],
    scale: ColourRange,
    title: str,
    value_name: str,
    colour_title: str,
    _: Translate = english,
) -> go.Figure:
    """values [epochs, steps]: one row per snapshot (untrained at the top, the newest at the
    bottom), one column per word of the probe sentence; row labels in the language of `_`."""
    z = np.asarray(values, dtype=np.float32)  # [epochs, steps]
    rows = epoch_labels(epochs, _)
    heatmap = dict(
        type="heatmap",
        z=z,
        x=[f"{t + 1}: {plotly_text(token, 60)}" for t, token in enumerate(tokens)],
        y=rows,
        zmin=scale.zmin,
        zmax=scale.zmax,
        colorscale=scale.colorscale,
        xgap=1,
        ygap=1,
        colorbar=dict(
            title=dict(text=colour_title, side="top"),
            tickvals=list(scale.tickvals),
            ticktext=list(scale.ticktext),
            thickness=14,
        ),
        hovertemplate=f"%{{y}}, {_('word')} %{{x}}<br>{value_name} = %{{z:.3f}}<extra></extra>",
    )
    layout = base_layout(title, int(min(520, max(260, 140 + 26 * len(rows)))))
    layout["margin"]["r"] = 150
    layout.update(
        xaxis=dict(title=dict(text="the probe sentence, word by word"), **time_axis(tokens, 40)),
        yaxis=dict(title=dict(text="snapshot"), type="category", autorange="reversed"),
    )
    return new_figure([heatmap], layout)


def probe_probability_heatmap(
    prefix_probabilities: np.ndarray,
    tokens: Sequence[str],
    epochs: Sequence[float],
    labels: Sequence[str],
    _: Translate = english,
) -> go.Figure:
    """prefix_probabilities [epochs, steps, n_labels] as P(one class) per word and epoch: the
    positive class for (negative, positive), else the last label; words in the language of `_`."""
    shown = len(labels) - 1
    label = plotly_text(labels[shown], 30)
    return epoch_heatmap(
        np.asarray(prefix_probabilities)[:, :, shown],
        tokens,
        epochs,
        probability_range(labels, shown),
        _("Prediction after each word, epoch by epoch: P({label})").format(label=label),
        f"P({label})",
        f"P({label})",
        _,
    )


def probe_gate_heatmap(
    values: np.ndarray,
    tokens: Sequence[str],
    epochs: Sequence[int],
    quantity: str,
    cell_type: str,
    which: str,
) -> go.Figure:
    """values [epochs, steps] of `quantity` (one unit's, or the mean over units: `which` says)
    on the quantity's fixed range."""
    symbol = glossary.symbol(quantity)
    return epoch_heatmap(
        values,
        tokens,
        epochs,
        colour_range(quantity, cell_type, values),
        f"{glossary.title(quantity)}, {which}, epoch by epoch",
        symbol,
        symbol,
    )


def confusion_chart(
    confusion: Sequence[Sequence[int]], labels: Sequence[str], title: str = "Confusion matrix (test set)"
) -> go.Figure:
    """confusion[true][predicted] counts as a heatmap with the counts written in, shaded by the
    share of each true class (so a small class's row is as readable as a big one's)."""
    counts = np.asarray(confusion, dtype=np.float64)  # [true, predicted]
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    names = [plotly_text(label, 20) for label in labels]
    heatmap = dict(
        type="heatmap",
        z=share.astype(np.float32),
        x=names,
        y=names,
        zmin=0,
        zmax=1,
        colorscale=SEQUENTIAL,
        text=[[f"{int(c):,}" for c in row] for row in counts],
        texttemplate="%{text}",
        textfont=dict(size=FONT_SIZE + 2),
        colorbar=dict(title=dict(text="share of row", side="top"), tickformat=".0%", thickness=14),
        hovertemplate="true %{y}, predicted %{x}: %{text} (%{z:.1%} of the row)<extra></extra>",
    )
    layout = base_layout(title, int(min(520, 200 + 50 * len(labels))))
    layout.update(
        xaxis=dict(title=dict(text="predicted class"), type="category", side="bottom"),
        yaxis=dict(title=dict(text="true class"), type="category", autorange="reversed"),
    )
    return new_figure([heatmap], layout)


def per_class_chart(
    per_class: Mapping[str, Mapping[str, float]],
    labels: Sequence[str],
    title: str = "Accuracy per class (test set)",
) -> go.Figure:
    """Grouped bars: for each model (key of `per_class`), the share right within each class."""
    data = []
    for i, (name, accuracy) in enumerate(per_class.items()):
        data.append(
            dict(
                type="bar",
                x=[plotly_text(label, 20) for label in labels],
                y=[accuracy.get(label, float("nan")) for label in labels],
                name=plotly_text(name, 30),
                marker=dict(
                    color=_run_colour(name, i)
                    if len(per_class) > 1
                    else [class_colour(k) for k in range(len(labels))]
                ),
                hovertemplate="%{x}: %{y:.1%} right<extra>" + plotly_text(name, 30) + "</extra>",
            )
        )
    layout = base_layout(title, 320)
    layout.update(
        barmode="group",
        showlegend=len(per_class) > 1,
        xaxis=dict(title=dict(text="true class"), type="category"),
        yaxis=dict(title=dict(text="share classified right"), range=[0, 1], tickformat=".0%"),
    )
    return new_figure(data, layout)
