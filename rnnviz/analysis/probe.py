"""The probe sentence: how one sentence reads to a network at every stage of its training.

A training job keeps a snapshot of the weights before training (epoch 0) and after each epoch;
each snapshot traces the probe sentence, and `probe_history` stacks those traces epoch by epoch
so a chart can show the moment a network learns that "not" flips the meaning:

    traces, one per snapshot         stacked
    prefix_probabilities [steps, n]  -> prefix_probabilities [epochs, steps, n_labels]
    state.quantities()[q] [steps, u] -> quantities[q]        [epochs, steps, units]

Quantities come from the top layer's forward direction: the one whose final state the
classifier reads (for a bidirectional model, together with the backward direction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnviz.core.models import Classifier
from rnnviz.core.trace import SentenceTrace, trace_sentence

MAX_PROBE_TOKENS = 30  # a probe is one short sentence; longer ones are cut
DEFAULT_PROBE = "the movie was not good"  # a negation: the answer should flip at the last word
# The quantity shown across epochs by default: the first one a cell has. The LSTM's forget
# gate and the GRU's update gate decide what is kept; a plain RNN has only its hidden state.
GATE_PREFERENCE = ("forget", "update", "hidden")


@dataclass(frozen=True)
class ProbeHistory:
    """One sentence read by successive snapshots of one network (see the module docstring)."""

    epochs: tuple[float, ...]  # epoch of each snapshot, oldest first; 0 = before training, 2.4 = mid-epoch
    tokens: list[str]
    unknown: list[bool]  # token not in the vocabulary (<unk>)
    labels: tuple[str, ...]
    cell_type: str
    layer: int  # the traced layer (the top one), forward direction
    prefix_probabilities: np.ndarray  # [epochs, steps, n_labels]: prediction after each word
    quantities: dict[str, np.ndarray]  # name -> [epochs, steps, units]
    dropped_tokens: int = 0

    @property
    def latest(self) -> np.ndarray:
        """[steps, n_labels]: the newest snapshot's prediction after each word."""
        return self.prefix_probabilities[-1]

    def default_quantity(self) -> str:
        """The quantity shown first: the LSTM's forget gate, the GRU's update gate, else h."""
        return next(name for name in (*GATE_PREFERENCE, *self.quantities) if name in self.quantities)

    def view(self, quantity: str, unit: int | None = None) -> np.ndarray:
        """[epochs, steps]: one unit's `quantity`, or with unit=None the mean over all units."""
        values = self.quantities[quantity]  # [epochs, steps, units]
        return values.mean(axis=-1) if unit is None else values[:, :, unit]

    def units_by_change(self, quantity: str) -> list[int]:
        """Units ordered by how much their `quantity` varies over epochs and words, most first."""
        values = self.quantities[quantity]  # [epochs, steps, units]
        spread = values.reshape(-1, values.shape[-1]).std(axis=0)  # [units]
        return [int(u) for u in np.argsort(-spread, kind="stable")]


def trace_probe(classifier: Classifier, text: str) -> SentenceTrace:
    """Trace `text` (cut to MAX_PROBE_TOKENS). Raises ValueError when it has no tokens."""
    return trace_sentence(classifier, text, max_tokens=MAX_PROBE_TOKENS)


def probe_history(traces: Sequence[tuple[float, SentenceTrace]]) -> ProbeHistory:
    """Stack (epoch, trace) pairs of the same sentence and vocabulary, oldest first."""
    if not traces:
        raise ValueError("no traces to stack")
    epochs = tuple(epoch for epoch, _ in traces)
    first = traces[0][1]
    layer = first.trace.num_layers - 1
    states = [trace.trace.state(layer, "forward").quantities() for _, trace in traces]
    return ProbeHistory(
        epochs=epochs,
        tokens=first.tokens,
        unknown=first.unknown,
        labels=first.labels,
        cell_type=first.trace.cell_type,
        layer=layer,
        prefix_probabilities=np.stack([trace.prefix_probabilities for _, trace in traces]),
        quantities={name: np.stack([state[name] for state in states]) for name in states[0]},
        dropped_tokens=first.dropped_tokens,
    )
