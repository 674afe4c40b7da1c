"""The lesson's cell diagrams (LSTM, GRU, plain RNN) as plotly figures, annotated with real numbers.

Pure functions: a StepDetail (one unit, one step, term by term) in, a Figure out. Every
label is built from numbers and fixed strings only — never from user text — so the
figures are safe to show whatever the sentence was.

Coordinates: x runs 0..14 left to right (inputs enter on the left, outputs leave on the
right), y runs −1.3..6.9 bottom to top (x_t enters at the bottom, the state paths run on
top, the colour legend sits under everything). Layers and words are counted from 1, as on
every page. The backward direction of a bidirectional layer reads right to left, so its
"previous" state is the one at t+1 and the labels say so.

Text never collides, at any word: the chart is drawn as wide as its column, so a data unit
may be as narrow as LAYOUT_MIN_WIDTH / 14.4 px while text keeps its pixel size (1.35 times
larger in teacher mode). So labels that share a row get a fixed slot, sized for the widest
text their numbers can make ("σ(−12.345)"), and grow away from their neighbours (a label
right of a wire is anchored left, one at the right edge is anchored right); everything else
is kept apart vertically, which does not depend on the width. The boxes are the labels'
own backgrounds, so a box always holds its text; the nodes are circles of fixed pixel size;
the one-line title is set smaller when a long token would push it past the chart's edge.
tests/test_diagrams.py checks this with the widest numbers, and
tests/e2e/test_projector_diagrams.py in Chromium.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from rnnviz.core.trace import GateTerms, LayerTrace, StepDetail
from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.plots import colours, numbers
from rnnviz.plots.base import PROJECTOR_SCALE, fit_columns, plotly_text, text_columns
from rnnviz.plots.colours import DIVERGING

LAYOUT_MIN_WIDTH = 700  # px: the narrowest chart every label is laid out for, teacher mode's fonts too
X_RANGE = (-0.2, 14.2)
Y_RANGE = (-1.3, 6.9)
HEIGHT = 460  # px, before teacher mode's enlargement
MARGIN = dict(l=10, r=10, t=56, b=10)  # px; t holds the title
_GATE_COLOURS = colours.DIAGRAM_GATES
_PATH = dict(color=colours.DIAGRAM_WIRE, width=2)
_STATE_PATH = dict(color=colours.DIAGRAM_STATE_PATH, width=4)
# Font sizes in px; teacher mode multiplies them by 1.35, so the smallest stays above 16 px.
_FONT = 15  # values along the paths and node symbols
_BOX_FONT = 14  # text inside the gate boxes
_NOTE_FONT = 13  # the colour legend
_TITLE_FONT = 18
_NODE_RADIUS = 15  # px: a node's circle stays round and holds its symbol at any width
_VALUE_COLOUR = colours.DIAGRAM_VALUE
_INK = colours.INK  # explicit: Streamlit's plotly theme would grey out uncoloured text
_PAPER = "rgba(255,255,255,0.9)"  # behind path labels, so a wire passing behind stays legible
MAX_TOKEN_CHARS = 40  # a longer token is cut in the step vectors' title
TITLE_TOKEN_CHARS = 16  # columns (a CJK character takes 2) of the token in the one-line diagram title


@dataclass(frozen=True)
class _Node:
    x: float
    y: float
    label: str  # "×", "+", "1−"


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


# One short line per gate, inside its box: the box is no wider than "tanh(−12.345)".
_GATE_ROLES = {
    "input": "input gate",
    "forget": "forget gate",
    "cell": "candidate",
    "output": "output gate",
    "reset": "reset gate",
    "update": "update gate",
    "new": "candidate",
}
_FUNCTIONS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}


def _gate_label(gate: GateTerms) -> str:
    """Three short lines, read top to bottom: what the gate is, its activation, its value."""
    function = _FUNCTIONS[gate.activation]
    return (
        f"{_GATE_ROLES.get(gate.name, '')}<br>{function}({_plain(gate.pre_activation)})"
        f"<br><b>{gate.symbol} = {_plain(gate.value)}</b>"
    )


def _box(fig: _Canvas, x: float, y: float, text: str, colour: str) -> None:
    """Text in a coloured box centred on (x, y): the box is the label's own background."""
    fig.add_annotation(
        x=x,
        y=y,
        text=text,
        showarrow=False,
        font=dict(size=_BOX_FONT, color=_INK),
        bgcolor=colour,
        bordercolor=colours.DIAGRAM_BORDER,
        borderwidth=1,
        borderpad=5,
    )


