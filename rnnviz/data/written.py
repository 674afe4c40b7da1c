"""Everyday sentences written by hand for training: rnnviz/resources/written_sentences.tsv.

Where the grammar (rnnviz.data.grammar) teaches each way of negating through templates, these
sentences show the same ten families (plain, negated, negated_negative, trailing_negation,
question_no, across_clause, never_nobody_nothing, not_only, contrast_but, idioms) the way people
write them: thousands of different things, events and phrasings across eight domains. The file's
header says who wrote them, how, and the label rule of each family. Its format is that of a
families file (rnnviz.data.families): family<TAB>sentence<TAB>label.

Fixed test split, the same forever: a sentence is in the test split when
int(sha256(f"written:{sentence}").hexdigest(), 16) % 10 == 0; everything else is training data.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal

from rnnviz.data.dataset import LABELS, TextDataset
from rnnviz.data.families import parse_families

WRITTEN_FILE: Traversable = resources.files("rnnviz.resources") / "written_sentences.tsv"


def in_test_split(sentence: str) -> bool:
    """Whether `sentence` belongs to the fixed test split (a tenth, chosen by hashing the text)."""
    return int(hashlib.sha256(f"written:{sentence}".encode()).hexdigest(), 16) % 10 == 0


@lru_cache(maxsize=1)
def written_families() -> dict[str, TextDataset]:
    """family -> every sentence of the shipped file (both splits)."""
    return parse_families(WRITTEN_FILE.read_text(encoding="utf-8"))


def written_size() -> int:
    """How many sentences the shipped file holds (both splits)."""
    return sum(len(data) for data in written_families().values())


def written_dataset(split: Literal["train", "test"] = "train") -> TextDataset:
    """The shipped sentences of one split, every family mixed in file order."""
    want_test = split == "test"
    texts, labels = [], []
    for data in written_families().values():
        for text, label in zip(data.texts, data.labels, strict=True):
            if in_test_split(text) == want_test:
                texts.append(text)
                labels.append(label)
    return TextDataset(tuple(texts), tuple(labels), LABELS, f"written sentences ({split})")
