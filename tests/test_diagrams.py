"""Proves the cell diagrams carry the unit's real numbers for every cell type, count layers and
words from 1, name the previous state t+1 when reading backwards, and show the token label
literally (escaped); that with the widest numbers and a long token no two of their text boxes or
nodes meet and none leaves the chart, at the narrowest width laid out for, in teacher mode and
not (estimated with wider-than-real characters); and that the step-vector strip covers every
quantity and outlines the unit."""

import re
import unicodedata

import pytest
import torch
from torch import nn

from rnnviz.core.trace import GateTerms, StepDetail, step_detail, trace_module
from rnnviz.plots import diagrams
from rnnviz.plots.base import PROJECTOR_SCALE, for_projector
from rnnviz.plots.diagrams import cell_diagram, step_vectors

MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN}


def texts(fig) -> str:
    return " ".join(a.text for a in fig.layout.annotations) + " " + fig.layout.title.text


def signed(value: float) -> str:
    text = f"{value:+.3f}"
    return "0.000" if float(text) == 0 else text.replace("-", "−")


def plain(value: float) -> str:
    text = f"{value:.3f}"
    return "0.000" if float(text) == 0 else text.replace("-", "−")


@pytest.mark.parametrize("kind", list(MODULES))
def test_cell_diagram_shows_the_numbers(kind):
    torch.manual_seed(0)
    module = MODULES[kind](3, 4).eval()
    state = trace_module(module, torch.randn(5, 3)).states[0]
    detail = step_detail(module, state, 2, 1)
    fig = cell_diagram(detail, "<script>x</script>")
    shown = texts(fig)
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    assert "layer 1, forward" in fig.layout.title.text and "word 3" in fig.layout.title.text
    assert signed(detail.hidden) in shown and signed(detail.previous_hidden) in shown
    for gate in detail.gates:
        assert plain(gate.value) in shown
    if detail.cell is not None:
        assert signed(detail.cell) in shown and signed(detail.previous_cell) in shown
    assert "t+1" not in shown and "t−1" in shown


@pytest.mark.parametrize("kind", list(MODULES))
def test_backward_direction_and_upper_layers_are_labelled(kind):
    torch.manual_seed(0)
    module = MODULES[kind](3, 4, num_layers=2, bidirectional=True).eval()
    state = trace_module(module, torch.randn(5, 3)).state(1, "backward")
    fig = cell_diagram(step_detail(module, state, 0, 3), "good")
    shown = texts(fig)
    assert "layer 2, backward" in fig.layout.title.text
    assert "t+1" in shown and "t−1" not in shown
    assert "hidden states of layer 1" in shown


# Text size model: Chromium draws the diagrams' font at ~0.40 em per character (measured by
# tests/e2e/test_projector_diagrams.py); 0.5 em leaves a quarter to spare. Plotly spaces lines
# 1.3 em apart, and a line's glyphs (a subscript's too) reach 1.45 em from top to bottom. The
# bold title, measured at 0.42 em, is allowed 0.45 (the diagram sets its size by that).
CHAR_EM, TITLE_EM, LINE_EM, GLYPHS_EM, SUB_EM = 0.5, 0.45, 1.3, 1.45, 0.7
# (name, symbol, activation) per cell type, as core.trace.step_detail makes them.
GATES = {
    "lstm": [
        ("input", "i", "sigmoid"),
        ("forget", "f", "sigmoid"),
        ("cell", "g", "tanh"),
        ("output", "o", "sigmoid"),
    ],
    "gru": [("reset", "r", "sigmoid"), ("update", "z", "sigmoid"), ("new", "n", "tanh")],
    "rnn_tanh": [("hidden", "h", "tanh")],
    "rnn_relu": [("hidden", "h", "relu")],
}


def widest_detail(kind: str) -> StepDetail:
    """A step whose every number is as long as numbers get: two-digit, negative, 3 decimals."""
    big, gate_value = -12.345, -0.999
    gates = [
        GateTerms(
            name, symbol, activation, big, big, big, big, -0.999 if name == "new" else 1.0, big, gate_value
        )
        for name, symbol, activation in GATES[kind]
    ]
    cell = big if kind == "lstm" else None
    return StepDetail(kind, 11, "backward", 199, 1023, gates, big, big, cell, cell)