def _node(fig: _Canvas, node: _Node) -> None:
    fig.add_shape(
        type="circle",
        xsizemode="pixel",
        ysizemode="pixel",
        xanchor=node.x,
        yanchor=node.y,
        x0=-_NODE_RADIUS,
        x1=_NODE_RADIUS,
        y0=-_NODE_RADIUS,
        y1=_NODE_RADIUS,
        fillcolor="white",
        line=dict(color=colours.DIAGRAM_BORDER, width=1.5),
        layer="above",
    )
    fig.add_annotation(
        x=node.x, y=node.y, text=node.label, showarrow=False, font=dict(size=_FONT, color=_INK)
    )


def _line(fig: _Canvas, points: list[tuple[float, float]], style: dict | None = None) -> None:
    """A polyline drawn under the boxes and nodes, so wires run behind them."""
    path = "M " + " L ".join(f"{x},{y}" for x, y in points)
    fig.add_shape(type="path", path=path, line=style or _PATH, layer="below")


def _value(
    fig: _Canvas, x: float, y: float, text: str, xanchor: str = "left", yanchor: str = "bottom"
) -> None:
    """A number on a path: (x, y) is the label's corner or edge named by the anchors, so the
    text grows away from that point (up from a wire below it, left from the right edge)."""
    fig.add_annotation(
        x=x,
        y=y,
        text=text,
        showarrow=False,
        xanchor=xanchor,
        yanchor=yanchor,
        align=xanchor,
        bgcolor=_PAPER,
        font=dict(size=_FONT, color=_VALUE_COLOUR),
    )


@dataclass
class _Canvas:
    """Shapes and annotations collected as plain dicts; the Figure is built and validated once
    at the end (adding ~60 shapes one by one to a go.Figure cost over 100 ms per diagram)."""

    translate: Translate = english  # the notes' language (numbers and symbols stay as they are)
    shapes: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)

    def add_shape(self, **shape) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation) -> None:
        self.annotations.append(annotation)

    def figure(self, title: str, title_size: float) -> go.Figure:
        layout = dict(
            title=dict(
                text=title,
                x=0.01,
                xanchor="left",  # plotly centres it in the top margin
                font=dict(size=title_size, color=_INK),
            ),
            xaxis=dict(range=X_RANGE, visible=False, fixedrange=True),
            yaxis=dict(range=Y_RANGE, visible=False, fixedrange=True),
            height=HEIGHT,
            margin=MARGIN,
            plot_bgcolor="white",
            dragmode=False,
            shapes=self.shapes,
            annotations=self.annotations,
        )
        return go.Figure(dict(data=[], layout=layout))


def _gate_colour(gate: GateTerms) -> str:
    return _GATE_COLOURS[gate.activation]


# Rows shared by the three cells (y): the state path on top, the bus that carries h and x_t
# into the gates, and under it x_t's label and the legend.
_TOP, _BUS = 5.7, 1.0
_INPUT_X = 1.6  # where x_t enters the bus from below
_LABEL_GAP = 0.12  # between a wire and the edge of the label that sits on it
_OVER_NODES = 0.32  # the same above the state path, whose nodes reach 15 px (0.3 here) above it


