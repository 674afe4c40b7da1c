"""Proves word attributions (completeness against the model's own outputs, shapes, targets,
thread safety, the shared model left untouched) and gate saturation (against the exact trace)."""

import threading

import numpy as np
import pytest
import torch

from rnnviz.analysis.attribution import SIGMOID_GATES, _private_view, gate_saturation, word_attributions
from rnnviz.core.models import Classifier
from rnnviz.core.text import PAD_ID
from rnnviz.core.trace import trace_sentence
from tests.conftest import make_classifier


def model_scores(classifier: Classifier, ids: list[int], output: str = "probability") -> torch.Tensor:
    """The target scores of the sentence and of the all-<pad> baseline, from the model itself."""
    batch = torch.tensor([ids, [PAD_ID] * len(ids)])
    with torch.no_grad():
        logits = classifier.model(batch, torch.tensor([len(ids)] * 2))
    return torch.softmax(logits, -1) if output == "probability" else logits


@pytest.mark.parametrize("output", ["probability", "logit"])
@pytest.mark.parametrize(
    "config",
    [
        dict(cell="lstm", num_layers=2, bidirectional=True),
        dict(cell="gru", readout="mean"),
        dict(cell="rnn_tanh", readout="max"),
    ],
    ids=["lstm-2-bi", "gru-mean", "rnn-max"],
)
def test_attributions_are_complete(config, output):
    classifier = make_classifier(**config)
    text = "the movie was not very good , zebra"
    result = word_attributions(classifier, text, output=output)
    tokens, ids = classifier.tokens_and_ids(text)
    scores = model_scores(classifier, ids, output)
    assert result.tokens == tuple(tokens) and result.values.shape == (len(tokens),)
    assert result.values.dtype == np.float32
    assert (
        result.target_index == int(scores[0].argmax())
        and result.target == classifier.labels[result.target_index]
    )
    assert result.score == pytest.approx(float(scores[0, result.target_index]), abs=1e-5)
    assert result.baseline_score == pytest.approx(float(scores[1, result.target_index]), abs=1e-5)
    # Completeness: the attributions add up to score - baseline score, up to the delta,
    # and the delta of a 50-step Gauss-Legendre integral is small.
    gap = result.score - result.baseline_score
    assert result.total - gap == pytest.approx(result.delta, abs=1e-5)
    assert abs(result.delta) <= 0.01 * max(1.0, abs(gap))
    if output == "probability":
        assert result.score == pytest.approx(float(classifier.predict_proba([text])[0].max()), abs=1e-5)


def test_targets_unknown_words_and_lengths():
    classifier = make_classifier(cell="lstm")
    by_name = word_attributions(classifier, "good zebra", target="positive")
    by_index = word_attributions(classifier, "good zebra", target=1)
    other = word_attributions(classifier, "good zebra", target="negative")
    assert by_name.target == by_index.target == "positive"
    assert np.allclose(by_name.values, by_index.values)
    assert by_name.unknown == (False, True)
    # Two classes: P(neg) = 1 - P(pos), so the attributions are exact opposites.
    assert np.allclose(other.values, -by_name.values, atol=1e-5)
    one = word_attributions(classifier, "good")
    assert one.values.shape == (1,) and abs(one.delta) < 1e-3
    long = word_attributions(classifier, "the movie was good " * 60, n_steps=20)
    assert long.values.shape == (240,) and np.isfinite(long.values).all()
    cut = word_attributions(classifier, "the movie was good " * 60, max_tokens=5)
    assert cut.tokens == ("the", "movie", "was", "good", "the")
    assert word_attributions(classifier, ["not", "good"]).tokens == ("not", "good")


def test_attribution_errors():
    classifier = make_classifier(cell="gru")
    with pytest.raises(ValueError, match="no tokens"):
        word_attributions(classifier, "   ")
    with pytest.raises(ValueError, match="unknown target 'meh'"):
        word_attributions(classifier, "good", target="meh")
    with pytest.raises(ValueError, match="target index must be 0-1"):
        word_attributions(classifier, "good", target=2)
    with pytest.raises(ValueError, match="n_steps"):
        word_attributions(classifier, "good", n_steps=0)


