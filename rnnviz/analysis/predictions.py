"""Where a prediction changes its mind: the winning class after each word and its runs along the sentence.

Pure functions of a trace's prefix probabilities, [steps, n_labels], row t being the
classifier's answer after reading tokens 0..t (rnnviz.core.trace.SentenceTrace).
"""

from __future__ import annotations

import numpy as np


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
