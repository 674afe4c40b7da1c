"""Proves the Why-gates figures show what they claim: one gradient line per model that has the
chosen gradient (bidirectional models only for embeddings), scaled to 1 at the last word, on a
log axis running from the first word to the last with escaped tokens; the long-range chart has a
line per finished cell and the chance line; the sentences quote the measured numbers."""

import numpy as np
import pytest

from rnnviz.analysis.gradients import GradientFlow
from rnnviz.plots.gates import (
    gradient_chart,
    gradient_summary,
    long_range_chart,
    long_range_details,
    ratio_text,
)
from rnnviz.training.experiment import CellResult, LongRangeConfig, LongRangeResult

TOKENS = ["<b>great</b>", "then", "we", "went", "home"]


def flow(hidden: bool = True) -> GradientFlow:
    embedding = np.array([1e-6, 1e-4, 1e-3, 0.1, 1.0], dtype=np.float32)
    return GradientFlow(
        tokens=TOKENS,
        target="positive",
        probability=0.9,
        embedding_norm=embedding * 2,
        hidden_norm=embedding * 4 if hidden else None,
    )


def test_gradient_chart_lines_axes_and_labels():
    flows = {"plain RNN": ("rnn_tanh", flow()), "GRU": ("gru", flow(hidden=False)), "LSTM": ("lstm", flow())}
    figure = gradient_chart(flows, "hidden", scaled=True)
    assert [trace.name for trace in figure.data] == ["plain RNN", "LSTM"]  # the GRU has no h gradient
    for trace in figure.data:
        assert list(trace.x) == [4, 3, 2, 1, 0]
        assert trace.y[-1] == pytest.approx(1.0) and trace.y[0] == pytest.approx(1e-6)
    layout = figure.layout
    assert layout.yaxis.type == "log" and layout.xaxis.autorange == "reversed"
    assert layout.title.text and layout.xaxis.title.text and "÷ value at the end" in layout.yaxis.title.text
    assert "&lt;b&gt;great&lt;/b&gt;" in " ".join(layout.xaxis.ticktext)
    assert "<b>" not in " ".join(layout.xaxis.ticktext)

    figure = gradient_chart(flows, "embedding", scaled=False)
    assert [trace.name for trace in figure.data] == ["plain RNN", "GRU", "LSTM"]
    assert figure.data[0].y[-1] == pytest.approx(2.0)
    assert "xₜ" in figure.layout.yaxis.title.text


def test_a_narrow_gradient_chart_labels_fewer_words():
    flows = {"LSTM": ("lstm", flow())}
    assert list(gradient_chart(flows, "hidden").layout.xaxis.tickvals) == [0, 1, 2, 3, 4]
    assert list(gradient_chart(flows, "hidden", max_ticks=2).layout.xaxis.tickvals) == [0, 3]


def test_gradient_summaries_quote_the_ratio():
    assert gradient_summary("LSTM", flow(), "hidden") == (
        "LSTM: at the first word, 4 words before the end, the gradient is 1.0 × 10⁻⁶ "
        "of its size at the last word."
    )
    assert "bidirectional" in gradient_summary("GRU", flow(hidden=False), "hidden")
    assert ratio_text(0.42) == "0.42" and ratio_text(3.1e-5) == "3.1 × 10⁻⁵" and ratio_text(0.0) == "0"
    assert ratio_text(9.96e-7) == "1.0 × 10⁻⁶" and ratio_text(2.5e4) == "2.5 × 10⁴"


def test_long_range_chart_and_details():
    config = LongRangeConfig(max_filler=10, points=3)
    cells = (
        CellResult("rnn_tanh", {0: 1.0, 5: 0.6, 10: 0.5}, 3, 0.7, 2.0),
        CellResult("lstm", {0: 1.0, 5: 1.0, 10: 0.98}, 8, 0.99, 3.0),
    )
    figure = long_range_chart(config, cells)
    assert [trace.name for trace in figure.data] == ["plain RNN", "LSTM"]
    assert list(figure.data[1].y) == [1.0, 1.0, 0.98] and list(figure.data[0].x) == [0, 5, 10]
    assert figure.layout.shapes[0].y0 == 0.5 and "chance" in figure.layout.annotations[0].text
    assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text and figure.layout.title.text
    result = LongRangeResult(config, cells, 5.0)
    assert result.summary().startswith("After 10 filler words the plain RNN scored 0.50 and the LSTM 0.98")
    assert "800 training sentences with 0–10 filler words, 8 epochs" in long_range_details(result)
