"""Proves the figures of Inside the cell's views: the unrolled network draws one copy per word of a
window around the current word (with "…" for the rest), labels W_ih and W_hh at every copy, names the
shared tensors as model.named_parameters() does, highlights the current word, carries the unit's h_t
and points its state arrows the way the direction reads; tokens are escaped; the embedding strip
and neighbour bars show the analysis' numbers; the head waterfall ends on the model's logit."""

import numpy as np
import pytest

from rnnviz.analysis import embeddings, head
from rnnviz.core.trace import trace_sentence
from rnnviz.plots import embeddings as embedding_plots
from rnnviz.plots import head as head_plots
from rnnviz.plots import unrolled
from rnnviz.plots.colours import HIGHLIGHT
from tests.conftest import make_classifier


def _texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.text]


def _boxes(fig) -> list:
    return [a for a in fig.layout.annotations if a.text and a.text.startswith("<b>") and "+ b" in a.text]


@pytest.mark.parametrize(
    ("steps", "step", "expected"),
    [(3, 0, [0, 1, 2]), (11, 0, [0, 1, 2, 3, 4]), (11, 5, [3, 4, 5, 6, 7]), (11, 10, [6, 7, 8, 9, 10])],
)
def test_window_is_centred_on_the_current_word_inside_the_sentence(steps, step, expected):
    assert list(unrolled.window(steps, step)) == expected


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_unrolled_diagram_labels_the_same_weights_at_every_copy(cell):
    classifier = make_classifier(cell=cell, hidden_size=6, embedding_dim=8)
    sentence = trace_sentence(classifier, "the movie was not good")
    state = sentence.trace.state(0)
    fig = unrolled.unrolled_diagram(classifier.config, state, sentence.tokens, 2, unit=4)
    texts = _texts(fig)
    copies = len(sentence.tokens) + 1  # one per word, and the folded cell
    assert len(_boxes(fig)) == copies
    assert sum(t == "W<sub>ih</sub>" for t in texts) == copies
    assert sum(t == "W<sub>hh</sub>" for t in texts) == copies  # folded loop, h_0 and 4 between words
    gates = {"lstm": 4, "gru": 3}.get(cell, 1)
    legend = next(t for t in texts if t.startswith("The same tensors"))
    assert f"rnn.weight_ih_l0 [{gates * 6} × 8]" in legend and f"rnn.weight_hh_l0 [{gates * 6} × 6]" in legend
    assert "rnn.bias_ih_l0 + rnn.bias_hh_l0" in legend
    highlighted = [a for a in _boxes(fig) if a.bgcolor == HIGHLIGHT]
    assert len(highlighted) == 1 and highlighted[0].x == unrolled.FIRST_X + 2
    for t in range(5):
        value = f"{state.hidden[t, 4]:+.3f}".replace("-", "−")
        assert f"h<sub>{t + 1}</sub><br>{value}" in texts
    assert "…" not in texts and any("= 0" in t for t in texts)  # the whole sentence: h_0 = 0, no "…"


def test_a_long_sentence_shows_a_window_and_ellipses_and_escapes_tokens():
    classifier = make_classifier(cell="lstm")
    tokens = ["<b>x</b>"] + ["the"] * 9 + ["extraordinarilylongword"]
    sentence = trace_sentence(classifier, tokens)
    fig = unrolled.unrolled_diagram(classifier.config, sentence.trace.state(0), tokens, 5, unit=0)
    texts = _texts(fig)
    assert len(_boxes(fig)) == 6 and texts.count("…") == 2  # both ends go on
    assert any("x<sub>6</sub>" in t for t in texts) and not any("x<sub>1</sub>" in t for t in texts)
    fig = unrolled.unrolled_diagram(classifier.config, sentence.trace.state(0), tokens, 0, unit=0)
    assert any("&lt;b&gt;x&lt;/b&gt;" in t for t in _texts(fig)) and not any(
        "<b>x</b>" in t for t in _texts(fig)
    )
    fig = unrolled.unrolled_diagram(classifier.config, sentence.trace.state(0), tokens, 10, unit=0)
    assert any("extraord…" in t for t in _texts(fig))  # cut to TOKEN_COLUMNS columns


def test_the_backward_direction_passes_its_state_right_to_left():
    classifier = make_classifier(cell="gru", bidirectional=True, num_layers=2)
    sentence = trace_sentence(classifier, "the movie was not good")
    fig = unrolled.unrolled_diagram(
        classifier.config, sentence.trace.state(1, "backward"), sentence.tokens, 0, 1
    )
    states = [
        a
        for a in fig.layout.annotations
        if a.showarrow and a.arrowwidth == 4 and a.y == a.ay == unrolled.CELL_Y
    ]
    assert len(states) == 5 and all(a.ax > a.x for a in states)  # every state arrow points left
    assert "backward (right to left)" in fig.layout.title.text
    assert "rnn.weight_ih_l1_reverse [18 × 12]" in " ".join(_texts(fig))  # layer 2 reads both directions


def test_embedding_figures_show_the_analysis_numbers():
    classifier = make_classifier(seed=4)
    found = embeddings.word_embedding(classifier, "<i>unknown</i>")
    strip = embedding_plots.embedding_strip(found)
    np.testing.assert_allclose(np.asarray(strip.data[0].z)[0], found.vector)
    assert "&lt;unk&gt;" in strip.layout.title.text and "row 1 " in strip.layout.title.text
    bars = embedding_plots.neighbour_bars(found)
    np.testing.assert_allclose(bars.data[0].x, [n.similarity for n in found.neighbours], rtol=1e-6)
    assert list(bars.data[0].y) == [n.token for n in found.neighbours]
    assert bars.layout.xaxis.title.text and bars.layout.yaxis.title.text


def test_head_waterfall_adds_up_to_the_models_logit():
    classifier = make_classifier(seed=6, hidden_size=12, readout="max")
    found = head.head_breakdown(classifier, classifier.vocab.encode("the movie was not good".split()))
    for c in range(2):
        fig = head_plots.contributions_waterfall(found, c)
        bars = fig.data[0]
        assert list(bars.x[-3:]) == ["other 4 units", "bias", "logit"]
        assert sum(bars.y[:-1]) == pytest.approx(bars.y[-1], abs=1e-5)
        assert bars.y[-1] == pytest.approx(float(found.logits[c]))


def test_a_short_sentence_keeps_the_width_of_a_full_window():
    classifier = make_classifier()
    sentence = trace_sentence(classifier, "good")
    fig = unrolled.unrolled_diagram(classifier.config, sentence.trace.state(0), sentence.tokens, 0, 0)
    assert fig.layout.xaxis.range[1] >= unrolled.FIRST_X + unrolled.WINDOW - 1
