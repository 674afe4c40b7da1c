"""Shared fixtures: small seeded classifiers with random weights, built in memory."""

from __future__ import annotations

import pytest
import torch

from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
from rnnviz.core.text import Vocab, tokenize

WORDS = tuple("the movie was good bad not very i do think it is great awful n't never film".split(" "))


def make_classifier(seed: int = 0, **config) -> Classifier:
    """A classifier with random weights over a small vocabulary (see WORDS)."""
    torch.manual_seed(seed)
    vocab = Vocab.build([WORDS])
    settings = dict(vocab_size=len(vocab), labels=("negative", "positive"), embedding_dim=8, hidden_size=6)
    settings.update(config)
    return Classifier(model=SentenceClassifier(ModelConfig(**settings)), vocab=vocab)


@pytest.fixture
def classifier() -> Classifier:
    return make_classifier(cell="lstm", num_layers=2, bidirectional=True)


@pytest.fixture
def sentence_tokens() -> list[str]:
    return tokenize("I do not think the movie was very good")


@pytest.fixture(scope="session")
def models_dir():
    """A models folder with stand-in lstm/gru/rnn checkpoints (see rnnviz/tools/standins.py)."""
    from rnnviz.tools.standins import standin_models_dir

    return standin_models_dir()


@pytest.fixture
def app(models_dir, monkeypatch):
    """A fresh AppTest of app.py using the stand-in models (call .run() yourself)."""
    from tests.pages_support import app_test

    return app_test(models_dir, monkeypatch)
