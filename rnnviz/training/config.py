"""Training settings: TrainConfig, THE valid range of every model and training setting (the CLI's
argument checks and the Train page's widgets read them from here), the Train page's tighter
class-server limits, and the words that name a config in the model picker.

Ranges. `TRAIN_RANGES` maps each numeric TrainConfig field to its `Range`; the network's shape
bounds (MAX_WIDTH, MAX_LAYERS) come from rnnviz.core.models, which owns the model itself.
`CLASS_SERVER` is a second, named set: the choices the Train page offers a whole class sharing
one CPU server. It is checked against TRAIN_RANGES when this module loads, so it can only ever
be tighter. `UPLOADS` is the third: the largest model a class may upload (the Train page's
layers, with room for the shipped models), checked by the model picker's upload box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Literal, get_args

from rnnviz.core.models import (
    CELL_NAMES,
    CELL_TYPES,
    MAX_LAYERS,
    MAX_WIDTH,
    READOUTS,
    BagConfig,
    CellType,
    ModelConfig,
    Readout,
)
from rnnviz.data import corpora, sources

Device = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[str, ...] = get_args(Device)
Network = Literal["recurrent", "bag"]
NETWORKS: tuple[str, ...] = get_args(Network)
READOUT_NAMES = {"last": "last state", "mean": "mean over steps", "max": "max over steps"}
VALENCE_COPIES = 4  # valence sits in this many columns, so embedding dropout rarely hides it all
PRIOR_DIMS = VALENCE_COPIES + 2  # the lexicon prior's fixed embedding columns (see trainer.py)


@dataclass(frozen=True)
class Range:
    """The valid values of one numeric setting: low..high, each end open or closed."""

    low: float
    high: float
    whole: bool = False  # a whole number (int, not bool)
    low_open: bool = False  # low itself is not allowed
    high_open: bool = False  # high itself is not allowed

    def problem(self, name: str, value: object) -> str | None:
        """Why `value` is not valid for the setting `name`, or None when it is."""
        if self.whole:
            if isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high:
                return None
            return f"{name} must be a whole number from {self.low:g} to {self.high:g}; got {value!r}"
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if (
            number
            and (value > self.low or (not self.low_open and value == self.low))
            and (value < self.high or (not self.high_open and value == self.high))
        ):
            return None
        return f"{name} must be a number {self.describe()}; got {value!r}"

    def check(self, name: str, value: float) -> float:
        """`value` as a float when it is valid for the setting `name`, else a ValueError saying why."""
        problem = self.problem(name, value)
        if problem:
            raise ValueError(problem)
        return float(value)

    def describe(self) -> str:
        """'above 0 and at most 1', 'at least 0 and below 1', ..."""
        low = "above" if self.low_open else "at least"
        high = "below" if self.high_open else "at most"
        return f"{low} {self.low:g} and {high} {self.high:g}"


# The one owner of the valid values of TrainConfig's numeric fields.
TRAIN_RANGES: dict[str, Range] = {
    "builtin_size": Range(2, 200_000, whole=True),
    "written_repeat": Range(1, 20, whole=True),
    "embedding_dim": Range(1, MAX_WIDTH, whole=True),
    "hidden_size": Range(1, MAX_WIDTH, whole=True),
    "num_layers": Range(1, MAX_LAYERS, whole=True),
    "batch_size": Range(1, 4096, whole=True),
    "epochs": Range(1, 1000, whole=True),
    "seed": Range(0, 2**31 - 1, whole=True),
    "min_count": Range(1, 1000, whole=True),
    "max_vocab": Range(3, 1_000_000, whole=True),
    "max_tokens": Range(1, 10_000, whole=True),
    "threads": Range(0, 256, whole=True),
    "lr": Range(0.0, 1e6, low_open=True),
    "lr_decay": Range(0.0, 1.0, low_open=True),
    "dropout": Range(0.0, 1.0, high_open=True),
    "weight_decay": Range(0.0, 1.0),
    "clip_norm": Range(0.0, 1e6),
    "neutral_band": Range(0.0, 4.0),
    "val_fraction": Range(0.0, 0.5, low_open=True),
    "prefix_calm": Range(0.0, 100.0),
    "prefix_calm_positive": Range(0.0, 1.0, low_open=True, high_open=True),
}


@dataclass(frozen=True)
class TrainConfig:
    """What to train on, the network's shape and how to optimise it."""

    data: tuple[str, ...] = ("builtin",)  # sources (rnnviz.data.dataset.SOURCES) or .csv/.tsv paths, mixed
    builtin_size: int = 20_000  # sentences drawn from the built-in grammar when "builtin" is used
    # Times the hand-written sentences ("written") are in the training mix, after the validation
    # share is cut (so no copy is validated on): their weight beside the larger grammar and corpora.
    written_repeat: int = 1
    # More copies of named human-rated corpora in the training mix, cut the same way: ((source,
    # times), ...), e.g. (("nyt", 6),) to weigh the scarce, hard editorials more. Each source must
    # be one of the four corpora, named in `data` by itself (not through "vader-all").
    corpus_repeats: tuple[tuple[str, int], ...] = ()
    neutral_band: float = corpora.DEFAULT_NEUTRAL_BAND  # corpus ratings with |r| below this are dropped
    val_fraction: float = 0.1  # share of the training data held out to pick the best epoch
    # recurrent: embedding -> cell -> readout -> linear; bag: the word-order baseline, mean of the
    # embeddings -> linear (BagOfEmbeddings), which ignores cell, sizes of the recurrent layers and readout
    network: Network = "recurrent"
    cell: CellType = "lstm"  # the recurrent cell, as in rnnviz.core.models.CELL_TYPES
    embedding_dim: int = 64  # size of each word's embedding vector
    hidden_size: int = 64  # units per layer and direction
    num_layers: int = 1  # stacked recurrent layers
    bidirectional: bool = False  # also read right to left
    dropout: float = 0.0  # on the embeddings and between layers, while training
    readout: Readout = "last"  # which states the classifier reads (rnnviz.core.models.READOUTS)
    lexicon_prior: bool = False  # VADER facts in the first embedding columns (see trainer.py)
    # GloVe vectors as the starting point of the other columns (see trainer.py), learned from there
    word_vectors: bool = False
    lr: float = 2e-3  # Adam learning rate
    lr_decay: float = 1.0  # the learning rate is multiplied by this after every epoch (1 = constant)
    weight_decay: float = 0.0  # L2 penalty on the recurrent and readout weights (not embeddings)
    batch_size: int = 64  # training examples per optimizer step
    epochs: int = 5  # passes over the training data
    seed: int = 0  # initial weights, batch order, dropout and the data's splits
    clip_norm: float = 1.0  # largest gradient norm; 0 turns clipping off
    device: Device = "auto"  # auto: CUDA when available, else CPU
    min_count: int = 1  # a token needs this many occurrences in the training data to get an id
    max_vocab: int = 20_000  # at most this many ids, including <pad> and <unk>
    max_tokens: int = 100  # longer texts are cut to their first max_tokens tokens
    threads: int = 0  # torch CPU threads for the whole process; 0 leaves the setting alone
    # Weight of the calm-prefix loss: the prediction after a prefix with no sentiment word yet is
    # pulled toward 50/50 (see trainer.prefix_calm_loss, and fresh_prefix_calm_loss for
    # bidirectional networks); 0 turns it off.
    prefix_calm: float = 0.0
    # P(the second label) those prefixes are pulled to, with two labels (more labels: uniform). A
    # little above 0.5 keeps the winner steady until the first sentiment word or negator.
    prefix_calm_positive: float = 0.5

    def __post_init__(self) -> None:
        if isinstance(self.data, str):
            object.__setattr__(self, "data", (self.data,))
        object.__setattr__(self, "data", tuple(self.data))
        problems = self._repeat_problems()
        if not self.data:
            problems.append(f"data needs at least one source ({', '.join(sources.SOURCES)} or a .csv file)")
        problems.extend(p for p in map(sources.source_problem, self.data) if p)
        if self.cell not in CELL_TYPES:
            problems.append(f"cell must be one of {', '.join(CELL_TYPES)}; got {self.cell!r}")
        if self.readout not in READOUTS:
            problems.append(f"readout must be one of {', '.join(READOUTS)}; got {self.readout!r}")
        if self.network not in NETWORKS:
            problems.append(f"network must be one of {', '.join(NETWORKS)}; got {self.network!r}")
        elif self.network == "bag" and self.prefix_calm != 0:
            problems.append("prefix_calm needs a recurrent network; the bag of embeddings has no steps")
        if self.device not in DEVICES:
            problems.append(f"device must be one of {', '.join(DEVICES)}; got {self.device!r}")
        problems.extend(p for name, r in TRAIN_RANGES.items() if (p := r.problem(name, getattr(self, name))))
        for name in ("bidirectional", "lexicon_prior", "word_vectors"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name} must be true or false; got {getattr(self, name)!r}")
        if (
            self.lexicon_prior is True
            and isinstance(self.embedding_dim, int)
            and self.embedding_dim <= PRIOR_DIMS
        ):
            problems.append(f"lexicon_prior needs embedding_dim above {PRIOR_DIMS}; got {self.embedding_dim}")
        if problems:
            raise ValueError("invalid training config: " + "; ".join(problems))

    def _repeat_problems(self) -> list[str]:
        """Why corpus_repeats is invalid (normalising it to a tuple of pairs first), or []."""
        try:
            pairs = tuple((source, times) for source, times in self.corpus_repeats)
        except (TypeError, ValueError):
            return [f"corpus_repeats must be (source, times) pairs; got {self.corpus_repeats!r}"]
        object.__setattr__(self, "corpus_repeats", pairs)
        problems = []
        for source, times in pairs:
            if not isinstance(source, str) or source not in corpora.CORPORA:
                problems.append(f"corpus_repeats: {source!r} is not one of {', '.join(corpora.CORPORA)}")
            elif source not in self.data:
                problems.append(f"corpus_repeats: {source} is not in data (name it there by itself)")
            problem = TRAIN_RANGES["written_repeat"].problem(f"times of {source}", times)
            problems.extend([problem] if problem else [])
        named = [source for source, _ in pairs]
        if any(named.count(source) > 1 for source in named):
            problems.append("corpus_repeats names a source twice")
        return problems

    def repeats(self) -> dict[str, int]:
        """Source -> times in the training mix, for rnnviz.data.sources.load_splits."""
        return {"written": self.written_repeat, **dict(self.corpus_repeats)}

    def model_config(self, vocab_size: int, labels: Sequence[str]) -> ModelConfig:
        """The network this config trains, for a vocabulary and label names."""
        return ModelConfig(
            vocab_size=vocab_size,
            labels=tuple(labels),
            cell=self.cell,
            embedding_dim=self.embedding_dim,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            readout=self.readout,
        )

    def bag_config(self, vocab_size: int, labels: Sequence[str]) -> BagConfig:
        """The bag-of-embeddings baseline this config trains (network "bag")."""
        return BagConfig(
            vocab_size=vocab_size,
            labels=tuple(labels),
            embedding_dim=self.embedding_dim,
            dropout=self.dropout,
        )

    def to_dict(self) -> dict:
        """The settings as JSON-ready values (data as a list)."""
        result = asdict(self)
        result["data"] = list(self.data)
        result["corpus_repeats"] = [list(pair) for pair in self.corpus_repeats]
        return result

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """The inverse of to_dict; unknown fields are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"invalid training config: unknown fields {unknown}")
        return cls(**values)


@dataclass(frozen=True)
class ClassServerLimits:
    """The Train page's choices: what one shared CPU server survives with a whole class training."""

    grammar_sizes: tuple[int, ...] = (1_000, 2_000, 5_000, 10_000, 20_000)  # builtin_size choices
    cells: tuple[CellType, ...] = ("rnn_tanh", "gru", "lstm")
    widths: tuple[int, ...] = (8, 16, 24, 32, 48, 64, 96, 128)  # embedding_dim and hidden_size choices
    learning_rates: tuple[float, ...] = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    batch_sizes: tuple[int, ...] = (8, 16, 32, 64, 128)
    dropouts: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.5)
    max_layers: int = 2  # below rnnviz.core.models.MAX_LAYERS: deeper nets train too slowly here
    max_epochs: int = 20
    max_seed: int = 9_999
    max_vocab: int = 10_000  # tokens per model: bounds memory for the per-epoch snapshots

    def __post_init__(self) -> None:
        checks = (
            ("builtin_size", self.grammar_sizes),
            ("embedding_dim", self.widths),
            ("hidden_size", self.widths),
            ("lr", self.learning_rates),
            ("batch_size", self.batch_sizes),
            ("dropout", self.dropouts),
            ("num_layers", (self.max_layers,)),
            ("epochs", (self.max_epochs,)),
            ("seed", (self.max_seed,)),
            ("max_vocab", (self.max_vocab,)),
        )
        problems = [
            p for name, values in checks for v in values if (p := TRAIN_RANGES[name].problem(name, v))
        ]
        problems += [f"cells: {c!r} is not a cell type" for c in self.cells if c not in CELL_TYPES]
        if problems:
            raise ValueError("class-server limits beyond the valid ranges: " + "; ".join(problems))


