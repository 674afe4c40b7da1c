"""The state-trajectory figure: two sentences' states as paths in the corpus's 2-D PCA plane, word
by word, over what the classifier's head says in that plane (where that is meaningful).

    points  [steps, 2]   a sentence's projected states; point t is the state after word t
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from rnnviz.plots.base import base_layout, legend_below, new_figure, plotly_text
from rnnviz.plots.colours import INK, SIDE_COLOURS, class_colour, class_scale

TRAJECTORY_CAPTION = (
    "Each point is the state the classifier reads after one word, seen from the corpus's two main "
    "directions (PCA); the paths run word by word, A solid, B dashed. Where they part, the "
    "sentences have started to mean different things to the network."
)


@dataclass(frozen=True)
class Path:
    """One sentence's path through the plane."""

    name: str  # 'A' or 'B'
    tokens: Sequence[str]
    points: np.ndarray  # [steps, 2]
    probability: np.ndarray  # [steps]: P(the target class) after each word (the model's own)


@dataclass(frozen=True)
class Plane:
    """What the head says in the plane: P(target) on a grid, and the P = 1/2 line (or None)."""

    x: np.ndarray  # [nx] grid abscissae
    y: np.ndarray  # [ny] grid ordinates
    probability: np.ndarray  # [ny, nx] P(the second class) at each grid point
    line: np.ndarray | None  # [2, 2] the boundary's ends in the box, or None when it misses it


def shared_prefix(first: Path, other: Path) -> int:
    """How many leading words `other` shares with `first`, token and point alike (a minimal
    pair's common start: the same states, so the same points)."""
    shared = 0
    for a, b, p, q in zip(first.tokens, other.tokens, first.points, other.points, strict=False):
        if a != b or not np.allclose(p, q, atol=1e-9):
            break
        shared += 1
    return shared


def _view_size(box: tuple[tuple[float, float], tuple[float, float]]) -> np.ndarray:
    """The view's width and height in data units (never zero)."""
    (x0, x1), (y0, y1) = box
    return np.maximum([x1 - x0, y1 - y0], 1e-12)


# Two consecutive points closer than this (as a share of the view's width, of its height) would
# print their words on top of each other: a calm network barely moves on "the movie was".
_CLOSE = (0.06, 0.045)


def point_labels(
    words: Sequence[str],
    points: np.ndarray,
    box: tuple[tuple[float, float], tuple[float, float]],
    start: int = 0,
) -> list[str]:
    """A label for each point: a run of consecutive points that lie within _CLOSE of the run's first
    point is labelled once, at its last point, with its words joined ("the movie was"); the first
    `start` points (a start labelled by another path) get none. Hover still names every word."""
    scale = _view_size(box)
    near = np.asarray(_CLOSE)
    labels = [""] * len(words)
    first = start
    for t in range(start, len(words)):
        ends_run = t + 1 == len(words) or bool(np.any(np.abs(points[t + 1] - points[first]) / scale >= near))
        if ends_run:
            labels[t] = plotly_text(" ".join(words[first : t + 1]), 40)
            first = t + 1
    return labels


# Where a label may go around its point (plotly textposition) and the direction that is, in the
# order each path prefers them: the first path's words above and right, the other's below and left.
_SIDES = {
    "top center": (0.0, 1.0),
    "middle right": (1.0, 0.0),
    "bottom center": (0.0, -1.0),
    "middle left": (-1.0, 0.0),
}
_ASPECT = 2.0  # the plot area is about twice as wide as it is high


