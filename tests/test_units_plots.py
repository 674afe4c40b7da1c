"""Proves the Units page's figures: the before/after lines carry the probabilities given and shade
the changed words, the AUC bars carry each unit's oriented AUC and interval, and the threshold
chart draws the Youden threshold; every chart has a title and axis titles."""

import numpy as np

from rnnviz.analysis import hypotheses as hy
from rnnviz.plots import units as unit_plots
from rnnviz.plots.colours import SERIES_COLOURS


def _match(unit, auc, higher=True):
    return hy.UnitMatch(0, "forward", "hidden", unit, auc, higher, 0.7, 0.95, 0.25, 0.6)


def test_before_after_chart():
    before = np.array([[0.4, 0.6], [0.2, 0.8], [0.9, 0.1]], np.float32)
    after = np.array([[0.4, 0.6], [0.7, 0.3], [0.1, 0.9]], np.float32)
    figure = unit_plots.before_after_chart(
        ["it", "was", "<b>"], before, after, ("negative", "positive"), (1, 2)
    )
    changed, untouched = figure.data
    assert (changed.name, untouched.name) == ("changed", "untouched")
    assert np.allclose(changed.y, [0.6, 0.3, 0.9]) and np.allclose(untouched.y, [0.6, 0.8, 0.1])
    assert untouched.line.dash == "dash" and changed.line.color in SERIES_COLOURS
    band = figure.layout.shapes[1]
    assert (band.x0, band.x1) == (0.5, 2.5)
    assert figure.layout.xaxis.title.text == "word" and figure.layout.yaxis.title.text == "P(positive)"
    assert "<b>" not in str(figure.layout.xaxis.ticktext)  # token labels are escaped


def test_auc_and_threshold_charts():
    matches = [_match(3, 0.9), _match(5, 0.2, higher=False)]
    figure = unit_plots.auc_chart(matches, layers=2, bidirectional=True)
    (bars,) = figure.data
    assert np.allclose(bars.x, [0.9, 0.8])
    assert bars.y[0] == "1. layer 1 h unit 3 →"
    assert np.all(np.asarray(bars.error_x.array) >= 0) and np.all(np.asarray(bars.error_x.arrayminus) >= 0)
    assert figure.layout.xaxis.title.text.startswith("ROC-AUC")
    values = np.array([0.1, 0.2, 0.3, 0.8, 0.9], np.float32)
    mask = np.array([False, False, False, True, True])
    chart = unit_plots.threshold_chart(values, mask, matches[0], "Best: h unit 3")
    assert chart.layout.shapes[0].x0 == matches[0].threshold == chart.layout.shapes[0].x1
    assert [d.name for d in chart.data] == ["hypothesis holds", "other words"]
    assert np.allclose(chart.data[0].x, [0.8, 0.9])
    assert chart.layout.title.text == "Best: h unit 3"
