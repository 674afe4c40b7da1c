"""The classifier head, term by term: from the recurrent states to the answer.

    v       = readout(states)          the sentence vector core.models.sentence_vectors makes:
                                       the last state, or the mean / max over the steps; a
                                       bidirectional model concatenates its two directions
    logit_c = Σ_j v_j W_cj + b_c        W = head.weight [classes, len(v)], b = head.bias
    p       = softmax(logits)

Each term v_j W_cj is unit j's contribution to class c's logit; the contributions plus the bias
add up to the logit. `head_breakdown` reads the first `words` tokens alone, exactly as the model
would if the sentence ended there (the whole sentence when `words` is its length), so the head
at word t gives the page's "prediction after each word".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.models import Classifier, sentence_vectors
from rnnviz.core.trace import Trace, embed_and_trace

TOP_UNITS = 8  # contributions listed per class
CHECK_TOLERANCE = 1e-3  # the shown sum of contributions must match the logit this closely


@dataclass(frozen=True)
class HeadBreakdown:
    """The head's arithmetic for one (prefix of a) sentence. Arrays are float64 unless said."""

    labels: tuple[str, ...]
    readout: str  # "last", "mean" or "max" (ModelConfig.readout)
    words: int  # how many tokens were read
    bidirectional: bool
    vector: np.ndarray  # [features] float32: v, the sentence vector the head reads
    weight: np.ndarray  # [classes, features]: head.weight
    bias: np.ndarray  # [classes]: head.bias
    logits: np.ndarray  # [classes]: the model's own head(v), float32 as PyTorch computed it
    probabilities: np.ndarray  # [classes]: softmax(logits)

    @property
    def contributions(self) -> np.ndarray:
        """[classes, features]: v_j × W_cj, unit j's share of class c's logit."""
        return self.weight * self.vector.astype(np.float64)[None, :]

    @property
    def recomputed(self) -> np.ndarray:
        """[classes]: the contributions added up plus the bias (should equal `logits`)."""
        return self.contributions.sum(axis=1) + self.bias

    @property
    def predicted(self) -> int:
        """The index of the winning class."""
        return int(np.argmax(self.probabilities))

    def feature_name(self, j: int) -> str:
        """Which unit feature j of v is: 'unit 3', or 'unit 3 →' / 'unit 3 ←' (the backward
        direction's units follow the forward ones)."""
        hidden = len(self.vector) // (2 if self.bidirectional else 1)
        if not self.bidirectional:
            return f"unit {j}"
        return f"unit {j % hidden} {'→' if j < hidden else '←'}"

    def top_units(self, class_index: int, k: int = TOP_UNITS) -> list[int]:
        """The features with the largest |contribution| to class `class_index`, largest first."""
        contributions = self.contributions[class_index]
        return sorted(range(len(contributions)), key=lambda j: (-abs(contributions[j]), j))[:k]


def readout_vector(classifier: Classifier, trace: Trace) -> torch.Tensor:
    """The sentence vector [features] the model's head reads for a traced sentence, made by
    core.models.sentence_vectors from the traced states (not a second forward pass)."""
    config = classifier.config
    device = next(classifier.model.parameters()).device
    top = trace.num_layers - 1
    outputs = np.concatenate(
        [trace.state(top, d).hidden for d in trace.directions], axis=1
    )  # [steps, features]
    # h_n as PyTorch returns it, [layers * directions, batch=1, hidden]: the forward direction
    # ends at the last word, the backward one at the first.
    finals = [s.hidden[-1 if s.direction == "forward" else 0] for s in trace.states]
    h_n = torch.from_numpy(np.stack(finals)[:, None, :]).to(device)
    lengths = torch.tensor([trace.steps], device=device)
    vectors = sentence_vectors(config, torch.from_numpy(outputs)[None].to(device), lengths, h_n)
    return vectors[0]


def head_breakdown(
    classifier: Classifier, token_ids: Sequence[int], words: int | None = None
) -> HeadBreakdown:
    """The head's arithmetic for the first `words` of `token_ids` (all of them when None),
    read alone as if the sentence ended there."""
    ids = list(token_ids)[: len(token_ids) if words is None else words]
    if not ids:
        raise ValueError("the head needs at least one token")
    _, trace = embed_and_trace(classifier, ids)
    head = classifier.model.head
    with torch.no_grad():
        vector = readout_vector(classifier, trace)
        logits = head(vector[None])[0].float()
        probabilities = torch.softmax(logits, -1)
    config = classifier.config
    return HeadBreakdown(
        labels=config.labels,
        readout=config.readout,
        words=len(ids),
        bidirectional=config.bidirectional,
        vector=vector.cpu().float().numpy(),
        weight=head.weight.detach().cpu().double().numpy(),
        bias=head.bias.detach().cpu().double().numpy(),
        logits=logits.cpu().numpy(),
        probabilities=probabilities.cpu().numpy(),
    )
