"""Proves the state trajectories are exact: the projected states are the top layer's outputs of
torch's own nn.RNN/GRU/LSTM (within 1e-5) put through a PCA that agrees with torch's SVD, and the
boundary line is where the classifier's torch head gives exactly 1/2 in the plane (and the right
class on each side); readouts where a line would not be the head's own are named, not drawn."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnviz.analysis import trajectories as tr
from rnnviz.analysis.interventions import intervened_trace
from rnnviz.core.text import tokenize
from rnnviz.plots.trajectories import Path, Plane, label_sides, point_labels, shared_prefix, trajectory_chart
from tests.conftest import make_classifier

CORPUS = [
    tokenize(text)
    for text in (
        "the movie was good",
        "the movie was not good",
        "i do not think it is great",
        "the film was very bad",
        "it is never awful",
        "i think the film is n't great",
        "the movie was awful",
        "it was very good",
    )
]


def _torch_outputs(classifier, tokens):
    """[steps, dirs * hidden]: the top layer's outputs as torch's own recurrent module gives them."""
    ids = torch.tensor(classifier.vocab.encode(tokens))
    with torch.no_grad():
        outputs, _ = classifier.model.rnn(classifier.model.embedding(ids)[None])
    return outputs[0].numpy()


def _states(classifier, tokens):
    return tr.readout_states(intervened_trace(classifier, classifier.vocab.encode(tokens), []))


@pytest.mark.parametrize(
    "config",
    [
        dict(cell="lstm"),
        dict(cell="gru", num_layers=2),
        dict(cell="rnn_tanh"),
        dict(cell="lstm", num_layers=2, bidirectional=True),
    ],
)
def test_the_projected_points_are_the_pca_of_torchs_own_states(config):
    classifier = make_classifier(seed=3, hidden_size=7, **config)
    corpus = np.concatenate([_states(classifier, tokens) for tokens in CORPUS])
    for tokens in CORPUS[:3]:  # the states projected are torch's, before any projection
        assert np.allclose(_states(classifier, tokens), _torch_outputs(classifier, tokens), atol=1e-5)
    projection = tr.fit_pca(corpus)
    # an independent PCA: torch's SVD of the centred states, signs made to match
    x = torch.from_numpy(corpus).double()
    centred = x - x.mean(0)
    _, singular, vt = torch.linalg.svd(centred, full_matrices=False)
    axes = vt[:2].numpy()
    axes *= np.sign((axes * projection.components).sum(axis=1))[:, None]
    assert np.allclose(projection.components, axes, atol=1e-9)
    assert np.allclose(projection.explained, (singular[:2] ** 2 / (singular**2).sum()).numpy(), atol=1e-12)
    assert np.allclose(projection.components @ projection.components.T, np.eye(2), atol=1e-12)
    tokens = CORPUS[1]
    points = projection.project(_states(classifier, tokens))
    expected = (torch.from_numpy(_torch_outputs(classifier, tokens)).double() - x.mean(0)) @ torch.from_numpy(
        axes
    ).T
    assert np.allclose(points, expected.numpy(), atol=1e-5)


def test_the_boundary_is_where_the_head_gives_one_half_in_the_plane():
    classifier = make_classifier(seed=5, cell="lstm", hidden_size=6)
    assert tr.boundary_problem(classifier.config) is None
    corpus = np.concatenate([_states(classifier, tokens) for tokens in CORPUS])
    projection = tr.fit_pca(corpus)
    head = classifier.model.head
    weight, bias = head.weight.detach().double().numpy(), head.bias.detach().double().numpy()
    line = tr.decision_boundary(projection, weight, bias)
    box = tr.frame(projection.project(corpus), pad=2.0)
    ends = line.segment(*box)
    assert ends is not None, "the boundary crosses this generous box"

    def p_second(points):
        states = torch.from_numpy(projection.lift(points)).float()
        with torch.no_grad():
            return torch.softmax(head(states), -1)[:, 1].double().numpy()

    on_line = ends[0] + np.linspace(0, 1, 7)[:, None] * (ends[1] - ends[0])
    assert np.allclose(p_second(on_line), 0.5, atol=1e-5)
    normal = np.array([line.a, line.b]) / np.hypot(line.a, line.b)
    assert np.all(p_second(on_line + 0.5 * normal) > 0.5) and np.all(p_second(on_line - 0.5 * normal) < 0.5)
    x, y = np.linspace(*box[0], 5), np.linspace(*box[1], 4)
    grid = tr.plane_probabilities(projection, weight, bias, x, y)
    points = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    assert np.allclose(grid, p_second(points).reshape(4, 5), atol=1e-6)


def test_readouts_without_a_line_are_named():
    assert "backward" in tr.boundary_problem(make_classifier(bidirectional=True).config)
    assert "mean" in tr.boundary_problem(make_classifier(readout="mean").config)
    assert "3 classes" in tr.boundary_problem(make_classifier(labels=("a", "b", "c")).config)


def test_a_segment_is_the_lines_part_inside_the_box():
    line = tr.Boundary(1.0, -1.0, 0.0)  # y = x
    assert np.allclose(line.segment((-1, 1), (-2, 2)), [[-1, -1], [1, 1]])
    assert tr.Boundary(1.0, 0.0, -5.0).segment((-1, 1), (-1, 1)) is None  # x = 5: outside
    assert tr.Boundary(0.0, 0.0, 1.0).flat
    with pytest.raises(ValueError, match="two classes"):
        tr.decision_boundary(tr.fit_pca(np.eye(3)), np.ones((3, 3)), np.ones(3))


def test_the_chart_draws_both_paths_the_line_and_labels_a_shared_start_once():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    a = Path("A", ("the", "movie", "good"), points, np.array([0.5, 0.5, 0.9]))
    b = Path("B", ("the", "movie", "bad"), points * [1, -1] + [0, 0], np.array([0.5, 0.5, 0.1]))
    assert shared_prefix(a, b) == 1  # "movie" is the same word at another point: not shared
    plane = Plane(
        np.linspace(-1, 3, 4), np.linspace(-2, 2, 4), np.full((4, 4), 0.5), np.array([[0, -2], [0, 2]])
    )
    figure = trajectory_chart(
        [a, b], np.array([0.4, 0.2]), ((-1, 3), (-2, 2)), ("negative", "positive"), plane, "t"
    )
    kinds = [trace.type for trace in figure.data]
    assert kinds == ["heatmap", "scatter", "scatter", "scatter"]
    assert list(figure.data[3].text) == ["", "movie", "bad"]
    assert "40%" in figure.layout.xaxis.title.text and "20%" in figure.layout.yaxis.title.text
    assert "P(positive) = 0.5" in figure.data[1].name


def test_words_whose_points_coincide_are_labelled_once_joined():
    box = ((0.0, 10.0), (0.0, 10.0))
    words = ("the", "movie", "was", "not", "good")
    points = np.array([[1.0, 1.0], [1.1, 1.0], [1.2, 1.1], [5.0, 5.0], [9.0, 2.0]])
    assert point_labels(words, points, box) == ["", "", "the movie was", "not", "good"]
    assert point_labels(words, points, box, start=3) == ["", "", "", "not", "good"]
    # Apart by the view's measure: the same steps in a view ten times smaller are labelled one by one.
    small = ((1.0, 2.0), (0.5, 1.5))
    assert point_labels(words[:3], points[:3], small) == ["the", "movie", "was"]


def test_a_label_goes_on_the_side_its_path_leaves_free():
    box = ((0.0, 2.0), (0.0, 1.0))  # as wide on the screen as it is in data units per _ASPECT
    up_then_right = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # First path: the corner's words go above it (the line comes from below and leaves to the right).
    assert label_sides(up_then_right, box, first=True) == ["bottom center", "top center", "middle right"]
    # The other path prefers below and left: below is where its line comes from, so left.
    assert label_sides(up_then_right, box, first=False) == ["bottom center", "middle left", "middle right"]
    assert label_sides(np.zeros((1, 2)), box, first=True) == ["top center"]