def _inputs(fig: _Canvas, d: StepDetail) -> None:
    """x_t rising into the bus from below, and what it is for this layer."""
    _line(fig, [(_INPUT_X, -0.1), (_INPUT_X, _BUS)])
    _ = fig.translate
    what = (
        _("the word's embedding vector")
        if d.layer == 0
        else _("the hidden states of layer {layer} at this word").format(layer=d.layer)
    )
    _value(fig, _INPUT_X + 0.25, 0.45, f"x<sub>t</sub>: {what}", yanchor="middle")


def _ends(fig: _Canvas, left: str, right: str) -> None:
    """The state entering at the top left and leaving at the top right, labelled above the path."""
    _value(fig, 0.0, _TOP + _OVER_NODES, left)
    _value(fig, X_RANGE[1] - 0.1, _TOP + _OVER_NODES, right, xanchor="right")


def _state_path(fig: _Canvas, left: str, right: str) -> None:
    """The state carried along the top from the left edge to the right one, its ends labelled."""
    _line(fig, [(0.8, _TOP), (14.0, _TOP)], _STATE_PATH)
    _ends(fig, left, right)


def _feeds(fig: _Canvas, d: StepDetail, xs: list[float], row: float) -> None:
    """x_t into the bus, and a wire from the bus up to each gate box (centred at `row`)."""
    _inputs(fig, d)
    for x in xs:
        _line(fig, [(x, _BUS), (x, row)])


def _keep(fig: _Canvas, x: float, row: float, product: str) -> None:
    """A gate's wire up to a × on the state path, its product labelled above, right of the ×."""
    _line(fig, [(x, row), (x, _TOP)])
    _node(fig, _Node(x, _TOP, "×"))
    _value(fig, x + 0.4, _TOP + _OVER_NODES, product)


def _lstm(fig: _Canvas, d: StepDetail) -> None:
    gates = {g.name: g for g in d.gates}
    i, f, g, o = gates["input"], gates["forget"], gates["cell"], gates["output"]
    row, mix, out = 2.9, 4.35, 12.9  # gate boxes; the i×g node and tanh(c); the output column
    # Apart by half of each neighbour's box: the candidate's "tanh(−12.345)" is the widest line.
    xs = {"forget": 3.0, "input": 5.5, "cell": 8.15, "output": 10.9}
    prev = _previous(d)
    # Cell-state path along the top: c_prev -> ×f -> +(i·g) -> c_t.
    _state_path(fig, f"c<sub>{prev}</sub> = {_fmt(d.previous_cell)}", f"c<sub>t</sub> = {_fmt(d.cell)}")
    # Inputs: h_prev from the left and x_t from below join a bus feeding every gate.
    _line(fig, [(0.8, _BUS), (xs["output"], _BUS)])
    _value(fig, 0.0, _BUS + _LABEL_GAP, f"h<sub>{prev}</sub> = {_fmt(d.previous_hidden)}")
    _feeds(fig, d, list(xs.values()), row)
    # Forget: f × c_prev.
    _keep(fig, xs["forget"], row, f"f·c<sub>{prev}</sub> = {_fmt(f.value * d.previous_cell)}")
    # Input: i × g, added to the cell state.
    middle = (xs["input"] + xs["cell"]) / 2
    _line(fig, [(xs["input"], row), (xs["input"], mix), (xs["cell"], mix), (xs["cell"], row)])
    _line(fig, [(middle, mix), (middle, _TOP)])
    _node(fig, _Node(middle, mix, "×"))
    _node(fig, _Node(middle, _TOP, "+"))
    _value(fig, middle + 0.4, (mix + _TOP) / 2, f"i·g = {_fmt(i.value * g.value)}", yanchor="middle")
    # Output: h_t = o × tanh(c_t), leaving to the right under the output column.
    _line(fig, [(out, _TOP), (out, row), (14.0, row)])
    _line(fig, [(xs["output"], row), (out, row)])
    squashed = f"tanh(c<sub>t</sub>)<br><b>{_plain(np.tanh(d.cell))}</b>"
    _box(fig, out, mix, squashed, colours.DIAGRAM_SQUASH_BOX)
    _node(fig, _Node(out, row, "×"))
    # Under the wire, below the gate boxes (3 lines reach 0.62 under their centre).
    _value(fig, X_RANGE[1] - 0.1, row - 0.7, f"h<sub>t</sub> = {_fmt(d.hidden)}", "right", "top")
    for gate in (f, i, g, o):
        _box(fig, xs[gate.name], row, _gate_label(gate), _gate_colour(gate))


