"""Proves rnnviz.ui.models describes a model in one plain line for the sidebar picker."""

from rnnviz.ui.models import describe_model
from tests.conftest import make_classifier


def test_describe_model():
    text = describe_model(make_classifier(cell="gru", num_layers=2, bidirectional=True, hidden_size=6))
    assert text.startswith("GRU · 2 layers × 6 units · bidirectional · labels: negative, positive")
    assert text.endswith("· readout: last state")
    assert describe_model(make_classifier(readout="mean")).endswith("· readout: mean over steps")