CLASS_SERVER = ClassServerLimits()


# --------------------------------------------------------------------------- uploaded models


@dataclass(frozen=True)
class UploadLimits:
    """The largest uploaded model a class server traces: the Train page's layers (CLASS_SERVER),
    with room for the shipped models (192 units, 14,000 tokens). Cost grows with the square of
    the units a layer reads, and a bidirectional layer reads both directions' units, so those
    count twice: 256 fits the shipped 192 and the Train page's 2 × 128, not a 2 × 256 model."""

    max_units: int = 256  # hidden_size × directions
    max_embedding: int = 256  # embedding_dim
    max_layers: int = CLASS_SERVER.max_layers  # as on the Train page
    max_vocab: int = TrainConfig.max_vocab  # the CLI's default vocabulary (20,000 tokens)

    def __post_init__(self) -> None:
        trained = 2 * CLASS_SERVER.widths[-1]  # a Train page model must upload again
        if self.max_units < trained or self.max_embedding < CLASS_SERVER.widths[-1]:
            raise ValueError(f"upload limits below what the Train page makes ({trained} units)")
        if self.max_vocab < CLASS_SERVER.max_vocab or self.max_layers < CLASS_SERVER.max_layers:
            raise ValueError("upload limits below what the Train page makes")

    def problems(self, config: ModelConfig) -> list[str]:
        """Why a model of `config` is too large to upload (one sentence per limit), or []."""
        units = config.hidden_size * (2 if config.bidirectional else 1)
        found = []
        if config.num_layers > self.max_layers:
            found.append(f"it has {config.num_layers} layers; at most {self.max_layers}")
        if units > self.max_units:
            both = " (both directions counted)" if config.bidirectional else ""
            found.append(f"it has {units} units per layer{both}; at most {self.max_units}")
        if config.embedding_dim > self.max_embedding:
            found.append(f"its embedding has {config.embedding_dim} dimensions; at most {self.max_embedding}")
        if config.vocab_size > self.max_vocab:
            found.append(f"its vocabulary has {config.vocab_size:,} tokens; at most {self.max_vocab:,}")
        return found


UPLOADS = UploadLimits()


def data_title(config: TrainConfig) -> str:
    """Short words for a config's data: 'grammar 5k', 'movies', 'reviews.csv'."""
    names = {
        "builtin": f"grammar {config.builtin_size / 1000:g}k",
        "vader-all": "4 corpora",
        "written": "written sentences",
    }
    return " + ".join(names.get(source, source) for source in config.data)


def model_name(config: TrainConfig) -> str:
    """A model's name in the picker, made from its settings (most telling first)."""
    if config.network == "bag":
        shape = f"bag of embeddings {config.embedding_dim}"
    else:
        shape = f"{CELL_NAMES[config.cell]} {config.num_layers}×{config.hidden_size}"
        if config.bidirectional:
            shape += " bi"
        if config.readout != "last":
            shape += f", {READOUT_NAMES[config.readout]}"
    return f"{shape}, {data_title(config)}, lr {config.lr:g}, {config.epochs} ep, seed {config.seed}"
