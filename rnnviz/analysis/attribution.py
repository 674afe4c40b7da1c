"""Why the model decided: word attributions (integrated gradients) and gate saturation.

word_attributions  Captum's LayerIntegratedGradients on the embedding layer: how much each
                   token moved the predicted class's probability away from an all-<pad>
                   sentence. The attributions add up to P(input) - P(baseline), up to the
                   reported convergence delta (the completeness axiom of Sundararajan et al.
                   2017, "Axiomatic Attribution for Deep Networks").
gate_saturation    over a sample of sentences, how often each sigmoid gate unit is nearly shut
                   (< 0.1) or nearly open (> 0.9) — the left/right saturation plot of Karpathy,
                   Johnson & Fei-Fei 2015, "Visualizing and Understanding Recurrent Networks".

Models are shared read-only between the app's users, so attributions never touch the shared
modules' state: Captum's hooks go on a private embedding module that shares the weights (see
_private_view), gradients are taken with respect to the embeddings only (no parameter .grad
is ever written), and everything runs on the CPU (cuDNN's RNN backward refuses eval mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from rnnviz.core.models import Classifier, SentenceClassifier
from rnnviz.core.text import PAD_ID, tokenize
from rnnviz.core.trace import GATE_NAMES, Direction, embed_and_trace_batch

Output = Literal["probability", "logit"]


@dataclass(frozen=True)
class Attributions:
    """Integrated-gradients attribution of one sentence's score for one class to its tokens."""

    tokens: tuple[str, ...]
    unknown: tuple[bool, ...]  # True where the token is not in the vocabulary (<unk>)
    values: np.ndarray  # [steps] float32: token t's share of score(input) - score(baseline)
    target: str  # the class explained
    target_index: int
    output: Output  # what `score` is: the class probability or its logit
    score: float  # score of the target class for the sentence
    baseline_score: float  # score for the baseline: as many <pad> tokens
    delta: float  # convergence delta: sum(values) - (score - baseline_score)
    n_steps: int  # integration steps

    @property
    def total(self) -> float:
        """sum(values): what the words together add to the baseline's score."""
        return float(self.values.sum())


def _private_view(model: SentenceClassifier) -> SentenceClassifier:
    """A CPU SentenceClassifier computing exactly what `model` computes, whose module registry
    and embedding module are its own. Captum registers forward hooks on the layer it explains
    for the duration of a call; on the shared embedding they would also fire inside other
    users' concurrent forward passes and replace their embeddings. The view shares every weight
    tensor (no copy) when the model is on the CPU; a model elsewhere is copied to the CPU."""
    if next(model.parameters()).device.type != "cpu":
        cpu_model = SentenceClassifier(model.config)
        cpu_model.load_state_dict({k: v.detach().cpu() for k, v in model.state_dict().items()})
        return cpu_model.eval()
    view = SentenceClassifier.__new__(SentenceClassifier)
    nn.Module.__init__(view)
    view.config = model.config
    for name, child in model.named_children():
        view.add_module(name, child)  # shared, used read-only
    shared = model.embedding
    view.embedding = nn.Embedding(
        shared.num_embeddings,
        shared.embedding_dim,
        padding_idx=shared.padding_idx,
        _weight=shared.weight.detach(),  # same storage, requires_grad=False: no .grad ever
        _freeze=True,
    )
    view.training = False
    view.embedding.training = False
    return view


