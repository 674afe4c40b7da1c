"""rnnviz: look inside recurrent networks (RNN, GRU, LSTM) reading a sentence, step by step."""

from rnnviz.core.checkpoints import CheckpointError, load_classifier
from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
from rnnviz.core.trace import LayerTrace, SentenceTrace, Trace, trace_module, trace_sentence

__all__ = [
    "CheckpointError",
    "Classifier",
    "LayerTrace",
    "ModelConfig",
    "SentenceClassifier",
    "SentenceTrace",
    "Trace",
    "load_classifier",
    "trace_module",
    "trace_sentence",
]
