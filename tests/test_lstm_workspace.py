"""The LSTM's gates read from oneDNN's workspace: the measured layout over many shapes, and a
fall-back to recomputed gates whenever a read does not fit."""

import platform

import numpy as np
import pytest
import torch
from torch import nn

from rnnviz.core import lstm_workspace
from rnnviz.core.trace import LSTM_STEPWISE_MAX_STEPS, _trace_stepwise, trace_module

# The layout was measured on x86-64; elsewhere reads may fail (and fall back), never be wrong.
MEASURED_HERE = platform.machine() in ("x86_64", "AMD64") and torch.backends.mkldnn.is_available()


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    """Every test starts as a new process would: nothing checked yet, reads allowed."""
    monkeypatch.setattr(lstm_workspace, "_CHECKED", set())
    monkeypatch.setattr(lstm_workspace, "_usable", True)


def _weights(module: nn.LSTM, reverse: bool) -> list[torch.Tensor]:
    suffix = "_l0" + ("_reverse" if reverse else "")
    return [getattr(module, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _reference(module: nn.LSTM, x: torch.Tensor, reverse: bool):
    state = _trace_stepwise(module, "lstm", x.numpy())[1 if reverse else 0]
    gates = np.concatenate([state.gates[name] for name in ("input", "forget", "cell", "output")], axis=1)
    return state.hidden, gates, state.cell


SHAPES = [  # (hidden size, input size, steps): rows on and off 16- and 256-float boundaries
    (192, 240, 64),
    (192, 240, 200),
    (1, 1, 2),
    (7, 3, 35),
    (64, 64, 17),
    (100, 50, 33),
    (128, 100, 20),
    (256, 300, 50),
    (300, 20, 41),
    (512, 64, 3),
]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize(("size", "inputs", "steps"), SHAPES)
def test_read_equals_the_step_by_step_trace(size, inputs, steps, reverse):
    torch.manual_seed(size + steps)
    module = nn.LSTM(inputs, size, bidirectional=True)
    x = torch.randn(steps, inputs) * 2
    read = lstm_workspace.read(x, _weights(module, reverse), reverse)
    if not MEASURED_HERE:
        pytest.skip("the layout is measured on x86-64 with oneDNN")
    assert read is not None
    hidden, gates, cells = read
    want_hidden, want_gates, want_cells = _reference(module, x, reverse)
    assert hidden.shape == (steps, size) and gates.shape == (steps, 4 * size) and cells.shape == (steps, size)
    assert np.abs(hidden.numpy() - want_hidden).max() <= 1e-5
    assert np.abs(gates - want_gates).max() <= 1e-5
    assert np.abs(cells - want_cells).max() <= 1e-5
    assert gates.flags.owndata and cells.flags.owndata  # no view keeps the workspace alive


def test_a_checked_shape_is_not_checked_again(monkeypatch):
    if not MEASURED_HERE:
        pytest.skip("the layout is measured on x86-64 with oneDNN")
    module, x = nn.LSTM(6, 5), torch.randn(30, 6)
    calls = []
    real = lstm_workspace._checks
    monkeypatch.setattr(lstm_workspace, "_checks", lambda *a: calls.append(1) or real(*a))
    for _ in range(3):
        lstm_workspace.read(x, _weights(module, False), False)
    lstm_workspace.read(torch.randn(31, 6), _weights(module, False), False)
    assert len(calls) == 2  # once for 30 steps, once for 31


def test_another_layout_is_refused_and_the_trace_recomputes(monkeypatch):
    """A layout that does not fit fails the checks: no read, none later, and the trace is
    still exact through the recomputed gates."""
    real = lstm_workspace._offsets
    # the cell states one row off: inside the workspace, so only the equations can tell
    monkeypatch.setattr(lstm_workspace, "_offsets", lambda *a: (real(*a)[0], real(*a)[1] + a[2]))
    torch.manual_seed(3)
    module, x = nn.LSTM(8, 6, num_layers=2, bidirectional=True), torch.randn(40, 8)
    assert lstm_workspace.read(x, _weights(module, False), False) is None
    assert not lstm_workspace.usable()
    trace = trace_module(module, x)
    with torch.no_grad():
        output, (_, c_n) = module(x)
    assert np.abs(trace.state(1, "forward").hidden - output[:, :6].numpy()).max() <= 1e-5
    assert np.abs(trace.state(1, "backward").cell[0] - c_n[3].numpy()).max() <= 1e-5


def test_a_missing_kernel_is_refused(monkeypatch):
    def missing(*args):
        raise RuntimeError("mkldnn_rnn_layer: not compiled with oneDNN")

    monkeypatch.setattr(torch, "mkldnn_rnn_layer", missing)
    module, x = nn.LSTM(4, 3), torch.randn(40, 4)
    assert lstm_workspace.read(x, _weights(module, False), False) is None
    assert not lstm_workspace.usable()
    with torch.no_grad():
        _, (_, c_n) = module(x)
    assert np.abs(trace_module(module, x).state(0).cell[-1] - c_n[0].numpy()).max() <= 1e-5


def test_a_sentence_of_nan_fails_its_read_but_leaves_reads_usable():
    module = nn.LSTM(4, 3)
    x = torch.randn(20, 4)
    x[5, 1] = float("nan")
    assert lstm_workspace.read(x, _weights(module, False), False) is None
    assert lstm_workspace.usable()


def test_long_lstm_sentences_are_read_from_the_workspace(monkeypatch):
    reads = []
    real = lstm_workspace.read
    monkeypatch.setattr(lstm_workspace, "read", lambda *a: reads.append(len(a[0])) or real(*a))
    module = nn.LSTM(5, 4)
    trace_module(module, torch.randn(LSTM_STEPWISE_MAX_STEPS, 5))
    assert reads == []  # short ones go step by step
    trace_module(module, torch.randn(LSTM_STEPWISE_MAX_STEPS + 1, 5))
    assert reads == [LSTM_STEPWISE_MAX_STEPS + 1]
    trace_module(nn.GRU(5, 4), torch.randn(100, 5))
    assert reads == [LSTM_STEPWISE_MAX_STEPS + 1]  # only LSTMs have such a workspace


def test_reads_inside_inference_mode_and_with_trainable_weights():
    module = nn.LSTM(5, 4)  # parameters require grad; the trace must not build a graph
    with torch.inference_mode():
        x = torch.randn(25, 5)
        trace = trace_module(module, x)
    assert np.isfinite(trace.state(0).cell).all()
    assert module.weight_ih_l0.grad is None
