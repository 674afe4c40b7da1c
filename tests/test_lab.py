"""Proves the negation lab's plumbing: variants come with the model's predictions, pair warnings fire
for cut, identical, far-apart and unknown sentences, uploaded pairs are read (or refused naming the
line) and collected with the built-in and typed ones, attributions refine until exact enough, and
every caption exists."""

import numpy as np
import pytest

from rnnviz.core.trace import trace_sentence
from rnnviz.ui import lab
from tests.conftest import make_classifier


@pytest.fixture(scope="module")
def lstm():
    return make_classifier(cell="lstm", hidden_size=6)


def test_variant_rows_carry_predictions(lstm):
    rows = lab.variant_rows(lstm, "the movie was good", max_tokens=100)
    assert rows[0]["sentence"] == "the movie was not good" and rows[0]["edit"] == "negate"
    expected = lstm.predict_proba([row["sentence"] for row in rows])
    for row, p in zip(rows, expected, strict=True):
        assert row["prediction"] == lstm.labels[int(p.argmax())]
        assert row["probability"] == pytest.approx(float(p.max()))
    assert lab.variant_rows(lstm, "hello", max_tokens=100) == []


def _notes(classifier, text_a, text_b, max_tokens=None):
    return lab.pair_notes(
        trace_sentence(classifier, text_a, max_tokens=max_tokens),
        trace_sentence(classifier, text_b, max_tokens=max_tokens),
    )


def test_pair_notes(lstm):
    assert _notes(lstm, "the movie was good", "the movie was not good") == []
    assert "the same to the model" in _notes(lstm, "The movie", "the  movie")[0]
    assert "very different lengths (1 and 12 tokens)" in _notes(lstm, "good", "i do not think it is " * 2)[0]
    assert "share only 1 of their words" in _notes(lstm, "the movie was good", "i do think it is good")[0]
    unknown = _notes(lstm, "the movie was good", "zebra quokka")
    assert any("sentence B are in the model's vocabulary" in note for note in unknown)
    cut = _notes(lstm, "good " * 12, "not good " * 6, max_tokens=10)
    assert cut[:2] == [
        "Sentence A was cut after 10 tokens (2 more were left out).",
        "Sentence B was cut after 10 tokens (2 more were left out).",
    ]


def test_uploaded_pairs_are_checked():
    labels = ("negative", "positive")
    assert len(lab.read_uploaded_pairs(b"\xef\xbb\xbfa\tpositive\nnot a\tnegative\n", labels)) == 1
    with pytest.raises(ValueError, match="line 2: the file is not UTF-8 text"):
        lab.read_uploaded_pairs(b"a\tpositive\n\xff\n", labels)
    with pytest.raises(ValueError, match="larger than 1 MB"):
        lab.read_uploaded_pairs(b"x" * (lab.MAX_UPLOAD_BYTES + 1), labels)


def test_collect_pairs_keeps_good_sources_and_names_bad_ones():
    labels = ("negative", "positive")
    builtin = lab.builtin_pair_texts()
    pairs, problems = lab.collect_pairs(True, "a | positive\nnot a | negative", None, labels)
    assert pairs == (*builtin, ("a", "not a")) and problems == []
    pairs, problems = lab.collect_pairs(False, "a | positive", b"b\tpositive\nnot b\tnegative", labels)
    assert pairs == (("b", "not b"),)
    assert problems == [
        "Your typed pairs, line 1: this sentence has no partner (pairs are two consecutive lines)."
    ]


def test_unit_scores_from_texts(lstm):
    scores = lab.unit_scores(lstm, lab.builtin_pair_texts()[:10], 0, "forward", "forget")
    assert scores.measure == "after_negator" and len(scores.pairs_used) == 10
    rows = lab.unit_score_rows(scores, 3)
    assert [row["unit"] for row in rows] == [int(u) for u in scores.ranked_units[:3]]
    assert set(rows[0]) == {"rank", "unit", "score", "mean change", "spread", "pairs"}
    with pytest.raises(ValueError, match="at least two pairs"):
        lab.unit_scores(lstm, (("good", "not good"),), 0, "forward", "hidden")


def test_attributions_refine_until_the_delta_is_small(lstm, monkeypatch):
    result = lab.attributions(lstm, "the movie was not good", max_tokens=100)
    assert abs(result.delta) <= lab.ATTRIBUTION_TOLERANCE and result.n_steps in lab.ATTRIBUTION_STEPS
    monkeypatch.setattr(lab, "ATTRIBUTION_TOLERANCE", -1.0)  # never exact enough: every step count is tried
    assert (
        lab.attributions(lstm, "the movie was not good", max_tokens=100).n_steps == lab.ATTRIBUTION_STEPS[-1]
    )
    note = lab.attribution_note("A", result)
    assert note.startswith(f"A: explains P({result.target}) = ") and "convergence delta" in note
    scale = lab.attribution_scale([result, result])
    assert scale.zmin == -scale.zmax >= -max(0.1, float(np.abs(result.values).max()) + 0.1)


def test_saturation_sample_and_captions():
    sentences = lab.saturation_sentences()
    assert len(sentences) == len(set(sentences)) > 400
    assert "the movie was not good" in sentences
    gru = make_classifier(cell="gru", hidden_size=3)
    caption = lab.saturation_caption(lab.saturation(gru))
    assert "right-saturated update gate" in caption and "forget" in caption  # compared to the LSTM's
    assert "right-saturated forget gate" in lab.saturation_caption(
        lab.saturation(make_classifier(cell="lstm"))
    )
    assert lab.saturation(make_classifier(cell="rnn_tanh")).empty
    assert all(lab.CAPTIONS.values())