def _gru(fig: _Canvas, d: StepDetail) -> None:
    gates = {g.name: g for g in d.gates}
    r, z, n = gates["reset"], gates["update"], gates["new"]
    row, mix, out = 2.7, 4.55, 10.9  # gate boxes; the 1−z line; the mixing column
    xs = {"update": 3.3, "reset": 5.9, "new": 8.5}
    prev = _previous(d)
    # State path along the top: h_prev -> ×z -> + (1−z)·n -> h_t.
    _state_path(fig, f"h<sub>{prev}</sub> = {_fmt(d.previous_hidden)}", f"h<sub>t</sub> = {_fmt(d.hidden)}")
    # h_prev also feeds every gate, together with x_t.
    _line(fig, [(0.8, _TOP), (0.8, _BUS), (xs["new"], _BUS)])
    _feeds(fig, d, list(xs.values()), row)
    # Update gate: keep z of the old state ...
    zx = xs["update"]
    _keep(fig, zx, row, f"z·h<sub>{prev}</sub> = {_fmt(z.value * d.previous_hidden)}")
    # ... and take 1−z of the candidate n.
    _line(fig, [(zx, mix), (out, mix)])
    _node(fig, _Node((zx + out) / 2, mix, "1−"))
    # Reset gate scales the recurrent part of the candidate: n = tanh(Wx + b + r·(Uh + b)),
    # labelled in the free row between the gate boxes and the 1−z line.
    _line(fig, [(xs["reset"], row), (xs["new"], row)])
    recurrent = n.from_hidden + n.bias_hidden
    _value(
        fig,
        (xs["reset"] + xs["new"]) / 2,
        (row + mix) / 2 + 0.22,  # clear of the gate boxes and the 1− node at teacher fonts in 460 px
        f"r·(W<sub>hn</sub>h<sub>{prev}</sub>+b) = {_plain(r.value)}×{_factor(recurrent)}",
        "center",
        "middle",
    )
    _line(fig, [(xs["new"], row), (out, row), (out, _TOP)])
    _node(fig, _Node(out, mix, "×"))
    _node(fig, _Node(out, _TOP, "+"))
    _value(
        fig,
        X_RANGE[1] - 0.1,
        (mix + _TOP) / 2,
        f"(1−z)·n = {_fmt((1 - z.value) * n.value)}",
        "right",
        "middle",
    )
    for gate in (z, r, n):
        _box(fig, xs[gate.name], row, _gate_label(gate), _gate_colour(gate))


def _rnn(fig: _Canvas, d: StepDetail) -> None:
    (gate,) = d.gates
    row, squash, mid = 2.6, 10.2, 6.0  # the weighted sum's box; the activation's column; the sum's column
    level = 4.2  # the activation box
    prev = _previous(d)
    # No state path runs straight through: h_prev only enters the weighted sum.
    _line(fig, [(0.8, _TOP), (0.8, _BUS), (mid, _BUS), (mid, row)], _STATE_PATH)
    _line(fig, [(mid, row), (mid, level), (squash, level), (squash, _TOP), (14.0, _TOP)], _STATE_PATH)
    _ends(fig, f"h<sub>{prev}</sub> = {_fmt(d.previous_hidden)}", f"h<sub>t</sub> = {_fmt(d.hidden)}")
    _inputs(fig, d)
    terms = (
        f"W<sub>ih</sub>x<sub>t</sub> + W<sub>hh</sub>h<sub>{prev}</sub> + b<br>"
        f"= {_plain(gate.from_input)} + {_factor(gate.from_hidden)} "
        f"+ {_factor(gate.bias_input + gate.bias_hidden)} = <b>{_plain(gate.pre_activation)}</b>"
    )
    _box(fig, mid, row, terms, colours.DIAGRAM_TERMS_BOX)
    function = _FUNCTIONS[gate.activation]
    _box(fig, squash, level, f"{function} → <b>{_plain(gate.value)}</b>", _gate_colour(gate))
    _value(
        fig,
        1.2,
        (level + _TOP) / 2,
        fig.translate(_NO_GATE),
        yanchor="middle",
    )


