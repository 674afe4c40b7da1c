"""Proves the negation lab's charts: aligned columns with the inserted “not” as its own labelled column,
A/B on one fixed colour scale and B − A centred on 0, units ranked and drawn as asked, user text
escaped, saturation panels per layer and gate, titles and axis titles on every figure, small JSON."""

import json

import numpy as np
import plotly.io as pio
import pytest

from rnnviz.analysis.attribution import gate_saturation
from rnnviz.analysis.compare import compare, trace_pair
from rnnviz.analysis.negation_units import negation_unit_scores
from rnnviz.data.pairs import builtin_pairs
from rnnviz.plots import base as plots
from rnnviz.plots import pair as lab_plots
from tests.conftest import make_classifier
from tests.test_plots import _values


def _json(figure) -> dict:
    return json.loads(pio.to_json(figure, validate=False))


def _titled(spec: dict) -> None:
    layout = spec["layout"]
    assert layout["title"]["text"]
    axes = [name for name in layout if name.startswith(("xaxis", "yaxis"))]
    assert "xaxis" in axes and "yaxis" in axes
    for name in axes:
        assert layout[name]["title"]["text"], name


@pytest.fixture(scope="module")
def lstm():
    return make_classifier(cell="lstm", hidden_size=6)


@pytest.fixture(scope="module")
def comparison(lstm):
    return compare(*trace_pair(lstm, "the movie was good", "the movie was not good"))


def test_column_axis_shows_the_insertion(comparison):
    assert lab_plots.changed_columns(comparison) == [3]
    axis = lab_plots.column_axis(comparison)
    assert axis["ticktext"] == ["the", "movie", "was", "— / not", "good"]
    assert axis["categoryarray"][3] == "4: — / not" and axis["range"] == [-0.5, 4.5]
    assert lab_plots.column_axis(comparison, "a")["ticktext"][3] == "—"
    assert lab_plots.column_axis(comparison, "b")["ticktext"][3] == "not"


def test_prediction_chart_overlays_both_sentences(comparison):
    spec = _json(lab_plots.pair_prediction_chart(comparison, target=1))
    _titled(spec)
    assert spec["layout"]["title"]["text"] == "Prediction after each word: P(positive) for A and B"
    a, b = spec["data"]
    assert a["name"] == "A: the movie was good" and b["name"] == "B: the movie was not good"
    assert b["line"]["dash"] == "dash" and a["connectgaps"]  # A runs on over the "not" it lacks
    y_a, y_b = _values(a["y"]), _values(b["y"])
    assert np.isnan(y_a[3]) and not np.isnan(y_b).any()  # A has no word in the "not" column
    assert np.allclose(y_b, comparison.prefix_b[:, 1])
    assert spec["layout"]["xaxis"]["ticktext"][3] == "— / not"
    bands = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    assert [(s["x0"], s["x1"]) for s in bands] == [(2.5, 3.5)]


def test_heatmaps_share_a_scale_and_centre_the_difference(comparison):
    units = [4, 0, 2]
    spec = _json(lab_plots.pair_heatmaps(comparison, "forget", "lstm", units))
    _titled(spec)
    layout = spec["layout"]
    a, b, difference = spec["data"]
    assert (a["coloraxis"], b["coloraxis"], difference["coloraxis"]) == (
        "coloraxis",
        "coloraxis",
        "coloraxis2",
    )
    assert (layout["coloraxis"]["cmin"], layout["coloraxis"]["cmax"]) == (0.0, 1.0)  # a gate: 0..1
    assert layout["coloraxis2"]["cmin"] == -layout["coloraxis2"]["cmax"]
    forget = comparison.quantities["forget"]
    z_a, z_d = _values(a["z"]), _values(difference["z"])
    assert z_a.shape == (3, 5) and np.allclose(z_a[0, :3], forget.a[4, :3]) and np.isnan(z_a[:, 3]).all()
    assert np.allclose(z_d[:, 4], forget.difference[units, 4])
    assert a["y"] == ["4", "0", "2"]
    assert layout["xaxis"]["ticktext"][3] == "—" and layout["xaxis2"]["ticktext"][3] == "not"
    assert layout["xaxis3"]["ticktext"][3] == "— / not"
    grey = [s for s in layout["shapes"] if s.get("fillcolor") == lab_plots.GAP_GREY]  # shows through NaN
    assert [(s["xref"], s["x0"], s["x1"], s["layer"]) for s in grey] == [
        (x, -0.5, 4.5, "below") for x in ("x", "x2", "x3")
    ]
    domains = [layout[f"yaxis{k}"]["domain"] for k in ("", "2", "3")]
    assert all(0 <= low < high <= 1 for low, high in domains)
    assert domains[0][0] > domains[1][1] > domains[1][0] > domains[2][1]  # A above B above B − A


