"""The Units page's figures: the prediction after each word before and after an intervention, the
units ranked by how well they separate a hypothesis's words, and one unit's values on and off
the hypothesis with the suggested threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.hypotheses import UnitMatch
from rnnviz.core.trace import SYMBOLS
from rnnviz.plots.base import (
    base_layout,
    chance_line,
    column_band,
    legend_below,
    new_figure,
    plotly_text,
    time_axis,
)
from rnnviz.plots.colours import HIGHLIGHT, INK, SERIES_COLOURS

BEFORE, AFTER = SERIES_COLOURS[0], SERIES_COLOURS[1]  # untouched run, changed run
ON, OFF = SERIES_COLOURS[1], SERIES_COLOURS[0]  # words where the hypothesis holds, and the rest
PREDICTION_CAPTION = (
    "Dashed: the model untouched; solid: with the units changed over the shaded words. "
    "Where the lines part, the change mattered; before the shaded words they cannot part."
)
AUC_CAPTION = (
    "Each bar is one unit: how well its value tells the hypothesis's words from the others "
    "(1 = perfectly, 0.5 = a coin toss), with a 95% bootstrap interval."
)
THRESHOLD_CAPTION = (
    "The best unit's values on the hypothesis's words and on the others; the line is the "
    "threshold that separates them best (Youden's J)."
)


def target_class(labels: Sequence[str]) -> int:
    """The class the prediction axis measures: the second with two classes (P(positive)), else the first."""
    return 1 if len(labels) == 2 else 0


def unit_label(match: UnitMatch, layers: int, bidirectional: bool) -> str:
    """'h unit 47', with 'layer 2' and '←' where the model has more than one."""
    parts = [f"{SYMBOLS.get(match.quantity, match.quantity)} unit {match.unit}"]
    if layers > 1:
        parts.insert(0, f"layer {match.layer + 1}")
    if bidirectional:
        parts.append("→" if match.direction == "forward" else "←")
    return " ".join(parts)


def before_after_chart(
    tokens: Sequence[str],
    before: np.ndarray,
    after: np.ndarray,
    labels: Sequence[str],
    changed: tuple[int, int],
    height: int = 300,
) -> go.Figure:
    """P(target class) after each word [steps, n_labels] untouched (dashed) and changed (solid),
    with the changed words `changed` = (start, end) shaded."""
    target = target_class(labels)
    axis = time_axis(tokens, 30)
    x = axis["categoryarray"]
    name = plotly_text(labels[target], 30)
    data = [
        dict(
            type="scatter",
            x=x,
            y=np.asarray(values)[:, target].astype(np.float64),
            name=what,
            mode="lines+markers",
            line=dict(color=colour, width=3, dash=dash),
            marker=dict(size=8),
            hovertemplate=f"{what}: P({name}) = %{{y:.4f}}<extra></extra>",
        )
        # the dashed untouched line on top, so it stays visible where the two agree
        for what, values, colour, dash in (
            ("changed", after, AFTER, "solid"),
            ("untouched", before, BEFORE, "dash"),
        )
    ]
    layout = base_layout(f"P({name}) after each word, untouched and changed", height)
    layout["xaxis"] = {**axis, "title": dict(text="word")}
    layout["yaxis"] = dict(title=dict(text=f"P({name})"), range=[0, 1])
    start, end = changed
    layout["shapes"] = [
        chance_line(1.0 / max(2, len(labels))),
        column_band(start, end, HIGHLIGHT, 0.35),
    ]
    legend_below(layout)
    return new_figure(data, layout)


def auc_chart(
    matches: Sequence[UnitMatch], layers: int, bidirectional: bool, height: int | None = None
) -> go.Figure:
    """Horizontal bars: each unit's oriented ROC-AUC with its 95% bootstrap interval, best on top."""
    labels = [f"{rank}. {unit_label(m, layers, bidirectional)}" for rank, m in enumerate(matches, start=1)]
    separation = np.array([m.separation for m in matches])
    data = [
        dict(
            type="bar",
            orientation="h",
            x=separation,
            y=labels,
            marker=dict(color=[ON if m.higher else OFF for m in matches]),
            error_x=dict(
                type="data",
                symmetric=False,
                array=np.array([m.ci_high for m in matches]) - separation,
                arrayminus=separation - np.array([m.ci_low for m in matches]),
                color=INK,
            ),
            customdata=[["higher" if m.higher else "lower"] for m in matches],
            hovertemplate="%{y}: AUC %{x:.3f} (%{customdata[0]} on the hypothesis's words)<extra></extra>",
            showlegend=False,
        )
    ]
    layout = base_layout("Units that tell the hypothesis's words apart", height or 120 + 26 * len(matches))
    layout["xaxis"] = dict(title=dict(text="ROC-AUC (0.5 = chance)"), range=[0.5, 1.0])
    layout["yaxis"] = dict(autorange="reversed", title=dict(text="unit"), automargin=True)
    return new_figure(data, layout)


def threshold_chart(
    values: np.ndarray, mask: np.ndarray, match: UnitMatch, title: str, height: int = 320
) -> go.Figure:
    """Histograms of one unit's values [words] on (mask) and off the hypothesis, and the
    Youden threshold as a vertical line."""
    bins = dict(
        start=float(values.min()), end=float(values.max()) + 1e-6, size=max(float(np.ptp(values)) / 40, 1e-6)
    )
    data = [
        dict(
            type="histogram",
            x=values[which].astype(np.float64),
            name=name,
            marker=dict(color=colour),
            opacity=0.7,
            xbins=bins,
            histnorm="probability",
            hovertemplate=f"{name}: %{{y:.3f}} of the words at %{{x}}<extra></extra>",
        )
        for name, which, colour in (("hypothesis holds", mask, ON), ("other words", ~mask, OFF))
    ]
    layout = base_layout(plotly_text(title, 80), height)
    layout["barmode"] = "overlay"
    layout["xaxis"] = dict(title=dict(text="value"))
    layout["yaxis"] = dict(title=dict(text="share of words"))
    layout["shapes"] = [
        dict(
            type="line",
            xref="x",
            yref="paper",
            x0=match.threshold,
            x1=match.threshold,
            y0=0,
            y1=1,
            line=dict(color=INK, dash="dash", width=3),
        )
    ]
    layout["annotations"] = [
        dict(
            xref="x",
            yref="paper",
            x=match.threshold,
            y=1,
            text=f"threshold {match.threshold:.3f}",
            showarrow=False,
            yanchor="bottom",
            font=dict(color=INK),
        )
    ]
    legend_below(layout)
    return new_figure(data, layout)
