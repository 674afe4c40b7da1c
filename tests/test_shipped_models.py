"""Proves the shipped default models load, fit in 5 MB, read left to right (all but the bidirectional
`bilstm`), know every VADER word as the card says, and that the LSTM flips its prediction on negation
and meets its targets (pairs; movie accuracy with the corpus)."""

import pytest

from rnnviz.core import checkpoints
from rnnviz.core.text import tokenize
from rnnviz.data.corpora import load_corpus
from rnnviz.data.lexicon import vader_lexicon
from rnnviz.data.pairs import read_pairs
from rnnviz.tools.defaults import RECIPES
from rnnviz.training.metrics import evaluate_dataset, pair_score

MODELS = checkpoints.SHIPPED_DIR


def shipped(name: str):
    return checkpoints.load(MODELS / checkpoints.SHIPPED[name])


@pytest.mark.parametrize("name", sorted(checkpoints.SHIPPED))
def test_shipped_model_loads_and_is_small(name):
    assert (MODELS / checkpoints.SHIPPED[name]).stat().st_size <= 5 * 2**20
    classifier = shipped(name)
    assert classifier.labels == ("negative", "positive")
    assert classifier.config.bidirectional == (name == "bilstm")
    assert classifier.config.num_layers == (2 if name == "bilstm" else 1)
    settings = classifier.meta["settings"]
    assert settings["data"] == list(RECIPES[name].data)  # every human-rated corpus, then the rest
    assert {"movies", "amazon", "nyt", "tweets"} <= set(settings["data"]) or "vader-all" in settings["data"]
    assert settings["written_repeat"] == 3
    assert settings.get("corpus_repeats", []) == [list(pair) for pair in RECIPES[name].corpus_repeats]
    assert classifier.predict_proba(["a wonderful film"]).argmax() == 1


@pytest.mark.parametrize("name", sorted(checkpoints.SHIPPED))
def test_every_alphabetic_one_token_vader_word_is_known_as_the_card_says(name):
    vocab = shipped(name).vocab
    words = [w for w in vader_lexicon() if w.isalpha() and tokenize(w) == [w]]
    assert len(words) > 7000
    assert [w for w in words if w not in vocab] == []
    assert {"abhor", "abusive", "appall"} <= set(vocab.tokens)


def test_lstm_flips_on_negation():
    lstm = shipped("lstm")
    cases = {
        "the movie was good": "positive",
        "the movie was not good": "negative",
        "the movie was bad": "negative",
        "the movie was not bad": "positive",
        "i loved this book": "positive",
        "i didn't love this book": "negative",
        "i do not think the film is good": "negative",
    }
    predicted = lstm.predict_proba(list(cases)).argmax(-1)
    assert [lstm.labels[i] for i in predicted] == list(cases.values())
    tokens, ids = lstm.tokens_and_ids("the movie was good , not bad")
    after_each_word = lstm.prefix_proba(ids).argmax(-1)  # [steps]
    assert after_each_word[tokens.index("good")] == 1


def test_lstm_keeps_the_negation_pairs_its_card_reports():
    # A guard at the card's number (69 of 78 both right); the goal, 19 in 20, is
    # tests/test_model_quality.py's (marked as not yet met).
    assert pair_score(shipped("lstm"), read_pairs("builtin")).both_right >= 69 / 78


@pytest.mark.corpus
def test_lstm_reaches_80_percent_on_held_out_movie_snippets():
    assert evaluate_dataset(shipped("lstm"), load_corpus("movies", "test")).accuracy >= 0.8
