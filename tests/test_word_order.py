"""Proves the word-order variants (same words, other orders, no duplicates, readable texts that
tokenize back), and that on them the bag of embeddings' answers agree exactly while a recurrent
network's differ; the chart draws one row per variant with both models, named in English or Croatian."""

import numpy as np
import pytest

from rnnviz.analysis import word_order
from rnnviz.core.text import tokenize
from rnnviz.plots import word_order as order_plots
from tests.conftest import make_classifier
from tests.test_bag import make_bag


@pytest.mark.parametrize(
    "text",
    [
        "dull at first but great in the end",
        "the movie was not good but the ending was great",
        "it wasn't bad, but the acting was awful",
        "i do not think this movie is good",
    ],
)
def test_variants_are_the_same_words_in_other_orders(text):
    found = word_order.variants(text)
    assert found[0].name == "as typed" and list(found[0].tokens) == tokenize(text)
    assert len({v.tokens for v in found}) == len(found) >= 3
    for variant in found:
        assert word_order.same_words(found[0].tokens, variant.tokens)
        assert tuple(tokenize(variant.text)) == variant.tokens
        assert variant.how.format(*variant.words) == variant.name  # what a translation fills in


def test_the_lessons_reorderings_are_made():
    texts = {v.name: v.text for v in word_order.variants("dull at first but great in the end")}
    assert texts["clauses swapped around “but”"] == "great in the end but dull at first"
    assert texts["“dull” and “great” swapped"] == "great at first but dull in the end"
    moved = {v.name: v.text for v in word_order.variants("the movie was not good but the ending was great")}
    assert moved["“not” moved before “great”"] == "the movie was good but the ending was not great"


def test_long_and_empty_texts():
    assert word_order.variants("   ") == []
    long = " ".join(["good"] * 50 + ["bad"])
    assert word_order.dropped_tokens(long) == 51 - word_order.MAX_TOKENS
    assert all(len(v.tokens) == word_order.MAX_TOKENS for v in word_order.variants(long))
    assert word_order.typed_variant("") is None


def test_bag_agrees_exactly_and_the_network_does_not():
    found = word_order.variants("i do not think the movie was good but the film is awful")
    found.append(word_order.typed_variant("the film is good"))
    answers = word_order.order_answers(make_classifier(cell="lstm"), make_bag(), found)
    assert answers.same_words == (True,) * (len(found) - 1) + (False,)
    assert word_order.reorderings_agree(answers.bag, answers.same_words)
    assert not word_order.reorderings_agree(answers.recurrent, answers.same_words)
    assert not np.array_equal(answers.bag[0], answers.bag[-1])  # other words, other answer


def test_models_with_other_labels_are_refused():
    other = make_classifier(labels=("bad", "good"))
    with pytest.raises(ValueError, match="different labels"):
        word_order.order_answers(other, make_bag(), word_order.variants("good"))


def test_row_labels_name_every_reordering_in_croatian():
    from rnnviz.lessons.i18n import translator

    found = tuple(word_order.variants("dull at first but great in the end"))
    half = np.full((len(found), 2), 0.5)
    answers = word_order.OrderAnswers(found, ("a", "b"), half, half, (True,) * len(found))
    assert order_plots.row_labels(answers)[2] == "3. “dull” and “great” swapped"
    croatian = order_plots.row_labels(answers, translator("hr"))
    assert croatian[:3] == [
        "1. kako je upisano",
        "2. zamijenjene surečenice oko „but”",
        "3. zamijenjeni „dull” i „great”",
    ]


def test_chart_has_a_row_per_variant_and_both_models():
    found = word_order.variants("dull at first but great in the end")
    answers = word_order.order_answers(make_classifier(), make_bag(), found)
    figure = order_plots.order_chart(answers, "LSTM <b>")
    bag, _, rnn, _, *classes = figure.data
    assert bag.name == "bag of embeddings" and rnn.name == "LSTM &lt;b&gt;"
    assert [c.name for c in classes] == ["answer: negative", "answer: positive"]
    assert len(bag.y) == len(found) and list(bag.y) == list(rnn.y)
    assert np.array_equal(np.asarray(rnn.x), answers.recurrent[:, 1].astype(np.float64))
    assert figure.layout.xaxis.title.text == "P(positive)" and figure.layout.yaxis.title.text
    assert set(bag.marker.color) <= {"#d62728", "#1f77b4"}
