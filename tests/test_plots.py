"""Proves what every chart shares (rnnviz.plots.base): positions that keep repeated tokens apart and
escape user text, fixed colour ranges per quantity, colours on a range, and larger copies for a
projector."""

import numpy as np
import pytest

from rnnviz.lessons import glossary
from rnnviz.plots import base as plots
from rnnviz.plots import colours
from rnnviz.plots import trace as trace_plots

TOKENS = ["the", "movie", "was", "not", "good", "<b>x</b>", "the"]


def _values(spec_array):
    """A plotly JSON array, plain or base64 typed ({'dtype', 'bdata', 'shape'})."""
    if isinstance(spec_array, dict):
        import base64

        data = np.frombuffer(base64.b64decode(spec_array["bdata"]), dtype=spec_array["dtype"])
        shape = [int(n) for n in str(spec_array.get("shape", len(data))).split(",")]
        return data.reshape(shape)
    return np.asarray(spec_array)


def test_token_positions_keep_repeats_apart_and_escape():
    positions = plots.token_positions(TOKENS)
    assert len(set(positions)) == len(TOKENS)
    assert positions[0] == "1: the" and positions[6] == "7: the"
    assert positions[5] == "6: &lt;b&gt;x&lt;/b&gt;"
    assert plots.plotly_text("a&b") == "a&amp;b"
    assert plots.plotly_text("x" * 30, 16) == "x" * 15 + "…"


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
    assert (scale.zmin, scale.zmax) == (-0.3, 0.3) and scale.colorscale is colours.DIVERGING
    assert (plots.diverging_range(np.array([np.nan])).zmax, plots.diverging_range(None, floor=2).zmax) == (
        0.1,
        2,
    )


def test_colour_of():
    scale = plots.colour_range("forget", "lstm")
    assert plots.colour_of(0.0, scale) == "rgb(247, 247, 247)"  # gates: white -> black, never a class hue
    assert plots.colour_of(5.0, scale) == plots.colour_of(1.0, scale)  # clipped
    assert plots.colour_of(float("nan"), scale) == plots.colour_of(0.5, scale)


def test_every_quantity_has_words():
    for quantity in ("hidden", "cell_state", "input", "forget", "cell", "output", "reset", "update", "new"):
        assert glossary.caption(quantity, "lstm") and glossary.title(quantity)
    assert "plain RNN" in glossary.caption("hidden", "rnn_tanh")


def test_for_projector_scales_every_font_and_the_height_of_a_copy():
    figure = trace_plots.prediction_chart(
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
