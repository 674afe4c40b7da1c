"""The lesson's cell diagrams (LSTM, GRU, plain RNN) as plotly figures, annotated with real numbers.

Pure functions: a StepDetail (one unit, one step, term by term) in, a Figure out. Every
label is built from numbers and fixed strings only — never from user text — so the
figures are safe to show whatever the sentence was.

Coordinates: x runs 0..14 left to right (inputs enter on the left, outputs leave on the
right), y runs 0..7 bottom to top (x_t enters at the bottom, the state paths run on top).
Layers and words are counted from 1, as on every page. The backward direction of a
bidirectional layer reads right to left, so its "previous" state is the one at t+1 and
the labels say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from rnnviz.core.trace import GateTerms, LayerTrace, StepDetail
from rnnviz.lessons import glossary
from rnnviz.plots import numbers
from rnnviz.plots.base import plotly_text
from rnnviz.plots.colours import DIVERGING

_GATE_COLOURS = {"sigmoid": "#f4a259", "tanh": "#8cb369", "relu": "#8cb369"}
_PATH = dict(color="#555", width=2)
_STATE_PATH = dict(color="#1f77b4", width=4)
_FONT = 15  # annotations: readable on a projector
_VALUE_COLOUR = "#1f3b73"
_INK = "#111"  # explicit: Streamlit's plotly theme would grey out uncoloured text
MAX_TOKEN_CHARS = 40  # a longer token is cut in titles


@dataclass(frozen=True)
class _Node:
    x: float
    y: float
    label: str  # "×", "+", "1−", "tanh"


def _fmt(value: float) -> str:
    """Signed, 3 decimals, typographic minus (for states)."""
    return numbers.fixed(value, signed=True)


def _plain(value: float) -> str:
    """3 decimals, typographic minus (for gate values and products)."""
    return numbers.fixed(value)


def _factor(value: float) -> str:
    """A number as a factor in a product: negative ones in parentheses."""
    return numbers.factor(value)


def _previous(d: StepDetail) -> str:
    """'t−1', or 't+1' for the backward direction (it reads right to left)."""
    return "t+1" if d.direction == "backward" else "t−1"


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
        f"<b>{gate.symbol}</b> = {function}({_plain(gate.pre_activation)}) = <b>{_plain(gate.value)}</b>"
        f"<br><span style='font-size:12px'>{role}</span>"
    )


def _box(fig: _Canvas, x: float, y: float, text: str, colour: str, width: float = 1.5) -> None:
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
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, font=dict(size=_FONT - 1, color=_INK))


def _node(fig: _Canvas, node: _Node) -> None:
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
    fig.add_annotation(
        x=node.x, y=node.y, text=node.label, showarrow=False, font=dict(size=_FONT, color=_INK)
    )


def _line(fig: _Canvas, points: list[tuple[float, float]], style: dict | None = None) -> None:
    """A polyline drawn under the boxes and nodes, so wires run behind them."""
    path = "M " + " L ".join(f"{x},{y}" for x, y in points)
    fig.add_shape(type="path", path=path, line=style or _PATH, layer="below")


def _value(fig: _Canvas, x: float, y: float, text: str, anchor: str = "center") -> None:
    fig.add_annotation(
        x=x, y=y, text=text, showarrow=False, xanchor=anchor, font=dict(size=_FONT, color=_VALUE_COLOUR)
    )


@dataclass
class _Canvas:
    """Shapes and annotations collected as plain dicts; the Figure is built and validated once
    at the end (adding ~60 shapes one by one to a go.Figure cost over 100 ms per diagram)."""

    shapes: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)

    def add_shape(self, **shape) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation) -> None:
        self.annotations.append(annotation)

    def figure(self, title: str) -> go.Figure:
        layout = dict(
            title=dict(text=title, x=0.01, font=dict(size=18)),
            xaxis=dict(range=[-0.2, 14.2], visible=False, fixedrange=True),
            yaxis=dict(range=[-0.9, 7.0], visible=False, fixedrange=True),
            height=500,
            margin=dict(l=10, r=10, t=50, b=10),
            plot_bgcolor="white",
            dragmode=False,
            shapes=self.shapes,
            annotations=self.annotations,
        )
        return go.Figure(dict(data=[], layout=layout))


def _gate_colour(gate: GateTerms) -> str:
    return _GATE_COLOURS[gate.activation]


def _input_label(d: StepDetail) -> str:
    """What x_t is for this layer: the word's embedding, or the states of the layer below."""
    if d.layer == 0:
        return "x<sub>t</sub>: the word's embedding vector"
    return f"x<sub>t</sub>: the hidden states of layer {d.layer} at this word"


