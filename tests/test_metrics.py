"""Proves the measures: evaluate counts right per class and in the confusion matrix, pair_score
needs both sentences of a pair right, and the VADER baseline follows the compound score's sign."""

import numpy as np
import pytest

from rnnviz.training.metrics import VaderBaseline, evaluate, pair_score


class Fixed:
    """A stand-in classifier that predicts a fixed label per text."""

    labels = ("negative", "positive")

    def __init__(self, answers: dict[str, int]) -> None:
        self.answers = answers

    def predict_proba(self, texts):
        return np.eye(2)[[self.answers[t] for t in texts]]


def test_evaluate_counts_right():
    model = Fixed({"a": 0, "b": 1, "c": 1, "d": 1})
    metrics = evaluate(model, ["a", "b", "c", "d"], ["negative", "negative", "positive", 1])
    assert metrics.accuracy == 0.75
    assert metrics.per_class_accuracy == {"negative": 0.5, "positive": 1.0}
    assert metrics.confusion == ((1, 1), (0, 2))
    with pytest.raises(ValueError, match="'neutral' is not one of the model's labels"):
        evaluate(model, ["a"], ["neutral"])


def test_pair_score_needs_both_sentences_right():
    model = Fixed({"good": 1, "not good": 0, "bad": 0, "not bad": 0})
    score = pair_score(model, [(("good", 1), ("not good", 0)), (("bad", 0), ("not bad", 1))])
    assert (score.n_pairs, score.both_right, score.sentence_accuracy) == (2, 0.5, 0.75)
    assert score.failures == (("bad", "not bad"),)


def test_vader_baseline_uses_the_compound_sign():
    vader = VaderBaseline()
    probabilities = vader.predict_proba(["what a great film", "what an awful film", "the film"])
    assert probabilities.argmax(-1).tolist() == [1, 0, 0]  # no lexicon word: compound 0 -> negative
    assert np.allclose(probabilities.sum(-1), 1)
