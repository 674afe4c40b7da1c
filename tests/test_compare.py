"""Proves the pair comparison: LCS alignment (an inserted "not" is its own column), aligned [units, columns]
matrices with NaN gaps, and compare() for every cell type and direction, with the page's error messages."""

import dataclasses
import random

import numpy as np
import pytest

from rnnviz.analysis.compare import align, aligned_matrices, compare, trace_pair
from rnnviz.core.text import tokenize
from rnnviz.core.trace import STATE_QUANTITIES, trace_sentence
from rnnviz.lessons import glossary
from tests.conftest import make_classifier

# --------------------------------------------------------------------------- alignment


def columns(a: str, b: str, **options) -> list:
    return list(align(a.split(), b.split(), **options).columns)


def test_align_inserted_not_is_an_insertion():
    assert columns("the movie was good", "the movie was not good") == [
        (0, 0),
        (1, 1),
        (2, 2),
        (None, 3),
        (3, 4),
    ]
    assert columns("the pizza is n't good", "the pizza is good") == [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, None),
        (4, 3),
    ]
    alignment = align(tokenize("the movie was good"), tokenize("the movie wasn't good"))
    assert alignment.labels() == ["the", "movie", "was", "— / n't", "good"]
    assert [alignment.kind(c) for c in range(len(alignment))] == ["same"] * 3 + ["only_b", "same"]


def test_align_identical_disjoint_and_empty():
    assert columns("a b c", "a b c") == [(0, 0), (1, 1), (2, 2)]
    assert columns("a b", "c d e", substitutions=False) == [
        (0, None),
        (1, None),
        (None, 0),
        (None, 1),
        (None, 2),
    ]
    assert columns("a b", "c d e") == [(None, 0), (0, 1), (1, 2)]
    assert columns("", "") == []
    assert columns("", "a b") == [(None, 0), (None, 1)]
    assert columns("a b", "") == [(0, None), (1, None)]
    assert align([], ["not"]).labels() == ["— / not"]
    assert align(["not"], []).labels() == ["not / —"]


def test_align_substitutions_are_right_aligned():
    alignment = align(tokenize("i loved it"), tokenize("i did not love it"))
    assert list(alignment.columns) == [(0, 0), (None, 1), (None, 2), (1, 3), (2, 4)]
    assert alignment.labels() == ["i", "— / did", "— / not", "loved / love", "it"]
    assert align(["everything", "worked"], ["nothing", "worked"]).labels() == [
        "everything / nothing",
        "worked",
    ]


def lcs_length(a, b) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


@pytest.mark.parametrize("substitutions", [True, False])
def test_align_is_a_longest_common_subsequence(substitutions):
    rng = random.Random(0)
    for _ in range(300):
        a = [rng.choice("abcd") for _ in range(rng.randint(0, 9))]
        b = [rng.choice("abcd") for _ in range(rng.randint(0, 9))]
        alignment = align(a, b, substitutions=substitutions)
        index_a = [i for i, _ in alignment.columns if i is not None]
        index_b = [j for _, j in alignment.columns if j is not None]
        assert index_a == list(range(len(a))) and index_b == list(range(len(b)))
        matched = [(i, j) for i, j in alignment.columns if i is not None and j is not None and a[i] == b[j]]
        assert len(matched) == lcs_length(a, b)
        if not substitutions:
            assert all(i is None or j is None or a[i] == b[j] for i, j in alignment.columns)


def test_aligned_matrices_layout_and_gaps():
    alignment = align(["x", "y"], ["x", "not", "y"])
    values_a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)  # [steps_a=2, units=2]
    values_b = np.array([[1.5, 2.0], [9.0, 9.0], [3.0, 5.0]], dtype=np.float32)  # [steps_b=3, units=2]
    a, b, difference = aligned_matrices(values_a, values_b, alignment)
    assert a.shape == b.shape == difference.shape == (2, 3)  # [units, columns]
    assert np.array_equal(a, [[1, np.nan, 3], [2, np.nan, 4]], equal_nan=True)
    assert np.array_equal(b, [[1.5, 9, 3], [2, 9, 5]], equal_nan=True)
    assert np.array_equal(difference, [[0.5, np.nan, 0], [0, np.nan, 1]], equal_nan=True)


# --------------------------------------------------------------------------- compare

