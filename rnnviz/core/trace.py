"""Step-by-step traces of torch.nn.RNN / GRU / LSTM: the one place that knows the gate equations.

The equations are those of the PyTorch documentation (σ is the logistic sigmoid, ⊙ the
elementwise product, W/b the module's weight_ih/bias_ih, U/c its weight_hh/bias_hh):

    RNN   h_t = tanh(W x_t + b + U h_{t-1} + c)            (relu instead of tanh for 'relu')
    GRU   r_t = σ(W_r x_t + b_r + U_r h_{t-1} + c_r)        reset
          z_t = σ(W_z x_t + b_z + U_z h_{t-1} + c_z)        update
          n_t = tanh(W_n x_t + b_n + r_t ⊙ (U_n h_{t-1} + c_n))   new
          h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    LSTM  i_t = σ(...), f_t = σ(...), g_t = tanh(...), o_t = σ(...)   input, forget, cell, output
          c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
          h_t = o_t ⊙ tanh(c_t)

How (long sentences): each layer runs once through the same fused kernel nn.RNN/GRU/LSTM use, which gives
the hidden states h_t of both directions. An LSTM's gates and cell states are then read from
the workspace that kernel keeps for backpropagation, checked against the equations above
(rnnviz.core.lstm_workspace); where that cannot be done, and for the GRU, the gates are
recovered for all steps at once with matrix products over x_t and h_{t-1} — no per-step Python
loop — and the LSTM cell state with one cheap elementwise scan. Short sentences (up to
STEPWISE_MAX_STEPS words, LSTM_STEPWISE_MAX_STEPS for an LSTM) are stepped through in numpy
instead, one matrix-vector product per step, which costs less than the fused kernel's fixed
overhead (bench/trace.py). Both paths agree with the module to
float32 rounding (tests/test_trace.py). Many sentences at once (`trace_batch`: gate saturation,
gate unit scores) go as padded batches: one packed fused forward per layer, the gates of every
real word by one matrix product, the cell state by one scan (tests/test_trace_batch.py).
Dropout between layers is off: a trace is what the module computes in eval mode.

Layout: every array is [steps, hidden_size], float32, row t belonging to input position t
for both directions (the backward direction's row t has read inputs t..steps-1).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence

from rnnviz.core import lstm_workspace
from rnnviz.core.models import CellType, Classifier, ModelConfig, prefix_vectors

STEPWISE_MAX_STEPS = 32  # sentences up to this long are traced step by step in numpy (see above)
# ... except an LSTM's, whose gates come cheaper out of the kernel's workspace from here on
# (rnnviz.core.lstm_workspace; bench/trace.py measured the two paths cross at 16 to 24 steps).
LSTM_STEPWISE_MAX_STEPS = 16
Direction = Literal["forward", "backward"]
DIRECTIONS: tuple[Direction, Direction] = ("forward", "backward")
# An intervention on the step trace: hook(layer, direction, step, name, values) may change
# `values` ([hidden_size] float32: one gate, or c_t / h_t, by display key) in place. It is
# called as soon as each quantity is computed, so a changed gate feeds c_t and h_t, and a
# changed c_t or h_t feeds the next step and the layer above (rnnviz.analysis.interventions).
StepHook = Callable[[int, "Direction", int, str, np.ndarray], None]

# Gate names per cell type, in the order PyTorch stacks them in weight_ih / weight_hh.
GATE_NAMES: dict[str, tuple[str, ...]] = {
    "lstm": ("input", "forget", "cell", "output"),
    "gru": ("reset", "update", "new"),
    "rnn_tanh": (),
    "rnn_relu": (),
}
# The states a layer carries from word to word (every other quantity is a gate).
STATE_QUANTITIES = ("hidden", "cell_state")
# The symbol each quantity has in the PyTorch docs, for labels.
SYMBOLS = {
    "hidden": "h",
    "cell_state": "c",
    "input": "i",
    "forget": "f",
    "cell": "g",
    "output": "o",
    "reset": "r",
    "update": "z",
    "new": "n",
}


def quantity_names(cell: CellType) -> tuple[str, ...]:
    """The keys of LayerTrace.quantities() for a cell type, in that order."""
    return ("hidden", *(("cell_state",) if cell == "lstm" else ()), *GATE_NAMES[cell])


@dataclass(frozen=True)
class LayerTrace:
    """One (layer, direction) of a trace. Arrays are [steps, hidden_size] float32."""

    layer: int
    direction: Direction
    inputs: np.ndarray  # [steps, input_size]: x_t as this layer received it
    hidden: np.ndarray  # h_t
    cell: np.ndarray | None  # c_t for an LSTM, else None
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # named as in GATE_NAMES

    def quantities(self) -> dict[str, np.ndarray]:
        """Every [steps, hidden_size] array of this layer by display key: 'hidden',
        'cell_state' (LSTM only) and each gate name."""
        found = {"hidden": self.hidden}
        if self.cell is not None:
            found["cell_state"] = self.cell
        found.update(self.gates)
        return found

    def previous(self, name: str) -> np.ndarray:
        """h_{t-1} or c_{t-1} ('hidden' / 'cell_state') in reading order, zeros at the start."""
        values = self.hidden if name == "hidden" else self.cell
        if values is None:
            raise ValueError(f"this layer has no {name}")
        return _shift(torch.from_numpy(values), self.direction == "backward").numpy()


@dataclass(frozen=True)
class Trace:
    """All hidden states, cell states and gates of one recurrent module over one sequence."""

    cell_type: CellType
    states: list[LayerTrace]  # PyTorch's order: layer 0 forward, layer 0 backward, layer 1 …

    @property
    def num_layers(self) -> int:
        """How many stacked layers the traced module has."""
        return 1 + max(s.layer for s in self.states)

    @property
    def directions(self) -> tuple[Direction, ...]:
        """The directions traced: ('forward',) or ('forward', 'backward')."""
        return tuple(dict.fromkeys(s.direction for s in self.states))

    @property
    def steps(self) -> int:
        """How many input positions (tokens) were traced."""
        return self.states[0].hidden.shape[0]

    @property
    def hidden_size(self) -> int:
        """Units per layer and direction."""
        return self.states[0].hidden.shape[1]

    @property
    def quantity_names(self) -> list[str]:
        """The display keys of every state's quantities, in order: 'hidden', 'cell_state'
        (LSTM only) and each gate name (the same for every layer and direction)."""
        return list(self.states[0].quantities())

    def state(self, layer: int, direction: Direction = "forward") -> LayerTrace:
        """The LayerTrace of one layer (0-based) and direction."""
        for s in self.states:
            if s.layer == layer and s.direction == direction:
                return s
        raise KeyError(f"no layer {layer} {direction} in this trace")


def cell_type_of(module: nn.Module) -> CellType:
    """'lstm', 'gru', 'rnn_tanh' or 'rnn_relu' for a torch.nn recurrent module."""
    if isinstance(module, nn.LSTM):
        return "lstm"
    if isinstance(module, nn.GRU):
        return "gru"
    if isinstance(module, nn.RNN):
        return "rnn_relu" if module.nonlinearity == "relu" else "rnn_tanh"
    raise TypeError(f"trace_module needs a torch.nn.RNN, GRU or LSTM, got {type(module).__name__}")


def _shift(values: torch.Tensor, reverse: bool) -> torch.Tensor:
    """The previous step's values in reading order: [steps, n] -> [steps, n], zero-filled."""
    zeros = values.new_zeros((1, values.shape[1]))
    if reverse:  # the backward direction reads t+1 before t
        return torch.cat([values[1:], zeros])
    return torch.cat([zeros, values[:-1]])


