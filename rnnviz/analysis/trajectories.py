"""State trajectories: the states the classifier's head reads, projected to 2-D by a PCA fitted on
a corpus's states (numpy SVD), and the head's decision boundary in that plane where it is a line.

    states       [steps, num_directions * hidden_size]   the top layer's h_t, directions side by side
    components   [2, num_directions * hidden_size]       the corpus's first two principal axes
    points       [steps, 2]                              (states - mean) @ components.T

The plane is {mean + z1 * v1 + z2 * v2}: a point of a path is the state's orthogonal projection on
it, so the rest of the state (the other components) is dropped. The boundary is drawn in the
plane, where those other components sit at the corpus mean. It is a line, and the head's own, only
when the head reads state t itself after word t: a forward-only network with readout 'last'
(`boundary_problem` says why not otherwise), and two classes (P = 1/2 is a line only there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.models import ModelConfig
from rnnviz.core.trace import Trace


def readout_states(trace: Trace) -> np.ndarray:
    """[steps, num_directions * hidden_size]: the top layer's h_t of every word, forward then
    backward — the outputs the readout pools (and, forward-only with readout 'last', reads at t)."""
    top = trace.num_layers - 1
    return np.concatenate([trace.state(top, d).hidden for d in trace.directions], axis=1)


@dataclass(frozen=True)
class Projection:
    """A 2-D PCA of states."""

    mean: np.ndarray  # [features] the corpus states' mean
    components: np.ndarray  # [2, features] unit-length principal axes, largest variance first
    explained: np.ndarray  # [2] the share of the corpus's variance along each axis

    def project(self, states: np.ndarray) -> np.ndarray:
        """[steps, 2]: states [steps, features] centred on the corpus mean, on the two axes."""
        return (np.asarray(states, dtype=np.float64) - self.mean) @ self.components.T

    def lift(self, points: np.ndarray) -> np.ndarray:
        """[n, features]: the states of the plane at points [n, 2] (mean + z1 v1 + z2 v2)."""
        return self.mean + np.asarray(points, dtype=np.float64) @ self.components


def fit_pca(states: np.ndarray) -> Projection:
    """The first two principal axes of states [n, features] (SVD of the centred states); each
    axis's sign is fixed so that its largest entry (by size) is positive."""
    x = np.asarray(states, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2 or x.shape[1] < 2:
        raise ValueError("a PCA to two axes needs at least two states of at least two numbers")
    mean = x.mean(axis=0)
    _, singular, vt = np.linalg.svd(x - mean, full_matrices=False)
    axes = vt[:2]
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
    variance = singular**2
    total = variance.sum()
    explained = variance[:2] / total if total > 0 else np.zeros(2)
    return Projection(mean=mean, components=axes * signs[:, None], explained=explained)


def boundary_problem(config: ModelConfig) -> str | None:
    """Why the head's decision boundary cannot be drawn over the states of a path, or None
    when it can (forward-only, readout 'last', two classes)."""
    if config.bidirectional:
        return (
            "the head reads the forward state after the last word with the backward state at the "
            "first word, which is no word's point on these paths"
        )
    if config.readout != "last":
        return f"the head reads the {config.readout} of all the states so far, not the state at a word"
    if len(config.labels) != 2:
        return f"with {len(config.labels)} classes the boundary is not one line"
    return None


@dataclass(frozen=True)
class Boundary:
    """The line a * z1 + b * z2 + c = 0 of the plane where the head gives both classes 1/2
    (the other components at the corpus mean); the second class wins where the left side > 0."""

    a: float
    b: float
    c: float

    @property
    def flat(self) -> bool:
        """True when the head's answer does not change along the plane (no line to draw)."""
        return bool(np.hypot(self.a, self.b) < 1e-12)

    def segment(self, x: tuple[float, float], y: tuple[float, float]) -> np.ndarray | None:
        """[2, 2]: the two ends of the line inside the box x0..x1 by y0..y1, or None when the
        line misses the box (or is flat)."""
        if self.flat:
            return None
        a, b, c = self.a, self.b, self.c
        ends = []
        for px in x:  # crossings of the box's vertical sides
            if abs(b) > 1e-12:
                py = -(a * px + c) / b
                if y[0] <= py <= y[1]:
                    ends.append((px, py))
        for py in y:  # and of its horizontal sides
            if abs(a) > 1e-12:
                px = -(b * py + c) / a
                if x[0] <= px <= x[1]:
                    ends.append((px, py))
        unique = list(dict.fromkeys((round(p[0], 12), round(p[1], 12)) for p in ends))
        if len(unique) < 2:
            return None
        first = unique[0]
        far = max(unique[1:], key=lambda p: (p[0] - first[0]) ** 2 + (p[1] - first[1]) ** 2)
        return np.array([first, far], dtype=np.float64)


def decision_boundary(projection: Projection, weight: np.ndarray, bias: np.ndarray) -> Boundary:
    """The boundary of a two-class linear head (weight [2, features], bias [2]) in the plane:
    P(class 1) = sigmoid(w . x + c) with w = weight[1] - weight[0] and c = bias[1] - bias[0],
    and x = mean + z @ components, so w . x + c = (components @ w) . z + (w . mean + c)."""
    w = np.asarray(weight, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if w.shape[0] != 2 or bias.shape != (2,):
        raise ValueError("the boundary is a line for a head with two classes only")
    difference = w[1] - w[0]
    a, b = projection.components @ difference
    c = float(difference @ projection.mean + bias[1] - bias[0])
    return Boundary(float(a), float(b), c)


def plane_probabilities(
    projection: Projection, weight: np.ndarray, bias: np.ndarray, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """[len(y), len(x)]: P(class 1) the two-class head gives at each grid point of the plane."""
    grid = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    logits = projection.lift(grid) @ np.asarray(weight, np.float64).T + np.asarray(bias, np.float64)
    return (1.0 / (1.0 + np.exp(logits[:, 0] - logits[:, 1]))).reshape(len(y), len(x))


def frame(points: np.ndarray, pad: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
    """((x0, x1), (y0, y1)): the box around points [n, 2], each side widened by `pad` of its
    span (at least 0.1), so labels and the boundary have room."""
    p = np.asarray(points, dtype=np.float64)
    low, high = p.min(axis=0), p.max(axis=0)
    margin = np.maximum((high - low) * pad, 0.1)
    low, high = low - margin, high + margin
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))
