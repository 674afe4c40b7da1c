"""Proves the negation lab's core: contrast sets, LCS alignment, pair comparison for every cell
type and direction, and negation-unit scores (a unit built to carry "not" wins)."""

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.analysis.compare import (
    ADJECTIVES,
    align,
    aligned_matrices,
    compare,
    detokenize,
    negation_unit_scores,
    trace_pair,
    variants,
)
from rnnviz.core.text import NEGATORS, tokenize
from rnnviz.core.trace import trace_module, trace_sentence
from rnnviz.data.pairs import Pair, builtin_pairs
from tests.conftest import make_classifier

# --------------------------------------------------------------------------- variants

EXPECTED_VARIANTS = {
    "the movie was good": [
        "the movie was not good",
        "the movie wasn't good",
        "the movie was never good",
        "the movie was hardly good",
        "the movie was very good",
        "the movie was really good",
        "the movie was extremely good",
    ],
    "i loved it": ["i did not love it", "i didn't love it", "i never loved it", "i hardly loved it"],
    "I didn't enjoy it": ["i enjoyed it"],
    "this blender does not do its job well": ["this blender does its job well"],
    "i can't recommend this book": ["i can recommend this book"],
    "i won't buy it": ["i will buy it"],
    "there is no plot": ["there is a plot"],
    "there were no bugs": ["there were some bugs", "there were bugs"],
    "nothing went wrong": ["something went wrong", "everything went wrong"],
    "the soup was neither hot nor fresh": [
        "the soup was hot and fresh",
        "the soup was neither hot nor very fresh",
        "the soup was neither hot nor really fresh",
        "the soup was neither hot nor extremely fresh",
    ],
    "good": ["very good", "really good", "extremely good"],
    "": [],
    "hello": [],
    "hello world !": [],
}

EXPECTED_AMONG = [
    ("i would recommend it", "i wouldn't recommend it"),
    ("the app has improved my mornings", "the app hasn't improved my mornings"),
    ("the film has real heart", "the film has no real heart"),
    ("the film has real heart", "the film doesn't have real heart"),
    ("the store had problems", "the store had no problems"),
    ("there were bugs in it", "there were no bugs in it"),
    ("there were some good jokes", "there were no good jokes"),
    ("the charger works well", "the charger doesn't work well"),
    ("my kids thought it was fun", "my kids did not think it was fun"),
    ("i think the acting was convincing", "i do not think the acting was convincing"),
    ("the kids love it", "the kids don't love it"),
    ("everyone was polite", "nobody was polite"),
    ("the coffee is always good", "the coffee is never good"),
    ("the coffee is never good", "the coffee is always good"),
    ("it's good", "it's not good"),
    ("i am happy", "i am not happy"),
    ("i had a great time", "i had an extremely great time"),
    ("the food was tasty and fresh", "the food was neither tasty nor fresh"),
    ("the plot hardly made sense", "the plot made sense"),
    ("i went without lunch", "i went with lunch"),
]

NOT_EXPECTED = [
    ("did you like it?", "did you do not like it?"),  # a question: leave the verb alone
    ("did you like it?", "did not you like it?"),
    ("john's car is nice", "john's not car is nice"),  # possessive 's
    ("i have to go", "i have not to go"),
    ("i am happy", "i amn't happy"),
    ("there were some jokes", "there were not some jokes"),
    ("i would have liked it", "i would have not liked it"),  # negate after the modal
    ("the movie was very good", "the movie was very very good"),
]


@pytest.mark.parametrize("text", sorted(EXPECTED_VARIANTS))
def test_variants_table(text):
    assert [v.text for v in variants(text)] == EXPECTED_VARIANTS[text]


@pytest.mark.parametrize(("text", "variant"), EXPECTED_AMONG)
def test_variants_include(text, variant):
    assert variant in [v.text for v in variants(text)]


@pytest.mark.parametrize(("text", "variant"), NOT_EXPECTED)
def test_variants_leave_out(text, variant):
    assert variant not in [v.text for v in variants(text)]


def test_variant_kinds_and_operations():
    found = {v.text: v for v in variants("i loved the very good film")}
    assert found["i did not love the very good film"].kind == "“loved” → “did not love”"
    assert found["i did not love the very good film"].operation == "negate"
    assert found["i never loved the very good film"].kind == "insert “never” before “loved”"
    assert [v.operation for v in variants("the movie was not good")] == [
        "un-negate",
        "intensify",
        "intensify",
        "intensify",
    ]
    assert variants("the movie was not good")[0].kind == "remove “not”"


def test_variants_properties_on_the_builtin_pairs():
    """Round trip, no duplicates, never the input, deterministic; and the generator finds most
    of the hand-written partners (it is a teaching aid, not a parser: a few need two edits)."""
    found = total = 0
    for pair in builtin_pairs():
        for text, partner in ((pair.text_a, pair.text_b), (pair.text_b, pair.text_a)):
            result = variants(text)
            assert result == variants(text)
            tokens = [v.tokens for v in result]
            assert len(set(tokens)) == len(tokens)
            assert tuple(tokenize(text)) not in tokens
            for v in result:
                assert tokenize(v.text) == list(v.tokens)
                assert v.kind and v.operation in ("negate", "un-negate", "intensify")
            found += tuple(tokenize(partner)) in tokens
            total += 1
    assert found / total > 0.9


def test_variants_accept_tokens():
    assert [v.text for v in variants(["the", "movie", "was", "good"])] == EXPECTED_VARIANTS[
        "the movie was good"
    ]


def test_detokenize_round_trips():
    cases = {
        ("the", "movie", "was", "n't", "good", "."): "the movie wasn't good.",
        ("i", "will", "n't", "go", "!"): "i won't go!",
        ("i", "can", "n't", "say"): "i can't say",
        ("it", "'s", "fine", ",", "really"): "it's fine, really",
        ("😀", "good"): "😀 good",
    }
    for tokens, text in cases.items():
        assert detokenize(tokens) == text
        assert tuple(tokenize(text)) == tokens


def test_adjectives_come_from_the_vader_lexicon():
    vader = pytest.importorskip("vaderSentiment")
    lexicon = Path(vader.__file__).parent / "vader_lexicon.txt"
    words = {line.split("\t")[0] for line in lexicon.read_text(encoding="utf-8").splitlines()}
    assert words >= ADJECTIVES


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


# --------------------------------------------------------------------------- unit scores

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


def test_negators_are_defined_once():
    assert {"not", "n't", "never", "no", "nothing", "hardly", "neither", "nor", "nobody", "none"} <= NEGATORS
    assert {"nowhere", "without", "cannot"} <= NEGATORS
