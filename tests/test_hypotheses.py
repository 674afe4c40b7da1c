"""Proves the hypothesis masks on hand-made sentences, ROC-AUC and Youden's J against direct
counts, and that a planted unit wired to track "inside a negation's scope" ranks first."""

import numpy as np
import pytest
import torch

from rnnviz.analysis import hypotheses as hy
from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
from rnnviz.core.text import NEGATORS, Vocab, tokenize
from tests.conftest import make_classifier


def test_feature_masks():
    tokens = tokenize("it was not good , but i did not hate it")
    assert hy.negation_scope(tokens) == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    assert hy.after_but(tokens) == [False] * 6 + [True] * 5
    assert hy.feature_mask("since_negator", tokens, 2) == [False] * 3 + [True, True] + [False] * 4 + [
        True,
        True,
    ]
    assert hy.feature_mask("position", tokens, 10) == [False] * 9 + [True, True]
    assert hy.feature_mask("sentiment_word", tokens)[3] and not hy.feature_mask("sentiment_word", tokens)[0]
    assert hy.pattern_mask(r"n[o']t|never")(tokenize("it isn't not never")) == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert hy.span_mask(4, 1, 2) == [False, True, True, False]
    with pytest.raises(ValueError, match="regular expression"):
        hy.pattern_mask("(")
    with pytest.raises(ValueError, match="span"):
        hy.span_mask(3, 2, 5)
    with pytest.raises(ValueError, match="feature must be"):
        hy.feature_mask("colour", tokens)


def _direct_auc(values, mask):
    on, off = values[mask], values[~mask]
    return np.mean([(a > b) + 0.5 * (a == b) for a in on for b in off])


def test_auc_and_youden_against_direct_counts():
    rng = np.random.default_rng(0)
    values = np.round(rng.normal(size=(60, 3)), 1)
    mask = rng.random(60) < 0.4
    values[mask, 0] += 1.0
    auc = hy.roc_auc(values, mask)
    for unit in range(3):
        assert auc[unit] == pytest.approx(_direct_auc(values[:, unit], mask))
    threshold, j = hy.youden_threshold(values[:, 0], mask)
    direct = max(
        np.mean(values[mask, 0] >= c) - np.mean(values[~mask, 0] >= c) for c in np.unique(values[:, 0])
    )
    assert j == pytest.approx(direct)
    assert np.mean(values[mask, 0] >= threshold) - np.mean(values[~mask, 0] >= threshold) == pytest.approx(j)
    low, j_low = hy.youden_threshold(-values[:, 0], mask, higher=False)
    assert low == pytest.approx(-threshold) and j_low == pytest.approx(j)


def _planted_classifier(sentences):
    """A plain ReLU RNN whose unit 0 is 1 at a negator and unit 1 is on exactly inside a
    negation's scope: h1_t = relu(h0_{t-1} + h1_{t-1} - 10 [x_t ends a scope]); units 2.. are 0."""
    vocab = Vocab.build(sentences)
    config = ModelConfig(
        vocab_size=len(vocab),
        labels=("negative", "positive"),
        embedding_dim=2,
        hidden_size=4,
        cell="rnn_relu",
    )
    model = SentenceClassifier(config)
    with torch.no_grad():
        for p in model.rnn.parameters():
            p.zero_()
        emb = torch.zeros(len(vocab), 2)
        for i, token in enumerate(vocab.tokens):
            emb[i, 0] = float(token in NEGATORS)
            emb[i, 1] = float(token in hy.SCOPE_ENDS)
        model.embedding.weight.copy_(emb)
        model.rnn.weight_ih_l0[0, 0] = 1.0  # unit 0: "this word is a negator"
        model.rnn.weight_ih_l0[1, 1] = -10.0  # unit 1 resets at a scope end ...
        model.rnn.weight_hh_l0[1, 0] = 1.0  # ... starts after a negator ...
        model.rnn.weight_hh_l0[1, 1] = 1.0  # ... and holds
    return Classifier(model=model, vocab=vocab)


def test_a_planted_negation_scope_unit_ranks_first():
    sentences = hy.corpus_sentences(size=150)
    classifier = _planted_classifier(sentences)
    activations = hy.corpus_activations(classifier, sentences)
    mask = activations.mask(hy.negation_scope)
    assert 0.05 < mask.mean() < 0.5
    ranked = hy.rank_units_by_hypothesis(activations, mask, top=5, boots=50)
    best = ranked[0]
    assert (best.layer, best.direction, best.quantity, best.unit) == (0, "forward", "hidden", 1)
    assert best.auc >= 0.99 and best.higher and best.ci_low >= 0.99
    assert best.youden_j >= 0.99 and best.threshold > 0
    assert ranked[1].separation < best.separation


def test_activations_are_the_traces_stacked():
    classifier = make_classifier(cell="gru", num_layers=2, bidirectional=True)
    sentences = [["the", "movie", "was", "good"], ["not", "bad"]]
    activations = hy.corpus_activations(classifier, sentences)
    assert activations.values[(1, "backward", "update")].shape == (6, 6)
    assert list(activations.sentence_index) == [0, 0, 0, 0, 1, 1]
    assert list(activations.position) == [0, 1, 2, 3, 0, 1]
    with pytest.raises(ValueError, match="some words and not"):
        hy.rank_units_by_hypothesis(activations, np.ones(6, bool))


def test_bootstrap_auc_is_the_auc_of_each_resample():
    rng = np.random.default_rng(1)
    values = np.round(rng.normal(size=40), 1)
    mask = rng.random(40) < 0.5
    counts = hy.resample_counts(40, 5, np.random.default_rng(7))
    assert counts.shape == (5, 40) and np.all(counts.sum(axis=1) == 40)
    boot = hy.bootstrap_auc(values, mask, counts)
    for b, row in zip(boot, counts, strict=True):
        picked = np.repeat(np.arange(40), row.astype(int))
        assert b == pytest.approx(_direct_auc(values[picked], mask[picked]))