def _layer_weights(module: nn.RNNBase, layer: int, reverse: bool) -> list[torch.Tensor]:
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if module.bias else [])
    return [getattr(module, name + suffix) for name in names]


def _run_layer(kind: CellType, x: torch.Tensor, weights: list[torch.Tensor], module: nn.RNNBase):
    """Hidden states [steps, dirs * hidden_size] of one layer, via the fused op nn.RNNBase uses."""
    dirs = 2 if module.bidirectional else 1
    h0 = x.new_zeros((dirs, 1, module.hidden_size))
    args = (weights, module.bias, 1, 0.0, False, module.bidirectional, False)
    batch = x[:, None, :]  # [steps, batch=1, features]
    if kind == "lstm":
        out = torch._VF.lstm(batch, (h0, h0), *args)[0]
    elif kind == "gru":
        out = torch._VF.gru(batch, h0, *args)[0]
    else:
        run = torch._VF.rnn_relu if kind == "rnn_relu" else torch._VF.rnn_tanh
        out = run(batch, h0, *args)[0]
    return out[:, 0, :]


def _linear_scan(decay: np.ndarray, added: np.ndarray, reverse: bool) -> np.ndarray:
    """c_t = decay_t ⊙ c_{t-1} + added_t with c_{-1} = 0, for arrays [steps, units].

    A Hillis-Steele scan: after the round with stride s, each row holds the composition
    of the last 2s steps' maps (c -> a ⊙ c + b), so log2(steps) vectorised rounds replace
    a Python loop over steps. Rows are only ever multiplied and added, so the result
    matches the sequential recurrence to float32 rounding.
    """
    if reverse:
        decay, added = decay[::-1], added[::-1]
    a = np.array(decay, copy=True)
    b = added.copy() if reverse else added  # `added` is a fresh array the caller gives away
    stride = 1
    while stride < len(b):
        b[stride:] += a[stride:] * b[:-stride]
        if 2 * stride < len(b):  # the last round needs no products of decays
            a[stride:] *= a[:-stride]  # numpy buffers the overlapping operands
        stride *= 2
    return b[::-1].copy() if reverse else b