def text_extent(text: str, size: float, char_em: float = CHAR_EM) -> tuple[float, float]:
    """(width, height) in px of plotly pseudo-HTML `text` at font `size`, by the model above."""
    lines = re.split(r"<br>", text)
    widths = []
    for line in lines:
        subscripts = "".join(re.findall(r"<sub>(.*?)</sub>", line))
        plain = re.sub(r"<sub>.*?</sub>", "", line)
        plain = re.sub(r"<[^>]+>", "", plain).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        wide = sum(unicodedata.east_asian_width(char) in "WF" for char in plain)  # CJK: 1 em each
        widths.append((len(plain) + wide + SUB_EM * len(subscripts)) * char_em * size)
    return max(widths), ((len(lines) - 1) * LINE_EM + GLYPHS_EM) * size


def drawn_boxes(fig, width: float) -> list[tuple[str, float, float, float, float]]:
    """(what, left, right, top, bottom) in px of every text and node of `fig` drawn `width` px wide."""
    layout = fig.layout
    margin, height = layout.margin, layout.height
    (x0, x1), (y0, y1) = layout.xaxis.range, layout.yaxis.range
    plot_w, plot_h = width - margin.l - margin.r, height - margin.t - margin.b

    def px(x: float, y: float) -> tuple[float, float]:
        return margin.l + (x - x0) / (x1 - x0) * plot_w, margin.t + (y1 - y) / (y1 - y0) * plot_h

    found = []
    title = layout.title
    w, h = text_extent(title.text, title.font.size, TITLE_EM)
    left, top = title.x * width, (margin.t - h) / 2  # plotly centres it in the top margin
    found.append((title.text, left, left + w, top, top + h))
    for note in layout.annotations:
        w, h = text_extent(note.text, note.font.size)
        pad = (note.borderpad if note.borderpad is not None else 1) + (note.borderwidth or 1)
        w, h = w + 2 * pad, h + 2 * pad
        x, y = px(note.x, note.y)
        left = {"left": x, "right": x - w}.get(note.xanchor, x - w / 2)
        top = {"top": y, "bottom": y - h}.get(note.yanchor, y - h / 2)
        found.append((note.text, left, left + w, top, top + h))
    for shape in layout.shapes:
        if shape.xsizemode == "pixel":
            x, y = px(shape.xanchor, shape.yanchor)
            found.append(("node", x + shape.x0, x + shape.x1, y - shape.y1, y - shape.y0))
    return found


def meets(a, b) -> bool:
    return min(a[2], b[2]) > max(a[1], b[1]) and min(a[4], b[4]) > max(a[3], b[3])


@pytest.mark.parametrize("kind", list(GATES))
@pytest.mark.parametrize("scale", [1.0, PROJECTOR_SCALE])
@pytest.mark.parametrize("token", ["incomprehensibilities" * 3, "映画" * 10])
def test_no_text_meets_another_at_the_narrowest_width(kind, scale, token):
    fig = cell_diagram(widest_detail(kind), token)
    fig = fig if scale == 1.0 else for_projector(fig, scale)
    assert fig.layout.title.font.size >= 13 * scale  # a long title is set smaller, within reason
    for width in (diagrams.LAYOUT_MIN_WIDTH, 1600):
        boxes = drawn_boxes(fig, width)
        for _, left, right, top, bottom in boxes:
            assert left >= 0 and right <= width and top >= 0 and bottom <= fig.layout.height, (width, boxes)
        nodes = [box for box in boxes if box[0] in ("node", "×", "+", "1−")]
        for k, a in enumerate(boxes):
            for b in boxes[k + 1 :]:
                if a in nodes and b in nodes:
                    continue  # a node's circle and its own symbol
                assert not meets(a, b), (width, a, b)


def test_step_vectors_has_a_row_per_quantity():
    torch.manual_seed(0)
    state = trace_module(nn.LSTM(3, 4).eval(), torch.randn(5, 3)).states[0]
    fig = step_vectors(state, 4, "<b>good</b>", unit=2)
    heatmap = fig.data[0]
    assert [row.split()[-1] for row in heatmap.y] == ["h", "c", "i", "f", "g", "o"]
    assert len(heatmap.z[0]) == 4
    assert fig.layout.xaxis.title.text == "unit"
    assert "word 5" in fig.layout.title.text and "&lt;b&gt;" in fig.layout.title.text
    (outline,) = fig.layout.shapes
    assert (outline.x0, outline.x1) == (1.5, 2.5)
