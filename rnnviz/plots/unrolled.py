"""The unrolled network: the folded loop picture beside the same cell drawn once per word, as a
plotly figure of shapes and annotations with one unit's real numbers.

Pure function: a ModelConfig, one LayerTrace, the tokens, the current step and a unit in, a
Figure out. Tokens are escaped and cut (`plotly_text`); every other label is built from numbers
and fixed strings.

Coordinates: x runs left to right — the folded cell at FOLDED_X, an "=" at EQUALS_X, then one
slot of width 1 per word of the window from FIRST_X; y runs Y_RANGE
bottom to top: the legend, the words x_t, the input arrows (W_ih), the cells and the state
arrows between them (W_hh), the outputs h_t with the unit's value. With more words than
WINDOW, the window is centred on the current word and "…" stands for the words left out, so
text never shrinks.

Text never collides at 1280×720 in teacher mode or 1366×768: every label has a fixed slot and
grows away from its neighbours; the cells are annotation boxes of fixed pixel size (sized for
teacher mode's 1.35× fonts) and arrows stop at their edges by a pixel standoff.
tests/e2e/test_projector_diagrams.py checks this in Chromium.
"""

from __future__ import annotations

import plotly.graph_objects as go

from rnnviz.core.models import CELL_NAMES, ModelConfig
from rnnviz.core.trace import LayerTrace
from rnnviz.plots import numbers
from rnnviz.plots.base import fit_columns
from rnnviz.plots.colours import (
    DIAGRAM_CELL,
    DIAGRAM_STATE,
    DIAGRAM_VALUE,
    DIAGRAM_WIRE,
    HIGHLIGHT,
    INK,
    MUTED,
)

WINDOW = 5  # words drawn at most; longer sentences show a window around the current word
TOKEN_COLUMNS = 9  # a token under its cell is cut to this many columns (a CJK character takes 2)
FOLDED_X, EQUALS_X, FIRST_X = 0.6, 1.7, 3.05  # the folded cell, the "=", the first word's cell
Y_RANGE = (-1.9, 5.2)
CELL_Y, INPUT_Y, OUTPUT_Y = 2.8, 1.3, 4.2  # the cells; where x_t's arrow starts; where h_t's ends
HEIGHT = 420  # px, before teacher mode's enlargement
MARGIN = dict(l=10, r=10, t=56, b=10)
# A cell's box, px: wide and tall enough for teacher mode's fonts ("LSTM" and "+ b" at 20 px), and
# narrow enough that "W_hh" fits between two boxes at 1366×768 (a slot is ~108 px there).
BOX_WIDTH, BOX_HEIGHT = 62, 62
_FONT, _SMALL, _NOTE, _TITLE = 15, 14, 13, 18  # px; teacher mode multiplies them by 1.35
_ARROW = dict(arrowhead=2, arrowsize=1.1, arrowwidth=2, arrowcolor=DIAGRAM_WIRE)
_STATE_ARROW = dict(arrowhead=2, arrowsize=1.0, arrowwidth=4, arrowcolor=DIAGRAM_STATE)


def _short(token: str) -> str:
    """`token` cut to TOKEN_COLUMNS columns with "…", then escaped for plotly."""
    return fit_columns(token, TOKEN_COLUMNS)


