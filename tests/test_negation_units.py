"""Proves the negation-unit scores over many pairs: a unit built to carry "not" ranks first in both
directions and measures, batched final states match exact traces, gates use the columns after the negator."""

import numpy as np
import pytest
import torch

from rnnviz.analysis.compare import compare
from rnnviz.analysis.negation_units import negation_unit_scores
from rnnviz.core.trace import trace_module, trace_sentence
from rnnviz.data.pairs import Pair
from tests.conftest import make_classifier

NEGATION_PAIRS = [
    Pair("the movie was good", "the movie was not good"),
    Pair("i think it is great", "i do not think it is great"),
    Pair("the film was bad", "the film was n't bad"),
    Pair("it is awful", "it is never awful"),
    Pair("the movie was not very good", "the movie was very good"),  # negated side first
    Pair("i do think the film is good", "i do not think the film is good"),
    Pair("it was great", "it was never great"),
    Pair("the film is good", "the film is not good"),
]
NOT_USABLE = [Pair("not good", "never bad"), Pair("good", "bad")]


def classifier_with_a_not_unit(bidirectional: bool = False):
    """A plain tanh RNN whose unit 0 (in every direction) switches on at a negator and holds."""
    classifier = make_classifier(cell="rnn_tanh", bidirectional=bidirectional)
    model = classifier.model
    with torch.no_grad():
        model.embedding.weight[:, 0] = 0.0
        for word in ("not", "n't", "never"):
            model.embedding.weight[classifier.vocab.id(word), 0] = 1.0
        for suffix in ("", "_reverse")[: 1 + bidirectional]:
            getattr(model.rnn, f"weight_ih_l0{suffix}")[0] = 0.0
            getattr(model.rnn, f"weight_ih_l0{suffix}")[0, 0] = 3.0
            getattr(model.rnn, f"weight_hh_l0{suffix}")[0] = 0.0
            getattr(model.rnn, f"weight_hh_l0{suffix}")[0, 0] = 1.5
            getattr(model.rnn, f"bias_ih_l0{suffix}")[0] = 0.0
            getattr(model.rnn, f"bias_hh_l0{suffix}")[0] = 0.0
    return classifier


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("measure", ["final", "after_negator"])
def test_unit_scores_find_the_not_unit(direction, measure):
    classifier = classifier_with_a_not_unit(bidirectional=True)
    scores = negation_unit_scores(classifier, NEGATION_PAIRS + NOT_USABLE, 0, direction, measure=measure)
    assert scores.ranked_units[0] == 0
    assert scores.score[0] > 5 and scores.mean_difference[0] > 0.5
    assert scores.skipped == 2 and scores.pairs_used == tuple(range(len(NEGATION_PAIRS)))
    assert scores.differences.shape == (len(NEGATION_PAIRS), 6)
    assert scores.count.tolist() == [len(NEGATION_PAIRS)] * 6
    ranked = np.abs(scores.score[scores.ranked_units])
    assert np.all(np.diff(ranked) <= 0)
    table = scores.table(top=3)
    assert [row["rank"] for row in table] == [1, 2, 3] and table[0]["unit"] == 0
    assert set(table[0]) == {"rank", "unit", "score", "mean_difference", "std_difference", "count"}


def test_unit_scores_batched_final_states_match_traces():
    classifier = make_classifier(cell="lstm", num_layers=2, bidirectional=True)
    texts = {text for p in NEGATION_PAIRS for text in (p.text_a, p.text_b)}
    with torch.no_grad():
        traces = {
            t: trace_module(classifier.model.rnn, classifier.model.embedding(ids(classifier, t)))
            for t in texts
        }
    for quantity in ("hidden", "cell_state"):
        for layer, direction in ((0, "backward"), (1, "forward")):
            scores = negation_unit_scores(classifier, NEGATION_PAIRS, layer, direction, quantity)
            assert scores.measure == "final"
            final = -1 if direction == "forward" else 0
            for row, pair in enumerate(NEGATION_PAIRS):
                negated, plain = (
                    (pair.text_a, pair.text_b) if pair.negated_side == "a" else (pair.text_b, pair.text_a)
                )
                value = {
                    t: traces[t].state(layer, direction).quantities()[quantity][final]
                    for t in (negated, plain)
                }
                assert np.allclose(scores.differences[row], value[negated] - value[plain], atol=1e-5)


def ids(classifier, text: str) -> torch.Tensor:
    return torch.tensor(classifier.tokens_and_ids(text)[1])


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_unit_scores_for_gates_use_columns_after_the_negator(cell):
    classifier = make_classifier(cell=cell)
    gate = "update" if cell == "gru" else "forget"
    scores = negation_unit_scores(classifier, NEGATION_PAIRS, quantity=gate)
    assert scores.measure == "after_negator"
    pair = NEGATION_PAIRS[0]
    result = compare(trace_sentence(classifier, pair.text_a), trace_sentence(classifier, pair.text_b))
    q = result.quantities[gate]
    expected = q.difference[:, list(result.scored_columns)].mean(axis=1)
    assert np.allclose(scores.differences[0], expected, atol=1e-6)
    final = negation_unit_scores(classifier, NEGATION_PAIRS, quantity=gate, measure="final")
    assert final.measure == "final" and np.isfinite(final.score).all()


def test_unit_scores_errors():
    classifier = make_classifier(cell="gru")
    with pytest.raises(ValueError, match="quantity must be one of hidden, reset, update, new"):
        negation_unit_scores(classifier, NEGATION_PAIRS, quantity="forget")
    with pytest.raises(ValueError, match="no layer 0 backward"):
        negation_unit_scores(classifier, NEGATION_PAIRS, direction="backward")
    with pytest.raises(ValueError, match=r"found 1 \(2 skipped"):
        negation_unit_scores(classifier, NEGATION_PAIRS[:1] + NOT_USABLE)
    with pytest.raises(ValueError, match="measure must be"):
        negation_unit_scores(classifier, NEGATION_PAIRS, measure="median")
