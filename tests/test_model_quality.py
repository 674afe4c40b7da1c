"""Proves the shipped LSTM and GRU meet issue 14's goals: every held-out negation family at least 0.90
(plain and negated 0.98) in the five families files, the 78 pairs at 0.95 both right, calm neutral
prefixes, Explore's examples flipping at the negator or the sentiment word, and (with the corpus) 0.82
on every test split; unmet goals are strict xfails, and guards hold the card's levels."""

from pathlib import Path

import pytest

from rnnviz.analysis.predictions import clear_flips, prediction_changes
from rnnviz.core import checkpoints
from rnnviz.data.families import read_families
from rnnviz.data.pairs import read_pairs
from rnnviz.data.sources import load_source
from rnnviz.lessons import glossary
from rnnviz.tools.defaults import CORPORA, calmness, unshared_families
from rnnviz.training.metrics import evaluate_dataset, pair_score

FAMILIES_FILE = Path(__file__).parent / "data" / "negation_families.tsv"
# Written later by someone who had seen neither the grammar nor the first file's sentences.
FRESH_FILE = Path(__file__).parent / "data" / "negation_families_fresh.tsv"
# Written after the recipes were chosen, by someone who had read no file of the project.
THIRD_FILE = Path(__file__).parent / "data" / "negation_families_third.tsv"
# Written while the third round of training sentences was, by someone else who had read no file.
FOURTH_FILE = Path(__file__).parent / "data" / "negation_families_fourth.tsv"
# Written while the fourth round was (for the fourth file's misses), by a third such writer; chose nothing.
FIFTH_FILE = Path(__file__).parent / "data" / "negation_families_fifth.tsv"
GOAL_MODELS = ("lstm", "gru")
# Issue 14's goals that the shipped models do not reach yet (models/README.md has the numbers).
# strict: the day a rebuilt model reaches one, its test fails until the mark is removed.
SHORT_OF_GOAL = pytest.mark.xfail(
    strict=True, reason="issue 14 goal not met by the shipped models yet; see models/README.md"
)
FAMILY_GOAL = 0.90
STRICT_FAMILIES = {"plain": 0.98, "negated": 0.98}
# Where Explore's example sentences may first flip: the negator or a sentiment word.
FLIP_WORDS = {"not", "good", "bad", "dull", "but", "great"}


def shipped(name: str):
    return checkpoints.load(checkpoints.SHIPPED_DIR / checkpoints.SHIPPED[name])


@pytest.fixture(scope="module")
def families():
    return read_families(FAMILIES_FILE)


# (model, families file) pairs still short of the family goals (see models/README.md): in the first
# file the LSTM gets 46 of 48 plain sentences right (0.958 < 0.98) and 45 of 46 negated ones (0.978).
FAMILIES_SHORT = {("lstm", "first")}
FILES = {
    "first": FAMILIES_FILE,
    "fresh": FRESH_FILE,
    "third": THIRD_FILE,
    "fourth": FOURTH_FILE,
    "fifth": FIFTH_FILE,
}


@pytest.mark.parametrize(
    ("name", "path"),
    [
        pytest.param(
            name, path, id=f"{name}-{file}", marks=[SHORT_OF_GOAL] if (name, file) in FAMILIES_SHORT else []
        )
        for name in GOAL_MODELS
        for file, path in FILES.items()
    ],
)
def test_every_held_out_family_meets_its_goal(name, path):
    model = shipped(name)
    short = {}
    for family, data in read_families(path).items():
        accuracy = evaluate_dataset(model, data).accuracy
        if accuracy < STRICT_FAMILIES.get(family, FAMILY_GOAL):
            short[family] = round(accuracy, 3)
    assert not short, f"{name} below the goal on {short}"


@pytest.mark.parametrize("name", GOAL_MODELS)
def test_nineteen_in_twenty_negation_pairs_are_both_right(name):
    assert pair_score(shipped(name), read_pairs("builtin")).both_right >= 0.95


# The curve on Explore and its caption hold for every model the picker offers with calm prefixes,
# the bidirectional one included (it reads each prefix afresh: trainer.fresh_prefix_calm_loss).
CALM_MODELS = (*GOAL_MODELS, "bilstm")


@pytest.mark.parametrize("name", CALM_MODELS)
def test_neutral_prefixes_stay_near_fifty_fifty(name):
    assert calmness(shipped(name)) <= 0.10


@pytest.mark.parametrize("name", CALM_MODELS)
def test_explore_examples_first_flip_at_the_negator_or_the_sentiment_word(name):
    """Both ways of reading "flip": the first vertical line of Explore's chart (a clear flip) and the
    first change of the leading answer however small; every example has a clear one."""
    model = shipped(name)
    for _, sentence in glossary.PRESETS:
        tokens, ids = model.tokens_and_ids(sentence)
        probabilities = model.prefix_proba(ids)
        changes = prediction_changes(probabilities)
        if changes:
            assert tokens[changes[0]] in FLIP_WORDS, (sentence, tokens[changes[0]])
        (first, _), *_ = clear_flips(probabilities)
        assert tokens[first] in FLIP_WORDS, (sentence, tokens[first])


# Each corpus apart, too: the New York Times editorials' test split stays near 0.76 for both models
# (LSTM 0.764, GRU 0.761 in the card's per-corpus table), short of the goal.
CORPORA_SHORT = {("lstm", "nyt"), ("gru", "nyt")}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "source"),
    [
        pytest.param(
            name,
            source,
            id=f"{source}-{name}",
            marks=[SHORT_OF_GOAL] if (name, source) in CORPORA_SHORT else [],
        )
        for name in GOAL_MODELS
        for source in ("vader-all", *(source for _, source in CORPORA))
    ],
)
def test_each_corpus_and_all_four_together_are_at_least_82_percent(name, source):
    assert evaluate_dataset(shipped(name), load_source(source, "test")).accuracy >= 0.82


# Guards at the card's numbers (not the goal), so a rebuild that loses what the grammar, the word
# vectors and the written sentences taught is noticed: the first file's sentences that share no
# idiom, event or review word with the grammar, the whole second file, and the written sentences'
# test split.
UNSHARED_FLOOR = {"lstm": 0.97, "gru": 0.98}
FRESH_FLOOR = {"lstm": 0.98, "gru": 0.98}
WRITTEN_FLOOR = {"lstm": 0.89, "gru": 0.89}


@pytest.mark.parametrize("name", GOAL_MODELS)
def test_family_sentences_unlike_the_grammar_stay_at_the_cards_level(name, families):
    assert evaluate_dataset(shipped(name), unshared_families(families)).accuracy >= UNSHARED_FLOOR[name]


@pytest.mark.parametrize("name", GOAL_MODELS)
def test_the_fresh_families_stay_at_the_cards_level(name):
    fresh = read_families(FRESH_FILE)
    right = sum(evaluate_dataset(shipped(name), data).accuracy * len(data) for data in fresh.values())
    assert right / sum(len(data) for data in fresh.values()) >= FRESH_FLOOR[name]


@pytest.mark.parametrize("name", GOAL_MODELS)
def test_the_written_sentences_test_split_stays_at_the_cards_level(name):
    assert evaluate_dataset(shipped(name), load_source("written", "test")).accuracy >= WRITTEN_FLOOR[name]
