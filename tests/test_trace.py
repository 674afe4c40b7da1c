"""Proves trace_module equals torch.nn.RNN/GRU/LSTM (states) and an independent per-step
reference written from the PyTorch docs (gates), for every cell, depth, direction and length."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnviz.core.trace import GATE_NAMES, trace_module

TOLERANCE = 1e-5


def reference_step(kind, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step of the docs' equations, gate by gate (no shared code with rnnviz.core.trace)."""
    if kind == "lstm":
        Wi, Wf, Wg, Wo = w_ih.chunk(4)
        Ui, Uf, Ug, Uo = w_hh.chunk(4)
        bi, bf, bg, bo = (b_ih + b_hh).chunk(4)
        i = torch.sigmoid(Wi @ x + Ui @ h + bi)
        f = torch.sigmoid(Wf @ x + Uf @ h + bf)
        g = torch.tanh(Wg @ x + Ug @ h + bg)
        o = torch.sigmoid(Wo @ x + Uo @ h + bo)
        c = f * c + i * g
        return o * torch.tanh(c), c, {"input": i, "forget": f, "cell": g, "output": o}
    if kind == "gru":
        Wr, Wz, Wn = w_ih.chunk(3)
        Ur, Uz, Un = w_hh.chunk(3)
        bir, biz, bin_ = b_ih.chunk(3)
        bhr, bhz, bhn = b_hh.chunk(3)
        r = torch.sigmoid(Wr @ x + bir + Ur @ h + bhr)
        z = torch.sigmoid(Wz @ x + biz + Uz @ h + bhz)
        n = torch.tanh(Wn @ x + bin_ + r * (Un @ h + bhn))
        return (1 - z) * n + z * h, None, {"reset": r, "update": z, "new": n}
    act = torch.relu if kind == "rnn_relu" else torch.tanh
    return act(w_ih @ x + b_ih + w_hh @ h + b_hh), None, {}


def reference_trace(module, kind, inputs):
    """[(hidden, cell, gates)] per (layer, direction), computed step by step in float64."""
    results = []
    x = inputs.double()
    dirs = 2 if module.bidirectional else 1
    for layer in range(module.num_layers):
        outputs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            weights = [
                getattr(module, n + sfx).detach().double()
                for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            ]
            steps = range(len(x) - 1, -1, -1) if d else range(len(x))
            h = torch.zeros(module.hidden_size, dtype=torch.float64)
            c = torch.zeros_like(h)
            hidden, cells, gates = {}, {}, {}
            for t in steps:
                h, c_new, g = reference_step(kind, x[t], h, c, *weights)
                c = c_new if c_new is not None else c
                hidden[t], cells[t], gates[t] = h, c, g
            order = range(len(x))
            gate_arrays = {name: torch.stack([gates[t][name] for t in order]).numpy() for name in gates[0]}
            hidden_array = torch.stack([hidden[t] for t in order])
            cell_array = torch.stack([cells[t] for t in order]).numpy() if kind == "lstm" else None
            results.append((hidden_array.numpy(), cell_array, gate_arrays))
            outputs.append(hidden_array)
        x = torch.cat(outputs, dim=1)
    return results


