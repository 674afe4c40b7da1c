"""Proves the five held-out families files (tests/data/negation_families.tsv and the later,
independently written negation_families_fresh.tsv, _third.tsv, _fourth.tsv and _fifth.tsv) are well
formed: three fields, known families and labels, enough and balanced sentences per family, no duplicates,
nothing copied from the 78 negation pairs or from another file, and (in the first) a label rule
documented for every family."""

import re
from collections import Counter
from pathlib import Path

import pytest

from rnnviz.data.families import NEGATION_FAMILIES

ROOT = Path(__file__).resolve().parent.parent
FAMILIES_FILE = ROOT / "tests" / "data" / "negation_families.tsv"
FRESH_FILE = ROOT / "tests" / "data" / "negation_families_fresh.tsv"  # the same rules; see its header
THIRD_FILE = ROOT / "tests" / "data" / "negation_families_third.tsv"  # the same rules; see its header
FOURTH_FILE = ROOT / "tests" / "data" / "negation_families_fourth.tsv"  # the same rules; see its header
FIFTH_FILE = ROOT / "tests" / "data" / "negation_families_fifth.tsv"  # the same rules; see its header
# The pairs file may have moved into the package on another branch; read whichever exists.
PAIRS_CANDIDATES = [
    ROOT / "tests" / "data" / "negation_pairs.tsv",
    ROOT / "rnnviz" / "resources" / "negation_pairs.tsv",
]

FAMILIES = set(NEGATION_FAMILIES)
LABELS = {"positive", "negative"}
MIN_PER_FAMILY = {
    FAMILIES_FILE: {family: 30 for family in FAMILIES} | {"plain": 40, "negated": 40},
    FRESH_FILE: dict.fromkeys(FAMILIES, 23),
    THIRD_FILE: dict.fromkeys(FAMILIES, 19),
    FOURTH_FILE: dict.fromkeys(FAMILIES, 21),
    FIFTH_FILE: dict.fromkeys(FAMILIES, 18),
}
FILES = list(MIN_PER_FAMILY)  # in the order they were written
each_file = pytest.mark.parametrize("path", FILES, ids=["first", "fresh", "third", "fourth", "fifth"])
# Families with one label by definition:
# - negated: a negator governing a positive word is always negative;
# - negated_negative: a negator governing a negative word is always positive.
ONE_SIDED = {"negated": "negative", "negated_negative": "positive"}
NEGATOR = re.compile(r"\b(not|no|never|nothing|nobody|none|hardly|neither|nor)\b|n't")


def _norm(sentence: str) -> str:
    return " ".join(sentence.lower().split())


def _rows(path: Path = FAMILIES_FILE) -> list[tuple[int, str, str, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        assert len(fields) == 3, f"line {number}: expected family<TAB>sentence<TAB>label, got {line!r}"
        family, sentence, label = fields
        rows.append((number, family, sentence, label))
    return rows


def _pair_sentences() -> set[str]:
    existing = [path for path in PAIRS_CANDIDATES if path.exists()]
    assert existing, f"no negation pairs file at any of {PAIRS_CANDIDATES}"
    sentences = set()
    for line in existing[0].read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sentences.add(_norm(line.split("\t")[0]))
    return sentences


@each_file
def test_every_line_has_a_known_family_a_valid_label_and_a_lower_case_sentence(path):
    for number, family, sentence, label in _rows(path):
        assert family in FAMILIES, f"line {number}: unknown family {family!r}"
        assert label in LABELS, f"line {number}: label must be positive or negative, got {label!r}"
        assert sentence.strip() == sentence and sentence, f"line {number}: empty or padded sentence"
        assert sentence == sentence.lower(), f"line {number}: sentence is not lower-case"


@each_file
def test_each_family_has_enough_sentences_and_both_labels_unless_one_sided(path):
    counts = Counter((family, label) for _, family, _, label in _rows(path))
    for family in FAMILIES:
        total = counts[family, "positive"] + counts[family, "negative"]
        least = MIN_PER_FAMILY[path][family]
        assert total >= least, f"{family}: {total} sentences, need {least}"
        if family in ONE_SIDED:
            other = ({"positive", "negative"} - {ONE_SIDED[family]}).pop()
            assert counts[family, other] == 0, f"{family} is one-sided ({ONE_SIDED[family]}) but has {other}"
        else:
            smaller = min(counts[family, "positive"], counts[family, "negative"])
            assert smaller >= 0.4 * total, f"{family} is unbalanced: {counts[family, 'positive']} positive"


@each_file
def test_no_sentence_is_repeated_or_copied_from_the_negation_pairs(path):
    sentences = [_norm(sentence) for _, _, sentence, _ in _rows(path)]
    repeated = [s for s, n in Counter(sentences).items() if n > 1]
    assert not repeated, f"repeated sentences: {repeated}"
    copied = sorted(set(sentences) & _pair_sentences())
    assert not copied, f"sentences copied from the negation pairs: {copied}"


def test_the_files_share_no_sentence():
    seen: dict[str, str] = {}
    for path in FILES:
        for _, _, sentence, _ in _rows(path):
            assert _norm(sentence) not in seen, (
                f"{sentence!r} is in {seen.get(_norm(sentence))} and {path.name}"
            )
        seen.update((_norm(sentence), path.name) for _, _, sentence, _ in _rows(path))


def test_the_header_documents_every_family_and_plain_has_no_negator():
    header = "\n".join(
        line for line in FAMILIES_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    for family in FAMILIES:
        assert re.search(rf"^#\s+{family}\s", header, re.MULTILINE), f"no label rule documented for {family}"


@each_file
def test_plain_sentences_have_no_negator_and_negated_ones_do(path):
    for number, family, sentence, _ in _rows(path):
        if family == "plain":
            assert not NEGATOR.search(sentence), f"line {number}: plain sentence has a negator: {sentence!r}"
        elif family in {"negated", "negated_negative", "not_only"}:
            assert NEGATOR.search(sentence), f"line {number}: {family} sentence has no negator: {sentence!r}"
