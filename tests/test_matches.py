"""Proves the match view's index and search: runs of on-words on hand-built signals (never across a
sentence, ranked by mean then length), the index equal to the exact traces in float16, a planted
negation-scope unit whose matches are exactly the scopes, and on a random LSTM that every match
is past the threshold, in order, exact, and the best of a brute-force search."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.analysis import hypotheses as hy
from rnnviz.analysis import matches as mt
from rnnviz.core.trace import embed_and_trace
from tests.conftest import make_classifier
from tests.test_hypotheses import _planted_classifier

SENTENCES = [
    "the movie was not good",
    "i do not think the movie was very good , but it is great",
    "the film is never bad",
    "the movie was good",
    "it is not awful and not bad",
    "i think the film was very very good",
]


def _corpus(texts=SENTENCES):
    return mt.sentence_list([("test", text) for text in texts])


def test_runs_stay_in_their_sentence_and_rank_by_mean_then_length():
    signal = np.array([0.9, 0.9, 0.1, 0.8, 0.8, 0.8, 0.95, 0.2], np.float32)
    starts = np.array([0, 2, 5, 8])  # sentences: rows 0-1, 2-4, 5-7
    runs = mt.on_runs(signal, starts, 0.5, higher=True)
    assert runs.tolist() == [[0, 2], [3, 5], [5, 7]]  # rows 3-6 are on, but row 5 starts a sentence
    ranked, score = mt.ranked_runs(signal, runs, higher=True)
    assert ranked.tolist() == [[0, 2], [5, 7], [3, 5]]  # 0.9 ≈ (0.8 + 0.95) / 2 + 0.025 > 0.8
    assert score == pytest.approx([0.9, 0.875, 0.8])
    ties = np.array([0.7, 0.7, 0.1, 0.7], np.float32)
    ranked, _ = mt.ranked_runs(ties, mt.on_runs(ties, np.array([0, 4]), 0.5, True), True)
    assert ranked.tolist() == [[0, 2], [3, 4]]  # equal means: the longer run first
    low = mt.on_runs(signal, starts, 0.15, higher=False)
    assert low.tolist() == [[2, 3]]  # "lower is on": at or below the threshold
    edge = mt.on_runs(np.array([0.5], np.float32), np.array([0, 1]), 0.5, True)
    assert edge.tolist() == [[0, 1]]  # the threshold itself counts as on


def test_index_is_the_exact_trace_in_float16():
    classifier = make_classifier(cell="gru", num_layers=2, bidirectional=True)
    corpus = _corpus()
    index = mt.build_index(classifier, corpus)
    assert len(index.sentences) == len(SENTENCES) and index.words == sum(len(t) for _, t in corpus)
    assert all(v.dtype == np.float16 for v in index.values.values())
    assert index.nbytes >= sum(v.nbytes for v in index.values.values())
    s = 1
    _, trace = embed_and_trace(classifier, classifier.vocab.encode(list(index.sentences[s])))
    rows = slice(index.starts[s], index.starts[s + 1])
    exact = trace.state(1, "backward").quantities()["update"]
    assert np.array_equal(index.values[(1, "backward", "update")][rows], exact.astype(np.float16))
    only = mt.build_index(classifier, corpus, keys={(0, "forward", "hidden")})
    assert list(only.values) == [(0, "forward", "hidden")]


def test_an_index_holds_every_quantity_only_within_the_budget():
    small = make_classifier(cell="lstm", hidden_size=192).config
    big = make_classifier(cell="lstm", hidden_size=128, num_layers=2, bidirectional=True).config
    assert mt.index_quantities(small, 76_000, "forget") == (
        "hidden",
        "cell_state",
        "input",
        "forget",
        "cell",
        "output",
    )
    assert mt.index_quantities(big, 76_000, "forget") == ("forget",)  # 6 x 117 MB would not fit
    assert mt.index_keys(big, ("forget",)) == {
        (layer, d, "forget") for layer in (0, 1) for d in ("forward", "backward")
    }


def test_the_corpus_is_cut_and_has_no_repeats():
    corpus = mt.sentence_list([("a", "x " * 50), ("a", "the movie"), ("b", "The movie"), ("b", "  ")])
    assert [len(tokens) for _, tokens in corpus] == [mt.MAX_WORDS, 2]
    builtin = mt.builtin_corpus(target=400)
    assert len(builtin) >= 400 and len({tokens for _, tokens in builtin}) == len(builtin)
    assert {"pairs", "grammar"} <= {source for source, _ in builtin}


def test_a_planted_scope_unit_matches_exactly_the_negation_scopes():
    sentences = hy.corpus_sentences(size=80)
    classifier = _planted_classifier(sentences)
    corpus = mt.sentence_list([("grammar", " ".join(tokens)) for tokens in sentences])
    index = mt.build_index(classifier, corpus)
    query = mt.Query((0, "forward", "hidden"), (1,), 0.5, True)
    phrases = mt.top_phrases(classifier, [index], query, top=20)
    assert len(phrases) == 20
    for phrase in phrases:
        first, last = phrase.match
        start = phrase.offset + first
        scope = hy.negation_scope(phrase.sentence)
        assert all(scope[start : phrase.offset + last + 1])  # the match is inside a scope ...
        assert start == 0 or not scope[start - 1]  # ... and is all of it
        end = phrase.offset + last + 1
        assert end == len(scope) or not scope[end]
        assert phrase.score >= 1.0  # the unit is 1 in a scope (2 after a second negator)
    order = [(-p.score, -p.length) for p in phrases]
    assert order == sorted(order)  # by score, then the longer match first
    assert len({(p.tokens, p.match) for p in phrases}) == 20  # each shown phrase once


@pytest.mark.parametrize("higher", [True, False])
def test_matches_are_past_the_threshold_in_order_exact_and_the_best(higher):
    classifier = make_classifier(seed=3, cell="lstm", hidden_size=8)
    corpus = _corpus(SENTENCES + [f"the movie was {w} {v}" for w in ("not", "very") for v in ("good", "bad")])
    index = mt.build_index(classifier, corpus)
    units = (2, 5)
    exact = []
    for tokens in index.sentences:
        _, trace = embed_and_trace(classifier, classifier.vocab.encode(list(tokens)))
        exact.append(trace.state(0).quantities()["forget"][:, units].mean(axis=1))
    threshold = float(np.median(np.concatenate(exact)))
    query = mt.Query((0, "forward", "forget"), units, threshold, higher)
    phrases = mt.top_phrases(classifier, [index], query, top=5)
    assert phrases
    past = (lambda v: v >= threshold) if higher else (lambda v: v <= threshold)
    for phrase in phrases:
        first, last = phrase.match
        assert all(past(v) for v in phrase.values[first : last + 1])
        s = index.sentences.index(phrase.sentence)
        np.testing.assert_allclose(
            phrase.values, exact[s][phrase.offset : phrase.offset + len(phrase.tokens)]
        )
        assert phrase.tokens == phrase.sentence[phrase.offset : phrase.offset + len(phrase.tokens)]
        assert first <= mt.CONTEXT and len(phrase.tokens) - 1 - last <= mt.CONTEXT
    scores = [p.score if higher else -p.score for p in phrases]
    assert scores == sorted(scores, reverse=True)
    best = max(  # brute force over every run of every sentence, exactly
        (float(v[b:e].mean()) if higher else -float(v[b:e].mean()))
        for v in exact
        for b, e in mt.on_runs(v, np.array([0, len(v)]), threshold, higher).tolist()
    )
    assert scores[0] == pytest.approx(best, abs=1e-6)


def test_bad_queries_say_why():
    classifier = make_classifier(cell="gru", hidden_size=4)
    index = mt.build_index(classifier, _corpus())
    with pytest.raises(ValueError, match="no cell_state"):
        mt.top_phrases(classifier, [index], mt.Query((0, "forward", "cell_state"), (0,), 0.0, True))
    with pytest.raises(ValueError, match="between 0 and 3"):
        mt.top_phrases(classifier, [index], mt.Query((0, "forward", "hidden"), (9,), 0.0, True))
    with pytest.raises(ValueError, match="at least one unit"):
        mt.Query((0, "forward", "hidden"), (), 0.0, True)
    assert mt.top_phrases(classifier, [index], mt.Query((0, "forward", "update"), (0,), 2.0, True)) == []
    with pytest.raises(ValueError, match="no words"):
        mt.build_index(classifier, [("x", ())])


def test_a_word_on_exactly_is_found_though_float16_rounds_it_below_the_threshold():
    classifier = make_classifier(seed=5, cell="gru", hidden_size=8)
    index = mt.build_index(classifier, _corpus())
    exact = []
    for tokens in index.sentences:
        _, trace = embed_and_trace(classifier, classifier.vocab.encode(list(tokens)))
        exact.append(trace.state(0).quantities()["new"])
    values = np.concatenate(exact)  # [words, units] float32
    peaks = values.max(axis=0)
    rounded_down = [u for u in range(8) if np.float16(peaks[u]) < peaks[u]]
    assert rounded_down  # float16 rounds about half the peaks down
    unit = rounded_down[0]
    query = mt.Query((0, "forward", "new"), (unit,), float(peaks[unit]), True)
    (phrase,) = mt.top_phrases(classifier, [index], query)  # only the peak word is on
    assert phrase.length == 1 and phrase.score == pytest.approx(float(peaks[unit]), abs=0)