_DRAW = {"lstm": _lstm, "gru": _gru, "rnn_tanh": _rnn, "rnn_relu": _rnn}
_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (ReLU)"}
_NO_GATE = N_("no gate: the old state is squashed<br>into the new one at every step")
_STATE = N_("thick black: the state carried to the next word")
_GATES = N_("orange: σ gates (0 … 1) · green: tanh (−1 … 1)")
_LEGENDS = {  # the colour legend's lines, each a msgid
    "lstm": (_GATES, _STATE),
    "gru": (_GATES, _STATE),
    "rnn_tanh": (N_("green: tanh (−1 … 1)"), _STATE),
    "rnn_relu": (N_("green: relu (0 … ∞)"), _STATE),
}


def _title_token(token: str) -> str:
    """`token` cut to TITLE_TOKEN_CHARS columns (a wide character counts twice), then escaped."""
    return fit_columns(token, TITLE_TOKEN_CHARS)


def _title_size(title: str) -> float:
    """The title's font size: _TITLE_FONT, smaller (down to _NOTE_FONT) when the title would not
    fit LAYOUT_MIN_WIDTH in teacher mode at 0.45 em per column (Chromium draws it at 0.42)."""
    plain = title.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    ems = 0.45 * text_columns(plain)
    room = (LAYOUT_MIN_WIDTH - MARGIN["l"] - MARGIN["r"] - 0.01 * LAYOUT_MIN_WIDTH) / PROJECTOR_SCALE
    return max(_NOTE_FONT, min(_TITLE_FONT, round(room / ems, 1)))


def cell_diagram(detail: StepDetail, token_label: str, _: Translate = english) -> go.Figure:
    """The cell of `detail.cell_type`, each path annotated with unit j's numbers at step t; the
    title and notes in the language of `_` (the gates' boxes stay English: sized for it).

    `token_label` (the token read at this step) is escaped: it is shown literally, cut to
    TITLE_TOKEN_CHARS columns, and a long title is set smaller so it stays on its one line."""
    token = _title_token(token_label)
    title = _("{cell} cell · layer {layer}, {direction} · unit {unit} · word {word} “{token}”").format(
        cell=_NAMES[detail.cell_type],
        layer=detail.layer + 1,
        direction=_(detail.direction),
        unit=detail.unit,
        word=detail.step + 1,
        token=token,
    )
    canvas = _Canvas(_)
    _DRAW[detail.cell_type](canvas, detail)
    canvas.add_annotation(
        x=0.0,
        y=-0.35,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font=dict(size=_NOTE_FONT, color=colours.DIAGRAM_NOTE),
        text="<br>".join(_(line) for line in _LEGENDS[detail.cell_type]),
    )
    return canvas.figure(title, _title_size(title))


def step_vectors(state: LayerTrace, step: int, token_label: str, unit: int | None = None) -> go.Figure:
    """Compact view of every vector of one layer at one step: rows = quantities, columns = units.

    Layout: z is [quantities, units], hidden state first. Sigmoid gates on 0..1 would hide
    tanh signs, so one shared −1..1 scale (brown negative, teal positive, as in every value chart)
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
                line=dict(color=colours.INK, width=3),
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
