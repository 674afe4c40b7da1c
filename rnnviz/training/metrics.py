"""The measures a model is judged by: accuracy and the confusion matrix (evaluate), minimal
pairs (pair_score), the rule-based VADER baseline, and a trained model's scores on held-out
data (score_model)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from rnnviz.core.models import Classifier
from rnnviz.data import dataset
from rnnviz.data.dataset import TextDataset
from rnnviz.data.pairs import builtin_pairs


@dataclass(frozen=True)
class Metrics:
    """How a classifier did on labelled texts."""

    labels: tuple[str, ...]
    n: int
    accuracy: float
    per_class_accuracy: dict[str, float]  # share right among the texts of each true class (recall)
    confusion: tuple[tuple[int, ...], ...]  # confusion[true][predicted], in `labels` order

    def to_dict(self) -> dict:
        """JSON-ready values (the CLI's --json report)."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "per_class_accuracy": dict(self.per_class_accuracy),
            "confusion": [list(row) for row in self.confusion],
            "labels": list(self.labels),
        }

    @classmethod
    def from_dict(cls, values: dict) -> Metrics:
        """The inverse of to_dict (a training worker's report)."""
        return cls(
            labels=tuple(values["labels"]),
            n=int(values["n"]),
            accuracy=float(values["accuracy"]),
            per_class_accuracy={str(k): float(v) for k, v in values["per_class_accuracy"].items()},
            confusion=tuple(tuple(int(v) for v in row) for row in values["confusion"]),
        )


class Predictor(Protocol):
    """Anything with .labels and .predict_proba(texts) -> [n, n_labels] (Classifier, VaderBaseline)."""

    labels: tuple[str, ...]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """[len(texts), len(labels)] class probabilities."""
        ...


def _label_indices(labels: Sequence[int | str], names: Sequence[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    result = []
    for label in labels:
        if isinstance(label, str):
            if label not in index:
                raise ValueError(f"label {label!r} is not one of the model's labels {list(names)}")
            result.append(index[label])
        elif isinstance(label, (int, np.integer)) and 0 <= label < len(names):
            result.append(int(label))
        else:
            raise ValueError(f"label {label!r} is not a label name or an index below {len(names)}")
    return np.asarray(result, dtype=np.int64)


def evaluate(classifier: Predictor, texts: Sequence[str], labels: Sequence[int | str]) -> Metrics:
    """Accuracy, per-class accuracy and the confusion matrix of `classifier` on (texts, labels).

    labels are label names or indices into classifier.labels."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    if not texts:
        raise ValueError("nothing to evaluate: no texts")
    names = tuple(classifier.labels)
    truth = _label_indices(labels, names)
    predicted = classifier.predict_proba(list(texts)).argmax(-1)
    confusion = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = {
        name: float(confusion[i, i] / confusion[i].sum())
        for i, name in enumerate(names)
        if confusion[i].sum()
    }
    return Metrics(
        labels=names,
        n=len(texts),
        accuracy=float(np.trace(confusion) / len(texts)),
        per_class_accuracy=per_class,
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
    )


def evaluate_dataset(classifier: Predictor, dataset: TextDataset) -> Metrics:
    """`evaluate` on a TextDataset whose label names the classifier knows."""
    return evaluate(classifier, dataset.texts, [dataset.label_names[y] for y in dataset.labels])


@dataclass(frozen=True)
class PairScore:
    """Minimal pairs: how many the classifier gets both right."""

    n_pairs: int
    both_right: float  # share of pairs with both sentences classified right
    sentence_accuracy: float  # share of single sentences right
    failures: tuple[tuple[str, str], ...] = field(default=())  # pairs with a mistake

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {
            "n_pairs": self.n_pairs,
            "both_right": self.both_right,
            "sentence_accuracy": self.sentence_accuracy,
            "failures": [list(pair) for pair in self.failures],
        }

    @classmethod
    def from_dict(cls, values: dict) -> PairScore:
        """The inverse of to_dict."""
        failures = tuple((str(a), str(b)) for a, b in values["failures"])
        return cls(
            int(values["n_pairs"]), float(values["both_right"]), float(values["sentence_accuracy"]), failures
        )


def pair_score(classifier: Predictor, pairs: Sequence[tuple[tuple[str, int], ...]]) -> PairScore:
    """Score minimal pairs [((text, label), (text, label)), ...] (see rnnviz.data.dataset.read_pairs)."""
    if not pairs:
        raise ValueError("no pairs to score")
    texts = [text for pair in pairs for text, _ in pair]
    truth = np.asarray([label for pair in pairs for _, label in pair])
    right = classifier.predict_proba(texts).argmax(-1) == truth  # [2 * n_pairs]
    both = right.reshape(len(pairs), 2).all(-1)
    failures = tuple((pair[0][0], pair[1][0]) for pair, ok in zip(pairs, both, strict=True) if not ok)
    return PairScore(len(pairs), float(both.mean()), float(right.mean()), failures)


class VaderBaseline:
    """The rule-based VADER analyzer as a binary classifier: positive when the compound score
    is above 0, negative otherwise (a text without any lexicon word scores 0)."""

    labels: tuple[str, ...] = dataset.LABELS

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """[len(texts), 2]: (1 - c) / 2 and (1 + c) / 2 for compound score c."""
        compound = np.array([self._analyzer.polarity_scores(text)["compound"] for text in texts])
        compound = compound.reshape(-1).astype(np.float32)
        return np.stack([(1 - compound) / 2, (1 + compound) / 2], axis=-1)


@dataclass(frozen=True)
class RunResult:
    """One trained model and how it did on held-out data."""

    classifier: Classifier  # the best validated weights
    name: str  # for the model picker (see rnnviz.training.config.model_name)
    test: Metrics | None  # on the test split; None with a note when there is none
    pairs: PairScore | None  # on builtin_pairs(); None with a note when not possible
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready values, all but the classifier (which travels as a checkpoint)."""
        return {
            "name": self.name,
            "test": self.test.to_dict() if self.test else None,
            "pairs": self.pairs.to_dict() if self.pairs else None,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, values: dict, classifier: Classifier) -> RunResult:
        """The inverse of to_dict, given the classifier."""
        test, pairs = values.get("test"), values.get("pairs")
        return cls(
            classifier,
            str(values["name"]),
            Metrics.from_dict(test) if test else None,
            PairScore.from_dict(pairs) if pairs else None,
            tuple(values.get("notes", ())),
        )


def score_model(classifier: Classifier, test: TextDataset | None, name: str) -> RunResult:
    """`classifier`'s test metrics and negation-pair score, with a note for each one it cannot have."""
    notes = []
    metrics = None
    if test is None or not len(test):
        notes.append("no test data: this dataset is too small to hold any out")
    else:
        metrics = evaluate_dataset(classifier, test)
    pairs = None
    labels = classifier.labels
    minimal_pairs = builtin_pairs()
    if not all(p.label_a in labels and p.label_b in labels for p in minimal_pairs):
        notes.append(f"no negation-pair score: the pairs are labelled {', '.join(dataset.LABELS)}")
    else:
        index = {label: i for i, label in enumerate(labels)}
        pairs = pair_score(
            classifier, [((p.text_a, index[p.label_a]), (p.text_b, index[p.label_b])) for p in minimal_pairs]
        )
    return RunResult(classifier, name, metrics, pairs, tuple(notes))
