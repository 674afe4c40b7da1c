"""Stacked and bidirectional networks in numbers: how each layer reads the one below, what the
classifier finally reads, and why a backward direction has no running prediction.

Every check here sets the exact trace (rnnviz.core.trace) against PyTorch itself:

    layer k's input x_t  =  [h_t(forward) ; h_t(backward)] of layer k - 1      [steps, dirs * H]
    sentence vector      =  [h(forward) at the last word ; h(backward) at the first word]
                            of the top layer (readout 'last'), or their mean / max over words

    layer 1:  embeddings [steps, E] ──► forward h [steps, H] ─┐
                                    └─► backward h [steps, H] ─┴─► concatenated [steps, 2H]
    layer 2:  [steps, 2H] ──► forward h, backward h ──► …
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnviz.core.models import Classifier
from rnnviz.core.trace import Direction, SentenceTrace, embed_and_trace


@dataclass(frozen=True)
class Handoff:
    """Layer `layer` (0-based, at least 1) reading the output of the layer below."""

    layer: int
    below: dict[str, np.ndarray]  # the lower layer's h_t per direction, [steps, hidden_size] each
    inputs: np.ndarray  # [steps, dirs * hidden_size]: x_t of this layer, as the trace fed it
    weight_ih_shape: tuple[int, int]  # this layer's weight_ih: [gates * hidden_size, dirs * hidden_size]
    input_difference: float  # max |x_t (trace) - the layer below's output as torch computes it|
    alone_difference: float  # max |h_t (trace) - torch running this layer alone on that output|


@dataclass(frozen=True)
class StackCheck:
    """Every handoff of a stacked network, and the whole stack against torch's own module."""

    handoffs: list[Handoff]
    stack_difference: float  # max |the module's output - its layers run one by one, by torch|


def single_layer(module: nn.RNNBase, layer: int) -> nn.RNNBase:
    """A one-layer module of the same kind holding layer `layer`'s weights (both directions):
    it computes exactly what that layer computes inside `module`."""
    inputs = module.input_size if layer == 0 else module.hidden_size * (2 if module.bidirectional else 1)
    single = type(module)(
        **(dict(nonlinearity=module.nonlinearity) if isinstance(module, nn.RNN) else {}),
        input_size=inputs,
        hidden_size=module.hidden_size,
        num_layers=1,
        bias=module.bias,
        batch_first=module.batch_first,
        bidirectional=module.bidirectional,
    )
    with torch.no_grad():
        for name, parameter in single.named_parameters():  # weight_ih_l0(_reverse) <- _l{layer}
            parameter.copy_(getattr(module, name.replace("_l0", f"_l{layer}")))
    return single.to(next(module.parameters()).device).eval()


@torch.no_grad()
def stack_check(classifier: Classifier, sentence: SentenceTrace) -> StackCheck:
    """Each layer above the first, checked against torch: its traced input x_t is the layer
    below's [h_fwd; h_bwd] as torch computes it, and torch running that layer alone on it gives
    the traced states. Also the module's own output against its layers run one by one."""
    module = classifier.model.rnn
    device = next(module.parameters()).device
    x = torch.from_numpy(sentence.embeddings).to(device)[None]  # [batch=1, steps, embedding_dim]
    full_output, _ = module(x)  # [1, steps, dirs * hidden_size]: the top layer
    trace = sentence.trace
    handoffs = []
    for layer in range(trace.num_layers):
        output, _ = single_layer(module, layer)(x)  # [1, steps, dirs * hidden_size]
        if layer > 0:
            traced = trace.state(layer, "forward")
            below = {d: trace.state(layer - 1, d).hidden for d in trace.directions}
            mine = np.concatenate([trace.state(layer, d).hidden for d in trace.directions], axis=1)
            handoffs.append(
                Handoff(
                    layer=layer,
                    below=below,
                    inputs=traced.inputs,
                    weight_ih_shape=tuple(getattr(module, f"weight_ih_l{layer}").shape),
                    input_difference=_max_difference(traced.inputs, x[0]),
                    alone_difference=_max_difference(mine, output[0]),
                )
            )
        x = output  # the next layer reads both directions, concatenated
    return StackCheck(handoffs=handoffs, stack_difference=_max_difference(full_output[0], x[0]))