def test_neighbouring_changed_columns_share_one_band(lstm):
    result = compare(*trace_pair(lstm, "i think it is good", "i do not think it is not good"))
    assert lab_plots.changed_columns(result) == [1, 2, 6]  # i (do not) think it is (not) good
    spec = _json(lab_plots.divergence_chart(result))
    assert [(s["x0"], s["x1"]) for s in spec["layout"]["shapes"]] == [(0.5, 2.5), (5.5, 6.5)]


def test_heatmaps_default_to_the_units_that_differ_most(comparison):
    spec = _json(lab_plots.pair_heatmaps(comparison, "hidden", "lstm"))
    assert spec["data"][0]["y"] == [str(u) for u in comparison.quantities["hidden"].ranked_units]


def test_divergence_chart_has_a_line_per_quantity(comparison):
    spec = _json(lab_plots.divergence_chart(comparison))
    _titled(spec)
    names = [trace["name"] for trace in spec["data"]]
    assert names[:4] == ["Hidden state h", "Cell state c", "Input gate i", "Forget gate f"]
    assert names[4:] == ["Candidate (cell gate) g", "Output gate o"]
    hidden = _values(spec["data"][0]["y"])
    assert hidden[0] == 0 and np.isnan(hidden[3])  # same first word; nothing to compare at "not"
    assert np.isclose(hidden[4], np.abs(comparison.quantities["hidden"].difference[:, 4]).mean())


def test_unit_lines_draw_both_sentences_per_unit(comparison):
    spec = _json(lab_plots.pair_unit_lines(comparison, "hidden", "lstm", [2, 5]))
    _titled(spec)
    assert [t["name"] for t in spec["data"]] == ["unit 2 · A", "unit 2 · B", "unit 5 · A", "unit 5 · B"]
    assert spec["data"][0]["line"]["color"] == spec["data"][1]["line"]["color"]
    assert np.allclose(_values(spec["data"][1]["y"]), comparison.quantities["hidden"].b[2])
    assert spec["layout"]["title"]["text"] == "Hidden state h of units 2, 5: A solid, B dashed"
    assert spec["layout"]["yaxis"]["range"][0] < -1


def test_user_text_is_escaped():
    classifier = make_classifier(cell="gru", hidden_size=4)
    result = compare(*trace_pair(classifier, "<b>good</b> & fine", "<b>not</b> good"))
    for figure in (
        lab_plots.pair_prediction_chart(result, 0),
        lab_plots.pair_heatmaps(result, "update", "gru"),
        lab_plots.pair_unit_lines(result, "new", "gru", [0]),
    ):
        spec = _json(figure)
        text = json.dumps(spec["layout"]) + json.dumps([trace.get("name") for trace in spec["data"]])
        assert '"&lt;"' in text and '"<"' not in text and "& fine" not in text


