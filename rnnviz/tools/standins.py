"""Stand-in models for tests and benches: small classifiers trained in a second or two on template
sentences, for when the shipped models are absent or must not be relied on.

An LSTM, a 2-layer bidirectional GRU and a plain RNN learn a few hundred sentences such as "the movie
was not good", enough that "the movie was good" and "the movie was not good" really get opposite
predictions. A bag of embeddings stands in for the word-order baseline (bag.safetensors); it learns
the same sentences as well as averaging allows.

    models_dir = standin_models_dir()     # lstm/gru/rnn/bilstm/bag.safetensors, for RNNVIZ_MODELS_DIR
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import torch

from rnnviz.core import checkpoints
from rnnviz.core.models import (
    BagConfig,
    BagOfEmbeddings,
    Classifier,
    ModelConfig,
    SentenceClassifier,
    pad_ids,
)
from rnnviz.core.text import Vocab, tokenize

_SUBJECTS = ("the movie", "the plot", "the acting", "this movie")
_VERBS = ("was", "is")
_POSITIVE = ("good", "great", "fun")
_NEGATIVE = ("bad", "awful", "dull")

# The stand-ins' architectures: one of each cell type, and one stacked bidirectional model.
STANDIN_CONFIGS = {
    "lstm": dict(cell="lstm", embedding_dim=16, hidden_size=24),
    "gru": dict(cell="gru", embedding_dim=12, hidden_size=12, num_layers=2, bidirectional=True),
    "rnn": dict(cell="rnn_tanh", embedding_dim=16, hidden_size=16),
    "bilstm": dict(cell="lstm", embedding_dim=12, hidden_size=12, num_layers=2, bidirectional=True),
}
# The baselines' stand-ins (checkpoints.BASELINES): the bag of embeddings.
BASELINE_CONFIGS = {"bag": dict(embedding_dim=16)}


def training_sentences() -> list[tuple[str, int]]:
    """(sentence, label) with label 1 = positive: plain, negated, at a distance, contrast."""
    data = []
    for subject, verb in itertools.product(_SUBJECTS, _VERBS):
        for words, label in ((_POSITIVE, 1), (_NEGATIVE, 0)):
            for word in words:
                data.append((f"{subject} {verb} {word}", label))
                data.append((f"{subject} {verb} very {word}", label))
                data.append((f"{subject} {verb} not {word}", 1 - label))
                data.append((f"i do not think {subject} {verb} {word}", 1 - label))
    for first, second in itertools.product(_POSITIVE + _NEGATIVE, repeat=2):
        data.append((f"the plot was {first} but the acting was {second}", int(second in _POSITIVE)))
    return data


def train_standin(config: dict, seed: int = 0, steps: int = 40, bag: bool = False) -> Classifier:
    """A small classifier trained full-batch with Adam on `training_sentences()`: a
    SentenceClassifier of ModelConfig(**config), or with `bag` a BagOfEmbeddings of BagConfig(**config).

    Runs on one thread: on the shared 2-core machine two threads are several times slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(config, seed, steps, bag)
    finally:
        torch.set_num_threads(threads)


def _train(config: dict, seed: int, steps: int, bag: bool) -> Classifier:
    torch.manual_seed(seed)
    data = training_sentences()
    token_lists = [tokenize(text) for text, _ in data]
    vocab = Vocab.build(token_lists)
    labels = ("negative", "positive")
    if bag:
        model = BagOfEmbeddings(BagConfig(vocab_size=len(vocab), labels=labels, **config))
    else:
        model = SentenceClassifier(ModelConfig(vocab_size=len(vocab), labels=labels, **config))
    ids, lengths = pad_ids([vocab.encode(tokens) for tokens in token_lists])  # [batch, steps], [batch]
    targets = torch.tensor([label for _, label in data])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(ids, lengths), targets)
        loss.backward()
        optimizer.step()
    model.requires_grad_(False)
    return Classifier(
        model=model, vocab=vocab, meta={"data": "rnnviz test stand-in", "final_loss": loss.item()}
    )


_ALL = tuple(STANDIN_CONFIGS) + tuple(BASELINE_CONFIGS)
_FILES = (*checkpoints.SHIPPED.values(), *checkpoints.BASELINES.values())


def build_standin_models(folder: str | os.PathLike, names: tuple[str, ...] = _ALL) -> Path:
    """Train the stand-ins named in `names` (shipped models and baselines) and save them as
    <name>.safetensors in `folder` (a models folder for RNNVIZ_MODELS_DIR). Returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in BASELINE_CONFIGS:
            classifier = train_standin(BASELINE_CONFIGS[name], bag=True)
            checkpoints.save(classifier, folder / checkpoints.BASELINES[name])
        else:
            checkpoints.save(train_standin(STANDIN_CONFIGS[name]), folder / checkpoints.SHIPPED[name])
    return folder


def standin_models_dir() -> Path:
    """A folder with every stand-in, trained once per version of this file and torch and
    kept in the system's temporary folder, so repeated test runs skip the training."""
    source = Path(__file__).read_bytes() + torch.__version__.encode()
    folder = Path(tempfile.gettempdir()) / f"rnnviz-standins-{hashlib.sha256(source).hexdigest()[:12]}"
    if not all((folder / filename).is_file() for filename in _FILES):
        building = Path(tempfile.mkdtemp(prefix="rnnviz-standins-"))
        build_standin_models(building)
        try:
            building.rename(folder)
        except OSError:  # another test process finished first, or an old partial folder
            shutil.rmtree(building, ignore_errors=True)
            if not all((folder / f).is_file() for f in _FILES):
                shutil.rmtree(folder, ignore_errors=True)
                return build_standin_models(folder)
    return folder
