"""Proves gradient_flow's norms equal finite differences / full-forward autograd, for every
cell type and readout, and that it leaves the shared model untouched."""

import numpy as np
import pytest
import torch

from rnnviz.analysis.gradients import gradient_flow
from tests.conftest import make_classifier

TEXT = "i do not think the movie was very good"


def full_forward_embedding_grad(classifier, text):
    _, ids = classifier.tokens_and_ids(text)
    model = classifier.model
    with torch.enable_grad():
        embedded = model.embedding(torch.tensor(ids)).detach().requires_grad_(True)
        logits = model.head(model.encode_embedded(embedded[None], torch.tensor([len(ids)])))[0]
        log_probs = torch.log_softmax(logits, -1)
        (grad,) = torch.autograd.grad(log_probs[log_probs.argmax()], embedded)
    return grad.norm(dim=-1).numpy()


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_stepwise_embedding_gradients_equal_the_fused_forward(cell, readout):
    classifier = make_classifier(cell=cell, readout=readout, num_layers=2)
    flow = gradient_flow(classifier, TEXT)
    assert flow.hidden_norm is not None and flow.hidden_norm.shape == (9,)
    assert np.allclose(flow.embedding_norm, full_forward_embedding_grad(classifier, TEXT), atol=1e-5)
    assert flow.target in classifier.labels
    assert 0.5 <= flow.probability <= 1.0
    assert list(flow.distance_from_end) == list(range(8, -1, -1))


def test_hidden_gradient_matches_a_finite_difference():
    torch.set_default_dtype(torch.float64)  # finite differences need the precision
    try:
        classifier = make_classifier(cell="gru", seed=3)
        flow = gradient_flow(classifier, "not good at all")
        _, ids = classifier.tokens_and_ids("not good at all")
        model = classifier.model
        embedded = model.embedding(torch.tensor(ids))
        target = classifier.labels.index(flow.target)

        def log_prob_after_nudging(step, unit, eps):
            state = None
            for t in range(len(ids)):
                _, state = model.rnn(embedded[t][None, None], state)
                if t == step:
                    state = state.clone()
                    state[-1, 0, unit] += eps
            return torch.log_softmax(model.head(state[-1, 0]), -1)[target]

        step = 1
        with torch.no_grad():
            grad = [
                (log_prob_after_nudging(step, u, 1e-6) - log_prob_after_nudging(step, u, -1e-6)) / 2e-6
                for u in range(classifier.config.hidden_size)
            ]
        assert float(torch.stack(grad).norm()) == pytest.approx(float(flow.hidden_norm[step]), rel=1e-4)
    finally:
        torch.set_default_dtype(torch.float32)


def test_bidirectional_models_get_embedding_gradients_only():
    classifier = make_classifier(cell="lstm", bidirectional=True)
    flow = gradient_flow(classifier, TEXT)
    assert flow.hidden_norm is None
    assert np.allclose(flow.embedding_norm, full_forward_embedding_grad(classifier, TEXT), atol=1e-5)


def test_shared_model_is_untouched():
    classifier = make_classifier(cell="lstm")
    before = {k: v.clone() for k, v in classifier.model.state_dict().items()}
    gradient_flow(classifier, TEXT)
    assert not classifier.model.training
    assert all(p.grad is None for p in classifier.model.parameters())
    assert all(torch.equal(before[k], v) for k, v in classifier.model.state_dict().items())


def test_empty_text_is_a_value_error():
    with pytest.raises(ValueError, match="no tokens"):
        gradient_flow(make_classifier(), "  ")