def test_unit_score_chart(lstm):
    scores = negation_unit_scores(lstm, builtin_pairs()[:12], quantity="hidden")
    spec = _json(lab_plots.unit_score_chart(scores, top=4))
    _titled(spec)
    (bars,) = spec["data"]
    ranked = [int(u) for u in scores.ranked_units[:4]]
    assert bars["x"] == [f"unit {u}" for u in ranked]
    assert np.allclose(_values(bars["y"]), scores.score[ranked])
    colours = bars["marker"]["color"]
    assert all(
        (c == lab_plots.POSITIVE) == (s >= 0) for c, s in zip(colours, scores.score[ranked], strict=True)
    )
    assert "12 pairs" in spec["layout"]["title"]["text"]


def test_saturation_chart_panels_per_layer_and_gate():
    classifier = make_classifier(cell="gru", hidden_size=5, num_layers=2, bidirectional=True)
    result = gate_saturation(classifier, ["the movie was not good", "i do think it is great"])
    spec = _json(lab_plots.saturation_chart(result, "backward"))
    _titled(spec)
    assert len(spec["data"]) == 4  # 2 layers × (reset, update), backward only
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == [f"<b>{g} · layer {n}</b>" for n in (1, 2) for g in ("Reset gate r", "Update gate z")]
    first = result.gates[[g.direction for g in result.gates].index("backward")]
    assert np.allclose(_values(spec["data"][0]["x"]), first.left)
    assert np.allclose(_values(spec["data"][0]["y"]), first.right)
    assert spec["layout"]["xaxis"]["range"] == [-0.03, 1.03]
    assert "backward" in spec["layout"]["title"]["text"]


def test_a_30_token_pair_stays_small():
    classifier = make_classifier(cell="lstm", hidden_size=128, embedding_dim=32)
    words = "the movie was very good and i do think it is great".split()
    text_a = " ".join((words * 3)[:30])
    text_b = " ".join([*words[:3], "not", *(words * 3)[3:29]])
    result = compare(*trace_pair(classifier, text_a, text_b))
    figures = [
        lab_plots.pair_prediction_chart(result, 1),
        lab_plots.divergence_chart(result),
        lab_plots.pair_heatmaps(result, "hidden", "lstm", result.quantities["hidden"].top(16)),
        lab_plots.pair_unit_lines(result, "hidden", "lstm", result.quantities["hidden"].top(3)),
    ]
    size = sum(len(pio.to_json(f, validate=False)) for f in figures)
    assert size < 100_000, size


@pytest.mark.parametrize("words", [4, 30])
def test_pair_heatmaps_label_every_column_with_room_between_the_panels(lstm, words):
    """Every aligned column is labelled under all three panels: flat up to 12 columns (each as
    wide as its widest label), upright beyond; the panels stand far enough apart for the labels."""
    a = " ".join(["good", "wonderful", "the", "performances"][i % 4] for i in range(words))
    result = compare(*trace_pair(lstm, a, "not " + a))
    figure = plots.for_projector(lab_plots.pair_heatmaps(result, "hidden", "lstm"))
    layout = figure.layout
    columns = len(result.column_labels)
    column_px = (layout.width - layout.margin.l - layout.margin.r) / columns
    depth = 0
    for name in ("xaxis", "xaxis2", "xaxis3"):
        axis = layout[name]
        assert len(axis.tickvals) == columns  # every column, not every k-th
        size = axis.tickfont.size
        if columns <= plots.FLAT_LABELS:
            assert axis.tickangle == 0
            assert column_px > max(plots.label_px(text, size) for text in axis.ticktext)
            depth = max(depth, 1.5 * size)
        else:
            assert axis.tickangle == -90 and column_px >= 1.3 * size
            depth = max(depth, max(plots.label_px(text, size) for text in axis.ticktext))
    plot_height = layout.height - layout.margin.t - layout.margin.b
    gap_px = (layout.yaxis.domain[0] - layout.yaxis2.domain[1]) * plot_height
    assert gap_px >= depth + 40  # the labels, then the axis title and the next panel's title