CONFIGS = [
    dict(cell=cell, num_layers=layers, bidirectional=bidirectional)
    for cell in ("rnn_tanh", "rnn_relu", "gru", "lstm")
    for layers, bidirectional in ((1, False), (2, True))
]


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: f"{c['cell']}-{c['num_layers']}-{c['bidirectional']}"
)
def test_compare_every_cell_and_direction(config):
    classifier = make_classifier(**config)
    trace_a, trace_b = trace_pair(classifier, "the movie was good", "i do not think the movie was very good")
    for state in trace_a.trace.states:
        result = compare(trace_a, trace_b, state.layer, state.direction)
        assert list(result.quantities) == list(state.quantities())
        columns = len(result.alignment)
        assert result.column_labels == [
            "— / i",
            "— / do",
            "— / not",
            "— / think",
            "the",
            "movie",
            "was",
            "— / very",
            "good",
        ]
        state_b = trace_b.trace.state(state.layer, state.direction)
        final = -1 if state.direction == "forward" else 0
        for name, q in result.quantities.items():
            assert q.a.shape == q.b.shape == q.difference.shape == (6, columns)
            index_a, index_b = result.alignment.index("a"), result.alignment.index("b")
            assert np.array_equal(q.a[:, index_a >= 0], state.quantities()[name].T)
            assert np.isnan(q.a[:, index_a < 0]).all() and np.isnan(q.difference[:, index_a < 0]).all()
            assert np.array_equal(q.b[:, index_b >= 0], state_b.quantities()[name].T)
            assert sorted(q.ranked_units.tolist()) == list(range(6))
            ranked = q.unit_scores[q.ranked_units]
            finite = ranked[np.isfinite(ranked)]
            assert np.all(np.diff(finite) <= 0) and np.isnan(ranked[len(finite) :]).all()
            if name in ("hidden", "cell_state"):
                expected = np.abs(state_b.quantities()[name][final] - state.quantities()[name][final])
                assert np.allclose(q.unit_scores, expected)
        assert result.prefix_a.shape == (columns, 2) and result.prefix_b.shape == (columns, 2)


def test_compare_scores_gates_from_the_negator_on():
    classifier = make_classifier(cell="gru", bidirectional=True)
    trace_a, trace_b = trace_pair(classifier, "the movie was good", "the movie was not good")
    forward = compare(trace_a, trace_b, 0, "forward")
    assert forward.negator_column == 3 and forward.scored_columns == (4,)
    update = forward.quantities["update"]
    assert np.allclose(update.unit_scores, np.abs(update.difference[:, 4]))
    assert "“not”" in update.basis
    backward = compare(trace_a, trace_b, 0, "backward")
    assert backward.negator_column == 3 and backward.scored_columns == (0, 1, 2)
    assert "token 0" in backward.quantities["hidden"].basis


def test_compare_names_states_as_the_glossary_does():
    classifier = make_classifier(cell="lstm")
    result = compare(*trace_pair(classifier, "the movie was good", "the movie was not good"))
    for name in STATE_QUANTITIES:
        basis = result.quantities[name].basis
        assert basis == f"|B - A| of the final {glossary.NAMES[name].lower()} (the last token)"


def test_compare_identical_sentences_is_all_zero():
    classifier = make_classifier(cell="lstm", num_layers=2, bidirectional=True)
    trace = trace_sentence(classifier, "the movie was not good")
    for state in trace.trace.states:
        result = compare(trace, trace, state.layer, state.direction)
        for q in result.quantities.values():
            assert np.array_equal(q.difference, np.zeros_like(q.difference))
            assert np.array_equal(q.unit_scores, np.zeros(6)) and q.top(3) == [0, 1, 2]


def test_compare_very_different_lengths_and_no_negator():
    classifier = make_classifier(cell="lstm")
    long = " ".join(["the movie was very good and i think it is great"] * 10)
    trace_a, trace_b = trace_pair(classifier, "good", long)
    result = compare(trace_a, trace_b)
    assert len(result.alignment) == len(trace_b.tokens)
    assert result.negator_column is None and result.scored_columns == (4,)  # the first "good"
    assert result.quantities["forget"].a.shape == (6, len(trace_b.tokens))


def test_compare_with_nothing_to_score_after_the_negator():
    classifier = make_classifier(cell="lstm")
    trace_a, trace_b = trace_pair(classifier, "good", "good not")
    result = compare(trace_a, trace_b)
    assert result.scored_columns == ()
    assert np.isnan(result.quantities["input"].unit_scores).all()
    assert sorted(result.quantities["input"].ranked_units.tolist()) == list(range(6))


def test_compare_errors_the_page_can_show():
    classifier = make_classifier(cell="lstm")
    with pytest.raises(ValueError, match="second sentence is empty"):
        trace_pair(classifier, "good", "  ")
    with pytest.raises(ValueError, match="first sentence is empty"):
        trace_pair(classifier, "", "good")
    trace = trace_sentence(classifier, "good")
    empty = dataclasses.replace(trace, tokens=[])
    with pytest.raises(ValueError, match="sentence B is empty"):
        compare(trace, empty)
    with pytest.raises(ValueError, match="no layer 1 forward"):
        compare(trace, trace, layer=1)
    with pytest.raises(ValueError, match="no layer 0 backward"):
        compare(trace, trace, direction="backward")
    other = trace_sentence(make_classifier(cell="gru"), "good")
    with pytest.raises(ValueError, match="different models"):
        compare(trace, other)
