"""Labelled texts and how they are cut and fed: `TextDataset`, seeded stratified splits, and the
place that turns texts into length-bucketed batches (padded by rnnviz.core.models.pad_ids).

Every dataset is a `TextDataset`: raw texts, integer labels and the label names they index.
Binary sentiment data always uses LABELS = ("negative", "positive"), so sources can be mixed.
Where the texts come from lives next door: the built-in grammar (rnnviz.data.grammar), the
human-rated corpora (rnnviz.data.corpora), user tables (rnnviz.data.tables), all of them by
name (rnnviz.data.sources).

A batch is a padded matrix, one row per text, shortest texts padded with PAD_ID after their end:

    token_ids  [batch, steps]   the  movie  was  good  <pad>
                                 it   was   not  bad    !
    lengths    [batch]          4, 5
    labels     [batch]          1, 1
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import torch

from rnnviz.core.models import pad_ids
from rnnviz.core.text import UNK_ID, Vocab, tokenize

LABELS: tuple[str, str] = ("negative", "positive")
NEGATIVE, POSITIVE = 0, 1

# Reports progress: fraction done in [0, 1] and what is happening, for a bar or a log line.
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class TextDataset:
    """Labelled texts. labels[i] indexes label_names."""

    texts: tuple[str, ...]
    labels: tuple[int, ...]
    label_names: tuple[str, ...] = LABELS
    name: str = ""  # where it came from, for messages and model cards

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", tuple(self.texts))
        object.__setattr__(self, "labels", tuple(int(label) for label in self.labels))
        object.__setattr__(self, "label_names", tuple(self.label_names))
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} labels")
        if len(self.label_names) < 2:
            raise ValueError(f"a dataset needs at least 2 label names, got {list(self.label_names)}")
        if self.labels and not 0 <= min(self.labels) <= max(self.labels) < len(self.label_names):
            raise ValueError(f"labels must index label_names (0-{len(self.label_names) - 1})")

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int], name: str | None = None) -> TextDataset:
        """The examples at `indices`, in that order (renamed to `name` if given)."""
        return TextDataset(
            tuple(self.texts[i] for i in indices),
            tuple(self.labels[i] for i in indices),
            self.label_names,
            self.name if name is None else name,
        )

    def class_counts(self) -> dict[str, int]:
        """Examples per label name, every label listed (0 when it has none)."""
        counts = Counter(self.labels)
        return {name: counts.get(i, 0) for i, name in enumerate(self.label_names)}

    @staticmethod
    def concat(datasets: Sequence[TextDataset], name: str | None = None) -> TextDataset:
        """One dataset from several with the same label names."""
        if not datasets:
            raise ValueError("nothing to concatenate")
        names = datasets[0].label_names
        for other in datasets[1:]:
            if other.label_names != names:
                raise ValueError(
                    f"cannot mix {other.name or 'a dataset'} (labels {list(other.label_names)}) with "
                    f"{datasets[0].name or 'a dataset'} (labels {list(names)})"
                )
        return TextDataset(
            tuple(t for d in datasets for t in d.texts),
            tuple(y for d in datasets for y in d.labels),
            names,
            name if name is not None else "+".join(d.name for d in datasets),
        )


def stratified_split(
    dataset: TextDataset, val_fraction: float = 0.1, test_fraction: float = 0.0, seed: int = 0
) -> tuple[TextDataset, TextDataset, TextDataset]:
    """(train, val, test) with each class spread in the same proportions; seeded."""
    if not 0 <= val_fraction < 1 or not 0 <= test_fraction < 1 or val_fraction + test_fraction >= 1:
        raise ValueError("val_fraction and test_fraction must be at least 0 and add up to less than 1")
    rng = random.Random(f"rnnviz-split-{seed}")
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for label in range(len(dataset.label_names)):
        members = [i for i, y in enumerate(dataset.labels) if y == label]
        rng.shuffle(members)
        n_val = round(len(members) * val_fraction)
        n_test = round(len(members) * test_fraction)
        parts[1].extend(members[:n_val])
        parts[2].extend(members[n_val : n_val + n_test])
        parts[0].extend(members[n_val + n_test :])
    for part in parts:
        part.sort()
    return tuple(
        dataset.subset(part, f"{dataset.name} [{role}]")
        for part, role in zip(parts, ("train", "val", "test"), strict=True)
    )


class Batch(NamedTuple):
    """One padded batch (see the picture in the module docstring)."""

    token_ids: torch.Tensor  # [batch, steps] long, padded with PAD_ID after each length
    lengths: torch.Tensor  # [batch] long, >= 1
    labels: torch.Tensor  # [batch] long


def encode(dataset: TextDataset, vocab: Vocab, max_tokens: int | None = None) -> list[list[int]]:
    """Token ids per text, cut to `max_tokens`; a text without tokens becomes [<unk>]."""
    encoded = []
    for text in dataset.texts:
        ids = vocab.encode(tokenize(text))[:max_tokens] or [UNK_ID]
        encoded.append(ids)
    return encoded


def batches(
    token_ids: Sequence[Sequence[int]],
    labels: Sequence[int],
    batch_size: int,
    seed: int | None = None,
    pool_batches: int = 50,
) -> list[Batch]:
    """Length-bucketed batches. With a seed: shuffle, sort each pool of `pool_batches` batches
    by length, cut it into batches and shuffle the batch order (little padding, still random).
    Without: all texts by length, in order (for evaluation)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1; got {batch_size}")
    order = list(range(len(token_ids)))
    if seed is None:
        order.sort(key=lambda i: len(token_ids[i]))
        groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    else:
        rng = random.Random(f"rnnviz-batches-{seed}")
        rng.shuffle(order)
        pool = batch_size * pool_batches
        groups = []
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=lambda i: len(token_ids[i]))
            groups.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
        rng.shuffle(groups)
    result = []
    for group in groups:
        padded, lengths = pad_ids([token_ids[i] for i in group])
        result.append(Batch(padded, lengths, torch.tensor([labels[i] for i in group], dtype=torch.long)))
    return result


def iterate_batches(
    dataset: TextDataset,
    vocab: Vocab,
    batch_size: int,
    seed: int | None = None,
    max_tokens: int | None = None,
) -> Iterator[Batch]:
    """Convenience: encode `dataset` with `vocab` and yield its batches (see `batches`)."""
    yield from batches(encode(dataset, vocab, max_tokens), dataset.labels, batch_size, seed)
