"""Proves the charts: titles, axis titles and token labels on every figure, fixed colour ranges per
quantity, [steps, units] drawn as [units, steps], escaped user text, and small figure JSON."""

import json

import numpy as np
import plotly.io as pio
import pytest

from rnnviz.core.trace import trace_sentence
from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from tests.conftest import make_classifier

TOKENS = ["the", "movie", "was", "not", "good", "<b>x</b>", "the"]


def _json(figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def _values(spec_array):
    """A plotly JSON array, plain or base64 typed ({'dtype', 'bdata', 'shape'})."""
    if isinstance(spec_array, dict):
        import base64

        data = np.frombuffer(base64.b64decode(spec_array["bdata"]), dtype=spec_array["dtype"])
        shape = [int(n) for n in str(spec_array.get("shape", len(data))).split(",")]
        return data.reshape(shape)
    return np.asarray(spec_array)


def _check_common(spec: dict, tokens: list[str]) -> None:
    layout = spec["layout"]
    assert layout["title"]["text"]
    assert layout["xaxis"]["title"]["text"] and layout["yaxis"]["title"]["text"]
    assert layout["xaxis"]["ticktext"] == [plots.plotly_text(t, plots.MAX_LABEL_CHARS) for t in tokens]


def test_token_positions_keep_repeats_apart_and_escape():
    positions = plots.token_positions(TOKENS)
    assert len(set(positions)) == len(TOKENS)
    assert positions[0] == "1: the" and positions[6] == "7: the"
    assert positions[5] == "6: &lt;b&gt;x&lt;/b&gt;"
    assert plots.plotly_text("a&b") == "a&amp;b"
    assert plots.plotly_text("x" * 30, 16) == "x" * 15 + "…"


def test_prediction_chart_marks_the_flip():
    probabilities = np.array(
        [[0.3, 0.7], [0.2, 0.8], [0.4, 0.6], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]]
    )
    figure = plots.prediction_chart(TOKENS, probabilities, ("negative", "positive"))
    spec = _json(figure)
    _check_common(spec, TOKENS)
    assert [trace["name"] for trace in spec["data"]] == ["negative", "positive"]
    assert np.allclose(_values(spec["data"][0]["y"]), probabilities[:, 0])
    assert spec["layout"]["yaxis"]["range"] == [-0.02, 1.02]
    flips = [a for a in spec["layout"]["annotations"] if a["text"].startswith("→")]
    assert [(a["x"], a["text"]) for a in flips] == [(2.5, "→ negative")]
    dashed = [s for s in spec["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash"]
    assert dashed[0]["y0"] == 0.5


@pytest.mark.parametrize(
    ("quantity", "cell_type", "expected"),
    [
        ("forget", "lstm", (0.0, 1.0)),
        ("update", "gru", (0.0, 1.0)),
        ("hidden", "lstm", (-1.0, 1.0)),
        ("cell", "lstm", (-1.0, 1.0)),
        ("new", "gru", (-1.0, 1.0)),
        ("hidden", "rnn_relu", (0.0, 2.5)),
        ("cell_state", "lstm", (-2.5, 2.5)),
    ],
)
def test_colour_ranges_are_fixed_per_quantity(quantity, cell_type, expected):
    values = np.array([[0.1, -2.43], [2.41, 0.0]])
    scale = plots.colour_range(quantity, cell_type, values)
    assert (scale.zmin, scale.zmax) == expected
    assert len(scale.tickvals) == len(scale.ticktext)


def test_cell_state_range_never_below_one():
    scale = plots.colour_range("cell_state", "lstm", np.array([[0.2, -0.1]]))
    assert (scale.zmin, scale.zmax) == (-1.0, 1.0)


def test_diverging_range_for_signed_scores():
    scale = plots.diverging_range(np.array([0.03, -0.26, np.inf, np.nan]))
    assert (scale.zmin, scale.zmax) == (-0.3, 0.3) and scale.colorscale is plots.DIVERGING
    assert (plots.diverging_range(np.array([np.nan])).zmax, plots.diverging_range(None, floor=2).zmax) == (
        0.1,
        2,
    )


def test_heatmap_layout_units_by_steps():
    steps, units = 7, 5
    values = np.arange(steps * units, dtype=np.float32).reshape(steps, units) / 100  # [steps, units]
    order = [3, 0, 4]
    figure = plots.state_heatmap(values, TOKENS, "forget", "lstm", units=order)
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
    spec = _json(plots.unit_lines(values, TOKENS, [4, 1], "hidden", "gru"))
    _check_common(spec, TOKENS)
    assert [trace["name"] for trace in spec["data"]] == ["unit 4", "unit 1"]
    assert np.allclose(_values(spec["data"][0]["y"]), values[:, 4])
    assert spec["layout"]["yaxis"]["range"][0] < -1 < 1 < spec["layout"]["yaxis"]["range"][1]
    assert "units 4, 1" in spec["layout"]["title"]["text"]


def test_colour_of():
    scale = plots.colour_range("forget", "lstm")
    assert plots.colour_of(0.0, scale) == "rgb(247, 251, 255)"
    assert plots.colour_of(5.0, scale) == plots.colour_of(1.0, scale)  # clipped
    assert plots.colour_of(float("nan"), scale) == plots.colour_of(0.5, scale)


def test_all_figures_of_a_30_token_update_stay_small():
    classifier = make_classifier(cell="lstm", hidden_size=128, embedding_dim=32)
    words = "the movie was not very good but i do think it is great".split()
    sentence = trace_sentence(classifier, " ".join((words * 3)[:30]))
    state = sentence.trace.state(0)
    figures = [plots.prediction_chart(sentence.tokens, sentence.prefix_probabilities, sentence.labels)]
    figures += [
        plots.state_heatmap(values, sentence.tokens, name, "lstm")
        for name, values in state.quantities().items()
    ]
    figures.append(plots.unit_lines(state.hidden, sentence.tokens, [1, 2, 3], "hidden", "lstm"))
    size = sum(len(pio.to_json(f, validate=False)) for f in figures)
    assert len(figures) == 8 and size < 300_000, size


def test_every_quantity_has_words():
    for quantity in ("hidden", "cell_state", "input", "forget", "cell", "output", "reset", "update", "new"):
        assert glossary.caption(quantity, "lstm") and glossary.title(quantity)
    assert "plain RNN" in glossary.caption("hidden", "rnn_tanh")


def test_for_projector_scales_every_font_and_the_height_of_a_copy():
    figure = plots.prediction_chart(
        ["not", "good"], np.array([[0.7, 0.3], [0.6, 0.4]]), ("negative", "positive")
    )
    large = plots.for_projector(figure, scale=2.0)
    assert large.layout.height == 2 * figure.layout.height
    assert large.layout.title.font.size == 2 * figure.layout.title.font.size
    assert large.layout.xaxis.tickfont.size == 2 * figure.layout.xaxis.tickfont.size
    assert [a.font.size for a in large.layout.annotations] == [
        2 * a.font.size for a in figure.layout.annotations
    ]
    assert figure.layout.height == 380  # the original is left alone