def label_sides(
    points: np.ndarray, box: tuple[tuple[float, float], tuple[float, float]], first: bool
) -> list[str]:
    """Where each point's label goes (plotly textposition): on the side farthest from the path's
    segments into and out of the point (in the view's proportions), so that the path's own line
    does not cross its words; among sides about as good, the first path's words go above or right,
    the other's below or left."""
    scaled = points / (_view_size(box) / [_ASPECT, 1.0])
    order = list(_SIDES) if first else list(_SIDES)[2:] + list(_SIDES)[:2]
    sides = []
    for t in range(len(points)):
        neighbours = [scaled[u] - scaled[t] for u in (t - 1, t + 1) if 0 <= u < len(points)]
        units = [v / np.linalg.norm(v) for v in neighbours if np.linalg.norm(v) > 1e-9]
        crowding = {
            side: max((float(np.dot(_SIDES[side], v)) for v in units), default=-1.0) for side in order
        }
        best = min(crowding.values())
        sides.append(next(side for side in order if crowding[side] <= best + 0.2))
    return sides


def trajectory_chart(
    paths: Sequence[Path],
    explained: np.ndarray,
    box: tuple[tuple[float, float], tuple[float, float]],
    labels: Sequence[str],
    plane: Plane | None,
    title: str,
    height: int = 480,
) -> go.Figure:
    """The paths (a label at each point, near-coincident ones joined by `point_labels`) in the PCA
    plane box = ((x0, x1), (y0, y1)), over the head's P(labels[1]) in the plane and its P = 1/2 line
    when `plane` is given."""
    target = plotly_text(labels[1] if len(labels) == 2 else labels[0], 30)
    data: list[dict] = []
    if plane is not None:
        data.append(
            dict(
                type="heatmap",
                x=plane.x,
                y=plane.y,
                z=plane.probability.astype(np.float32),
                zmin=0.0,
                zmax=1.0,
                colorscale=class_scale(class_colour(0), class_colour(1)),
                opacity=0.35,
                zsmooth="best",
                colorbar=dict(title=dict(text=f"P({target})<br>in the plane", side="top"), tickformat=".0%"),
                hovertemplate=f"the plane here: P({target}) = %{{z:.3f}}<extra></extra>",
            )
        )
        if plane.line is not None:
            data.append(
                dict(
                    type="scatter",
                    x=plane.line[:, 0],
                    y=plane.line[:, 1],
                    mode="lines",
                    name=f"decision boundary: P({target}) = 0.5 in the plane",
                    line=dict(color=INK, width=3, dash="dot"),
                    hoverinfo="skip",
                )
            )
    for k, path in enumerate(paths):
        colour = SIDE_COLOURS[path.name.lower()]
        words = [plotly_text(token, 16) for token in path.tokens]
        shared = shared_prefix(paths[0], path) if k else 0  # labelled once, by the first path
        labels_shown = point_labels(words, path.points, box, start=shared)
        data.append(
            dict(
                type="scatter",
                x=path.points[:, 0],
                y=path.points[:, 1],
                mode="lines+markers+text",
                name=f"{path.name}: {plotly_text(' '.join(path.tokens), 40)}",
                text=labels_shown,
                textposition=label_sides(path.points, box, first=k == 0),
                textfont=dict(color=colour),
                line=dict(color=colour, width=3, dash="solid" if path.name == "A" else "dash"),
                marker=dict(size=9, color=colour, symbol="circle" if path.name == "A" else "diamond"),
                customdata=np.stack([np.arange(1, len(words) + 1), path.probability], axis=1),
                hovertext=words,
                hovertemplate=(
                    f"{path.name}, word %{{customdata[0]}}: %{{hovertext}}<br>"
                    f"the model after it: P({target}) = %{{customdata[1]:.3f}}<extra></extra>"
                ),
            )
        )
    (x0, x1), (y0, y1) = box
    layout = base_layout(plotly_text(title, 90), height)
    layout["xaxis"] = dict(
        title=dict(text=f"principal component 1 ({explained[0]:.0%} of the corpus's variance)"),
        range=[x0, x1],
        zeroline=False,
    )
    layout["yaxis"] = dict(
        title=dict(text=f"principal component 2 ({explained[1]:.0%})"), range=[y0, y1], zeroline=False
    )
    legend_below(layout, rows=2 if plane is not None and plane.line is not None else 1)
    return new_figure(data, layout)