def _lstm(fig: _Canvas, d: StepDetail) -> None:
    gates = {g.name: g for g in d.gates}
    i, f, g, o = gates["input"], gates["forget"], gates["cell"], gates["output"]
    top, bus, row = 6.0, 1.0, 3.0
    prev = _previous(d)
    # Cell-state path along the top: c_prev -> ×f -> +(i·g) -> c_t.
    _line(fig, [(0.8, top), (13.2, top)], _STATE_PATH)
    _value(fig, 0.1, top + 0.5, f"c<sub>{prev}</sub> = {_fmt(d.previous_cell)}", "left")
    _value(fig, 14.1, top + 0.5, f"c<sub>t</sub> = {_fmt(d.cell)}", "right")
    # Inputs: h_prev from the left and x_t from below join a bus feeding every gate.
    _line(fig, [(0.8, bus), (9.6, bus)])
    _line(fig, [(1.6, -0.3), (1.6, bus)])
    _value(fig, 0.1, bus + 0.4, f"h<sub>{prev}</sub> = {_fmt(d.previous_hidden)}", "left")
    _value(fig, 1.8, -0.5, _input_label(d), "left")
    for x in (3.0, 5.2, 7.4, 9.6):
        _line(fig, [(x, bus), (x, row)])
    # Forget: f × c_prev.
    _line(fig, [(3.0, row), (3.0, top)])
    _node(fig, _Node(3.0, top, "×"))
    _value(fig, 3.4, top + 0.55, f"f·c<sub>{prev}</sub> = {_fmt(f.value * d.previous_cell)}", "left")
    # Input: i × g, added to the cell state.
    _line(fig, [(5.2, row), (5.2, 4.6), (7.4, 4.6), (7.4, row)])
    _line(fig, [(6.3, 4.6), (6.3, top)])
    _node(fig, _Node(6.3, 4.6, "×"))
    _node(fig, _Node(6.3, top, "+"))
    _value(fig, 6.7, 5.3, f"i·g = {_fmt(i.value * g.value)}", "left")
    # Output: h_t = o × tanh(c_t).
    _line(fig, [(11.8, top), (11.8, row), (13.2, row)])
    _line(fig, [(9.6, row), (11.8, row)])
    _box(fig, 11.8, 4.6, f"tanh(c<sub>t</sub>)<br><b>{_plain(np.tanh(d.cell))}</b>", "#d0e6c8", width=1.7)
    _node(fig, _Node(11.8, row, "×"))
    _value(fig, 14.1, row + 0.5, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right")
    for x, gate in ((3.0, f), (5.2, i), (7.4, g), (9.6, o)):
        _box(fig, x, row, _gate_label(gate), _gate_colour(gate), width=2.0)


def _gru(fig: _Canvas, d: StepDetail) -> None:
    gates = {g.name: g for g in d.gates}
    r, z, n = gates["reset"], gates["update"], gates["new"]
    top, bus, row, mix = 6.0, 1.0, 3.0, 4.6
    prev = _previous(d)
    # State path along the top: h_prev -> ×z -> + (1−z)·n -> h_t.
    _line(fig, [(0.8, top), (13.2, top)], _STATE_PATH)
    _value(fig, 0.1, top + 0.5, f"h<sub>{prev}</sub> = {_fmt(d.previous_hidden)}", "left")
    _value(fig, 14.1, top + 0.5, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right")
    # h_prev also feeds every gate, together with x_t.
    _line(fig, [(0.8, top), (0.8, bus), (8.6, bus)])
    _line(fig, [(1.6, -0.3), (1.6, bus)])
    _value(fig, 1.8, -0.5, _input_label(d), "left")
    for x in (3.0, 5.6, 8.6):
        _line(fig, [(x, bus), (x, row)])
    # Update gate: keep z of the old state ...
    _line(fig, [(3.0, row), (3.0, top)])
    _node(fig, _Node(3.0, top, "×"))
    _value(fig, 3.4, top + 0.55, f"z·h<sub>{prev}</sub> = {_fmt(z.value * d.previous_hidden)}", "left")
    # ... and take 1−z of the candidate n.
    _line(fig, [(3.0, mix), (10.6, mix)])
    _node(fig, _Node(5.6, mix, "1−"))
    # Reset gate scales the recurrent part of the candidate: n = tanh(Wx + b + r·(Uh + b)).
    _line(fig, [(5.6, row), (8.6, row)])
    recurrent = n.from_hidden + n.bias_hidden
    _value(
        fig,
        7.1,
        row + 0.8,
        f"r·(W<sub>hn</sub>h<sub>{prev}</sub>+b) = {_plain(r.value)}×{_factor(recurrent)}",
    )
    _line(fig, [(8.6, row), (10.6, row), (10.6, top)])
    _node(fig, _Node(10.6, mix, "×"))
    _node(fig, _Node(10.6, top, "+"))
    _value(fig, 11.0, 5.3, f"(1−z)·n = {_fmt((1 - z.value) * n.value)}", "left")
    for x, gate in ((3.0, z), (5.6, r), (8.6, n)):
        _box(fig, x, row, _gate_label(gate), _gate_colour(gate), width=2.2)


def _rnn(fig: _Canvas, d: StepDetail) -> None:
    (gate,) = d.gates
    bus, row = 1.0, 3.0
    prev = _previous(d)
    # No state path runs straight through: h_prev only enters the weighted sum.
    _line(fig, [(0.8, 6.0), (0.8, bus), (6.0, bus), (6.0, row)], _STATE_PATH)
    _value(fig, 0.1, 6.5, f"h<sub>{prev}</sub> = {_fmt(d.previous_hidden)}", "left")
    _line(fig, [(1.6, -0.3), (1.6, bus)])
    _value(fig, 1.8, -0.5, _input_label(d), "left")
    _line(fig, [(6.0, row), (6.0, 4.8), (10.2, 4.8), (10.2, 6.0), (13.2, 6.0)], _STATE_PATH)
    _value(fig, 14.1, 6.5, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right")
    terms = (
        f"W<sub>ih</sub>x<sub>t</sub> + W<sub>hh</sub>h<sub>{prev}</sub> + b<br>"
        f"= {_plain(gate.from_input)} + {_factor(gate.from_hidden)} "
        f"+ {_factor(gate.bias_input + gate.bias_hidden)} = <b>{_plain(gate.pre_activation)}</b>"
    )
    _box(fig, 6.0, row, terms, "#e8e8e8", width=6.5)
    function = "tanh" if gate.activation == "tanh" else "relu"
    _box(fig, 10.2, 4.8, f"{function} → <b>{_plain(gate.value)}</b>", _gate_colour(gate), width=1.9)
    _value(fig, 7.0, 6.5, "no gate: the old state is squashed into the new one at every step")


_DRAW = {"lstm": _lstm, "gru": _gru, "rnn_tanh": _rnn, "rnn_relu": _rnn}
_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (ReLU)"}
_BLUE = "blue: the state carried to the next word"
_LEGENDS = {
    "lstm": f"orange: σ gates (0 … 1) · green: tanh (−1 … 1) · {_BLUE}",
    "gru": f"orange: σ gates (0 … 1) · green: tanh (−1 … 1) · {_BLUE}",
    "rnn_tanh": f"green: tanh (−1 … 1) · {_BLUE}",
    "rnn_relu": f"green: relu (0 … ∞) · {_BLUE}",
}


def cell_diagram(detail: StepDetail, token_label: str) -> go.Figure:
    """The cell of `detail.cell_type`, each path annotated with unit j's numbers at step t.

    `token_label` (the token read at this step) is escaped: it is shown literally."""
    token = plotly_text(token_label, MAX_TOKEN_CHARS)
    title = (
        f"{_NAMES[detail.cell_type]} cell · layer {detail.layer + 1}, {detail.direction} · "
        f"unit {detail.unit} · word {detail.step + 1} “{token}”"
    )
    canvas = _Canvas()
    _DRAW[detail.cell_type](canvas, detail)
    canvas.add_annotation(
        x=14.1,
        y=-0.5,
        xanchor="right",
        showarrow=False,
        font=dict(size=_FONT - 2, color="#555"),
        text=_LEGENDS[detail.cell_type],
    )
    return canvas.figure(title)


def step_vectors(state: LayerTrace, step: int, token_label: str, unit: int | None = None) -> go.Figure:
    """Compact view of every vector of one layer at one step: rows = quantities, columns = units.

    Layout: z is [quantities, units], hidden state first. Sigmoid gates on 0..1 would hide
    tanh signs, so one shared −1..1 scale (red negative, blue positive, as in every chart)
    is used; the cell state may pass ±1 and is clipped in colour; hover gives the exact
    value. `unit`, if given, is outlined."""
    quantities = state.quantities()
    names = list(quantities)
    z = np.stack([quantities[name][step] for name in names]).astype(np.float32)  # [quantities, units]
    units = z.shape[1]
    heatmap = dict(
        type="heatmap",
        z=z,
        y=[glossary.title(name) for name in names],
        x=list(range(units)),
        zmin=-1,
        zmax=1,
        colorscale=DIVERGING,
        colorbar=dict(title=dict(text="value"), tickvals=[-1, 0, 1], ticktext=["−1", "0", "+1"]),
        hovertemplate="%{y}, unit %{x}: %{z:.4f}<extra></extra>",
        xgap=1,
        ygap=1,
    )
    outline = []
    if unit is not None:
        outline.append(
            dict(
                type="rect",
                x0=unit - 0.5,
                x1=unit + 0.5,
                y0=-0.5,
                y1=len(names) - 0.5,
                line=dict(color="#111", width=3),
            )
        )
    token = plotly_text(token_label, MAX_TOKEN_CHARS)
    layout = dict(
        title=dict(text=f"All units of this layer at word {step + 1} “{token}”", font=dict(size=18)),
        xaxis=dict(title=dict(text="unit"), dtick=1 if units <= 32 else None),
        yaxis=dict(title=dict(text="quantity"), autorange="reversed"),
        font=dict(size=14),
        height=140 + 32 * len(names),
        margin=dict(l=10, r=10, t=50, b=40),
        shapes=outline,
    )
    return go.Figure(dict(data=[heatmap], layout=layout))