MODULES = {
    "rnn_tanh": lambda **kw: nn.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: nn.RNN(nonlinearity="relu", **kw),
    "gru": nn.GRU,
    "lstm": nn.LSTM,
}


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("steps", [1, 2, 17, 200])
def test_trace_matches_torch_module(kind, num_layers, bidirectional, steps):
    torch.manual_seed(steps * 10 + num_layers)
    module = MODULES[kind](input_size=5, hidden_size=7, num_layers=num_layers, bidirectional=bidirectional)
    module.eval()
    inputs = torch.randn(steps, 5)
    trace = trace_module(module, inputs)
    dirs = 2 if bidirectional else 1

    # Order, names and shapes.
    assert [(s.layer, s.direction) for s in trace.states] == [
        (layer, d) for layer in range(num_layers) for d in ("forward", "backward")[:dirs]
    ]
    for s in trace.states:
        assert s.hidden.shape == (steps, 7) and s.hidden.dtype == np.float32
        assert set(s.gates) == set(GATE_NAMES[kind])
        assert all(v.shape == (steps, 7) and v.dtype == np.float32 for v in s.gates.values())
        assert (s.cell is not None) == (kind == "lstm")

    # States against the module itself: last layer's outputs, every layer's h_n (and c_n).
    with torch.no_grad():
        output, final = module(inputs[:, None])
    h_n, c_n = final if kind == "lstm" else (final, None)
    last = np.concatenate([s.hidden for s in trace.states if s.layer == num_layers - 1], axis=1)
    assert np.abs(last - output[:, 0].numpy()).max() <= TOLERANCE
    for k, s in enumerate(trace.states):
        end = -1 if s.direction == "forward" else 0  # where each direction finishes reading
        assert np.abs(s.hidden[end] - h_n[k, 0].numpy()).max() <= TOLERANCE
        if c_n is not None:
            assert np.abs(s.cell[end] - c_n[k, 0].numpy()).max() <= TOLERANCE

    # Every state and gate, every step, against the independent step-by-step reference.
    for s, (hidden, cell, gates) in zip(trace.states, reference_trace(module, kind, inputs), strict=True):
        assert np.abs(s.hidden - hidden).max() <= TOLERANCE
        if cell is not None:
            assert np.abs(s.cell - cell).max() <= TOLERANCE
        for name, values in gates.items():
            assert np.abs(s.gates[name] - values).max() <= TOLERANCE, name


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_batch_first_and_no_bias_modules(kind):
    torch.manual_seed(1)
    module = MODULES[kind](input_size=3, hidden_size=4, num_layers=2, batch_first=True, bias=False).eval()
    inputs = torch.randn(9, 3)
    trace = trace_module(module, inputs)
    with torch.no_grad():
        output, _ = module(inputs[None])
    assert np.abs(trace.state(1).hidden - output[0].numpy()).max() <= TOLERANCE
    for s, (hidden, _, gates) in zip(
        trace.states, reference_trace_no_bias(module, kind, inputs), strict=True
    ):
        assert np.abs(s.hidden - hidden).max() <= TOLERANCE
        for name, values in gates.items():
            assert np.abs(s.gates[name] - values).max() <= TOLERANCE


def reference_trace_no_bias(module, kind, inputs):
    for layer in range(module.num_layers):
        for name in ("bias_ih", "bias_hh"):
            setattr(module, f"{name}_l{layer}", torch.zeros(module.hidden_size * len(GATE_NAMES[kind])))
    return reference_trace(module, kind, inputs)


def test_trace_is_eval_mode_even_for_a_training_module_with_dropout():
    torch.manual_seed(2)
    module = nn.LSTM(4, 5, num_layers=2, dropout=0.5)  # left in training mode
    inputs = torch.randn(6, 4)
    first = trace_module(module, inputs)
    second = trace_module(module, inputs)
    module.eval()
    with torch.no_grad():
        output, _ = module(inputs[:, None])
    assert np.array_equal(first.state(1).hidden, second.state(1).hidden)
    assert np.abs(first.state(1).hidden - output[:, 0].numpy()).max() <= TOLERANCE


def test_float64_module_returns_float32_arrays():
    module = nn.GRU(3, 4).double().eval()
    trace = trace_module(module, torch.randn(5, 3, dtype=torch.float64))
    assert trace.states[0].hidden.dtype == np.float32


def test_previous_state_follows_reading_order():
    torch.manual_seed(3)
    trace = trace_module(nn.LSTM(2, 3, bidirectional=True).eval(), torch.randn(4, 2))
    forward, backward = trace.states
    assert np.array_equal(forward.previous("hidden")[1:], forward.hidden[:-1])
    assert not forward.previous("cell_state")[0].any()
    assert np.array_equal(backward.previous("hidden")[:-1], backward.hidden[1:])
    assert not backward.previous("hidden")[-1].any()


@pytest.mark.parametrize(
    ("module", "inputs", "error", "message"),
    [
        (nn.LSTM(3, 4, proj_size=2), torch.randn(5, 3), ValueError, "proj_size"),
        (nn.Linear(3, 4), torch.randn(5, 3), TypeError, "RNN, GRU or LSTM"),
        (nn.GRU(3, 4), torch.randn(5, 2), ValueError, r"\[steps, 3\]"),
        (nn.GRU(3, 4), torch.randn(1, 5, 3), ValueError, r"\[steps, 3\]"),
        (nn.GRU(3, 4), torch.randn(0, 3), ValueError, "no steps"),
        (nn.GRU(3, 4), torch.ones(5, 3, dtype=torch.long), TypeError, "floating-point"),
    ],
)
def test_trace_rejects_bad_arguments(module, inputs, error, message):
    with pytest.raises(error, match=message):
        trace_module(module, inputs)