def _add_recurrent(pre: torch.Tensor, hidden: torch.Tensor, w_hh: torch.Tensor, reverse: bool) -> None:
    """pre[t] += U h_{t-1} in place, h_{t-1} being the previous step in reading order (the
    first step read has h_{t-1} = 0 and gets nothing)."""
    if reverse:
        pre[:-1].addmm_(hidden[1:], w_hh.T)
    else:
        pre[1:].addmm_(hidden[:-1], w_hh.T)


def _gates_from_terms(
    kind: CellType, from_input: torch.Tensor, from_hidden: torch.Tensor | None, size: int
) -> dict[str, np.ndarray]:
    """The gate values [rows, H] of an LSTM or GRU from its affine terms, rows being any steps:
    LSTM `from_input` = W x_t + b + U h_{t-1} + c [rows, 4H] (`from_hidden` None; used up in
    place); GRU `from_input` = W x_t + b and `from_hidden` = U h_{t-1} + c, both [rows, 3H]."""
    if kind == "gru":
        i_r, i_z, i_n = from_input.chunk(3, dim=1)
        h_r, h_z, h_n = from_hidden.chunk(3, dim=1)
        reset = torch.sigmoid(i_r + h_r)
        update = torch.sigmoid(i_z + h_z)
        new = torch.tanh(i_n + reset * h_n)
        return {"reset": _as_numpy(reset), "update": _as_numpy(update), "new": _as_numpy(new)}
    # LSTM, PyTorch's order i, f, g, o. One sigmoid for all four blocks; g = tanh(a) is computed
    # as 2σ(2a) - 1, the same function, which saves a second pass over the block.
    cell_block = slice(2 * size, 3 * size)
    from_input[:, cell_block] *= 2
    gates = _as_numpy(torch.sigmoid_(from_input))  # [rows, 4H]
    gates[:, cell_block] *= 2
    gates[:, cell_block] -= 1
    return _lstm_gates(gates, size)


