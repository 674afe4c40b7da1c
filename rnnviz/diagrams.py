"""The lesson's cell diagrams (LSTM, GRU, plain RNN) as plotly figures, annotated with real numbers.

Pure functions: a StepDetail (one unit, one step, term by term) in, a Figure out. Every
label is built from numbers and fixed strings only — never from user text — so the
figures are safe to show whatever the sentence was.

Coordinates: x runs 0..12 left to right (inputs enter on the left, outputs leave on the
right), y runs 0..7 bottom to top (x_t enters at the bottom, the state paths run on top).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from rnnviz.trace import GateTerms, LayerTrace, StepDetail

_GATE_COLOURS = {"sigmoid": "#f4a259", "tanh": "#8cb369", "relu": "#8cb369"}
_PATH = dict(color="#555", width=2)
_STATE_PATH = dict(color="#1f77b4", width=4)


@dataclass(frozen=True)
class _Node:
    x: float
    y: float
    label: str  # "×", "+", "1−", "tanh"


def _fmt(value: float) -> str:
    return f"{value:+.3f}"


_GATE_ROLES = {
    "input": "input gate",
    "forget": "forget gate",
    "cell": "cell gate (candidate)",
    "output": "output gate",
    "reset": "reset gate",
    "update": "update gate",
    "new": "new gate (candidate)",
}


def _gate_label(gate: GateTerms) -> str:
    function = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}[gate.activation]
    role = _GATE_ROLES.get(gate.name, "")
    return (
        f"<b>{gate.symbol}</b> = {function}({gate.pre_activation:+.2f}) = <b>{gate.value:.3f}</b>"
        f"<br><span style='font-size:11px'>{role}</span>"
    )


def _box(fig: go.Figure, x: float, y: float, text: str, colour: str, width: float = 1.5) -> None:
    fig.add_shape(
        type="rect",
        x0=x - width / 2,
        x1=x + width / 2,
        y0=y - 0.45,
        y1=y + 0.45,
        fillcolor=colour,
        line=dict(color="#333", width=1),
        layer="above",
    )
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, font=dict(size=13))


def _node(fig: go.Figure, node: _Node) -> None:
    fig.add_shape(
        type="circle",
        x0=node.x - 0.3,
        x1=node.x + 0.3,
        y0=node.y - 0.4,  # taller than wide in data units: the plot's y unit is shorter
        y1=node.y + 0.4,
        fillcolor="white",
        line=dict(color="#333", width=1.5),
        layer="above",
    )
    fig.add_annotation(x=node.x, y=node.y, text=node.label, showarrow=False, font=dict(size=14))


def _line(fig: go.Figure, points: list[tuple[float, float]], style: dict | None = None) -> None:
    """A polyline drawn under the boxes and nodes, so wires run behind them."""
    path = "M " + " L ".join(f"{x},{y}" for x, y in points)
    fig.add_shape(type="path", path=path, line=style or _PATH, layer="below")


def _value(fig: go.Figure, x: float, y: float, text: str, anchor: str = "center") -> None:
    fig.add_annotation(
        x=x, y=y, text=text, showarrow=False, xanchor=anchor, font=dict(size=13, color="#1f3b73")
    )


def _frame(title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=dict(text=title, x=0.01),
        xaxis=dict(range=[-0.2, 14.2], visible=False, fixedrange=True),
        yaxis=dict(range=[-0.7, 7.0], visible=False, fixedrange=True),
        height=480,
        margin=dict(l=10, r=10, t=50, b=10),
        plot_bgcolor="white",
        dragmode=False,
    )
    return fig


def _gate_colour(gate: GateTerms) -> str:
    return _GATE_COLOURS[gate.activation]


def _lstm(fig: go.Figure, d: StepDetail) -> None:
    gates = {g.name: g for g in d.gates}
    i, f, g, o = gates["input"], gates["forget"], gates["cell"], gates["output"]
    top, bus, row = 6.0, 1.0, 3.0
    # Cell-state path along the top: c_{t-1} -> ×f -> +(i·g) -> c_t.
    _line(fig, [(0.8, top), (13.2, top)], _STATE_PATH)
    _value(fig, 0.1, top + 0.5, f"c<sub>t−1</sub> = {_fmt(d.previous_cell)}", "left")
    _value(fig, 14.1, top + 0.5, f"c<sub>t</sub> = {_fmt(d.cell)}", "right")
    # Inputs: h_{t-1} from the left and x_t from below join a bus feeding every gate.
    _line(fig, [(0.8, bus), (9.6, bus)])
    _line(fig, [(1.6, -0.3), (1.6, bus)])
    _value(fig, 0.1, bus + 0.4, f"h<sub>t−1</sub> = {_fmt(d.previous_hidden)}", "left")
    _value(fig, 1.8, -0.4, "x<sub>t</sub> (the token's input vector)", "left")
    for x in (3.0, 5.2, 7.4, 9.6):
        _line(fig, [(x, bus), (x, row)])
    # Forget: f × c_{t-1}.
    _line(fig, [(3.0, row), (3.0, top)])
    _node(fig, _Node(3.0, top, "×"))
    _value(fig, 3.0, top + 0.5, f"f·c<sub>t−1</sub> = {_fmt(f.value * d.previous_cell)}")
    # Input: i × g, added to the cell state.
    _line(fig, [(5.2, row), (5.2, 4.6), (7.4, 4.6), (7.4, row)])
    _line(fig, [(6.3, 4.6), (6.3, top)])
    _node(fig, _Node(6.3, 4.6, "×"))
    _node(fig, _Node(6.3, top, "+"))
    _value(fig, 6.65, 5.3, f"i·g = {_fmt(i.value * g.value)}", "left")
    # Output: h_t = o × tanh(c_t).
    _line(fig, [(11.8, top), (11.8, row), (13.2, row)])
    _line(fig, [(9.6, row), (11.8, row)])
    _box(fig, 11.8, 4.6, f"tanh(c<sub>t</sub>)<br><b>{np.tanh(d.cell):.3f}</b>", "#d0e6c8", width=1.7)
    _node(fig, _Node(11.8, row, "×"))
    _value(fig, 14.1, row + 0.45, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right")
    for x, gate in ((3.0, f), (5.2, i), (7.4, g), (9.6, o)):
        _box(fig, x, row, _gate_label(gate), _gate_colour(gate), width=1.9)


def _gru(fig: go.Figure, d: StepDetail) -> None:
    gates = {g.name: g for g in d.gates}
    r, z, n = gates["reset"], gates["update"], gates["new"]
    top, bus, row, mix = 6.0, 1.0, 3.0, 4.6
    # State path along the top: h_{t-1} -> ×z -> + (1−z)·n -> h_t.
    _line(fig, [(0.8, top), (13.2, top)], _STATE_PATH)
    _value(fig, 0.1, top + 0.5, f"h<sub>t−1</sub> = {_fmt(d.previous_hidden)}", "left")
    _value(fig, 14.1, top + 0.5, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right")
    # h_{t-1} also feeds every gate, together with x_t.
    _line(fig, [(0.8, top), (0.8, bus), (8.6, bus)])
    _line(fig, [(1.6, -0.3), (1.6, bus)])
    _value(fig, 1.8, -0.4, "x<sub>t</sub> (the token's input vector)", "left")
    for x in (3.0, 5.6, 8.6):
        _line(fig, [(x, bus), (x, row)])
    # Update gate: keep z of the old state ...
    _line(fig, [(3.0, row), (3.0, top)])
    _node(fig, _Node(3.0, top, "×"))
    _value(fig, 3.0, top + 0.5, f"z·h<sub>t−1</sub> = {_fmt(z.value * d.previous_hidden)}")
    # ... and take 1−z of the candidate n.
    _line(fig, [(3.0, mix), (10.6, mix)])
    _node(fig, _Node(5.6, mix, "1−"))
    # Reset gate scales the recurrent part of the candidate: n = tanh(Wx + b + r·(Uh + b)).
    _line(fig, [(5.6, row), (8.6, row)])
    _value(
        fig, 7.1, row + 0.75, f"r·(U·h<sub>t−1</sub>+b) = {r.value:.3f}×{_fmt(n.from_hidden + n.bias_hidden)}"
    )
    _line(fig, [(8.6, row), (10.6, row), (10.6, top)])
    _node(fig, _Node(10.6, mix, "×"))
    _node(fig, _Node(10.6, top, "+"))
    _value(fig, 10.95, 5.3, f"(1−z)·n = {_fmt((1 - z.value) * n.value)}", "left")
    for x, gate in ((3.0, z), (5.6, r), (8.6, n)):
        _box(fig, x, row, _gate_label(gate), _gate_colour(gate), width=2.1)


def _rnn(fig: go.Figure, d: StepDetail) -> None:
    (gate,) = d.gates
    bus, row = 1.0, 3.0
    # No state path runs straight through: h_{t-1} only enters the weighted sum.
    _line(fig, [(0.8, 6.0), (0.8, bus), (6.0, bus), (6.0, row)], _STATE_PATH)
    _value(fig, 0.1, 6.5, f"h<sub>t−1</sub> = {_fmt(d.previous_hidden)}", "left")
    _line(fig, [(1.6, -0.3), (1.6, bus)])
    _value(fig, 1.8, -0.4, "x<sub>t</sub> (the token's input vector)", "left")
    _line(fig, [(6.0, row), (6.0, 4.8), (10.2, 4.8), (10.2, 6.0), (13.2, 6.0)], _STATE_PATH)
    _value(fig, 14.1, 6.5, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right")
    terms = (
        f"W·x<sub>t</sub> {_fmt(gate.from_input)}  + U·h<sub>t−1</sub> {_fmt(gate.from_hidden)}"
        f"  + b {_fmt(gate.bias_input + gate.bias_hidden)}"
    )
    _box(fig, 6.0, row, f"{terms}<br>= {_fmt(gate.pre_activation)}", "#e8e8e8", width=6.5)
    function = "tanh" if gate.activation == "tanh" else "relu"
    _box(fig, 10.2, 4.8, f"{function} → <b>{gate.value:.3f}</b>", _gate_colour(gate), width=1.9)
    _value(fig, 6.0, 6.5, "no gate: the old state is squashed into the new one at every step")


_DRAW = {"lstm": _lstm, "gru": _gru, "rnn_tanh": _rnn, "rnn_relu": _rnn}
_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (ReLU)"}


def cell_diagram(detail: StepDetail, token_label: str) -> go.Figure:
    """The cell of `detail.cell_type`, each path annotated with unit j's numbers at step t.

    `token_label` (the token read at this step) is escaped: it is shown literally."""
    title = (
        f"{_NAMES[detail.cell_type]} cell, layer {detail.layer} {detail.direction}, "
        f"unit {detail.unit}, step {detail.step} ({html.escape(token_label)})"
    )
    fig = _frame(title)
    _DRAW[detail.cell_type](fig, detail)
    return fig


def step_vectors(state: LayerTrace, step: int, token_label: str) -> go.Figure:
    """Compact view of every vector of one layer at one step: rows = quantities, columns = units.

    Layout: z is [quantities, units]; sigmoid gates on 0..1 would hide tanh signs, so one
    shared −1..1 scale is used and the hover gives the exact value."""
    quantities = state.quantities()
    names = list(quantities)
    z = np.stack([quantities[name][step] for name in names])  # [quantities, units]
    fig = go.Figure(
        go.Heatmap(
            z=np.round(z, 4),
            y=names,
            x=list(range(z.shape[1])),
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            reversescale=True,
            colorbar=dict(title="value"),
            hovertemplate="%{y}, unit %{x}: %{z:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"All units at step {step} ({html.escape(token_label)})",
        xaxis_title="unit",
        yaxis_title="quantity",
        height=120 + 28 * len(names),
        margin=dict(l=10, r=10, t=50, b=40),
    )
    return fig
