"""Proves the cell diagrams carry the unit's real numbers for every cell type and show the
token label literally (escaped), and that the step-vector strip covers every quantity."""

import pytest
import torch
from torch import nn

from rnnviz.diagrams import cell_diagram, step_vectors
from rnnviz.trace import step_detail, trace_module

MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN}


def texts(fig) -> str:
    return " ".join(a.text for a in fig.layout.annotations) + " " + fig.layout.title.text


@pytest.mark.parametrize("kind", list(MODULES))
def test_cell_diagram_shows_the_numbers(kind):
    torch.manual_seed(0)
    module = MODULES[kind](3, 4).eval()
    state = trace_module(module, torch.randn(5, 3)).states[0]
    detail = step_detail(module, state, 2, 1)
    fig = cell_diagram(detail, "<script>x</script>")
    shown = texts(fig)
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    assert f"{detail.hidden:+.3f}" in shown
    for gate in detail.gates:
        assert f"{gate.value:.3f}" in shown
    if detail.cell is not None:
        assert f"{detail.cell:+.3f}" in shown and f"{detail.previous_cell:+.3f}" in shown


def test_step_vectors_has_a_row_per_quantity():
    torch.manual_seed(0)
    state = trace_module(nn.LSTM(3, 4).eval(), torch.randn(5, 3)).states[0]
    fig = step_vectors(state, 4, "good")
    heatmap = fig.data[0]
    assert list(heatmap.y) == ["hidden", "cell_state", "input", "forget", "cell", "output"]
    assert len(heatmap.z[0]) == 4
    assert fig.layout.xaxis.title.text == "unit"
