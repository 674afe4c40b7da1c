"""Proves step_detail's term-by-term numbers reproduce the trace: every gate value, and the
state update equations (c = f·c' + i·g, h = o·tanh c; h = (1−z)·n + z·h'; h = tanh/relu(...))."""

import math

import pytest
import torch
from torch import nn

from rnnviz.core.trace import classifier_step_detail, step_detail, trace_module, trace_sentence
from tests.conftest import make_classifier

MODULES = {
    "rnn_tanh": lambda: nn.RNN(4, 5, num_layers=2, bidirectional=True),
    "rnn_relu": lambda: nn.RNN(4, 5, nonlinearity="relu", num_layers=2),
    "gru": lambda: nn.GRU(4, 5, num_layers=2, bidirectional=True),
    "lstm": lambda: nn.LSTM(4, 5, num_layers=2, bidirectional=True),
}


@pytest.mark.parametrize("kind", list(MODULES))
def test_step_detail_reproduces_the_trace(kind):
    torch.manual_seed(0)
    module = MODULES[kind]().eval()
    trace = trace_module(module, torch.randn(6, 4))
    for state in trace.states:
        for step in (0, 3, 5):
            for unit in (0, 4):
                detail = step_detail(module, state, step, unit)
                by_name = {g.name: g for g in detail.gates}
                for gate in detail.gates:
                    if gate.name != "hidden":
                        assert gate.value == pytest.approx(
                            float(state.gates[gate.name][step, unit]), abs=1e-5
                        )
                if kind == "lstm":
                    i, f, g, o = (by_name[n].value for n in ("input", "forget", "cell", "output"))
                    assert detail.cell == pytest.approx(f * detail.previous_cell + i * g, abs=1e-5)
                    assert detail.hidden == pytest.approx(o * math.tanh(detail.cell), abs=1e-5)
                elif kind == "gru":
                    z, n = by_name["update"].value, by_name["new"].value
                    assert by_name["new"].scale == pytest.approx(by_name["reset"].value, abs=1e-6)
                    assert detail.hidden == pytest.approx((1 - z) * n + z * detail.previous_hidden, abs=1e-5)
                else:
                    assert detail.hidden == pytest.approx(by_name["hidden"].value, abs=1e-5)
                if state.direction == "backward" and step == 5:
                    assert detail.previous_hidden == 0.0  # the backward direction starts at the end


def test_step_detail_rejects_out_of_range():
    module = nn.GRU(2, 3).eval()
    state = trace_module(module, torch.randn(4, 2)).states[0]
    with pytest.raises(IndexError, match=r"step must be 0\.\.3 and unit 0\.\.2"):
        step_detail(module, state, 4, 0)


def test_classifier_step_detail_reads_the_classifiers_recurrent_module():
    classifier = make_classifier(cell="lstm", num_layers=2)
    state = trace_sentence(classifier, "the movie was not good").trace.state(1)
    assert classifier_step_detail(classifier, state, 3, 2) == step_detail(classifier.model.rnn, state, 3, 2)
