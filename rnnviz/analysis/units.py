"""Numbers about traces that are not drawing: unit rankings and where a prediction changes its mind.

Everything here is a pure function of numpy arrays laid out as in `rnnviz.core.trace`:
`[steps, units]`, row t belonging to token t.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

UnitOrdering = Literal["index", "active", "changed"]
# What each ordering means, in the words a page shows next to its selector.
ORDERINGS: dict[str, str] = {
    "index": "unit number",
    "active": "most active",
    "changed": "most changed",
}
ORDERING_HELP = (
    "unit number: 0, 1, 2, …; most active: largest mean |value| over the sentence; "
    "most changed: largest total change from word to word (Σ|vₜ − vₜ₋₁|)."
)


def unit_scores(values: np.ndarray, by: UnitOrdering) -> np.ndarray:
    """A score per unit [units] for `values` [steps, units]; higher ranks first.

    'active'  mean |value| over the steps,
    'changed' total variation Σ_t |v_t - v_{t-1}| along the sentence (0 for one step),
    'index'   minus the unit number, so that ranking keeps units in order.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be [steps, units]; got shape {values.shape}")
    if by == "index":
        return -np.arange(values.shape[1], dtype=np.float64)
    if by == "active":
        return np.abs(values).mean(axis=0)
    if by == "changed":
        return np.abs(np.diff(values, axis=0)).sum(axis=0)
    raise ValueError(f"unit ordering must be one of {', '.join(ORDERINGS)}; got {by!r}")


def rank_units(scores: np.ndarray) -> np.ndarray:
    """Unit numbers [units] by decreasing score [units], NaN last, ties: lower unit first."""
    key = np.where(np.isnan(scores), -np.inf, scores)
    return np.argsort(-key, kind="stable")


def unit_order(values: np.ndarray, by: UnitOrdering = "index") -> np.ndarray:
    """Unit numbers [units] from first to last under ordering `by` (ties: lower unit first)."""
    return rank_units(unit_scores(values, by))


def top_units(values: np.ndarray, by: UnitOrdering, count: int) -> list[int]:
    """The first `count` units under ordering `by`, as plain ints."""
    return [int(u) for u in unit_order(values, by)[: max(0, count)]]


def predicted_classes(prefix_probabilities: np.ndarray) -> np.ndarray:
    """Index of the winning class after each word: [steps, n_labels] -> [steps]."""
    return np.asarray(prefix_probabilities).argmax(axis=1)


def prediction_changes(prefix_probabilities: np.ndarray) -> list[int]:
    """Positions t > 0 where the winning class differs from the one after word t - 1."""
    winners = predicted_classes(prefix_probabilities)
    return [int(t) for t in np.flatnonzero(winners[1:] != winners[:-1]) + 1]


def class_runs(prefix_probabilities: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of one winning class as (first position, last position, class index)."""
    winners = predicted_classes(prefix_probabilities)
    starts = [0, *prediction_changes(prefix_probabilities)]
    ends = [*(s - 1 for s in starts[1:]), len(winners) - 1]
    return [(s, e, int(winners[s])) for s, e in zip(starts, ends, strict=True) if len(winners)]