def _lstm_gates(gates: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """[rows, 4H] in PyTorch's order -> the four gates by name, [rows, H] each."""
    return dict(zip(GATE_NAMES["lstm"], (gates[:, k * size : (k + 1) * size] for k in range(4)), strict=True))


def _recover_gates(
    kind: CellType, x: torch.Tensor, hidden: torch.Tensor, weights: list[torch.Tensor], reverse: bool
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Gates (and the LSTM cell state) for all steps at once from inputs and hidden states."""
    if kind not in ("lstm", "gru"):
        return {}, None
    w_ih, w_hh = weights[0], weights[1]
    b_ih, b_hh = weights[2:] if len(weights) == 4 else (None, None)
    size = hidden.shape[1]
    if kind == "gru":
        from_input = x @ w_ih.T if b_ih is None else torch.addmm(b_ih, x, w_ih.T)  # [steps, 3H]
        from_hidden = from_input.new_zeros(from_input.shape) if b_hh is None else b_hh.repeat(len(x), 1)
        _add_recurrent(from_hidden, hidden, w_hh, reverse)
        return _gates_from_terms(kind, from_input, from_hidden, size), None
    # LSTM: the four pre-activations [steps, 4H].
    pre = x @ w_ih.T if b_ih is None else torch.addmm(b_ih + b_hh, x, w_ih.T)
    _add_recurrent(pre, hidden, w_hh, reverse)
    gates = _gates_from_terms(kind, pre, None, size)
    return gates, _linear_scan(gates["forget"], gates["input"] * gates["cell"], reverse)


def _as_numpy(values: torch.Tensor) -> np.ndarray:
    return values.detach().to("cpu", torch.float32).numpy()


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * values) + 1.0)  # the logistic function, without overflow warnings


def _step_layer(
    kind: CellType,
    x: np.ndarray,
    weights: list[np.ndarray],
    reverse: bool,
    hook: Callable[[int, str, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray | None]:
    """One direction of one layer, step by step in numpy: hidden states [steps, H], gates and
    the LSTM cell state. For short sentences this costs less than the fused kernel's fixed
    overhead; the arithmetic is the module docstring's, in float32. `hook(step, name, values)`,
    if given, may change each quantity in place as soon as it is computed (see StepHook)."""
    w_ih, w_hh = weights[0], weights[1]
    b_ih, b_hh = (weights[2], weights[3]) if len(weights) == 4 else (None, None)
    steps, size = len(x), w_hh.shape[1]
    # [steps, gates * H]: every input term at once. torch's GEMM keeps to the app's one thread;
    # numpy's OpenBLAS would start its own threads, which a loaded class server makes slow.
    from_input = (torch.from_numpy(x) @ torch.from_numpy(w_ih).T).numpy()
    if b_ih is not None:
        from_input += b_ih
    hidden = np.zeros((steps, size), np.float32)
    h = np.zeros(size, np.float32)
    c = np.zeros(size, np.float32)
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    if kind == "lstm":
        gates = np.zeros((steps, 4 * size), np.float32)
        cell = np.zeros((steps, size), np.float32)
        for t in order:
            pre = from_input[t] + w_hh @ h  # [4H], order i, f, g, o
            if b_hh is not None:
                pre += b_hh
            act = _sigmoid(pre)
            act[2 * size : 3 * size] = np.tanh(pre[2 * size : 3 * size])
            i, f, g, o = act[:size], act[size : 2 * size], act[2 * size : 3 * size], act[3 * size :]
            if hook is not None:  # views into act: a changed gate is what c_t and h_t read
                for name, values in zip(GATE_NAMES["lstm"], (i, f, g, o), strict=True):
                    hook(t, name, values)
            c = f * c + i * g
            if hook is not None:
                hook(t, "cell_state", c)
            h = o * np.tanh(c)
            if hook is not None:
                hook(t, "hidden", h)
            gates[t], cell[t], hidden[t] = act, c, h
        names = dict(zip(GATE_NAMES["lstm"], np.split(gates, 4, axis=1), strict=True))
        return hidden, names, cell
    if kind == "gru":
        gates = np.zeros((steps, 3 * size), np.float32)
        for t in order:
            from_hidden = w_hh @ h  # [3H], order r, z, n
            if b_hh is not None:
                from_hidden += b_hh
            i_t = from_input[t]
            r = _sigmoid(i_t[:size] + from_hidden[:size])
            z = _sigmoid(i_t[size : 2 * size] + from_hidden[size : 2 * size])
            if hook is not None:  # a changed reset gate is what the new gate reads
                hook(t, "reset", r)
                hook(t, "update", z)
            n = np.tanh(i_t[2 * size :] + r * from_hidden[2 * size :])
            if hook is not None:
                hook(t, "new", n)
            h = (1 - z) * n + z * h
            if hook is not None:
                hook(t, "hidden", h)
            gates[t, :size], gates[t, size : 2 * size], gates[t, 2 * size :] = r, z, n
            hidden[t] = h
        names = dict(zip(GATE_NAMES["gru"], np.split(gates, 3, axis=1), strict=True))
        return hidden, names, None
    activate = (lambda v: np.maximum(v, 0)) if kind == "rnn_relu" else np.tanh
    for t in order:
        pre = from_input[t] + w_hh @ h
        if b_hh is not None:
            pre += b_hh
        h = activate(pre).astype(np.float32, copy=False)
        if hook is not None:
            hook(t, "hidden", h)
        hidden[t] = h
    return hidden, {}, None


def _trace_stepwise(
    module: nn.RNNBase, kind: CellType, x: np.ndarray, hook: StepHook | None = None
) -> list[LayerTrace]:
    """Every layer and direction through `_step_layer` (the path for short sentences, and for
    any sentence with an intervention `hook`)."""
    directions = DIRECTIONS[: 2 if module.bidirectional else 1]
    states = []
    for layer in range(module.num_layers):
        outputs = []
        for direction in directions:
            weights = [
                w.detach().to("cpu", torch.float32).numpy()
                for w in _layer_weights(module, layer, direction == "backward")
            ]
            bound = None if hook is None else _bind(hook, layer, direction)
            hidden, gates, cell = _step_layer(kind, x, weights, direction == "backward", bound)
            states.append(
                LayerTrace(layer=layer, direction=direction, inputs=x, hidden=hidden, cell=cell, gates=gates)
            )
            outputs.append(hidden)
        x = np.concatenate(outputs, axis=1)  # the next layer reads both directions, concatenated
    return states


def _bind(hook: StepHook, layer: int, direction: Direction) -> Callable[[int, str, np.ndarray], None]:
    return lambda step, name, values: hook(layer, direction, step, name, values)


def _checked_kind(module: nn.Module, sequences: Sequence[torch.Tensor]) -> CellType:
    """The cell type of a module trace_module can trace, after checking each of `sequences` is
    a floating-point [steps, input_size] tensor with at least one step."""
    kind = cell_type_of(module)
    if getattr(module, "proj_size", 0) > 0:
        raise ValueError("LSTMs with proj_size > 0 are not supported: their h_t is projected")
    for inputs in sequences:
        if not isinstance(inputs, torch.Tensor) or not inputs.is_floating_point():
            raise TypeError("inputs must be a floating-point torch.Tensor [steps, input_size]")
        if inputs.dim() != 2 or inputs.shape[1] != module.input_size:
            raise ValueError(f"inputs must have shape [steps, {module.input_size}]; got {list(inputs.shape)}")
        if inputs.shape[0] == 0:
            raise ValueError("inputs has no steps")
    return kind


def _fused_layer(
    kind: CellType, x: torch.Tensor, per_direction: list[list[torch.Tensor]], module: nn.RNNBase
) -> tuple[torch.Tensor, list[tuple[dict[str, np.ndarray], np.ndarray | None]]]:
    """One layer through the fused kernel: hidden states [steps, dirs * H] and, per direction,
    (gates, cell state). An LSTM's come from the kernel's own workspace when it can be read
    (rnnviz.core.lstm_workspace); otherwise they are recovered from the hidden states."""
    size = module.hidden_size
    if kind == "lstm":
        read = [lstm_workspace.read(x, weights, d == 1) for d, weights in enumerate(per_direction)]
        if all(r is not None for r in read):
            return torch.cat([r[0] for r in read], dim=1), [(_lstm_gates(r[1], size), r[2]) for r in read]
    outputs = _run_layer(kind, x, [w for weights in per_direction for w in weights], module)
    found = [
        _recover_gates(kind, x, outputs[:, d * size : (d + 1) * size], weights, d == 1)
        for d, weights in enumerate(per_direction)
    ]
    return outputs, found


def trace_module(module: nn.Module, inputs: torch.Tensor, hook: StepHook | None = None) -> Trace:
    """Trace a torch.nn.RNN, GRU or LSTM over one sequence `inputs` [steps, input_size].

    Works for any num_layers, bidirectional or not, batch_first or not (the trace takes
    one unbatched sequence either way). Returns a Trace with one LayerTrace per
    (layer, direction) in PyTorch's order. With a `hook` (an intervention, see StepHook) every
    sentence is stepped through in numpy, whatever its length, and the trace holds the
    changed values; the module's weights must then be float32.
    """
    kind = _checked_kind(module, [inputs])
    reference = module.weight_ih_l0
    if hook is not None and reference.dtype != torch.float32:
        raise ValueError("an intervention needs a float32 module")
    limit = LSTM_STEPWISE_MAX_STEPS if kind == "lstm" and lstm_workspace.usable() else STEPWISE_MAX_STEPS
    if (hook is not None or inputs.shape[0] <= limit) and reference.dtype == torch.float32:
        x_np = inputs.detach().to("cpu", torch.float32).numpy()
        return Trace(cell_type=kind, states=_trace_stepwise(module, kind, x_np, hook))
    x = inputs.to(reference.device, reference.dtype)
    hidden_size = module.hidden_size
    directions = DIRECTIONS[: 2 if module.bidirectional else 1]
    states = []
    with torch.inference_mode():
        for layer in range(module.num_layers):
            per_direction = [_layer_weights(module, layer, d == "backward") for d in directions]
            outputs, found = _fused_layer(kind, x, per_direction, module)
            for d, direction in enumerate(directions):
                hidden = outputs[:, d * hidden_size : (d + 1) * hidden_size]
                gates, cell = found[d]
                states.append(
                    LayerTrace(
                        layer=layer,
                        direction=direction,
                        inputs=_as_numpy(x),
                        hidden=_as_numpy(hidden),
                        cell=cell,
                        gates=gates,
                    )
                )
            x = outputs  # the next layer reads both directions, concatenated
    return Trace(cell_type=kind, states=states)


BATCH_ROWS = 65_536  # padded rows (sentences × the longest one's steps) trace_batch runs at once


def _run_layer_packed(
    kind: CellType, x: torch.Tensor, lengths: torch.Tensor, weights: list[torch.Tensor], module: nn.RNNBase
) -> torch.Tensor:
    """Hidden states [batch, steps, dirs * hidden_size] of one layer over a padded batch x
    [batch, steps, features], via the fused op nn.RNNBase uses on a packed batch: each direction
    reads only its own sentence's steps, and rows past a sentence's length are 0."""
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    h0 = x.new_zeros((2 if module.bidirectional else 1, x.shape[0], module.hidden_size))
    args = (weights, module.bias, 1, 0.0, False, module.bidirectional)
    if kind == "lstm":
        out = torch._VF.lstm(packed.data, packed.batch_sizes, (h0, h0), *args)[0]
    elif kind == "gru":
        out = torch._VF.gru(packed.data, packed.batch_sizes, h0, *args)[0]
    else:
        run = torch._VF.rnn_relu if kind == "rnn_relu" else torch._VF.rnn_tanh
        out = run(packed.data, packed.batch_sizes, h0, *args)[0]
    out = PackedSequence(out, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
    return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]


def _recover_batch_gates(
    kind: CellType,
    x: torch.Tensor,
    hidden: torch.Tensor,
    weights: list[torch.Tensor],
    reverse: bool,
    valid: torch.Tensor,
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """`_recover_gates` for a padded batch: x [batch, steps, features] and hidden [batch, steps, H]
    (0 past each sentence's end; `valid` [batch, steps] bool says where a sentence is). Returns
    the gates and the LSTM cell state of the real words only, [words, H], sentence after sentence
    (row-major order of `valid`): padding costs no matrix product."""
    if kind not in ("lstm", "gru"):
        return {}, None
    batch, steps, size = hidden.shape
    zeros = hidden.new_zeros((batch, 1, size))
    # h_{t-1} in reading order; the backward direction reads padding (0, its h_0) before a sentence's end
    previous = torch.cat([hidden[:, 1:], zeros], 1) if reverse else torch.cat([zeros, hidden[:, :-1]], 1)
    words_x, words_h = x[valid], previous[valid]  # [words, features], [words, H]
    w_ih, w_hh = weights[0], weights[1]
    b_ih, b_hh = weights[2:] if len(weights) == 4 else (None, None)
    if kind == "gru":
        from_input = words_x @ w_ih.T if b_ih is None else torch.addmm(b_ih, words_x, w_ih.T)  # [words, 3H]
        from_hidden = words_h @ w_hh.T if b_hh is None else torch.addmm(b_hh, words_h, w_hh.T)
        return _gates_from_terms(kind, from_input, from_hidden, size), None
    pre = words_x @ w_ih.T if b_ih is None else torch.addmm(b_ih + b_hh, words_x, w_ih.T)  # [words, 4H]
    gates = _gates_from_terms(kind, pre.addmm_(words_h, w_hh.T), None, size)
    # c_t by one scan over [steps, batch, H]; padding decays to 0 and adds nothing, so every
    # sentence's backward reading starts from c = 0 at its own last word.
    where = valid.numpy().T  # [steps, batch]
    decay, added = np.zeros((2, steps, batch, size), np.float32)
    order = _word_order(valid)
    decay[where] = gates["forget"][order]
    added[where] = (gates["input"] * gates["cell"])[order]
    cell = _linear_scan(decay, added, reverse)  # [steps, batch, H]
    return gates, cell.transpose(1, 0, 2)[valid.numpy()]


def _word_order(valid: torch.Tensor) -> np.ndarray:
    """Indices that put words listed sentence after sentence ([batch, steps] row-major order of
    `valid`) into step-after-step order ([steps, batch] row-major), the scan's layout."""
    index = np.full(valid.shape, -1)
    index[valid.numpy()] = np.arange(int(valid.sum()))
    return index.T[valid.numpy().T]


def _trace_padded(module: nn.RNNBase, kind: CellType, sequences: Sequence[torch.Tensor]) -> list[Trace]:
    """trace_batch for one batch of sequences, padded to the longest."""
    reference = module.weight_ih_l0
    lengths = torch.tensor([len(x) for x in sequences])
    x = pad_sequence([s.to(reference.device, reference.dtype) for s in sequences], batch_first=True)
    valid = torch.arange(x.shape[1])[None, :] < lengths[:, None]  # [batch, steps]
    starts = np.concatenate([[0], np.cumsum(lengths.numpy())])  # sentence b's words: starts[b]:starts[b + 1]
    size = module.hidden_size
    directions = DIRECTIONS[: 2 if module.bidirectional else 1]
    states: list[list[LayerTrace]] = [[] for _ in sequences]
    with torch.inference_mode():
        for layer in range(module.num_layers):
            per_direction = [_layer_weights(module, layer, d == "backward") for d in directions]
            outputs = _run_layer_packed(kind, x, lengths, [w for ws in per_direction for w in ws], module)
            inputs = _as_numpy(x[valid])  # [words, features]
            for d, direction in enumerate(directions):
                hidden = outputs[..., d * size : (d + 1) * size]  # [batch, steps, H]
                gates, cell = _recover_batch_gates(kind, x, hidden, per_direction[d], d == 1, valid)
                hidden_np = _as_numpy(hidden[valid])  # [words, H]
                for b, (start, end) in enumerate(itertools.pairwise(starts.tolist())):
                    states[b].append(
                        LayerTrace(
                            layer=layer,
                            direction=direction,
                            inputs=inputs[start:end],
                            hidden=hidden_np[start:end],
                            cell=None if cell is None else cell[start:end],
                            gates={name: values[start:end] for name, values in gates.items()},
                        )
                    )
            x = outputs  # the next layer reads both directions, concatenated
    return [Trace(cell_type=kind, states=layers) for layers in states]


def trace_batch(module: nn.Module, sequences: Sequence[torch.Tensor]) -> list[Trace]:
    """`trace_module` of each of `sequences` ([steps_i, input_size] each), computed for many at
    once: the same Traces, to float32 rounding.

    Each layer runs once over the packed batch through the fused kernel; the gates of every
    word of every sentence are then recovered with one matrix product over [x_t, h_{t-1}] and
    the LSTM cell state with one scan over the padded batch. Sequences go in batches of at most
    BATCH_ROWS padded rows (in the given order); the arrays of the returned traces are views
    into their batch's arrays. For one short sentence, trace_module is faster.
    """
    kind = _checked_kind(module, sequences)
    traces: list[Trace] = []
    start = 0
    while start < len(sequences):
        end, longest = start + 1, len(sequences[start])
        while end < len(sequences) and max(longest, len(sequences[end])) * (end + 1 - start) <= BATCH_ROWS:
            longest = max(longest, len(sequences[end]))
            end += 1
        traces += _trace_padded(module, kind, sequences[start:end])
        start = end
    return traces


@dataclass(frozen=True)
class SentenceTrace:
    """Everything the pages show about one sentence read by one classifier."""

    tokens: list[str]  # as the model saw them (after truncation)
    token_ids: list[int]
    unknown: list[bool]  # True where the token is not in the vocabulary (<unk>)
    labels: tuple[str, ...]
    embeddings: np.ndarray  # [steps, embedding_dim]
    trace: Trace
    prefix_probabilities: np.ndarray  # [steps, n_labels]: prediction after each word
    probabilities: np.ndarray  # [n_labels]: prediction for the whole sentence
    dropped_tokens: int = 0  # tokens cut off beyond max_tokens

    @property
    def predicted(self) -> str:
        """The winning class for the whole sentence."""
        return self.labels[int(np.argmax(self.probabilities))]

    def to_dict(self, decimals: int = 7) -> dict:
        """Plain JSON-ready dict (the CLI's and the Explore page's download format)."""

        def rows(values: np.ndarray) -> list:
            return np.round(values.astype(np.float64), decimals).tolist()

        return {
            "tokens": self.tokens,
            "token_ids": self.token_ids,
            "unknown": self.unknown,
            "dropped_tokens": self.dropped_tokens,
            "labels": list(self.labels),
            "cell_type": self.trace.cell_type,
            "prediction": {
                "label": self.predicted,
                "probabilities": dict(zip(self.labels, rows(self.probabilities), strict=True)),
            },
            "prefix_probabilities": rows(self.prefix_probabilities),
            "states": [
                {
                    "layer": s.layer,
                    "direction": s.direction,
                    "hidden": rows(s.hidden),
                    "cell": None if s.cell is None else rows(s.cell),
                    "gates": {name: rows(values) for name, values in s.gates.items()},
                }
                for s in self.trace.states
            ],
        }

    def to_json(self, config: ModelConfig, indent: int | None = None) -> str:
        """The JSON `python -m rnnviz trace` prints and Explore downloads:
        {"model": config, **to_dict()}, non-ASCII text kept as is."""
        return json.dumps({"model": config.to_dict(), **self.to_dict()}, ensure_ascii=False, indent=indent)

    def to_csv(self) -> str:
        """Long-format CSV: one row per (layer, direction, quantity, position, unit)."""
        lines = ["layer,direction,quantity,position,token,unit,value"]
        quoted = ['"' + token.replace('"', '""') + '"' for token in self.tokens]
        for s in self.trace.states:
            for name, values in s.quantities().items():
                for t, row in enumerate(values):
                    prefix = f"{s.layer},{s.direction},{name},{t},{quoted[t]},"
                    lines.extend(f"{prefix}{unit},{value:.7g}" for unit, value in enumerate(row))
        return "\n".join(lines) + "\n"


def embed_and_trace(classifier: Classifier, token_ids: Sequence[int]) -> tuple[torch.Tensor, Trace]:
    """The one way from ids to a trace: the classifier's embeddings [steps, embedding_dim] of
    `token_ids` and the exact trace of its recurrent module over them (no gradients)."""
    model = classifier.model
    with torch.no_grad():
        embeddings = model.embedding(torch.tensor(list(token_ids), device=next(model.parameters()).device))
        return embeddings, trace_module(model.rnn, embeddings)


def embed_and_trace_batch(classifier: Classifier, token_ids: Sequence[Sequence[int]]) -> list[Trace]:
    """The exact traces of many sentences (each a non-empty list of ids) through the
    classifier's recurrent module, computed as padded batches (trace_batch; no gradients)."""
    model = classifier.model
    lengths = [len(ids) for ids in token_ids]
    flat = torch.tensor([i for ids in token_ids for i in ids], device=next(model.parameters()).device)
    with torch.no_grad():
        return trace_batch(model.rnn, model.embedding(flat).split(lengths))  # [steps_i, embedding_dim] each


def _prefix_probabilities(classifier: Classifier, trace: Trace) -> np.ndarray:
    """Prediction after each word [steps, n_labels] of a forward-only network, from the top
    layer's traced states (no second forward: the state at word t has read exactly words 0..t)."""
    model = classifier.model
    top = torch.from_numpy(trace.state(trace.num_layers - 1, "forward").hidden)
    top = top.to(next(model.parameters()).device)
    with torch.no_grad():
        logits = model.head(prefix_vectors(classifier.config, top))  # [steps, n_labels]
    return torch.softmax(logits.float(), -1).cpu().numpy()


def trace_sentence(
    classifier: Classifier, text: str | Sequence[str], max_tokens: int | None = None
) -> SentenceTrace:
    """Tokenize `text` (or take a token list), keep the first `max_tokens`, and trace it.

    Raises ValueError when there are no tokens at all: there is nothing to trace.
    """
    if isinstance(text, str):
        tokens, ids = classifier.tokens_and_ids(text)
    else:
        tokens = list(text)
        ids = classifier.vocab.encode(tokens)
    dropped = 0
    if max_tokens is not None and len(tokens) > max_tokens:
        dropped = len(tokens) - max_tokens
        tokens, ids = tokens[:max_tokens], ids[:max_tokens]
    if not tokens:
        raise ValueError("the text has no tokens to trace")
    embeddings, trace = embed_and_trace(classifier, ids)
    prefix = _prefix_probabilities(classifier, trace) if not classifier.config.bidirectional else None
    if prefix is None:  # a backward direction reads each prefix afresh: the model's own way
        prefix = classifier.prefix_proba(ids)
    vocab = classifier.vocab
    return SentenceTrace(
        tokens=tokens,
        token_ids=ids,
        unknown=[token not in vocab for token in tokens],
        labels=classifier.labels,
        embeddings=_as_numpy(embeddings),
        trace=trace,
        prefix_probabilities=prefix,
        probabilities=prefix[-1],
        dropped_tokens=dropped,
    )


@dataclass(frozen=True)
class GateTerms:
    """One gate (or the plain RNN's update) of one unit at one step, term by term:
    value = activation(from_input + bias_input + scale * (from_hidden + bias_hidden))."""

    name: str  # PyTorch's gate name, or "hidden" for a plain RNN
    symbol: str  # i, f, g, o, r, z, n, or h
    activation: Literal["sigmoid", "tanh", "relu"]
    from_input: float  # (W x_t)_j: row j of weight_ih's block times the layer input
    bias_input: float  # bias_ih_j
    from_hidden: float  # (U h_{t-1})_j: row j of weight_hh's block times the previous state
    bias_hidden: float  # bias_hh_j
    scale: float  # r_j for the GRU's new gate, else 1
    pre_activation: float
    value: float


@dataclass(frozen=True)
class StepDetail:
    """Everything that produced unit j's state at step t, for checking the arithmetic by hand."""

    cell_type: CellType
    layer: int
    direction: Direction
    step: int
    unit: int
    gates: list[GateTerms]
    previous_hidden: float  # h_{t-1, j} in reading order (0 at the first step read)
    hidden: float  # h_{t, j}
    previous_cell: float | None  # c_{t-1, j} (LSTM only)
    cell: float | None  # c_{t, j} (LSTM only)


_ACTIVATIONS = {
    "lstm": ("sigmoid", "sigmoid", "tanh", "sigmoid"),
    "gru": ("sigmoid", "sigmoid", "tanh"),
    "rnn_tanh": ("tanh",),
    "rnn_relu": ("relu",),
}


def step_detail(module: nn.Module, state: LayerTrace, step: int, unit: int) -> StepDetail:
    """Recompute unit `unit` of `state` at `step` term by term from `module`'s weights.

    `state` must come from trace_module(module, …). Values are float64 sums of the
    float32 weights and states, so they agree with the trace to float32 rounding.
    """
    kind = cell_type_of(module)
    steps, size = state.hidden.shape
    if not 0 <= step < steps or not 0 <= unit < size:
        raise IndexError(f"step must be 0..{steps - 1} and unit 0..{size - 1}; got {step}, {unit}")
    weights = [
        w.detach().to("cpu", torch.float64).numpy()
        for w in _layer_weights(module, state.layer, state.direction == "backward")
    ]
    w_ih, w_hh = weights[0], weights[1]
    b_ih, b_hh = (weights[2], weights[3]) if len(weights) == 4 else (np.zeros(len(w_ih)), np.zeros(len(w_hh)))
    x = state.inputs[step].astype(np.float64)
    h_prev = state.previous("hidden")[step].astype(np.float64)
    names = GATE_NAMES[kind] or ("hidden",)
    gates: list[GateTerms] = []
    for k, (name, activation) in enumerate(zip(names, _ACTIVATIONS[kind], strict=True)):
        row = k * size + unit
        scale = float(state.gates["reset"][step, unit]) if name == "new" else 1.0
        from_input, from_hidden = float(w_ih[row] @ x), float(w_hh[row] @ h_prev)
        pre = from_input + float(b_ih[row]) + scale * (from_hidden + float(b_hh[row]))
        if activation == "sigmoid":
            value = 1.0 / (1.0 + np.exp(-pre))
        elif activation == "tanh":
            value = np.tanh(pre)
        else:
            value = max(pre, 0.0)
        gates.append(
            GateTerms(
                name=name,
                symbol=SYMBOLS.get(name, "h"),
                activation=activation,
                from_input=from_input,
                bias_input=float(b_ih[row]),
                from_hidden=from_hidden,
                bias_hidden=float(b_hh[row]),
                scale=scale,
                pre_activation=pre,
                value=float(value),
            )
        )
    has_cell = state.cell is not None
    return StepDetail(
        cell_type=kind,
        layer=state.layer,
        direction=state.direction,
        step=step,
        unit=unit,
        gates=gates,
        previous_hidden=float(h_prev[unit]),
        hidden=float(state.hidden[step, unit]),
        previous_cell=float(state.previous("cell_state")[step, unit]) if has_cell else None,
        cell=float(state.cell[step, unit]) if has_cell else None,
    )


def classifier_step_detail(classifier: Classifier, state: LayerTrace, step: int, unit: int) -> StepDetail:
    """`step_detail` for a state traced from `classifier`'s recurrent module (trace_sentence)."""
    return step_detail(classifier.model.rnn, state, step, unit)
