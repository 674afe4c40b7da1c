"""Proves the stand-in models: balanced template sentences, one saved file per shipped name, and
models that really learnt negation ("the movie was good" and "… not good" get opposite classes)."""

from rnnviz.core import checkpoints
from rnnviz.core.trace import trace_sentence
from rnnviz.tools.standins import STANDIN_CONFIGS, training_sentences


def test_template_sentences_are_balanced():
    labels = [label for _, label in training_sentences()]
    assert set(labels) == {0, 1} and abs(labels.count(0) - labels.count(1)) <= len(labels) // 10


def test_each_standin_learnt_negation(models_dir):
    assert set(STANDIN_CONFIGS) == set(checkpoints.SHIPPED)
    for name, filename in checkpoints.SHIPPED.items():
        classifier = checkpoints.load(models_dir / filename)
        good, not_good = (
            trace_sentence(classifier, text).prefix_probabilities[-1].argmax()
            for text in ("the movie was good", "the movie was not good")
        )
        assert (good, not_good) == (1, 0), name