def word_attributions(
    classifier: Classifier,
    text: str | Sequence[str],
    target: str | int | None = None,
    n_steps: int = 50,
    output: Output = "probability",
    max_tokens: int | None = None,
) -> Attributions:
    """Attribute the score of class `target` (default: the predicted class) to each token.

    Layer integrated gradients on the embedding layer's output, from a baseline of as many
    <pad> tokens (id 0) as the sentence has to the sentence itself, in `n_steps` steps; each
    token's attribution is summed over its embedding dimensions. `output` chooses what is
    explained: the class probability (default, values add up to a change in probability) or
    its logit. Raises ValueError for a text without tokens or an unknown target.
    Thread-safe on a shared classifier; costs about n_steps forward+backward passes of one
    sentence, batched.
    """
    tokens = tokenize(text) if isinstance(text, str) else list(text)
    if max_tokens is not None:
        tokens = tokens[:max_tokens]
    if not tokens:
        raise ValueError("the text has no tokens to explain")
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1; got {n_steps}")
    if output not in ("probability", "logit"):
        raise ValueError(f"output must be 'probability' or 'logit'; got {output!r}")
    from captum.attr import LayerIntegratedGradients  # here: importing it costs about a second

    labels = classifier.labels
    model = _private_view(classifier.model)

    def forward(token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        logits = model(token_ids, lengths)  # [batch, n_labels]
        return torch.softmax(logits, -1) if output == "probability" else logits

    # A caller's inference mode would forbid the backward pass: leave it for this block.
    with torch.inference_mode(False), torch.enable_grad():
        ids = torch.tensor([classifier.vocab.encode(tokens)], dtype=torch.long)  # [1, steps]
        baseline = torch.full_like(ids, PAD_ID)
        lengths = torch.tensor([len(tokens)])
        with torch.no_grad():
            scores = forward(torch.cat([ids, baseline]), lengths.repeat(2))  # [2, n_labels]
        if target is None:
            target_index = int(scores[0].argmax())
        elif isinstance(target, str):
            if target not in labels:
                raise ValueError(f"unknown target {target!r}; the labels are {list(labels)}")
            target_index = labels.index(target)
        else:
            if not 0 <= int(target) < len(labels):
                raise ValueError(f"target index must be 0-{len(labels) - 1}; got {target}")
            target_index = int(target)
        explainer = LayerIntegratedGradients(forward, model.embedding)
        attributions, delta = explainer.attribute(
            ids,
            baselines=baseline,
            target=target_index,
            additional_forward_args=(lengths,),
            n_steps=n_steps,
            return_convergence_delta=True,
        )
    # attributions: [1, steps, embedding_dim] -> one number per token
    values = attributions[0].sum(-1).detach().to(torch.float32).numpy()
    return Attributions(
        tokens=tuple(tokens),
        unknown=tuple(token not in classifier.vocab for token in tokens),
        values=values,
        target=labels[target_index],
        target_index=target_index,
        output=output,
        score=float(scores[0, target_index]),
        baseline_score=float(scores[1, target_index]),
        delta=float(delta.reshape(-1)[0]),
        n_steps=n_steps,
    )


# Gates squashed by a sigmoid into (0, 1); LSTM "cell" (g) and GRU "new" (n) are tanh
# candidates in (-1, 1), not gates that open and shut, so saturation leaves them out.
SIGMOID_GATES: dict[str, tuple[str, ...]] = {
    cell: tuple(g for g in gates if g not in ("cell", "new")) for cell, gates in GATE_NAMES.items()
}


@dataclass(frozen=True)
class GateSaturation:
    """How often each unit of one gate (in one layer and direction) is saturated."""

    layer: int
    direction: Direction
    gate: str  # 'input', 'forget', 'output' (LSTM) or 'reset', 'update' (GRU)
    left: np.ndarray  # [units] fraction of steps with gate value < low (nearly shut)
    right: np.ndarray  # [units] fraction of steps with gate value > high (nearly open)


@dataclass(frozen=True)
class Saturation:
    """Gate saturation over a sample of sentences; `gates` is empty for a plain RNN."""

    cell_type: str
    gates: tuple[GateSaturation, ...]  # per (layer, direction, gate), in trace order
    texts: int  # sentences read (non-empty ones of the sample)
    steps: int  # tokens read in all, the denominator of every fraction
    low: float
    high: float

    @property
    def empty(self) -> bool:
        """Whether there is nothing to show (a plain RNN has no gates)."""
        return not self.gates

    @property
    def explanation(self) -> str:
        """One line for the page when there is nothing to plot, else ''."""
        if self.cell_type.startswith("rnn"):
            return "A plain RNN has no gates: every step overwrites the whole hidden state."
        if not self.steps:
            return "No sentence with any tokens to measure."
        return ""


def gate_saturation(
    classifier: Classifier,
    texts: Sequence[str],
    max_texts: int = 500,
    max_tokens: int = 100,
    low: float = 0.1,
    high: float = 0.9,
    seed: int = 0,
) -> Saturation:
    """Per (layer, direction, sigmoid gate, unit): the fraction of all tokens of a sample of
    `texts` at which the gate value is below `low` and above `high`.

    At most `max_texts` sentences are read (a seeded random sample, in their original order,
    when there are more), each cut to `max_tokens`. Every sentence is traced exactly, all of
    them as padded batches (rnnviz.core.trace.trace_batch: one forward per layer, one matrix
    product per layer and direction for the gates).
    """
    if not 0.0 <= low < high <= 1.0:
        raise ValueError(f"need 0 <= low < high <= 1; got low={low}, high={high}")
    cell = classifier.config.cell
    gate_names = SIGMOID_GATES[cell]
    chosen = list(range(len(texts)))
    if len(chosen) > max_texts:
        chosen = sorted(np.random.default_rng(seed).choice(len(texts), size=max_texts, replace=False))
    if not gate_names:
        return Saturation(cell, (), 0, 0, low, high)
    left: dict[tuple[int, str, str], np.ndarray] = {}
    right: dict[tuple[int, str, str], np.ndarray] = {}
    sentences = [ids for k in chosen if (ids := classifier.vocab.encode(tokenize(texts[k])[:max_tokens]))]
    with torch.inference_mode():
        traces = embed_and_trace_batch(classifier, sentences) if sentences else []
    for trace in traces:
        for state in trace.states:
            for gate in gate_names:
                values = state.gates[gate]  # [steps, units]
                key = (state.layer, state.direction, gate)
                shut = (values < low).sum(0)
                opened = (values > high).sum(0)
                left[key] = left[key] + shut if key in left else shut
                right[key] = right[key] + opened if key in right else opened
    steps, used = sum(len(ids) for ids in sentences), len(sentences)
    gates = tuple(
        GateSaturation(
            layer=layer,
            direction=direction,
            gate=gate,
            left=(left[layer, direction, gate] / steps).astype(np.float32),
            right=(right[layer, direction, gate] / steps).astype(np.float32),
        )
        for layer, direction, gate in left
    )
    return Saturation(cell, gates, used, steps, low, high)
