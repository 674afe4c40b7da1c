"""An LSTM layer's gates and cell states as PyTorch's own CPU kernel computed them.

On CPU, nn.LSTM runs through oneDNN (`torch.mkldnn_rnn_layer`). With autograd on, that kernel
keeps a workspace for the backward pass which holds every step's four activated gates and its
cell state. Reading them costs little beside the forward itself; recomputing them from the
hidden states takes two matrix products that alone cost about half a forward (BENCHMARKS.md,
"Trace cost"). So `read` is the long-sentence LSTM trace's first choice.

The workspace's layout is oneDNN's own business, not a documented interface. The layout below
was measured for the oneDNN inside torch 2.13 on x86-64 (tests/test_lstm_workspace.py checks it
over many shapes), and nothing is trusted unchecked: the first read of each shape in a process
is checked against the equations of rnnviz.core.trace before it is used. Whenever anything does
not fit (another build, another CPU's kernel, an op that is missing), `read` returns None and the
caller recomputes the gates.

The layout, in float32 units, sections starting on 4 KiB pages, rows in the order the layer
reads its input (reversed for the backward direction):
    gates       [steps][ld(4H)]: i, f, g, o of each step, activated
    layer input [2][steps + 1][ld(max(input, H))]    (not read)
    (unknown)   [steps][ld(H)]                        (not read)
    cell states [2][steps + 1][H]: block 1, rows 1..steps-1 hold c after each step but the
                last; the last step's c is the op's own c_n.
where ld(n) rounds n up to 16 floats and adds 16 more when the result is a multiple of 256
(oneDNN keeps rows off 4 KiB strides).
"""

from __future__ import annotations

import numpy as np
import torch

PAGE_FLOATS = 1024
TOLERANCE = 1e-5  # the trace's own exactness bound (tests/test_trace.py)
# (steps, inputs, hidden size, reverse) whose layout has passed the checks in this process. The
# kernel oneDNN picks, and with it the layout, depends only on these and on the CPU, so a shape
# that read right once reads right again; checking every call would cost a third of a forward.
_CHECKED: set[tuple[int, int, int, bool]] = set()
_usable = True  # False once a read did not fit: this build or CPU lays the workspace out otherwise


def usable() -> bool:
    """Whether reads can still succeed in this process (none has shown another layout yet)."""
    return _usable


def _leading(n: int) -> int:
    ld = -(-n // 16) * 16
    return ld + 16 if ld % 256 == 0 else ld


def _page(n: int) -> int:
    return -(-n // PAGE_FLOATS) * PAGE_FLOATS


def _offsets(steps: int, inputs: int, size: int) -> tuple[int, int]:
    """(row length of the gates, first float of the cell states' block 1; its rows are H long)."""
    gates_ld, layer_ld, other_ld = _leading(4 * size), _leading(max(inputs, size)), _leading(size)
    cells = _page(_page(_page(steps * gates_ld) + 2 * (steps + 1) * layer_ld) + steps * other_ld)
    return gates_ld, cells + (steps + 1) * size


def _activate(pre: torch.Tensor, size: int) -> torch.Tensor:
    act = torch.sigmoid(pre)
    act[..., 2 * size : 3 * size] = torch.tanh(pre[..., 2 * size : 3 * size])
    return act


def read(
    x: torch.Tensor, weights: list[torch.Tensor], reverse: bool
) -> tuple[torch.Tensor, np.ndarray, np.ndarray] | None:
    """One direction of one LSTM layer over x [steps, input]: (hidden [steps, H] as a tensor,
    gates [steps, 4H] in PyTorch's order i, f, g, o, cell states [steps, H]), rows in input
    order; or None when the kernel's workspace cannot be read and checked (see the module)."""
    global _usable
    if not _usable or len(weights) != 4 or x.dtype != torch.float32 or x.device.type != "cpu" or len(x) < 2:
        return None
    steps, inputs = x.shape
    size = weights[1].shape[1]
    h0 = x.new_zeros((1, size))
    try:
        with torch.inference_mode(False), torch.enable_grad():
            hidden, _, last_cell, space = torch.mkldnn_rnn_layer(
                x[:, None], *(w.detach() for w in weights), h0, h0, reverse, [steps],
                2, size, 1, True, False, False, True,
            )  # fmt: skip
    except (AttributeError, RuntimeError, TypeError):  # no oneDNN in this build, or another signature
        _usable = False
        return None
    gates_ld, cells_at = _offsets(steps, inputs, size)
    if space is None or space.dtype != torch.uint8 or space.numel() < 4 * (cells_at + steps * size):
        _usable = False
        return None
    floats = space.view(torch.float32).numpy()
    gates = floats[: steps * gates_ld].reshape(steps, gates_ld)[:, : 4 * size]
    cells = np.empty((steps, size), np.float32)
    cells[:-1] = floats[cells_at + size : cells_at + steps * size].reshape(steps - 1, size)
    cells[-1] = last_cell[0].numpy()
    hidden = hidden[:, 0]
    shape = (steps, inputs, size, reverse)
    if shape not in _CHECKED:  # the checks read rows in reading order
        in_order = (x.flip(0), hidden.flip(0)) if reverse else (x, hidden)
        if not _checks(*in_order, weights, gates, cells):
            # Finite hidden states and still no fit: the layout is not the one above.
            _usable = _usable and not bool(torch.isfinite(hidden).all())
            return None
        _CHECKED.add(shape)
    if reverse:
        gates, cells = gates[::-1], cells[::-1]
    # Copies: no array handed out keeps the workspace (2.5 MB at 200 steps) alive.
    return hidden, np.array(gates), np.array(cells)


def _checks(
    x: torch.Tensor, hidden: torch.Tensor, weights: list[torch.Tensor], gates: np.ndarray, cells: np.ndarray
) -> bool:
    """Everything read, rows in reading order, obeys the LSTM's equations: the first and last
    steps' gates equal their activated pre-activations, and c_t = f ⊙ c_{t-1} + i ⊙ g and
    h_t = o ⊙ tanh(c_t) hold at every step (a NaN anywhere fails)."""
    size = hidden.shape[1]
    w_ih, w_hh, b_ih, b_hh = (w.detach() for w in weights)
    gate, cell = torch.from_numpy(gates), torch.from_numpy(cells)
    with torch.inference_mode():
        ends = torch.addmm(b_ih + b_hh, x[[0, -1]], w_ih.T)
        ends[1] += w_hh @ hidden[-2]
        worst_gate = (gate[[0, -1]] - _activate(ends, size)).abs_().max()
        i, f, g, o = gate.split(size, dim=1)
        expected = i * g
        expected[1:].addcmul_(f[1:], cell[:-1])
        worst_cell = (expected - cell).abs_().max() / (1 + cell.abs().max())
        worst_hidden = (o * torch.tanh(cell) - hidden).abs_().max()
    return bool(worst_gate <= TOLERANCE and worst_cell <= TOLERANCE and worst_hidden <= TOLERANCE)
