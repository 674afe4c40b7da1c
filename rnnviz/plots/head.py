"""The classifier head figure of Inside the cell: one class's logit built up from the units'
contributions v_j × W_cj, the rest of the units, and the bias, as a waterfall that ends on the logit.

Pure function following rnnviz.plots.base: a HeadBreakdown (rnnviz.analysis.head) in, a Figure out.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.head import TOP_UNITS, HeadBreakdown
from rnnviz.plots import numbers
from rnnviz.plots.base import base_layout, new_figure, plotly_text
from rnnviz.plots.colours import DIVERGING, GRID, class_colour

LABEL_CHARS = 24  # a class name in the title is cut to this many characters


def contributions_waterfall(found: HeadBreakdown, class_index: int, k: int = TOP_UNITS) -> go.Figure:
    """Class `class_index`'s logit as a running sum: the `k` units with the largest
    |v_j × W_cj| (largest first), then all other units together, then the bias, ending on a
    total bar that is the logit the model computed (teal pushes the logit up, brown down)."""
    contributions = found.contributions[class_index]  # [features], float64
    top = found.top_units(class_index, k)
    rest = float(np.delete(contributions, top).sum())
    names = [found.feature_name(j) for j in top]
    values = [float(contributions[j]) for j in top]
    if len(top) < len(contributions):
        names.append(f"other {len(contributions) - len(top)} units")
        values.append(rest)
    names += ["bias", "logit"]
    values += [float(found.bias[class_index]), float(found.logits[class_index])]
    hover = [f"v = {found.vector[j]:.4f} × W = {found.weight[class_index, j]:.4f}" for j in top]
    hover += [""] * (len(names) - len(hover))
    waterfall = dict(
        type="waterfall",
        orientation="v",
        x=names,
        y=values,
        measure=["relative"] * (len(names) - 1) + ["total"],
        text=[numbers.fixed(v, signed=True) for v in values],
        textposition="outside",
        cliponaxis=False,
        customdata=hover,
        hovertemplate="%{x}: %{y:.4f}<br>%{customdata}<extra></extra>",
        increasing=dict(marker=dict(color=DIVERGING[-1][1])),
        decreasing=dict(marker=dict(color=DIVERGING[0][1])),
        totals=dict(marker=dict(color=class_colour(class_index))),
        connector=dict(line=dict(color=GRID, width=1, dash="dot")),
    )
    label = plotly_text(found.labels[class_index], LABEL_CHARS)
    layout = base_layout(f"How the logit of “{label}” adds up: units × weights, then the bias", 430)
    layout["xaxis"] = dict(title=dict(text="readout unit (largest contributions first)"), type="category")
    low = min(0.0, *np.cumsum(values[:-1]), values[-1])
    high = max(0.0, *np.cumsum(values[:-1]), values[-1])
    pad = 0.15 * (high - low or 1.0)
    layout["yaxis"] = dict(title=dict(text="contribution to the logit"), range=[low - pad, high + pad])
    layout["margin"] = dict(l=60, r=20, t=60, b=60)
    return new_figure([waterfall], layout)
