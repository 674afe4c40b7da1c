"""The unit map's figure: every two units' correlation over the corpus, rows and columns in cluster
order, each cluster outlined on the diagonal.

    z  [units, units]   correlation[order][:, order]: row i and column i are unit order[i]
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.unit_map import UnitMap
from rnnviz.plots.base import base_layout, diverging_range, new_figure, plotly_text
from rnnviz.plots.colours import INK

MAP_CAPTION = (
    "Each row and column is a unit; teal where two units rise and fall together over the corpus's "
    "words, brown where one rises as the other falls. Units are sorted so that each cluster "
    "(outlined) sits together; the table names the words each cluster fires on most."
)
FEW_UNITS = 40  # up to this many units, every unit is labelled; beyond, each cluster is
LABELS_PER_SIDE = 16  # at most this many cluster labels fit along a side without touching


def cluster_name(k: int) -> str:
    """'C1': cluster k (0-based) as the map and its table name it."""
    return f"C{k + 1}"


def correlation_map(unit_map: UnitMap, title: str, height: int = 520) -> go.Figure:
    """The reordered correlation heatmap with the clusters' squares outlined on the diagonal."""
    order = unit_map.order
    z = np.ascontiguousarray(unit_map.correlation[np.ix_(order, order)], dtype=np.float32)
    scale = diverging_range(None, floor=1.0)  # r runs -1..1
    names = [f"unit {int(u)}" for u in order]  # the categories (hover names them); shapes use positions
    bounds = unit_map.bounds()
    if len(order) <= FEW_UNITS:
        ticks = dict(tickvals=names, ticktext=[str(int(u)) for u in order], tickfont=dict(size=11))
        axis_title = "unit (cluster order)"
    else:  # one label per cluster, at its middle unit, where it has room
        ticks = dict(tickvals=[], ticktext=[])
        last = -len(order)
        for k, (first, end) in enumerate(bounds):
            middle = (first + end) // 2
            if middle - last >= len(order) / LABELS_PER_SIDE:
                ticks["tickvals"].append(names[middle])
                ticks["ticktext"].append(cluster_name(k))
                last = middle
        axis_title = f"{len(order)} units (cluster order)"
    heatmap = dict(
        type="heatmap",
        z=z,
        x=names,
        y=names,
        zmin=scale.zmin,
        zmax=scale.zmax,
        colorscale=scale.colorscale,
        colorbar=dict(title=dict(text="r", side="top"), tickvals=[-1, 0, 1], ticktext=["−1", "0", "+1"]),
        hovertemplate="%{y} and %{x}<br>r = %{z:.3f}<extra></extra>",
    )
    layout = base_layout(plotly_text(title, 80), height)
    layout["xaxis"] = dict(  # the rows' labels say it: the columns are the same units
        title=dict(text=axis_title), type="category", showticklabels=False, constrain="domain"
    )
    layout["yaxis"] = dict(
        title=dict(text=axis_title),
        type="category",
        tickmode="array",
        autorange="reversed",
        scaleanchor="x",
        constrain="domain",
        **ticks,
    )
    layout["shapes"] = [
        dict(type="rect", x0=first - 0.5, x1=last + 0.5, y0=first - 0.5, y1=last + 0.5,
             line=dict(color=INK, width=2), fillcolor="rgba(0,0,0,0)")
        for first, last in bounds
    ]  # fmt: skip
    return new_figure([heatmap], layout)
