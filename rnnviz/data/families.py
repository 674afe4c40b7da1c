"""Test sentences grouped by family: the reader of family<TAB>sentence<TAB>label files, such as the
held-out negation families that the model card reports per family.

Format: UTF-8 text, one example per line, `family<TAB>sentence<TAB>label`; lines starting with
"#" are comments and blank lines are ignored. Families keep the order of their first line.
"""

from __future__ import annotations

from pathlib import Path

from rnnviz.data.dataset import LABELS, TextDataset

# The ten ways of negating that the held-out test files (tests/data/negation_families*.tsv) and
# the hand-written training sentences (rnnviz.data.written) are grouped by, in their files' order;
# each file's header gives the label rule of each.
NEGATION_FAMILIES = (
    "plain",
    "negated",
    "negated_negative",
    "trailing_negation",
    "question_no",
    "across_clause",
    "never_nobody_nothing",
    "not_only",
    "contrast_but",
    "idioms",
)


class FamiliesError(ValueError):
    """A families file that cannot be read, with the line that is wrong."""


def parse_families(text: str, labels: tuple[str, ...] = LABELS) -> dict[str, TextDataset]:
    """family -> its sentences and labels, from the text of a families file (see the module docstring)."""
    rows: dict[str, tuple[list[str], list[int]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(field.strip() for field in fields):
            raise FamiliesError(f"line {number}: expected family<TAB>sentence<TAB>label, got {line[:80]!r}")
        family, sentence, label = (field.strip() for field in fields)
        if label not in labels:
            raise FamiliesError(f"line {number}: the label must be one of {', '.join(labels)}; got {label!r}")
        texts, ids = rows.setdefault(family, ([], []))
        texts.append(sentence)
        ids.append(labels.index(label))
    if not rows:
        raise FamiliesError("the families file has no sentences")
    return {
        family: TextDataset(tuple(texts), tuple(ids), labels, f"family {family}")
        for family, (texts, ids) in rows.items()
    }


def read_families(path: Path, labels: tuple[str, ...] = LABELS) -> dict[str, TextDataset]:
    """parse_families of the file at `path`; a missing or undecodable file is a FamiliesError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FamiliesError(f"cannot read the families file {path}: {error}") from error
    return parse_families(text, labels)
