"""Proves rnnviz.analysis.stacking against PyTorch: a layer's traced input x_t is the layer below's
[h_fwd; h_bwd] as torch computes it, torch running one layer alone reproduces the traced states and
the whole module, the sentence vector built from the trace is the model's own (last / mean / max
readout) and gives its logits, and reading a sentence without its last word changes exactly the
states that have seen that word."""

import numpy as np
import pytest
import torch

from rnnviz.analysis.stacking import readout, rereading, single_layer, stack_check
from rnnviz.core.trace import trace_sentence
from tests.conftest import make_classifier

TOLERANCE = 1e-5
SENTENCE = "i do not think the movie was very good"
CELLS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("num_layers, bidirectional", [(1, True), (2, False), (2, True), (3, True)])
def test_each_layer_reads_the_one_below_as_torch_does(cell, num_layers, bidirectional):
    classifier = make_classifier(
        seed=num_layers, cell=cell, num_layers=num_layers, bidirectional=bidirectional
    )
    sentence = trace_sentence(classifier, SENTENCE)
    check = stack_check(classifier, sentence)
    assert check.stack_difference < TOLERANCE
    assert [h.layer for h in check.handoffs] == list(range(1, num_layers))
    dirs = 2 if bidirectional else 1
    gates = {"lstm": 4, "gru": 3}.get(cell, 1)
    for handoff in check.handoffs:
        assert handoff.inputs.shape == (sentence.trace.steps, dirs * 6)
        assert handoff.weight_ih_shape == (gates * 6, dirs * 6)
        assert list(handoff.below) == ["forward", "backward"][:dirs]
        together = np.concatenate(list(handoff.below.values()), axis=1)
        np.testing.assert_allclose(handoff.inputs, together, atol=TOLERANCE)
        assert handoff.input_difference < TOLERANCE and handoff.alone_difference < TOLERANCE


def test_a_single_layer_module_is_that_layer_of_the_stack():
    classifier = make_classifier(cell="lstm", num_layers=2, bidirectional=True)
    module = classifier.model.rnn
    x = torch.randn(1, 5, 8)
    with torch.no_grad():
        middle, _ = single_layer(module, 0)(x)
        top, _ = single_layer(module, 1)(middle)
        whole, _ = module(x)
    torch.testing.assert_close(top, whole, atol=TOLERANCE, rtol=0)
    assert single_layer(module, 1).weight_ih_l0_reverse.shape == (24, 12)
    with torch.no_grad():  # the order of the halves matters: [h_bwd; h_fwd] is not what layer 2 reads
        swapped, _ = single_layer(module, 1)(torch.cat([middle[..., 6:], middle[..., :6]], dim=-1))
    assert (swapped - whole).abs().max() > 1e-3


@pytest.mark.parametrize("readout_kind", ["last", "mean", "max"])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_the_sentence_vector_is_the_models_own(readout_kind, cell, bidirectional):
    classifier = make_classifier(
        seed=3, cell=cell, num_layers=2, bidirectional=bidirectional, readout=readout_kind
    )
    sentence = trace_sentence(classifier, SENTENCE)
    result = readout(classifier, sentence)
    dirs = 2 if bidirectional else 1
    assert result.vector.shape == (dirs * 6,) and result.head_shape == (2, dirs * 6)
    assert [p.direction for p in result.parts] == ["forward", "backward"][:dirs]
    assert result.vector_difference < TOLERANCE and result.logit_difference < TOLERANCE
    np.testing.assert_allclose(result.probabilities, sentence.probabilities, atol=TOLERANCE)
    top = sentence.trace.num_layers - 1
    forward = sentence.trace.state(top, "forward").hidden
    if readout_kind == "last":
        assert [p.step for p in result.parts] == [sentence.trace.steps - 1, 0][:dirs]
        np.testing.assert_array_equal(result.parts[0].values, forward[-1])
        if bidirectional:  # the backward direction ends its reading at the first word
            np.testing.assert_array_equal(
                result.parts[1].values, sentence.trace.state(top, "backward").hidden[0]
            )
    else:
        assert all(p.step is None for p in result.parts)
        expected = forward.mean(0) if readout_kind == "mean" else forward.max(0)
        np.testing.assert_allclose(result.parts[0].values, expected, atol=TOLERANCE)


def test_the_readout_check_sees_a_wrong_vector():
    classifier = make_classifier(seed=4, cell="lstm", num_layers=2, bidirectional=True)
    sentence = trace_sentence(classifier, SENTENCE)
    top = sentence.trace.state(1, "backward")
    top.hidden[0] = top.hidden[-1]  # as if the backward half were read at the last word
    assert readout(classifier, sentence).vector_difference > 1e-3


def test_reading_without_the_last_word():
    classifier = make_classifier(seed=5, cell="lstm", num_layers=2, bidirectional=True)
    sentence = trace_sentence(classifier, SENTENCE)
    result = rereading(classifier, sentence)
    assert result.kept == sentence.trace.steps - 1
    assert result.differences[(0, "forward")] == pytest.approx(0.0, abs=TOLERANCE)  # never saw the last word
    for key in ((0, "backward"), (1, "forward"), (1, "backward")):  # each has seen it
        assert result.differences[key] > 1e-4, key
    forward_only = make_classifier(seed=5, cell="gru", num_layers=2)
    result = rereading(forward_only, trace_sentence(forward_only, SENTENCE))
    assert max(result.differences.values()) < TOLERANCE  # a forward-only stack is a running state
    assert rereading(forward_only, trace_sentence(forward_only, "good")) is None
