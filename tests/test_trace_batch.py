"""Proves trace_batch gives, for every sentence of a padded batch, the same Trace as trace_module
on that sentence alone (within 1e-5), for every cell, depth and direction, mixed lengths on both
of trace_module's paths, batches split by BATCH_ROWS; and embed_and_trace_batch for a classifier."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnviz.core import trace as trace_mod
from rnnviz.core.trace import embed_and_trace, embed_and_trace_batch, trace_batch, trace_module
from tests.conftest import make_classifier

TOLERANCE = 1e-5
MODULES = {
    "rnn_tanh": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: nn.RNN(nonlinearity="relu", **kw),
    "gru": nn.GRU,
    "lstm": nn.LSTM,
}
LENGTHS = [5, 1, 40, 17, 2, 33, 9]  # unsorted, with 1 step and sentences on both trace_module paths


def assert_same(batched, alone) -> None:
    """Two traces hold the same layers, states and gates, within TOLERANCE."""
    assert batched.cell_type == alone.cell_type
    assert [(s.layer, s.direction) for s in batched.states] == [(s.layer, s.direction) for s in alone.states]
    for got, want in zip(batched.states, alone.states, strict=True):
        assert got.inputs.shape == want.inputs.shape
        assert np.abs(got.inputs - want.inputs).max() <= TOLERANCE
        assert set(got.quantities()) == set(want.quantities())
        for name, values in want.quantities().items():
            assert got.quantities()[name].shape == values.shape, name
            assert got.quantities()[name].dtype == np.float32, name
            assert np.abs(got.quantities()[name] - values).max() <= TOLERANCE, (
                got.layer,
                got.direction,
                name,
            )


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_batch_equals_each_sentence_alone(kind, num_layers, bidirectional):
    torch.manual_seed(num_layers * 7 + bidirectional)
    module = MODULES[kind](input_size=5, hidden_size=6, num_layers=num_layers, bidirectional=bidirectional)
    module.eval()
    sequences = [torch.randn(n, 5) for n in LENGTHS]
    batched = trace_batch(module, sequences)
    assert len(batched) == len(sequences)
    for got, x in zip(batched, sequences, strict=True):
        assert_same(got, trace_module(module, x))


def test_batches_split_by_rows_give_the_same_traces(monkeypatch):
    torch.manual_seed(4)
    module = nn.LSTM(3, 4, bidirectional=True).eval()
    sequences = [torch.randn(n, 3) for n in LENGTHS]
    whole = trace_batch(module, sequences)
    monkeypatch.setattr(trace_mod, "BATCH_ROWS", 45)  # forces several batches, one sentence each at times
    for got, want in zip(trace_batch(module, sequences), whole, strict=True):
        assert_same(got, want)


def test_no_bias_and_float64_modules():
    torch.manual_seed(5)
    for module in (nn.GRU(3, 4, bias=False).eval(), nn.LSTM(3, 4, num_layers=2).double().eval()):
        dtype = module.weight_ih_l0.dtype
        sequences = [torch.randn(n, 3, dtype=dtype) for n in (3, 50, 1)]
        for got, x in zip(trace_batch(module, sequences), sequences, strict=True):
            assert_same(got, trace_module(module, x))


def test_classifier_batch_equals_embed_and_trace():
    classifier = make_classifier(cell="lstm", num_layers=2, bidirectional=True)
    sentences = [[4, 5, 6], [7], [8, 9, 10, 11, 12, 4, 5] * 6]
    for got, ids in zip(embed_and_trace_batch(classifier, sentences), sentences, strict=True):
        assert_same(got, embed_and_trace(classifier, ids)[1])


@pytest.mark.parametrize(
    ("sequences", "error", "message"),
    [
        ([torch.randn(4, 3), torch.randn(0, 3)], ValueError, "no steps"),
        ([torch.randn(4, 2)], ValueError, r"\[steps, 3\]"),
        ([torch.ones(4, 3, dtype=torch.long)], TypeError, "floating-point"),
    ],
)
def test_batch_rejects_bad_sequences(sequences, error, message):
    with pytest.raises(error, match=message):
        trace_batch(nn.GRU(3, 4), sequences)
