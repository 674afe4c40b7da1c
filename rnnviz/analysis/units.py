"""Unit rankings: which units of a layer to show first, by number, activity or change, or by any score.

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
