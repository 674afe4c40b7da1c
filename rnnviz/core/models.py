"""The sentence classifier: embedding -> torch.nn.RNN/GRU/LSTM -> linear readout, and its config;
and the word-order baseline beside it: a bag of embeddings (mean of the word vectors -> linear).

A `Classifier` bundles the network with its vocabulary so callers go from text to
probabilities without knowing about ids. "Prediction after each word" (`prefix_proba`)
is defined here: row t holds the probabilities the model gives to the sentence cut
after token t, i.e. to tokens[: t + 1], exactly as if that prefix were the whole input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Literal, get_args

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnviz.core.text import PAD_ID, Vocab, tokenize

CellType = Literal["rnn_tanh", "rnn_relu", "gru", "lstm"]
Readout = Literal["last", "mean", "max"]
CELL_TYPES: tuple[str, ...] = get_args(CellType)
READOUTS: tuple[str, ...] = get_args(Readout)
CELL_NAMES = {"rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (ReLU)", "gru": "GRU", "lstm": "LSTM"}

MAX_LAYERS = 4
MAX_WIDTH = 1024  # largest embedding_dim / hidden_size accepted
MAX_LABELS = 10


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a SentenceClassifier's shape (weights live elsewhere)."""

    vocab_size: int  # rows of the embedding table, including <pad> and <unk>
    labels: tuple[str, ...]  # class names, in the order of the readout's outputs (2-10)
    cell: CellType = "lstm"  # which torch.nn recurrent module: RNN(tanh), RNN(relu), GRU, LSTM
    embedding_dim: int = 64  # size of each token's embedding vector (input_size of layer 0)
    hidden_size: int = 64  # units per layer and direction
    num_layers: int = 1  # stacked recurrent layers, 1-4
    bidirectional: bool = False  # add a backward-reading direction to every layer
    dropout: float = 0.0  # during training only: on embeddings, between layers, before readout
    readout: Readout = "last"  # sentence vector: final state, or mean / max over all steps

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        problems = []
        if self.cell not in CELL_TYPES:
            problems.append(f"cell must be one of {', '.join(CELL_TYPES)}; got {self.cell!r}")
        if self.readout not in READOUTS:
            problems.append(f"readout must be one of {', '.join(READOUTS)}; got {self.readout!r}")
        for name, low, high in (
            ("vocab_size", 2, 1_000_000),
            ("embedding_dim", 1, MAX_WIDTH),
            ("hidden_size", 1, MAX_WIDTH),
            ("num_layers", 1, MAX_LAYERS),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                problems.append(f"{name} must be a whole number from {low} to {high}; got {value!r}")
        if not isinstance(self.bidirectional, bool):
            problems.append(f"bidirectional must be true or false; got {self.bidirectional!r}")
        problems += dropout_and_label_problems(self.dropout, self.labels)
        if problems:
            raise ValueError("invalid model config: " + "; ".join(problems))

    @property
    def num_directions(self) -> int:
        """2 for a bidirectional network, else 1."""
        return 2 if self.bidirectional else 1

    def describe(self) -> str:
        """Short human name, e.g. 'LSTM 1×64, bidirectional, readout last'."""
        text = f"{CELL_NAMES[self.cell]} {self.num_layers}×{self.hidden_size}"
        if self.bidirectional:
            text += ", bidirectional"
        return text + f", emb {self.embedding_dim}, readout {self.readout}"

    def to_dict(self) -> dict:
        """The config as plain JSON-ready values (the checkpoint's 'config')."""
        return config_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        """A config from a checkpoint's JSON; ValueError naming unknown or missing fields."""
        return config_from_dict(cls, data, "model config")


def dropout_and_label_problems(dropout, labels: tuple) -> list[str]:
    """What is wrong with a config's dropout and class names (both kinds of model share them)."""
    problems = []
    if not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        problems.append(f"dropout must be at least 0 and below 1; got {dropout!r}")
    if not all(isinstance(label, str) and label.strip() for label in labels):
        problems.append("labels must be non-empty strings")
    elif not 2 <= len(labels) <= MAX_LABELS or len(set(labels)) != len(labels):
        problems.append(f"labels must be 2-{MAX_LABELS} distinct names; got {list(labels)}")
    return problems


def config_to_dict(config) -> dict:
    """A config dataclass as plain JSON-ready values (labels as a list)."""
    data = asdict(config)
    data["labels"] = list(config.labels)
    return data


def config_from_dict(cls, data: dict, what: str):
    """`cls(**data)` from a checkpoint's JSON: ValueError naming unknown or missing fields
    ("invalid <what>: …"); the config's own checks run in its __post_init__."""
    if not isinstance(data, dict):
        raise ValueError("a model config is a JSON object")
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise ValueError(f"invalid {what}: unknown fields {unknown}")
    missing = sorted({"vocab_size", "labels"} - set(data))
    if missing:
        raise ValueError(f"invalid {what}: missing fields {missing}")
    if not isinstance(data["labels"], list):
        raise ValueError(f"invalid {what}: labels must be a list of names")
    return cls(**data)


def parameter_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """The names and shapes of SentenceClassifier(config).state_dict(), worked out without
    building it, so that a checkpoint's tensors are checked before memory is spent on its
    config (a few MB of vocabulary can ask for a 5 GB embedding). PyTorch's layout: each
    direction of layer k stacks its gates' rows, [gates * hidden_size, inputs]."""
    rows = {"lstm": 4, "gru": 3}.get(config.cell, 1) * config.hidden_size
    shapes = {"embedding.weight": (config.vocab_size, config.embedding_dim)}
    for layer in range(config.num_layers):
        inputs = config.embedding_dim if layer == 0 else config.hidden_size * config.num_directions
        for suffix in ("", "_reverse")[: config.num_directions]:
            shapes[f"rnn.weight_ih_l{layer}{suffix}"] = (rows, inputs)
            shapes[f"rnn.weight_hh_l{layer}{suffix}"] = (rows, config.hidden_size)
            shapes[f"rnn.bias_ih_l{layer}{suffix}"] = (rows,)
            shapes[f"rnn.bias_hh_l{layer}{suffix}"] = (rows,)
    shapes["head.weight"] = (len(config.labels), config.hidden_size * config.num_directions)
    shapes["head.bias"] = (len(config.labels),)
    return shapes


def make_recurrent(config: ModelConfig) -> nn.RNNBase:
    """The torch.nn recurrent module for `config`, batch_first ([batch, steps, features])."""
    common = dict(
        input_size=config.embedding_dim,
        hidden_size=config.hidden_size,
        num_layers=config.num_layers,
        bidirectional=config.bidirectional,
        batch_first=True,
        # PyTorch applies this dropout between layers only; it warns for one layer.
        dropout=config.dropout if config.num_layers > 1 else 0.0,
    )
    if config.cell == "lstm":
        return nn.LSTM(**common)
    if config.cell == "gru":
        return nn.GRU(**common)
    return nn.RNN(nonlinearity=config.cell.removeprefix("rnn_"), **common)


def pad_ids(token_ids: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """The one padded batch: ids [batch, steps] (long, PAD_ID after each length) and lengths
    [batch]. Every sequence must have at least one id.

        ids  the movie was not good      lengths
             it    was  bad  <pad> <pad>  3
    """
    lengths = torch.tensor([len(ids) for ids in token_ids], dtype=torch.long)
    if len(token_ids) == 0 or int(lengths.min()) < 1:
        raise ValueError("every sequence in a batch needs at least one token id")
    padded = np.full((len(token_ids), int(lengths.max())), PAD_ID, dtype=np.int64)  # [batch, steps]
    for row, ids in enumerate(token_ids):
        padded[row, : len(ids)] = ids
    return torch.from_numpy(padded), lengths


# --------------------------------------------------------------------------- the readout
# The one place that turns the recurrent outputs into the sentence vector the head reads.


def sentence_vectors(
    config: ModelConfig, outputs: torch.Tensor, lengths: torch.Tensor, final: torch.Tensor | tuple
) -> torch.Tensor:
    """Sentence vectors [batch, num_directions * hidden_size] from the recurrent module's
    padded outputs [batch, steps, num_directions * hidden_size] (zeros past each length) and
    its final state (h_n, or (h_n, c_n) for an LSTM)."""
    if config.readout == "last":
        h_n = final[0] if isinstance(final, tuple) else final  # [layers * dirs, batch, hidden]
        # The last layer's final state per direction; for the backward direction that is
        # its state at position 0, after reading the whole sentence right to left.
        last_layer = h_n[-config.num_directions :]
        return torch.cat(list(last_layer), dim=-1)
    mask = torch.arange(outputs.shape[1], device=outputs.device)[None, :] < lengths[:, None]
    mask = mask.unsqueeze(-1)  # [batch, steps, 1]
    if config.readout == "mean":
        return (outputs * mask).sum(1) / lengths[:, None].to(outputs.dtype)
    return outputs.masked_fill(~mask, float("-inf")).amax(1)


def prefix_vectors(config: ModelConfig, outputs: torch.Tensor) -> torch.Tensor:
    """For a forward-only network: row t [steps, hidden_size] is the sentence vector of the
    first t + 1 tokens, from the top layer's outputs [steps, hidden_size] — 'last' is
    outputs[t], 'mean' and 'max' the running mean and max."""
    if config.bidirectional:
        raise ValueError("a bidirectional network reads each prefix afresh; it has no running readout")
    if config.readout == "mean":
        counts = torch.arange(1, outputs.shape[0] + 1, device=outputs.device, dtype=outputs.dtype)
        return outputs.cumsum(0) / counts[:, None]
    if config.readout == "max":
        return outputs.cummax(0).values
    return outputs


class SentenceClassifier(nn.Module):
    """embedding -> recurrent layers -> sentence vector (readout) -> linear -> class logits."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.rnn = make_recurrent(config)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden_size * config.num_directions, len(config.labels))

    def encode(self, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Sentence vectors [batch, num_directions * hidden_size] for padded ids [batch, steps]."""
        return self.encode_embedded(self.dropout(self.embedding(token_ids)), lengths)

    def encode_embedded(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Sentence vectors from embeddings [batch, steps, embedding_dim] (see `encode`)."""
        lengths_cpu = lengths.to("cpu")
        if int(lengths_cpu.min()) == embedded.shape[1]:  # no padding: skip packing
            outputs, final = self.rnn(embedded)
        else:
            packed = pack_padded_sequence(embedded, lengths_cpu, batch_first=True, enforce_sorted=False)
            packed_out, final = self.rnn(packed)
            outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=embedded.shape[1])
        return sentence_vectors(self.config, outputs, lengths, final)

    def forward(self, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Class logits [batch, n_labels] for padded ids [batch, steps] and lengths [batch]."""
        return self.head(self.dropout(self.encode(token_ids, lengths)))

    def prefix_logits(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Logits [steps, n_labels]: row t is the model's output for token_ids[: t + 1] alone."""
        steps = token_ids.shape[0]
        if not self.config.bidirectional:
            # A forward-only network's state at t has seen exactly tokens[: t + 1], so one run
            # gives every prefix: 'last' is output[t], 'mean'/'max' are running mean/max.
            outputs, _ = self.rnn(self.embedding(token_ids[None]))
            return self.head(prefix_vectors(self.config, outputs[0]))
        # With a backward direction each prefix must be read afresh: run all prefixes as
        # batches of padded rows, prefix t being row t with length t + 1.
        rows_per_batch = max(1, 50_000 // steps)
        pieces = []
        for start in range(0, steps, rows_per_batch):
            device = token_ids.device
            lengths = torch.arange(start + 1, min(steps, start + rows_per_batch) + 1, device=device)
            width = int(lengths[-1])
            batch = token_ids[:width].repeat(len(lengths), 1)  # [rows, width]
            padding = torch.arange(width, device=device)[None, :] >= lengths[:, None]
            batch = batch.masked_fill(padding, PAD_ID)
            pieces.append(self(batch, lengths))
        return torch.cat(pieces)


# --------------------------------------------------------------------------- the bag of embeddings
# The lesson's first model and its limit: the mean of the word vectors forgets the order of the
# words, so "dull at first but great in the end" and "great at first but dull in the end" get the
# same answer. No recurrent layer; the head reads the mean embedding.


@dataclass(frozen=True)
class BagConfig:
    """Everything needed to rebuild a BagOfEmbeddings (weights live elsewhere)."""

    vocab_size: int  # rows of the embedding table, including <pad> and <unk>
    labels: tuple[str, ...]  # class names, in the order of the head's outputs (2-10)
    embedding_dim: int = 64  # size of each token's embedding vector, which the head reads
    dropout: float = 0.0  # during training only: on the embeddings and before the head

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        problems = []
        for name, low, high in (("vocab_size", 2, 1_000_000), ("embedding_dim", 1, MAX_WIDTH)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                problems.append(f"{name} must be a whole number from {low} to {high}; got {value!r}")
        problems += dropout_and_label_problems(self.dropout, self.labels)
        if problems:
            raise ValueError("invalid bag-of-embeddings config: " + "; ".join(problems))

    def describe(self) -> str:
        """Short human name, e.g. 'bag of embeddings, emb 48 (mean of the word vectors)'."""
        return f"bag of embeddings, emb {self.embedding_dim} (mean of the word vectors)"

    def to_dict(self) -> dict:
        """The config as plain JSON-ready values (the checkpoint's 'config')."""
        return config_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict) -> BagConfig:
        """A config from a checkpoint's JSON; ValueError naming unknown or missing fields."""
        return config_from_dict(cls, data, "bag-of-embeddings config")


def bag_parameter_shapes(config: BagConfig) -> dict[str, tuple[int, ...]]:
    """The names and shapes of BagOfEmbeddings(config).state_dict(), without building it."""
    return {
        "embedding.weight": (config.vocab_size, config.embedding_dim),
        "head.weight": (len(config.labels), config.embedding_dim),
        "head.bias": (len(config.labels),),
    }


class BagOfEmbeddings(nn.Module):
    """embedding -> mean over the words -> linear -> class logits: blind to word order.

    The same forward(token_ids, lengths) and prefix_logits(token_ids) as SentenceClassifier, so
    a Classifier wraps either. The ids are sorted before the mean, so a reordered sentence is
    not only equal in exact arithmetic but sums the same floats in the same order: its
    probabilities are bit-for-bit the same.
    """

    def __init__(self, config: BagConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.embedding_dim, len(config.labels))

    def encode(self, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean embeddings [batch, embedding_dim] of padded ids [batch, steps]."""
        steps = torch.arange(token_ids.shape[1], device=token_ids.device)
        real = steps[None, :] < lengths[:, None]  # [batch, steps]
        # Real ids in ascending order, padding last (vocab_size sorts after every id), then
        # padding back to PAD_ID: every ordering of the same words gives the same row.
        ordered = torch.where(real, token_ids, self.config.vocab_size).sort(dim=1).values
        ordered = ordered.masked_fill(~real, PAD_ID)
        embedded = self.dropout(self.embedding(ordered)) * real[..., None]  # [batch, steps, emb]
        return embedded.sum(1) / lengths[:, None].to(embedded.dtype)

    def forward(self, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Class logits [batch, n_labels] for padded ids [batch, steps] and lengths [batch]."""
        return self.head(self.dropout(self.encode(token_ids, lengths)))

    def prefix_logits(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Logits [steps, n_labels]: row t is the output for token_ids[: t + 1] (running mean)."""
        embedded = self.embedding(token_ids)  # [steps, embedding_dim]
        counts = torch.arange(1, len(token_ids) + 1, device=token_ids.device, dtype=embedded.dtype)
        return self.head(embedded.cumsum(0) / counts[:, None])


@dataclass(frozen=True)
class Classifier:
    """A trained SentenceClassifier (or BagOfEmbeddings) with its vocabulary: text in, probabilities out.

    Shared between users of the app, so it is used read-only: eval mode, no gradients.
    """

    model: SentenceClassifier | BagOfEmbeddings  # a recurrent network, or the word-order baseline
    vocab: Vocab
    meta: dict | None = None  # free-form facts from training (data, metrics, date)

    def __post_init__(self) -> None:
        if len(self.vocab) != self.config.vocab_size:
            raise ValueError(
                f"vocabulary has {len(self.vocab)} tokens but the model's embedding has "
                f"{self.config.vocab_size} rows"
            )
        self.model.eval()

    @property
    def config(self) -> ModelConfig | BagConfig:
        """The network's ModelConfig (BagConfig for the bag-of-embeddings baseline)."""
        return self.model.config

    @property
    def labels(self) -> tuple[str, ...]:
        """The class names, in the order of the outputs."""
        return self.config.labels

    def tokens_and_ids(self, text: str) -> tuple[list[str], list[int]]:
        """The tokens of `text` (rnnviz.core.text.tokenize) and their ids (<unk> for unknown words)."""
        tokens = tokenize(text)
        return tokens, self.vocab.encode(tokens)

    @torch.no_grad()
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities [len(texts), n_labels]. A text with no tokens gets the
        uniform distribution: there is no evidence to classify."""
        if isinstance(texts, str):
            raise TypeError("predict_proba takes a list of texts, not one string")
        n_labels = len(self.labels)
        result = np.full((len(texts), n_labels), 1.0 / n_labels, dtype=np.float32)
        encoded = [(i, self.vocab.encode(tokenize(text))) for i, text in enumerate(texts)]
        encoded = [(i, ids) for i, ids in encoded if ids]
        device = next(self.model.parameters()).device
        for start in range(0, len(encoded), 256):
            chunk = encoded[start : start + 256]
            batch, lengths = pad_ids([ids for _, ids in chunk])
            logits = self.model(batch.to(device), lengths.to(device))
            probs = torch.softmax(logits.float(), -1).cpu().numpy()
            result[[i for i, _ in chunk]] = probs
        return result

    @torch.no_grad()
    def prefix_proba(self, token_ids: Sequence[int]) -> np.ndarray:
        """Probabilities [steps, n_labels] after each token (see the module docstring)."""
        if len(token_ids) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        device = next(self.model.parameters()).device
        ids = torch.tensor(list(token_ids), dtype=torch.long, device=device)
        return torch.softmax(self.model.prefix_logits(ids).float(), -1).cpu().numpy()
