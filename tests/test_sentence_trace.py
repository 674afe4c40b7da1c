"""Proves the classifier-level trace: tokens, unknown marks, embeddings, states equal to the
model's own recurrent module, prediction after each word, truncation, JSON and CSV."""

import csv
import io
import json

import numpy as np
import pytest
import torch

from rnnviz.core.trace import trace_sentence
from tests.conftest import make_classifier


@pytest.mark.parametrize("cell", ["rnn_relu", "gru", "lstm"])
def test_sentence_trace_matches_the_model(cell):
    classifier = make_classifier(cell=cell, num_layers=2, bidirectional=True)
    sentence = trace_sentence(classifier, "The movie was NOT good, zebra!")
    assert sentence.tokens == ["the", "movie", "was", "not", "good", ",", "zebra", "!"]
    assert sentence.unknown == [False, False, False, False, False, True, True, True]
    ids = torch.tensor(sentence.token_ids)
    with torch.no_grad():
        embedded = classifier.model.embedding(ids)
        output, _ = classifier.model.rnn(embedded[None])
    assert np.array_equal(sentence.embeddings, embedded.numpy())
    last = np.concatenate([s.hidden for s in sentence.trace.states if s.layer == 1], axis=1)
    assert np.abs(last - output[0].numpy()).max() <= 1e-5
    whole = classifier.predict_proba(["The movie was NOT good, zebra!"])[0]
    assert np.abs(sentence.probabilities - whole).max() <= 1e-5
    assert sentence.prefix_probabilities.shape == (8, 2)
    assert sentence.predicted in classifier.labels


def test_truncation_and_token_lists():
    classifier = make_classifier()
    sentence = trace_sentence(classifier, "good " * 30, max_tokens=10)
    assert len(sentence.tokens) == 10 and sentence.dropped_tokens == 20
    assert trace_sentence(classifier, ["not", "good"]).tokens == ["not", "good"]


@pytest.mark.parametrize("text", ["", "   \n", "\u200b\u200d"])
def test_no_tokens_is_a_value_error(text):
    with pytest.raises(ValueError, match="no tokens"):
        trace_sentence(make_classifier(), text)


def test_json_and_csv_exports():
    classifier = make_classifier(cell="lstm")
    sentence = trace_sentence(classifier, 'not "good"')
    data = json.loads(json.dumps(sentence.to_dict()))
    assert data["tokens"] == ["not", '"', "good", '"']
    assert data["states"][0]["direction"] == "forward"
    assert set(data["states"][0]["gates"]) == {"input", "forget", "cell", "output"}
    assert np.allclose(data["states"][0]["cell"], sentence.trace.states[0].cell, atol=1e-6)
    rows = list(csv.DictReader(io.StringIO(sentence.to_csv())))
    quantities = {"hidden", "cell_state", "input", "forget", "cell", "output"}
    assert len(rows) == len(quantities) * 4 * 6  # quantities x steps x units
    assert rows[1]["token"] == "not" and {r["quantity"] for r in rows} == quantities
    row = next(r for r in rows if r["token"] == '"' and r["quantity"] == "forget" and r["unit"] == "2")
    assert float(row["value"]) == pytest.approx(
        float(sentence.trace.states[0].gates["forget"][1, 2]), abs=1e-6
    )


def test_to_json_is_the_model_config_and_the_dict():
    classifier = make_classifier(cell="gru")
    sentence = trace_sentence(classifier, "not “good”")
    data = json.loads(sentence.to_json(classifier.config))
    assert data == {"model": classifier.config.to_dict(), **json.loads(json.dumps(sentence.to_dict()))}
    assert "“" in sentence.to_json(classifier.config)  # non-ASCII kept as is, as the CLI prints it
    assert sentence.trace.quantity_names == ["hidden", "reset", "update", "new"]


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru", "lstm"])
@pytest.mark.parametrize("readout", ["last", "mean", "max"])
@pytest.mark.parametrize("words", [3, 31, 40])  # both sides of the step-by-step path's limit
def test_prefix_predictions_from_the_trace_equal_the_models_own(cell, readout, words):
    classifier = make_classifier(cell=cell, readout=readout, num_layers=2)
    text = " ".join(["the movie was not good"] * 10).split()[:words]
    sentence = trace_sentence(classifier, text)
    ids = classifier.vocab.encode(text)
    assert np.abs(sentence.prefix_probabilities - classifier.prefix_proba(ids)).max() <= 1e-5
