"""Proves the stand-in models: balanced template sentences, one saved file per shipped name
(and the bag-of-embeddings baseline, blind to order), and models that really learnt negation ("the movie
was good" and "… not good" get opposite classes)."""

from rnnviz.core import checkpoints
from rnnviz.core.trace import trace_sentence
from rnnviz.tools.standins import BASELINE_CONFIGS, STANDIN_CONFIGS, training_sentences


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


def test_the_bag_standin_loads_as_a_baseline_and_is_blind_to_order(models_dir):
    assert set(BASELINE_CONFIGS) == set(checkpoints.BASELINES)
    bag = checkpoints.load_bag(models_dir / checkpoints.BASELINES["bag"])
    same = bag.predict_proba(
        ["the plot was dull but the acting was great", "the acting was great but the plot was dull"]
    )
    assert (same[0] == same[1]).all()
