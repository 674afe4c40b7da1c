"""Proves the trace figures (rnnviz.plots.trace): titles, axis titles and token labels on every figure,
the prediction chart's flips, [steps, units] drawn as [units, steps], and small figure JSON."""

import json

import numpy as np
import plotly.io as pio
import pytest

from rnnviz.analysis import predictions
from rnnviz.core.trace import trace_sentence
from rnnviz.plots import base as plots
from rnnviz.plots import trace as trace_plots
from tests.conftest import make_classifier
from tests.test_plots import TOKENS, _values


def _json(figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def _check_common(spec: dict, tokens: list[str]) -> None:
    layout = spec["layout"]
    assert layout["title"]["text"]
    assert layout["xaxis"]["title"]["text"] and layout["yaxis"]["title"]["text"]
    assert layout["xaxis"]["ticktext"] == [plots.plotly_text(t, plots.MAX_LABEL_CHARS) for t in tokens]


def test_prediction_chart_marks_the_flip():
    probabilities = np.array(
        [[0.3, 0.7], [0.2, 0.8], [0.4, 0.6], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]]
    )
    figure = trace_plots.prediction_chart(TOKENS, probabilities, ("negative", "positive"))
    spec = _json(figure)
    _check_common(spec, TOKENS)
    assert [trace["name"] for trace in spec["data"]] == ["negative", "positive"]
    assert np.allclose(_values(spec["data"][0]["y"]), probabilities[:, 0])
    assert spec["layout"]["yaxis"]["range"] == [-0.02, 1.02]
    flips = [a for a in spec["layout"]["annotations"] if a["text"].startswith("→")]
    assert [(a["x"], a["text"]) for a in flips] == [(2.5, "→ negative")]
    dashed = [s for s in spec["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash"]
    assert dashed[0]["y0"] == 0.5


def test_heatmap_layout_units_by_steps():
    steps, units = 7, 5
    values = np.arange(steps * units, dtype=np.float32).reshape(steps, units) / 100  # [steps, units]
    order = [3, 0, 4]
    figure = trace_plots.state_heatmap(values, TOKENS, "forget", "lstm", units=order)
    spec = _json(figure)
    _check_common(spec, TOKENS)
    heat = spec["data"][0]
    z = _values(heat["z"])
    assert z.shape == (3, steps)  # [shown units, steps]
    assert np.allclose(z[0], values[:, 3]) and np.allclose(z[1], values[:, 0])
    assert heat["y"] == ["3", "0", "4"]
    assert (heat["zmin"], heat["zmax"]) == (0.0, 1.0)
    assert heat["colorbar"]["title"]["text"] == "f"
    assert (
        "%{x}" in heat["hovertemplate"]
        and "%{y}" in heat["hovertemplate"]
        and "%{z:.3f}" in heat["hovertemplate"]
    )
    assert "text" not in heat and "customdata" not in heat
    assert spec["layout"]["yaxis"]["autorange"] == "reversed"


def test_unit_lines():
    values = np.random.default_rng(0).uniform(-1, 1, (7, 6)).astype(np.float32)
    spec = _json(trace_plots.unit_lines(values, TOKENS, [4, 1], "hidden", "gru"))
    _check_common(spec, TOKENS)
    assert [trace["name"] for trace in spec["data"]] == ["unit 4", "unit 1"]
    assert np.allclose(_values(spec["data"][0]["y"]), values[:, 4])
    assert spec["layout"]["yaxis"]["range"][0] < -1 < 1 < spec["layout"]["yaxis"]["range"][1]
    assert "units 4, 1" in spec["layout"]["title"]["text"]


def test_all_figures_of_a_30_token_update_stay_small():
    classifier = make_classifier(cell="lstm", hidden_size=128, embedding_dim=32)
    words = "the movie was not very good but i do think it is great".split()
    sentence = trace_sentence(classifier, " ".join((words * 3)[:30]))
    state = sentence.trace.state(0)
    figures = [trace_plots.prediction_chart(sentence.tokens, sentence.prefix_probabilities, sentence.labels)]
    figures += [
        trace_plots.state_heatmap(values, sentence.tokens, name, "lstm")
        for name, values in state.quantities().items()
    ]
    figures.append(trace_plots.unit_lines(state.hidden, sentence.tokens, [1, 2, 3], "hidden", "lstm"))
    size = sum(len(pio.to_json(f, validate=False)) for f in figures)
    assert len(figures) == 8 and size < 300_000, size


def test_flips_need_a_clear_margin_and_the_largest_change_is_marked():
    wobble = np.array(
        [[0.49, 0.51], [0.51, 0.49], [0.48, 0.52], [0.55, 0.45], [0.45, 0.55], [0.5, 0.5], [0.5, 0.5]]
    )
    assert predictions.clear_flips(wobble) == []
    spec = _json(trace_plots.prediction_chart(TOKENS, wobble, ("negative", "positive")))
    assert not [a for a in spec["layout"]["annotations"] if a["text"].startswith("→")]
    # 0.3 -> 0.45 (no) -> 0.65 (a clear flip to negative at word 3) -> 0.35 -> 0.62 (again at word 5)
    p_negative = np.array([0.3, 0.45, 0.65, 0.35, 0.62, 0.59, 0.2])
    clear = np.stack([p_negative, 1 - p_negative], axis=1)
    assert predictions.clear_flips(clear) == [(2, 0), (3, 1), (4, 0), (6, 1)]
    assert trace_plots.largest_change(clear) == (6, 1)  # positive rises by 0.39 at the last word
    spec = _json(trace_plots.prediction_chart(TOKENS, clear, ("negative", "positive")))
    largest = [a for a in spec["layout"]["annotations"] if a["text"] == "largest change"]
    assert len(largest) == 1 and largest[0]["x"] == "7: the" and largest[0]["y"] == pytest.approx(0.8)
    assert [a["x"] for a in spec["layout"]["annotations"] if a["text"].startswith("→")] == [1.5, 3.5, 5.5]
    # a calm start: undecided (55/45) until word 3 makes it clearly negative, and that is a flip
    calm = np.array([[0.45, 0.55], [0.45, 0.55], [0.44, 0.56], [1.0, 0.0]])
    assert predictions.clear_flips(calm) == [(3, 0)]
    assert predictions.clear_flips(calm[:1]) == [] and predictions.clear_flips(calm[[3, 3]]) == []
    assert trace_plots.largest_change(clear[:1]) is None
    assert trace_plots.largest_change(np.full((3, 2), 0.5)) is None


def test_word_labels_stay_flat_up_to_twelve_words_and_rows_are_readable():
    assert plots.time_axis(["w"] * 12, 40)["tickangle"] == 0
    long = plots.time_axis([f"w{i}" for i in range(30)], 40)
    assert long["tickangle"] == -45 and long["automargin"] is True
    values = np.zeros((5, 64), dtype=np.float32)
    for rows in (3, 16, 64):
        figure = trace_plots.state_heatmap(values, TOKENS[:5], "hidden", "lstm", units=range(rows))
        plot_height = figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
        assert plot_height / rows >= 16 or figure.layout.height == 300


@pytest.mark.parametrize("words", [5, 12, 13, 30, 200])
@pytest.mark.parametrize("teacher", [False, True])
def test_every_word_of_a_heatmap_is_labelled_and_no_two_labels_touch(words, teacher):
    """Flat labels up to 12 words, vertical beyond; either way each word's column (the figure is
    laid out in pixels) is wider than its label is wide, or tall when it stands vertical."""
    tokens = [["wonderful", "i", "performances", "not", "開始しました"][i % 5] for i in range(words)]
    figure = trace_plots.state_heatmap(np.zeros((words, 20), np.float32), tokens, "hidden", "lstm")
    if teacher:
        figure = plots.for_projector(figure)
    layout = figure.layout
    axis = layout.xaxis
    assert list(axis.tickvals) == plots.token_positions(tokens)  # every word, not every k-th
    assert axis.tickangle == (0 if words <= plots.FLAT_LABELS else -90)
    column = (layout.width - layout.margin.l - layout.margin.r) / words  # px per word
    size = axis.tickfont.size
    if words <= plots.FLAT_LABELS:
        assert column > max(plots.label_px(plots.plotly_text(t, plots.MAX_LABEL_CHARS), size) for t in tokens)
    else:
        assert column >= 1.3 * size  # a vertical label is one line tall
    plot_height = layout.height - layout.margin.t - layout.margin.b
    assert plot_height / 20 >= 16  # rows stay readable under the labels' room


def _font_sizes(node) -> list[float]:
    sizes = []
    if isinstance(node, dict):
        for name, value in node.items():
            if (
                name.endswith("font")
                and isinstance(value, dict)
                and isinstance(value.get("size"), int | float)
            ):
                sizes.append(value["size"])
            sizes += _font_sizes(value)
    elif isinstance(node, list):
        for item in node:
            sizes += _font_sizes(item)
    return sizes


def test_teacher_mode_chart_text_is_at_least_16_px():
    long = [f"w{i}" for i in range(50)]
    p = np.linspace(0.1, 0.9, 50)
    figures = [
        trace_plots.prediction_chart(long, np.stack([p, 1 - p], axis=1), ("negative", "positive")),
        trace_plots.state_heatmap(
            np.zeros((50, 20), dtype=np.float32), long, "hidden", "lstm", units=range(16)
        ),
        trace_plots.unit_lines(np.zeros((7, 4), dtype=np.float32), TOKENS, [0, 1], "hidden", "lstm"),
    ]
    for figure in figures:
        sizes = _font_sizes(_json(plots.for_projector(figure)))
        assert sizes and min(sizes) >= 16, sizes


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_relu"])
@pytest.mark.parametrize("text", ["the movie was not good", "<b>a</b> & \u05d0 " * 12 + "end"])
def test_the_unvalidated_figures_are_exactly_what_plotly_would_validate(cell, text):
    """The three figures Explore redraws at each keystroke skip plotly's validation (~10 ms each):
    their JSON must be the one a validating Figure gives, so nothing reaches the browser unchecked."""
    import plotly.graph_objects as go

    sentence = trace_sentence(make_classifier(cell=cell, bidirectional=True), text)
    state = sentence.trace.state(0, "backward")
    figures = [trace_plots.prediction_chart(sentence.tokens, sentence.prefix_probabilities, sentence.labels)]
    for name, values in state.quantities().items():
        figures.append(
            trace_plots.state_heatmap(values, sentence.tokens, name, sentence.trace.cell_type, [3, 1])
        )
        figures.append(
            trace_plots.unit_lines(values, sentence.tokens, [0, 2], name, sentence.trace.cell_type)
        )
    for figure in figures:
        assert _json(go.Figure(figure.to_plotly_json())) == _json(figure)  # validating raises on a bad spec
