"""rnnviz: look inside recurrent networks (RNN, GRU, LSTM) reading a sentence, step by step.

The names below are imported on first use (PEP 562), so that importing a light submodule (the
token cookie's middleware, the settings) does not import torch: a replica that imports its ASGI
file after binding its port answers sooner (rnnviz.tools.serve restarts replicas behind nginx).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnviz.core.checkpoints import CheckpointError, load_classifier
    from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
    from rnnviz.core.trace import LayerTrace, SentenceTrace, Trace, trace_module, trace_sentence

_HOMES = {
    "CheckpointError": "rnnviz.core.checkpoints",
    "load_classifier": "rnnviz.core.checkpoints",
    "Classifier": "rnnviz.core.models",
    "ModelConfig": "rnnviz.core.models",
    "SentenceClassifier": "rnnviz.core.models",
    "LayerTrace": "rnnviz.core.trace",
    "SentenceTrace": "rnnviz.core.trace",
    "Trace": "rnnviz.core.trace",
    "trace_module": "rnnviz.core.trace",
    "trace_sentence": "rnnviz.core.trace",
}

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


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'rnnviz' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
