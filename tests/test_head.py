"""Proves rnnviz.analysis.head: the head view's logits and probabilities equal the model's own forward
for every readout, cell and bidirectional model, at the whole sentence and at every prefix, and the
units' contributions plus the bias add up to each logit."""

import numpy as np
import pytest
import torch

from rnnviz.analysis import head
from rnnviz.core.models import pad_ids
from tests.conftest import make_classifier

CONFIGS = [
    dict(cell=cell, readout=readout, num_layers=layers, bidirectional=bidirectional)
    for cell in ("lstm", "gru", "rnn_tanh")
    for readout in ("last", "mean", "max")
    for layers, bidirectional in ((1, False), (2, True))
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_logits_equal_the_models_forward(config, sentence_tokens):
    classifier = make_classifier(seed=7, **config)
    ids = classifier.vocab.encode(sentence_tokens)
    for words in (1, 4, len(ids)):
        found = head.head_breakdown(classifier, ids, words)
        batch, lengths = pad_ids([ids[:words]])
        with torch.no_grad():
            expected = classifier.model(batch, lengths)[0]
            vector = classifier.model.encode(batch, lengths)[0]
        np.testing.assert_allclose(found.logits, expected.numpy(), atol=1e-5)
        np.testing.assert_allclose(found.vector, vector.numpy(), atol=1e-5)
        np.testing.assert_allclose(found.probabilities, torch.softmax(expected, -1).numpy(), atol=1e-6)
        np.testing.assert_allclose(found.recomputed, found.logits, atol=1e-5)
        assert found.words == words and found.readout == config["readout"]


def test_whole_sentence_matches_predict_proba_and_top_units_are_largest(sentence_tokens):
    classifier = make_classifier(seed=2, cell="lstm", readout="mean", hidden_size=12)
    ids = classifier.vocab.encode(sentence_tokens)
    found = head.head_breakdown(classifier, ids)
    np.testing.assert_allclose(
        found.probabilities, classifier.predict_proba([" ".join(sentence_tokens)])[0], atol=1e-6
    )
    top = found.top_units(found.predicted, 5)
    sizes = np.abs(found.contributions[found.predicted])
    assert sorted(sizes[top].tolist(), reverse=True) == sizes[top].tolist()
    assert sizes[top[-1]] >= np.delete(sizes, top).max()


def test_bidirectional_features_name_their_direction():
    classifier = make_classifier(cell="gru", bidirectional=True, hidden_size=6)
    found = head.head_breakdown(classifier, [2, 3, 4])
    assert [found.feature_name(j) for j in (0, 5, 6, 11)] == ["unit 0 →", "unit 5 →", "unit 0 ←", "unit 5 ←"]
    with pytest.raises(ValueError):
        head.head_breakdown(classifier, [])
