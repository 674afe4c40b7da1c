"""Proves the cell diagrams carry the unit's real numbers for every cell type, count layers and
words from 1, name the previous state t+1 when reading backwards, and show the token label
literally (escaped); and that the step-vector strip covers every quantity and outlines the unit."""

import pytest
import torch
from torch import nn

from rnnviz.core.trace import step_detail, trace_module
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
