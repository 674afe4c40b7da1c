"""The minimal-pairs format (two sentences that differ by a negation, each with its label): its one
parser, whether typed or read from a file, and the built-in pairs that ship as package data.

A pairs file is UTF-8 text, one sentence a line as `sentence<TAB>label`; lines starting with
"#" and blank lines are ignored, and two consecutive sentence lines make a pair:

    # a comment
    the movie was good<TAB>positive
    the movie was not good<TAB>negative

In a browser's text box, which has no Tab key, `sentence | label` may stand for
`sentence<TAB>label` (`parse_typed_pairs`). The built-in pairs, written by hand independently
of the grammar, are rnnviz/resources/negation_pairs.tsv, read with importlib.resources so that
they travel with an installed package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from rnnviz.core.markup import clip
from rnnviz.core.text import has_negator, tokenize
from rnnviz.data.dataset import LABELS
from rnnviz.data.tables import TableError

BUILTIN = "builtin"  # what read_pairs (and `python -m rnnviz evaluate --pairs`) takes for the shipped pairs
BUILTIN_PAIRS_FILE: Traversable = resources.files("rnnviz.resources") / "negation_pairs.tsv"

# A pair with its labels as indices into a model's labels: ((text, label), (text, label)).
LabelledPair = tuple[tuple[str, int], tuple[str, int]]


@dataclass(frozen=True)
class Pair:
    """A minimal pair: two sentences that differ by a negation (labels optional)."""

    text_a: str
    text_b: str
    label_a: str | None = None
    label_b: str | None = None
    line: int | None = None  # line number of text_a in the file it came from

    @property
    def same_label(self) -> bool:
        """Flag: both labels given and equal (allowed, but a negation pair usually flips)."""
        return self.label_a is not None and self.label_a == self.label_b

    @property
    def negated_side(self) -> Literal["a", "b"] | None:
        """'a' or 'b': the one sentence with a negator; None if both or neither have one."""
        a, b = has_negator(tokenize(self.text_a)), has_negator(tokenize(self.text_b))
        if a == b:
            return None
        return "a" if a else "b"


def parse_pairs(text: str, labels: Sequence[str] | None = None) -> list[Pair]:
    """Parse the minimal-pairs format: UTF-8 lines `sentence<TAB>label`; lines starting with
    "#" and blank lines are ignored; consecutive sentence lines form a pair. With `labels`,
    every label must be one of them. Raises ValueError naming the line of the first problem."""
    rows: list[tuple[int, str, str]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = raw.rstrip("\r\n").split("\t")
        if len(parts) != 2:
            found = "no tab" if len(parts) == 1 else f"{len(parts) - 1} tabs"
            raise ValueError(f"line {number}: expected 'sentence<TAB>label', found {found}")
        sentence, label = parts[0].strip(), parts[1].strip()
        if not tokenize(sentence):
            raise ValueError(f"line {number}: the sentence is empty")
        if not label:
            raise ValueError(f"line {number}: the label is empty")
        if labels is not None and label not in labels:
            known = ", ".join(clip(known, 40) for known in labels)
            raise ValueError(f"line {number}: unknown label '{clip(label, 40)}' (the model's: {known})")
        rows.append((number, sentence, label))
    if len(rows) % 2:
        raise ValueError(
            f"line {rows[-1][0]}: this sentence has no partner (pairs are two consecutive lines)"
        )
    return [
        Pair(text_a=a[1], text_b=b[1], label_a=a[2], label_b=b[2], line=a[0])
        for a, b in zip(rows[::2], rows[1::2], strict=True)
    ]


_TYPED_FORMAT = "'sentence | label'"


def parse_typed_pairs(text: str, labels: Sequence[str]) -> list[Pair]:
    """Pairs typed into a text box: the minimal-pairs format (two consecutive lines make a
    pair), where 'sentence | label' may stand for 'sentence<TAB>label' because a browser's
    text box has no Tab key. Raises ValueError naming the line of the first problem."""
    lines = []
    for line in text.splitlines():
        if "\t" not in line and "|" in line:
            sentence, _, label = line.rpartition("|")
            line = f"{sentence.strip()}\t{label.strip()}"
        lines.append(line)
    try:
        return parse_pairs("\n".join(lines), labels)
    except ValueError as error:
        message = (
            str(error).replace("'sentence<TAB>label'", _TYPED_FORMAT).replace("found no tab", "found no “|”")
        )
        raise ValueError(message) from None


def decode_pairs(data: bytes, labels: Sequence[str] | None = None) -> list[Pair]:
    """Pairs from the bytes of a pairs file (UTF-8, a BOM allowed). Raises ValueError for bytes
    that are not UTF-8 or a malformed file, naming the line."""
    return parse_pairs(_utf8(data), labels)


def _utf8(data: bytes) -> str:
    """`data` as UTF-8 text, or a ValueError naming the first line that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(f"line {line}: the file is not UTF-8 text") from None


def builtin_pairs(source: Traversable = BUILTIN_PAIRS_FILE) -> list[Pair]:
    """The hand-written minimal pairs shipped in the package (rnnviz/resources/negation_pairs.tsv)."""
    if not source.is_file():
        raise FileNotFoundError(f"the built-in negation pairs file is missing: {source}")
    return decode_pairs(source.read_bytes())


def labelled_pairs(pairs: Sequence[Pair], label_names: Sequence[str]) -> list[LabelledPair]:
    """`pairs` with their labels as indices into `label_names` (every label must be one of them)."""
    index = {label: i for i, label in enumerate(label_names)}
    return [((pair.text_a, index[pair.label_a]), (pair.text_b, index[pair.label_b])) for pair in pairs]


def read_pairs(
    source: str | os.PathLike | Traversable, label_names: Sequence[str] = LABELS
) -> list[LabelledPair]:
    """Minimal pairs from a pairs file, or BUILTIN ("builtin") for the built-in ones, with their
    labels as indices into `label_names`. Raises TableError naming the file and the line."""
    if source == BUILTIN:
        file = BUILTIN_PAIRS_FILE
    elif isinstance(source, (str, os.PathLike)):
        file = Path(source)
    else:
        file = source
    name = clip(file.name)
    try:
        text = _utf8(file.read_bytes())
    except OSError as error:  # its words name the cause (no such file, permission denied)
        why = clip(error.strerror or "it cannot be read")
        raise TableError(f"cannot read the pairs file {clip(file)}: {why}") from None
    except ValueError as error:
        raise TableError(f"cannot read the pairs file {name}, {error}") from None
    try:
        pairs = parse_pairs(text, label_names)
    except ValueError as error:
        raise TableError(f"{name}, {error}") from None
    if not pairs:
        raise TableError(f"{name}: no pairs (two consecutive 'sentence<TAB>label' lines make one)")
    return labelled_pairs(pairs, label_names)
