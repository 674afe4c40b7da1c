"""Where a prediction changes its mind: the winning class after each word, its runs along the sentence,
and the words where the answer becomes clear or turns (the vertical lines of the prediction chart).

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


CLEAR = 0.6  # an answer is clear once one class has at least this probability


def clear_flips(prefix_probabilities: np.ndarray) -> list[tuple[int, int]]:
    """(position t > 0, class k) where class k reaches CLEAR and the last clear answer before t was
    another class or none at all: where the answer becomes clear or turns, not a 49/51 wobble. A
    sentence that opens undecided (a calm model's "the movie was") and turns negative at "good" has
    one, at "good"; a first word that is already clear sets the answer without a mark."""
    probabilities = np.asarray(prefix_probabilities, dtype=np.float64)  # [steps, n_labels]
    last: int | None = None  # the class of the last clear answer
    flips = []
    for t, row in enumerate(probabilities):
        k = int(row.argmax())
        if row[k] < CLEAR or k == last:
            continue
        if t > 0:
            flips.append((t, k))
        last = k
    return flips