@dataclass(frozen=True)
class ReadoutPart:
    """One piece of the sentence vector: one direction's share of it."""

    direction: Direction
    step: int | None  # the word whose state it is (readout 'last'); None for a mean / max over words
    values: np.ndarray  # [hidden_size]


@dataclass(frozen=True)
class Readout:
    """What the classifier reads, built from the trace and checked against the model."""

    kind: str  # the config's readout: 'last', 'mean' or 'max'
    parts: list[ReadoutPart]  # forward first, then backward: concatenated, they are the vector
    vector: np.ndarray  # [dirs * hidden_size], from the trace
    vector_difference: float  # max |vector - the model's own sentence vector (models.sentence_vectors)|
    head_shape: tuple[int, int]  # the linear readout's weight: [n_labels, dirs * hidden_size]
    logits: np.ndarray  # [n_labels]: head(vector)
    logit_difference: float  # max |logits - the model's own forward pass|
    probabilities: np.ndarray  # [n_labels]: softmax(logits)


@torch.no_grad()
def readout(classifier: Classifier, sentence: SentenceTrace) -> Readout:
    """The sentence vector the head reads, from the top layer's traced states (for 'last': the
    forward state at the last word and the backward state at the first word, each after reading
    the whole sentence), with the model's own vector and logits to compare."""
    config, model = classifier.config, classifier.model
    trace = sentence.trace
    top = trace.num_layers - 1
    steps = trace.steps
    parts = []
    for direction in trace.directions:
        hidden = trace.state(top, direction).hidden  # [steps, hidden_size]
        if config.readout == "last":
            step = steps - 1 if direction == "forward" else 0  # where each direction ends its reading
            parts.append(ReadoutPart(direction, step, hidden[step]))
        elif config.readout == "mean":
            parts.append(ReadoutPart(direction, None, hidden.mean(axis=0)))
        else:
            parts.append(ReadoutPart(direction, None, hidden.max(axis=0)))
    vector = np.concatenate([part.values for part in parts])  # [dirs * hidden_size]
    device = next(model.parameters()).device
    ids = torch.tensor([sentence.token_ids], device=device)  # [1, steps]
    lengths = torch.tensor([steps], device=device)
    own_vector = model.encode(ids, lengths)[0]
    own_logits = model(ids, lengths)[0]
    logits = model.head(torch.from_numpy(vector).to(device))
    return Readout(
        kind=config.readout,
        parts=parts,
        vector=vector,
        vector_difference=_max_difference(vector, own_vector),
        head_shape=tuple(model.head.weight.shape),
        logits=logits.cpu().numpy(),
        logit_difference=_max_difference(logits, own_logits),
        probabilities=torch.softmax(logits.float(), -1).cpu().numpy(),
    )


@dataclass(frozen=True)
class Rereading:
    """The sentence cut before its last word and read again: how much each layer and direction
    changes on the words that are left."""

    kept: int  # words kept (the sentence's length - 1)
    differences: dict[
        tuple[int, Direction], float
    ]  # (layer, direction) -> max |h_t cut - h_t whole|, t < kept


def rereading(classifier: Classifier, sentence: SentenceTrace) -> Rereading | None:
    """Trace the sentence without its last word and compare every layer's states on the words
    kept. The first layer's forward direction does not change (it had not read further); a
    backward direction does (it read the last word first), and so does every direction above
    the first layer, whose input holds the backward states below. None for a one-word sentence."""
    trace = sentence.trace
    if trace.steps < 2:
        return None
    kept = trace.steps - 1
    _, cut = embed_and_trace(classifier, sentence.token_ids[:kept])
    differences = {
        (s.layer, s.direction): _max_difference(cut.state(s.layer, s.direction).hidden, s.hidden[:kept])
        for s in trace.states
    }
    return Rereading(kept=kept, differences=differences)


def _max_difference(a: np.ndarray | torch.Tensor, b: np.ndarray | torch.Tensor) -> float:
    """max |a - b| over all elements, in float64 (0 for empty arrays)."""
    left = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    right = b.detach().cpu().numpy() if isinstance(b, torch.Tensor) else np.asarray(b)
    if left.shape != right.shape:
        raise ValueError(f"shapes differ: {left.shape} and {right.shape}")
    difference = np.abs(left.astype(np.float64) - right.astype(np.float64))
    return float(difference.max()) if difference.size else 0.0
