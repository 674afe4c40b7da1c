"""Proves the hand-written training sentences (rnnviz/resources/written_sentences.tsv) are well formed
and keep the test files held out: the ten families with their label rules, both labels where a
family has both, no repeated sentence, nothing equal or close to a held-out family sentence or a
negation pair, a fixed test split of about a tenth that the training split never overlaps, and
the "written" data source serving both splits, and `written_repeat` copying only its training share."""

import re
from collections import Counter
from pathlib import Path

import pytest

from rnnviz.data.families import NEGATION_FAMILIES, read_families
from rnnviz.data.pairs import BUILTIN_PAIRS_FILE, read_pairs
from rnnviz.data.sources import SOURCES, load_source, load_splits
from rnnviz.data.written import in_test_split, written_dataset, written_families, written_size
from rnnviz.training.config import TrainConfig

DATA = Path(__file__).parent / "data"
HELD_OUT = sorted(DATA.glob("negation_families*.tsv"))  # all four families files
CLOSE = 0.7  # word-set Jaccard at or above which a training sentence counts as a copy (see the file's header)


def _words(sentence: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z']+", sentence.lower()))


def _held_out_sentences() -> list[str]:
    sentences = [text for path in HELD_OUT for data in read_families(path).values() for text in data.texts]
    pairs = read_pairs(BUILTIN_PAIRS_FILE)
    return sentences + [text for pair in pairs for text, _ in pair]


def test_the_file_has_every_family_with_its_label_rule():
    families = written_families()
    assert tuple(families) == NEGATION_FAMILIES
    for name, data in families.items():
        counts = Counter(data.label_names[label] for label in data.labels)
        if name == "negated":
            assert set(counts) == {"negative"}, name
        elif name == "negated_negative":
            assert set(counts) == {"positive"}, name
        else:
            assert min(counts["positive"], counts["negative"]) >= 0.4 * len(data), (name, counts)
        assert len(data) >= 400, (name, len(data))
    assert written_size() == sum(len(data) for data in families.values())


def test_no_sentence_is_repeated():
    texts = [" ".join(text.lower().split()) for data in written_families().values() for text in data.texts]
    assert len(texts) == len(set(texts))


def test_nothing_is_copied_from_or_close_to_the_held_out_sentences():
    held = [_words(sentence) for sentence in _held_out_sentences()]
    assert len(held) > 600
    close = []
    for data in written_families().values():
        for text in data.texts:
            words = _words(text)
            overlap = max(len(words & other) / len(words | other) for other in held)
            if overlap >= CLOSE:
                close.append((round(overlap, 2), text))
    assert close == []


def test_the_test_split_is_a_fixed_tenth_that_training_never_sees():
    train, test = written_dataset("train"), written_dataset("test")
    assert len(train) + len(test) == written_size()
    assert not set(train.texts) & set(test.texts)
    assert 0.07 < len(test) / written_size() < 0.13
    assert all(in_test_split(text) for text in test.texts)
    assert in_test_split("the soup was cold") == in_test_split(
        "the soup was cold"
    )  # a pure function of the text
    assert set(test.labels) == {0, 1}


def test_the_written_source_serves_both_splits():
    assert "written" in SOURCES
    assert load_source("written", "train").texts == written_dataset("train").texts
    assert load_source("written", "test").labels == written_dataset("test").labels


def test_repeats_copy_only_the_written_training_share():
    once = load_splits(["builtin", "written"], builtin_size=300, with_test=False)
    twice = load_splits(["builtin", "written"], builtin_size=300, with_test=False, repeats={"written": 2})
    assert twice.validation == once.validation  # every validation sentence once, no copy of a trained one
    written = set(written_dataset("train").texts)
    copied = [text for text in once.train.texts if text in written]
    assert len(copied) > 3000
    assert Counter(twice.train.texts) == Counter(once.train.texts) + Counter(copied)


def test_the_config_carries_the_repeat_and_refuses_a_bad_one():
    assert TrainConfig(data=("written",), written_repeat=3).written_repeat == 3
    with pytest.raises(ValueError, match="written_repeat"):
        TrainConfig(data=("written",), written_repeat=0)
