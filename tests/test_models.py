"""Proves ModelConfig validation, that batching with padding changes nothing, that prediction
after each word equals classifying each prefix on its own, for every readout, and that
parameter_shapes names every weight PyTorch makes, with its shape."""

import numpy as np
import pytest
import torch

from rnnviz.core.models import ModelConfig, SentenceClassifier, parameter_shapes
from tests.conftest import make_classifier

TEXTS = ["the movie was good", "i do n't think it is good", "bad", "not very great film", "zebra good"]


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("readout", ["last", "mean", "max"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_prefix_proba_equals_each_prefix_alone(cell, readout, bidirectional):
    classifier = make_classifier(cell=cell, readout=readout, bidirectional=bidirectional, num_layers=2)
    tokens, ids = classifier.tokens_and_ids("i do not think the movie was very good")
    prefix = classifier.prefix_proba(ids)
    one_by_one = classifier.predict_proba([" ".join(tokens[: t + 1]) for t in range(len(tokens))])
    assert prefix.shape == (len(tokens), 2)
    assert np.abs(prefix - one_by_one).max() <= 1e-5


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_padded_batch_equals_single_sentences(cell, readout):
    classifier = make_classifier(cell=cell, readout=readout, bidirectional=True)
    batch = classifier.predict_proba(TEXTS)
    singles = np.concatenate([classifier.predict_proba([text]) for text in TEXTS])
    assert np.abs(batch - singles).max() <= 1e-5
    assert np.allclose(batch.sum(1), 1.0, atol=1e-6)


def test_long_bidirectional_prefixes_are_chunked():
    classifier = make_classifier(cell="gru", bidirectional=True)
    ids = classifier.vocab.encode(("good not " * 200).split())
    prefix = classifier.prefix_proba(ids)
    assert prefix.shape == (400, 2)
    assert np.abs(prefix[-1] - classifier.predict_proba(["good not " * 200])[0]).max() <= 1e-5


def test_empty_text_gets_uniform_probabilities():
    classifier = make_classifier()
    probs = classifier.predict_proba(["", "good", "   "])
    assert np.allclose(probs[0], 0.5) and np.allclose(probs[2], 0.5)
    assert classifier.prefix_proba([]).shape == (0, 2)
    with pytest.raises(TypeError):
        classifier.predict_proba("a single string")


def test_eval_mode_makes_dropout_inert():
    classifier = make_classifier(dropout=0.5, num_layers=2)
    first = classifier.predict_proba(TEXTS)
    assert np.array_equal(first, classifier.predict_proba(TEXTS))
    assert not classifier.model.training


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cell": "transformer"}, "cell must be one of rnn_tanh, rnn_relu, gru, lstm"),
        ({"readout": "first"}, "readout must be one of last, mean, max"),
        ({"num_layers": 5}, "num_layers must be a whole number from 1 to 4"),
        ({"num_layers": 0}, "num_layers"),
        ({"hidden_size": 2.5}, "hidden_size"),
        ({"embedding_dim": True}, "embedding_dim"),
        ({"dropout": 1.0}, "dropout"),
        ({"bidirectional": "yes"}, "bidirectional"),
        ({"labels": ("only",)}, "labels must be 2-10"),
        ({"labels": ("a", "a")}, "labels must be 2-10"),
        ({"labels": ("a", "")}, "non-empty"),
        ({"labels": tuple("abcdefghijk")}, "labels must be 2-10"),
    ],
)
def test_config_rejects_bad_values(changes, message):
    settings = {"vocab_size": 10, "labels": ("neg", "pos"), **changes}
    with pytest.raises(ValueError, match=message):
        ModelConfig(**settings)


def test_config_round_trip_and_unknown_fields():
    config = ModelConfig(vocab_size=10, labels=("neg", "pos"), cell="gru", bidirectional=True)
    assert ModelConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown fields"):
        ModelConfig.from_dict({**config.to_dict(), "nhid": 3})
    with pytest.raises(ValueError, match="missing"):
        ModelConfig.from_dict({"cell": "gru"})
    assert "GRU 1×64, bidirectional" in config.describe()


def test_forward_shapes():
    classifier = make_classifier(cell="lstm", num_layers=3, bidirectional=True, readout="max")
    ids = torch.tensor([[2, 3, 4], [5, 6, 0]])
    logits = classifier.model(ids, torch.tensor([3, 2]))
    assert logits.shape == (2, 2)


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_parameter_shapes_match_the_built_model(cell, num_layers, bidirectional):
    config = ModelConfig(
        vocab_size=11,
        labels=("a", "b", "c"),
        cell=cell,
        embedding_dim=5,
        hidden_size=7,
        num_layers=num_layers,
        bidirectional=bidirectional,
    )
    built = {name: tuple(tensor.shape) for name, tensor in SentenceClassifier(config).state_dict().items()}
    assert parameter_shapes(config) == built
