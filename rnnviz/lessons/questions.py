"""The answers to the lesson's predict-then-reveal questions, computed from a live model when the
student commits, never stored: a retrained or another model gives its own answer.

Each kind measures one number and compares it with a cut (0.5 for a probability or a gate, 0 for
a hidden state...). When the number sits too close to the cut for this model the question is
not asked (`Answer.reason` says why) rather than given a coin-flip answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnviz.analysis.batching import pack_batch, run_batch
from rnnviz.analysis.embeddings import word_similarities
from rnnviz.analysis.gradients import gradient_flow
from rnnviz.core.models import Classifier
from rnnviz.core.text import tokenize
from rnnviz.core.trace import SentenceTrace, trace_sentence
from rnnviz.lessons.lesson import LiveQuestion

MARGIN = 0.1  # |p - 0.5| (or |gate - 0.5|) below this: too close to call
HIDDEN_MARGIN = 0.05  # |h_t| below this: too close to call the sign
SIMILARITY_MARGIN = 0.02  # cosine similarities closer than this: too close to call
LOG_MARGIN = 0.3  # |log10(measure / threshold)| below this (a factor 2): too close to call
MAX_TOKENS = 200


@dataclass(frozen=True)
class Answer:
    """What the live model says: `correct` is the index of the right option (0: the kind's test
    is true), or None when the question is not asked for this model (`reason` says why)."""

    correct: int | None
    value: float  # the measured number (probability, gate, h_t, ratio...), nan when not measured
    reason: str | None = None  # too_close | no_gate | no_label | unknown_words | no_tokens
    unit: int | None = None  # the unit the question is about (gate, hidden_sign)
    word: str = ""  # the word it is about


def _test(value: float, cut: float, margin: float, **extra) -> Answer:
    if not math.isfinite(value) or abs(value - cut) < margin:
        return Answer(None, value, "too_close", **extra)
    return Answer(0 if value > cut else 1, value, **extra)


def busiest_unit(sentence: SentenceTrace, step: int) -> int:
    """The unit of layer 1 (forward) whose hidden state changes most at `step`: |h_t - h_{t-1}|."""
    state = sentence.trace.state(0, "forward")
    change = np.abs(state.hidden[step] - state.previous("hidden")[step])  # [hidden_size]
    return int(np.argmax(change))


def _word_step(sentence: SentenceTrace, word: str) -> int | None:
    return sentence.tokens.index(word) if word in sentence.tokens else None


def _probability(classifier: Classifier, text: str, label: str) -> Answer:
    if label not in classifier.labels:
        return Answer(None, math.nan, "no_label")
    sentence = trace_sentence(classifier, text, max_tokens=MAX_TOKENS)
    return _test(float(sentence.probabilities[classifier.labels.index(label)]), 0.5, MARGIN)


def _same_answer(classifier: Classifier, question: LiveQuestion) -> Answer:
    first = trace_sentence(classifier, question.sentence, max_tokens=MAX_TOKENS).probabilities
    second = trace_sentence(classifier, question.other, max_tokens=MAX_TOKENS).probabilities
    if min(float(first.max()), float(second.max())) - 1 / len(first) < MARGIN:
        return Answer(None, float(np.abs(first - second).max()), "too_close")
    same = int(first.argmax()) == int(second.argmax())
    return Answer(0 if same else 1, float(np.abs(first - second).max()))


def _inside(classifier: Classifier, question: LiveQuestion) -> Answer:
    sentence = trace_sentence(classifier, question.sentence, max_tokens=MAX_TOKENS)
    step = _word_step(sentence, question.word)
    if step is None or sentence.unknown[step]:
        return Answer(None, math.nan, "unknown_words", word=question.word)
    unit = busiest_unit(sentence, step)
    state = sentence.trace.state(0, "forward")
    if question.kind == "hidden_sign":
        return _test(float(state.hidden[step, unit]), 0.0, HIDDEN_MARGIN, unit=unit, word=question.word)
    if question.gate not in state.gates:
        return Answer(None, math.nan, "no_gate", unit=unit, word=question.word)
    return _test(float(state.gates[question.gate][step, unit]), 0.5, MARGIN, unit=unit, word=question.word)


def _closer(classifier: Classifier, question: LiveQuestion) -> Answer:
    words = [question.word, question.near, question.far]
    if any(word not in classifier.vocab for word in words):
        return Answer(None, math.nan, "unknown_words")
    similarity = word_similarities(classifier, words)  # [3, 3]
    return _test(float(similarity[0, 1] - similarity[0, 2]), 0.0, SIMILARITY_MARGIN)


def _gradient_fades(classifier: Classifier, question: LiveQuestion) -> Answer:
    flow = gradient_flow(classifier, question.sentence, MAX_TOKENS)
    norms = flow.embedding_norm  # [steps]: ‖∂ log p / ∂ x_t‖
    if len(norms) < 2 or norms[-1] <= 0:
        return Answer(None, math.nan, "no_tokens")
    ratio = float(norms[0] / norms[-1])
    # Test true (option 0): the signal at the first word is below the threshold, on a log scale.
    log_gap = math.log10(question.threshold) - math.log10(max(ratio, 1e-30))
    return (
        Answer(None, ratio, "too_close")
        if abs(log_gap) < LOG_MARGIN
        else Answer(0 if log_gap > 0 else 1, ratio)
    )


def _padding_changes(classifier: Classifier, question: LiveQuestion) -> Answer:
    token_lists = [tokenize(text) for text in question.sentences]
    if any(not tokens for tokens in token_lists):
        return Answer(None, math.nan, "no_tokens")
    result = run_batch(classifier, pack_batch(classifier, token_lists))
    shortest = int(np.argmin([len(tokens) for tokens in token_lists]))
    change = float(result.padded_difference[shortest])
    log_gap = math.log10(max(change, 1e-30)) - math.log10(question.threshold)
    return (
        Answer(None, change, "too_close")
        if abs(log_gap) < LOG_MARGIN
        else Answer(0 if log_gap > 0 else 1, change)
    )


def answer(classifier: Classifier, question: LiveQuestion) -> Answer:
    """The right option of `question` for `classifier` now (see Answer)."""
    try:
        if question.kind == "positive":
            return _probability(classifier, question.sentence, question.label)
        if question.kind == "same_answer":
            return _same_answer(classifier, question)
        if question.kind in ("gate", "hidden_sign"):
            return _inside(classifier, question)
        if question.kind == "closer":
            return _closer(classifier, question)
        if question.kind == "gradient_fades":
            return _gradient_fades(classifier, question)
        if question.kind == "padding_changes":
            return _padding_changes(classifier, question)
    except ValueError:  # no tokens at all in a sentence of the file
        return Answer(None, math.nan, "no_tokens")
    raise ValueError(f"unknown question kind {question.kind!r}")
