"""Proves the Train page's figures: every one has a title and axis titles, draws the numbers it is
given (curves in epochs, thinned and smoothed as documented; probe rows per epoch; confusion counts
and shares), overlays one colour per run in a race, and shows user text as text."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.plots import training as train_plots
from rnnviz.training.history import Curves


def make_curves(name: str = "LSTM", steps: int = 40, epochs: int = 4, labels: int = 2) -> Curves:
    per_epoch = steps // epochs
    checks = np.arange(epochs + 1, dtype=np.float32)
    return Curves(
        name=name,
        epochs=epochs,
        step_x=np.arange(1, steps + 1, dtype=np.float32) / per_epoch,
        batch_loss=np.linspace(0.7, 0.1, steps, dtype=np.float32),
        val_x=checks,
        val_loss=np.linspace(0.7, 0.2, epochs + 1, dtype=np.float32),
        val_accuracy=np.linspace(0.5, 0.9, epochs + 1, dtype=np.float32),
        train_x=checks,
        train_accuracy=np.linspace(0.5, 0.95, epochs + 1, dtype=np.float32),
        chance=1 / labels,
    )


def titled(figure) -> dict:
    layout = figure.layout
    assert layout.title.text
    assert layout.xaxis.title.text and layout.yaxis.title.text
    return layout


def test_smooth_is_a_debiased_moving_average():
    np.testing.assert_allclose(train_plots.smooth(np.full(5, 3.0)), np.full(5, 3.0), rtol=1e-6)
    values = np.array([1.0, 0.0, 0.0])
    expected = [1.0, 0.9 / 1.9, 0.81 / 2.71]  # sum(w^k x) / sum(w^k), w = 0.9
    np.testing.assert_allclose(train_plots.smooth(values), expected, rtol=1e-6)


def test_loss_curves_in_epochs_thinned_to_a_few_hundred_points():
    figure = train_plots.loss_curves([make_curves(steps=6000, epochs=20)])
    layout = titled(figure)
    train, val = figure.data
    assert train.name == "training (smoothed)" and val.name == "validation"
    assert len(train.x) <= train_plots.MAX_POINTS + 1 and train.x[-1] == pytest.approx(20.0)
    assert list(val.x) == list(range(21)) and val.line.dash == "dash"
    assert layout.xaxis.title.text == "epoch (passes over the training data)"
    assert layout.xaxis.range[1] == pytest.approx(20.4)


def test_accuracy_curves_mark_chance():
    figure = train_plots.accuracy_curves([make_curves(labels=4)])
    layout = titled(figure)
    assert [trace.name for trace in figure.data] == ["training", "validation"]
    assert layout.shapes[0].y0 == 0.25 and layout.annotations[0].text == "guessing"
    assert list(layout.yaxis.range) == [0, 1.02]


def test_a_race_gives_each_run_its_colour():
    runs = [make_curves(name) for name in ("RNN (tanh)", "GRU", "LSTM")]
    for figure in (train_plots.loss_curves(runs), train_plots.accuracy_curves(runs)):
        names = [trace.name for trace in figure.data]
        assert names[0].startswith("RNN (tanh) training") and names[1] == "RNN (tanh) validation"
        colours = [trace.line.color for trace in figure.data]
        assert colours[0] == colours[1] and len(set(colours)) == 3


def test_curves_before_the_first_step_draw_empty_lines():
    empty = Curves("GRU", 3, *(np.zeros(0, np.float32),) * 7, chance=0.5)
    assert len(train_plots.loss_curves([empty]).data[0].x) == 0
    titled(train_plots.accuracy_curves([empty]))


def test_probe_heatmaps_have_one_row_per_snapshot():
    tokens = ["the", "movie", "was", "not", "<b>good</b>"]
    prefix = np.random.default_rng(0).dirichlet([1, 1], size=(3, 5)).astype(np.float32)  # [epochs, steps, 2]
    figure = train_plots.probe_probability_heatmap(prefix, tokens, (0, 1, 4), ("negative", "positive"))
    layout = titled(figure)
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["untrained", "epoch 1", "epoch 4"]
    np.testing.assert_allclose(np.asarray(heatmap.z), prefix[:, :, 1])
    assert (heatmap.zmin, heatmap.zmax) == (0, 1)
    assert "&lt;b&gt;good" in layout.xaxis.ticktext[-1]  # user text is shown, not interpreted
    assert layout.title.text == "Prediction after each word, epoch by epoch: P(positive)"

    gate = train_plots.probe_gate_heatmap(prefix[:, :, 0], tokens, (0, 1, 4), "forget", "lstm", "unit 3")
    assert titled(gate).title.text == "Forget gate f, unit 3, epoch by epoch"
    assert (gate.data[0].zmin, gate.data[0].zmax) == (0, 1)


def test_confusion_chart_writes_counts_and_shades_by_row_share():
    figure = train_plots.confusion_chart([[8, 2], [0, 0]], ["neg <i>", "pos"])
    layout = titled(figure)
    heatmap = figure.data[0]
    assert [list(row) for row in heatmap.text] == [["8", "2"], ["0", "0"]]
    np.testing.assert_allclose(np.asarray(heatmap.z), [[0.8, 0.2], [0.0, 0.0]])
    assert list(heatmap.x) == ["neg &lt;i&gt;", "pos"]
    assert layout.xaxis.title.text == "predicted class" and layout.yaxis.title.text == "true class"


def test_per_class_chart_one_bar_group_per_model():
    one = train_plots.per_class_chart({"LSTM": {"negative": 0.9, "positive": 0.7}}, ["negative", "positive"])
    titled(one)
    assert list(one.data[0].y) == [0.9, 0.7] and not one.layout.showlegend
    race = {name: {"negative": 0.5} for name in ("RNN (tanh)", "GRU", "LSTM")}
    three = train_plots.per_class_chart(race, ["negative", "positive"])
    assert len(three.data) == 3 and three.layout.showlegend
    assert np.isnan(three.data[0].y[1])  # a class with no test examples has no bar