def window(steps: int, step: int, size: int = WINDOW) -> range:
    """The word positions drawn: all of them, or `size` around `step` (kept inside the sentence)."""
    if steps <= size:
        return range(steps)
    start = min(max(0, step - size // 2), steps - size)
    return range(start, start + size)


def _text(x: float, y: float, text: str, size: float = _FONT, colour: str = INK, **anchor) -> dict:
    return dict(
        x=x,
        y=y,
        text=text,
        showarrow=False,
        font=dict(size=size, color=colour),
        xanchor=anchor.get("xanchor", "center"),
        yanchor=anchor.get("yanchor", "middle"),
        align=anchor.get("xanchor", "center"),
    )


def _arrow(start: tuple[float, float], end: tuple[float, float], style: dict, standoff: float = 0) -> dict:
    """An arrow in data coordinates from `start` to `end`, stopping `standoff` px short of each
    end that is a cell (the caller passes the box's half size)."""
    return dict(
        x=end[0],
        y=end[1],
        ax=start[0],
        ay=start[1],
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        standoff=standoff,
        **style,
    )


def _box(x: float, name: str, current: bool) -> dict:
    """A cell: its name and '+ b' (the biases) in a box of fixed pixel size."""
    return dict(
        x=x,
        y=CELL_Y,
        text=f"<b>{name}</b><br>+ b",
        showarrow=False,
        width=BOX_WIDTH,
        height=BOX_HEIGHT,
        font=dict(size=_FONT, color=INK),
        bgcolor=HIGHLIGHT if current else DIAGRAM_CELL,
        bordercolor=INK if current else MUTED,
        borderwidth=3 if current else 1,
    )


def _legend(config: ModelConfig, layer: int, direction: str) -> str:
    """Which tensors every copy shares, named as model.named_parameters() names them."""
    suffix = f"l{layer}" + ("_reverse" if direction == "backward" else "")
    gates = {"lstm": 4, "gru": 3}.get(config.cell, 1)
    rows, hidden = gates * config.hidden_size, config.hidden_size
    inputs = config.embedding_dim if layer == 0 else hidden * config.num_directions
    stacked = {"lstm": " (rows of i, f, g, o stacked)", "gru": " (rows of r, z, n stacked)"}.get(
        config.cell, ""
    )
    return (
        "The same tensors at every word:<br>"
        f"W<sub>ih</sub> = rnn.weight_ih_{suffix} [{rows} × {inputs}]{stacked}<br>"
        f"W<sub>hh</sub> = rnn.weight_hh_{suffix} [{rows} × {hidden}]<br>"
        f"b = rnn.bias_ih_{suffix} + rnn.bias_hh_{suffix} [{rows}]"
    )


def _folded(annotations: list[dict], shapes: list[dict], name: str, state_name: str) -> None:
    """The loop picture: one cell whose state arrow leaves on the right and comes back in."""
    # The arrows meet the box 0.15 from its centre: inside its half width at any chart width.
    right, below, back = FOLDED_X + 0.5, CELL_Y - 0.95, FOLDED_X + 0.15
    path = f"M {FOLDED_X},{CELL_Y} L {right},{CELL_Y} L {right},{below} L {back},{below}"
    shapes.append(dict(type="path", path=path, line=dict(color=DIAGRAM_STATE, width=4), layer="below"))
    annotations.append(_arrow((back, below), (back, CELL_Y), _STATE_ARROW, BOX_HEIGHT / 2))
    annotations.append(_text(right + 0.06, CELL_Y - 0.45, "W<sub>hh</sub>", xanchor="left"))
    annotations.append(_text((back + right) / 2, below - 0.1, state_name, _SMALL, MUTED, yanchor="top"))
    entry = FOLDED_X - 0.15
    annotations.append(_arrow((entry, INPUT_Y), (entry, CELL_Y), _ARROW, BOX_HEIGHT / 2))
    annotations.append(_text(entry - 0.06, (INPUT_Y + CELL_Y) / 2 - 0.3, "W<sub>ih</sub>", xanchor="right"))
    annotations.append(_text(entry, INPUT_Y - 0.05, "x<sub>t</sub>", yanchor="top"))
    annotations.append(_arrow((FOLDED_X, CELL_Y), (FOLDED_X, OUTPUT_Y), _ARROW))
    annotations[-1]["startstandoff"] = BOX_HEIGHT / 2
    annotations.append(_text(FOLDED_X, OUTPUT_Y + 0.05, "h<sub>t</sub>", yanchor="bottom"))
    annotations.append(_box(FOLDED_X, name, False))
    annotations.append(_text(EQUALS_X, CELL_Y, "=", 28))
    annotations.append(_text(EQUALS_X, CELL_Y + 0.35, "unrolled", _SMALL, MUTED, yanchor="bottom"))


def unrolled_diagram(
    config: ModelConfig, state: LayerTrace, tokens: list[str], step: int, unit: int, size: int = WINDOW
) -> go.Figure:
    """The folded cell of `state`'s layer and direction, and the same cell once per word of a
    window around `step` (highlighted), with unit `unit`'s h_t above each copy; the arrows
    between copies carry the state in the direction's reading order."""
    name = CELL_NAMES[config.cell].split(" ")[0]
    lstm = config.cell == "lstm"
    state_name = "h, c" if lstm else "h"
    backward = state.direction == "backward"
    shown = window(len(tokens), step, size)
    xs = {t: FIRST_X + k for k, t in enumerate(shown)}
    annotations: list[dict] = []
    shapes: list[dict] = []
    _folded(annotations, shapes, name, state_name)

    # The state between neighbouring copies, in reading order: W_hh above the arrow, what it carries below.
    half = BOX_WIDTH / 2
    for t in shown:
        if t + 1 in xs:
            start, end = (xs[t + 1], xs[t]) if backward else (xs[t], xs[t + 1])
            annotations.append(_arrow((start, CELL_Y), (end, CELL_Y), _STATE_ARROW, half))
            annotations[-1]["startstandoff"] = half
            middle = (xs[t] + xs[t + 1]) / 2
            annotations.append(_text(middle, CELL_Y + 0.12, "W<sub>hh</sub>", yanchor="bottom"))
            annotations.append(_text(middle, CELL_Y - 0.12, state_name, _SMALL, MUTED, yanchor="top"))
    # Where reading starts (the zero state, or "…" for words left out) and where it goes on.
    first, last = shown[0], shown[-1]
    # Room right of the last cell only for an arrow there: the state going on, or (backward) starting.
    x_end = FIRST_X + len(shown) - 1 + (1.0 if backward or last < len(tokens) - 1 else 0.45)
    # At least as wide as WINDOW words, so a short sentence keeps narrow slots: the arrows that meet a
    # cell 0.15 from its centre stay inside its box, and the cells keep their spacing.
    x_end = max(x_end, FIRST_X + WINDOW - 1 + 0.45)
    outer_left, outer_right = FIRST_X - 0.95, x_end - 0.15
    start_x, end_x = (outer_right, outer_left) if backward else (outer_left, outer_right)
    start_word, end_word = (last, first) if backward else (first, last)
    starts_here = (last == len(tokens) - 1) if backward else (first == 0)
    goes_on = (first > 0) if backward else (last < len(tokens) - 1)
    # PyTorch starts both directions from zeros; only the forward one calls that state h_0.
    zero = "h<sub>0</sub>, c<sub>0</sub><br>= 0" if lstm else "h<sub>0</sub> = 0"
    if backward:
        zero = "h, c<br>= 0" if lstm else "h = 0"
    anchor = "left" if not backward else "right"
    annotations.append(_arrow((start_x, CELL_Y), (xs[start_word], CELL_Y), _STATE_ARROW, half))
    annotations.append(
        _text(
            start_x, CELL_Y + 0.12, "W<sub>hh</sub>" if starts_here else "…", xanchor=anchor, yanchor="bottom"
        )
    )
    annotations.append(
        _text(
            start_x,
            CELL_Y - 0.12,
            zero if starts_here else state_name,
            _SMALL,
            MUTED,
            xanchor=anchor,
            yanchor="top",
        )
    )
    if goes_on:
        annotations.append(_arrow((xs[end_word], CELL_Y), (end_x, CELL_Y), _STATE_ARROW))
        annotations[-1]["startstandoff"] = half
        annotations.append(
            _text(end_x, CELL_Y + 0.12, "…", xanchor="right" if not backward else "left", yanchor="bottom")
        )

    for t in shown:
        x, current = xs[t], t == step
        annotations.append(_arrow((x, INPUT_Y), (x, CELL_Y), _ARROW, BOX_HEIGHT / 2))
        annotations.append(_text(x + 0.06, (INPUT_Y + CELL_Y) / 2 - 0.3, "W<sub>ih</sub>", xanchor="left"))
        word = f"<b>{_short(tokens[t])}</b>" if current else _short(tokens[t])
        annotations.append(_text(x, INPUT_Y - 0.05, f"x<sub>{t + 1}</sub><br>{word}", yanchor="top"))
        annotations.append(_arrow((x, CELL_Y), (x, OUTPUT_Y), _ARROW))
        annotations[-1]["startstandoff"] = BOX_HEIGHT / 2
        value = numbers.fixed(float(state.hidden[t, unit]), signed=True)
        annotations.append(
            _text(
                x, OUTPUT_Y + 0.05, f"h<sub>{t + 1}</sub><br>{value}", colour=DIAGRAM_VALUE, yanchor="bottom"
            )
        )
        annotations.append(_box(x, name, current))
    annotations.append(
        _text(
            0.0,
            -0.35,
            _legend(config, state.layer, state.direction),
            _NOTE,
            MUTED,
            xanchor="left",
            yanchor="top",
        )
    )
    where = f"layer {state.layer + 1}, {state.direction}"
    reading = "right to left" if backward else "left to right"
    title = (
        f"The unrolled {name} · {where} ({reading}) · unit {unit}'s h<sub>t</sub> · "
        f"word {step + 1} of {len(tokens)}"
    )
    layout = dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=_TITLE, color=INK)),
        xaxis=dict(range=[0.0, x_end + 0.05], visible=False, fixedrange=True),
        yaxis=dict(range=list(Y_RANGE), visible=False, fixedrange=True),
        height=HEIGHT,
        margin=MARGIN,
        plot_bgcolor="white",
        dragmode=False,
        shapes=shapes,
        annotations=annotations,
    )
    return go.Figure(dict(data=[], layout=layout))
