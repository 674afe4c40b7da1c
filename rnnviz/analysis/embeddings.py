"""What the model knows about a word before it reads it: the word's row of the embedding table, its
nearest neighbours in the vocabulary by cosine similarity, and the shape of every weight matrix.

The embedding table is `model.embedding.weight` [vocab_size, embedding_dim]; row i is token i's
vector x_t. A word outside the vocabulary reads row UNK_ID (`<unk>`), the same vector for every
unknown word. Neighbours leave out `<pad>` and `<unk>` (they are not words) and the word itself.

    cos(a, b) = a·b / (‖a‖ ‖b‖)            a row whose norm is 0 has similarity 0 to everything
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.models import Classifier, ModelConfig
from rnnviz.core.text import PAD_ID, UNK, UNK_ID

NEIGHBOURS = 8  # nearest words shown for the current word


@dataclass(frozen=True)
class Neighbour:
    """One vocabulary word near the current one."""

    token: str
    token_id: int
    similarity: float  # cosine similarity of the two embedding rows, -1..1


@dataclass(frozen=True)
class WordEmbedding:
    """The current word as the network receives it."""

    token: str  # as typed (after tokenizing)
    token_id: int  # its row in the embedding table (UNK_ID when unknown)
    unknown: bool  # not in the vocabulary: the network reads <unk>'s row
    vector: np.ndarray  # [embedding_dim] float32: the embedding row, x_t of layer 1
    neighbours: list[Neighbour]  # most similar vocabulary words first

    @property
    def read_as(self) -> str:
        """The vocabulary entry the network reads: the token, or '<unk>'."""
        return UNK if self.unknown else self.token


def cosine_similarities(table: np.ndarray, row: int) -> np.ndarray:
    """Cosine similarity [vocab_size] of every row of `table` [vocab_size, dim] with row `row`,
    in float64; rows with norm 0 (such as <pad>'s) get 0."""
    table = np.asarray(table, dtype=np.float64)
    norms = np.linalg.norm(table, axis=1)  # [vocab_size]
    dots = table @ table[row]  # [vocab_size]
    scale = norms * norms[row]
    return np.divide(dots, scale, out=np.zeros_like(dots), where=scale > 0)


def nearest_neighbours(
    table: np.ndarray, tokens: tuple[str, ...], row: int, k: int = NEIGHBOURS
) -> list[Neighbour]:
    """The `k` vocabulary words whose rows of `table` are most similar to row `row` (cosine),
    without `row` itself, <pad> and <unk>; ties broken by token id."""
    similarity = cosine_similarities(table, row)
    candidates = [i for i in range(len(tokens)) if i not in (row, PAD_ID, UNK_ID)]
    candidates.sort(key=lambda i: (-similarity[i], i))
    return [Neighbour(tokens[i], i, float(similarity[i])) for i in candidates[:k]]


def word_similarities(classifier: Classifier, words: list[str]) -> np.ndarray:
    """Cosine similarity [words, words] of the embedding rows of `words` (all known to the
    model's vocabulary), in float64."""
    table = embedding_table(classifier)[classifier.vocab.encode(words)]  # [words, dim]
    return np.stack([cosine_similarities(table, row) for row in range(len(words))])


def embedding_table(classifier: Classifier) -> np.ndarray:
    """model.embedding.weight as float32 numpy [vocab_size, embedding_dim]."""
    with torch.no_grad():
        return classifier.model.embedding.weight.detach().cpu().float().numpy()


def word_embedding(classifier: Classifier, token: str, k: int = NEIGHBOURS) -> WordEmbedding:
    """`token`'s embedding row and its `k` nearest vocabulary words."""
    vocab = classifier.vocab
    token_id = vocab.id(token)
    table = embedding_table(classifier)
    return WordEmbedding(
        token=token,
        token_id=token_id,
        unknown=token not in vocab,
        vector=table[token_id].copy(),
        neighbours=nearest_neighbours(table, vocab.tokens, token_id, k),
    )


# --------------------------------------------------------------------------- weight shapes

_GATES = {"lstm": "i, f, g, o", "gru": "r, z, n"}


@dataclass(frozen=True)
class WeightShape:
    """One parameter of the model, as model.named_parameters() names it, beside the lesson's term."""

    name: str  # e.g. "rnn.weight_ih_l0"
    shape: tuple[int, ...]  # PyTorch's layout, e.g. (4 * hidden_size, embedding_dim)
    symbol: str  # the lesson's / PyTorch docs' symbol: "W_ih", "b_hh", "embedding", …
    meaning: str  # the shape in the lesson's words


def _recurrent_meaning(config: ModelConfig, kind: str, layer: int, gates: int) -> str:
    """The lesson's words for one recurrent parameter: its per-gate matrix in the lesson's
    orientation (inputs × hidden) and how PyTorch stacks the gates' rows."""
    hidden = config.hidden_size
    inputs = (
        f"embedding size {config.embedding_dim}"
        if layer == 0
        else f"{config.num_directions} × hidden {hidden} (layer {layer}'s output)"
    )
    stacked = f"{gates} gates ({_GATES[config.cell]}) stacked: " if gates > 1 else ""
    if kind == "weight_ih":
        return (
            f"input weights: {inputs} × hidden size {hidden}, stored transposed, {stacked}[{gates}H × inputs]"
        )
    if kind == "weight_hh":
        transposed = f"stored transposed, {stacked}[{gates}H × H]"
        return f"recurrent weights: hidden {hidden} × hidden {hidden}, {transposed}"
    return f"{'input' if kind == 'bias_ih' else 'recurrent'} bias: one per unit, {stacked}[{gates}H]"


_RECURRENT = re.compile(r"rnn\.(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?")
_SYMBOLS = {"weight_ih": "W_ih", "weight_hh": "W_hh", "bias_ih": "b_ih", "bias_hh": "b_hh"}


def weight_shapes(classifier: Classifier) -> list[WeightShape]:
    """Every parameter of the model in model.named_parameters() order, with its shape and the
    lesson's term for it (the lesson writes x_t W with W [inputs × hidden]; PyTorch stores W's
    transpose with the gates' rows stacked, [gates * hidden_size, inputs])."""
    config = classifier.config
    gates = {"lstm": 4, "gru": 3}.get(config.cell, 1)
    rows = []
    for name, parameter in classifier.model.named_parameters():
        shape = tuple(parameter.shape)
        found = _RECURRENT.fullmatch(name)
        if name == "embedding.weight":
            symbol = "embedding"
            meaning = (
                f"one row per word: vocabulary {config.vocab_size} × embedding size {config.embedding_dim}"
            )
        elif found:
            kind, layer, reverse = found.group(1), int(found.group(2)), bool(found.group(3))
            symbol = _SYMBOLS[kind]
            meaning = _recurrent_meaning(config, kind, layer, gates)
            meaning = f"layer {layer + 1}{', backward' if reverse else ''}: {meaning}"
        elif name == "head.weight":
            symbol = "W_out"
            meaning = f"readout weights: one row per class, {len(config.labels)} × sentence vector {shape[1]}"
        elif name == "head.bias":
            symbol = "b_out"
            meaning = "readout bias: one per class"
        else:  # a parameter this app's classifier does not have; shown as PyTorch names it
            symbol, meaning = "", ""
        rows.append(WeightShape(name, shape, symbol, meaning))
    return rows