def test_the_shared_model_is_left_untouched():
    classifier = make_classifier(cell="lstm", bidirectional=True)
    model = classifier.model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flags = {name: p.requires_grad for name, p in model.named_parameters()}
    with torch.inference_mode():  # as a caller (or Streamlit) might be
        word_attributions(classifier, "the movie was not good")
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert {name: p.requires_grad for name, p in model.named_parameters()} == flags
    assert all(p.grad is None for p in model.parameters())
    assert not model.training and not any(m.training for m in model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_frozen_parameters_give_the_same_attributions():
    """Gradients are taken with respect to the embeddings only, not the parameters."""
    classifier = make_classifier(cell="lstm")
    expected = word_attributions(classifier, "i do not think it is great")
    for p in classifier.model.parameters():
        p.requires_grad_(False)
    frozen = word_attributions(classifier, "i do not think it is great")
    assert np.allclose(frozen.values, expected.values, atol=1e-6)


@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_private_view_computes_what_the_model_computes(readout):
    classifier = make_classifier(cell="gru", num_layers=2, bidirectional=True, readout=readout)
    view = _private_view(classifier.model)
    assert view.embedding is not classifier.model.embedding and view.rnn is classifier.model.rnn
    assert view.embedding.weight.data_ptr() == classifier.model.embedding.weight.data_ptr()
    batch = torch.tensor([[2, 3, 4, 5], [6, 7, 0, 0]])
    lengths = torch.tensor([4, 2])
    with torch.no_grad():
        assert torch.equal(view(batch, lengths), classifier.model(batch, lengths))


def test_concurrent_calls_on_one_shared_model():
    """Two users explaining sentences while a third predicts: everyone gets what they would
    get alone (Captum's hooks never reach the shared model's embedding)."""
    classifier = make_classifier(cell="lstm", num_layers=2, bidirectional=True)
    texts = ["the movie was not good", "i think it is great", "never bad", "the film was awful"]
    expected = {t: word_attributions(classifier, t, n_steps=20).values for t in texts}
    probabilities = classifier.predict_proba(texts * 8)
    failures: list[str] = []

    def explain(order: list[str]) -> None:
        for _ in range(3):
            for text in order:
                values = word_attributions(classifier, text, n_steps=20).values
                if not np.allclose(values, expected[text], atol=1e-6):
                    failures.append(f"attributions of {text!r}")

    def predict() -> None:
        for _ in range(30):
            if not np.allclose(classifier.predict_proba(texts * 8), probabilities, atol=1e-6):
                failures.append("predict_proba")

    def run(work, *args) -> None:
        try:
            work(*args)
        except Exception as error:  # a thread's exception must fail the test, not just warn
            failures.append(repr(error))

    threads = [
        threading.Thread(target=run, args=(explain, texts)),
        threading.Thread(target=run, args=(explain, texts[::-1])),
        threading.Thread(target=run, args=(predict,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def sentiment_by_hand() -> Classifier:
    """A tanh RNN wired by hand: unit 0 adds up +2 for "good" and -2 for "bad" (every other
    word embeds to zeros, like <pad>), and the readout turns unit 0 into P(positive)."""
    classifier = make_classifier(cell="rnn_tanh", readout="last")
    model = classifier.model
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        model.embedding.weight[classifier.vocab.id("good"), 0] = 2.0
        model.embedding.weight[classifier.vocab.id("bad"), 0] = -2.0
        model.rnn.weight_ih_l0[0, 0] = 1.0
        model.rnn.weight_hh_l0[0, 0] = 1.0
        model.head.weight[:, 0] = torch.tensor([-3.0, 3.0])
    return classifier


def test_attributions_point_at_the_words_that_matter():
    classifier = sentiment_by_hand()
    positive = word_attributions(classifier, "the movie was good")
    assert positive.target == "positive" and positive.baseline_score == pytest.approx(0.5)
    assert positive.tokens[int(np.argmax(positive.values))] == "good"
    assert np.allclose(positive.values[:3], 0.0)  # words that embed like <pad> get nothing
    assert positive.total == pytest.approx(positive.score - 0.5, abs=1e-3)
    mixed = word_attributions(classifier, "good but bad bad", target="negative")
    assert mixed.values[0] < 0 < mixed.values[2] and mixed.values[1] == 0.0


# --------------------------------------------------------------------------- gate saturation


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_saturation_matches_the_trace(cell):
    classifier = make_classifier(cell=cell, num_layers=2, bidirectional=True)
    texts = ["the movie was not good", "", "great", "i do not think it is very good at all"]
    result = gate_saturation(classifier, texts)
    assert not result.empty and result.explanation == ""
    assert result.texts == 3 and result.steps == 5 + 1 + 10
    assert [(g.layer, g.direction, g.gate) for g in result.gates] == [
        (layer, direction, gate)
        for layer in (0, 1)
        for direction in ("forward", "backward")
        for gate in SIGMOID_GATES[cell]
    ]
    traces = [trace_sentence(classifier, t) for t in texts if t]
    for g in result.gates:
        values = np.concatenate([t.trace.state(g.layer, g.direction).gates[g.gate] for t in traces])
        assert np.allclose(g.left, (values < 0.1).mean(0)) and np.allclose(g.right, (values > 0.9).mean(0))
        assert g.left.shape == (6,) and np.all(g.left + g.right <= 1)


def test_gate_saturation_sees_a_forget_gate_held_open():
    classifier = make_classifier(cell="lstm")
    with torch.no_grad():
        classifier.model.rnn.bias_ih_l0[6:12] = 20.0  # forget-gate block: f = σ(≫0) ≈ 1
        classifier.model.rnn.bias_ih_l0[:6] = -20.0  # input-gate block: i ≈ 0
    result = gate_saturation(classifier, ["the movie was good", "not bad"])
    by_gate = {g.gate: g for g in result.gates}
    assert np.all(by_gate["forget"].right == 1) and np.all(by_gate["input"].left == 1)


def test_gate_saturation_of_a_plain_rnn_is_empty():
    result = gate_saturation(make_classifier(cell="rnn_tanh"), ["the movie was good"])
    assert result.empty and result.gates == () and "no gates" in result.explanation


def test_gate_saturation_samples_at_most_max_texts():
    classifier = make_classifier(cell="gru")
    texts = [f"the movie was {'good ' * k}" for k in range(1, 11)]
    first = gate_saturation(classifier, texts, max_texts=3)
    assert first.texts == 3
    again = gate_saturation(classifier, texts, max_texts=3)
    assert first.steps == again.steps and all(
        np.array_equal(a.left, b.left) for a, b in zip(first.gates, again.gates, strict=True)
    )
    with pytest.raises(ValueError, match="low < high"):
        gate_saturation(classifier, texts, low=0.9, high=0.1)
