"""Proves where a prediction changes its mind: the winner after each word, the flips and the runs."""

import numpy as np

from rnnviz.analysis import predictions


def test_prediction_changes_and_runs():
    probabilities = np.array([[0.8, 0.2], [0.7, 0.3], [0.3, 0.7], [0.4, 0.6], [0.9, 0.1]])
    assert predictions.predicted_classes(probabilities).tolist() == [0, 0, 1, 1, 0]
    assert predictions.prediction_changes(probabilities) == [2, 4]
    assert predictions.class_runs(probabilities) == [(0, 1, 0), (2, 3, 1), (4, 4, 0)]
    assert predictions.class_runs(probabilities[:1]) == [(0, 0, 0)]
    assert predictions.prediction_changes(probabilities[:1]) == []
