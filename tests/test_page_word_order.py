"""Proves the Word order page in Streamlit's AppTest: on the default sentence and its reorderings the
bag of embeddings' answers are identical while the recurrent model's are not, typed reorderings are
added (other words marked), test accuracies come from the model card's data, a link sets the
sentence, and a server without the bag says so instead of failing."""

from __future__ import annotations

import json
import shutil

from rnnviz.core import checkpoints
from rnnviz.ui import word_order as ui_order
from tests.pages_support import app_test, chart_titles, page_text

PAGE = "pages/word_order.py"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _table(at):
    (frame,) = at.dataframe
    return frame.value


def test_the_bag_agrees_on_every_order_and_the_network_does_not(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    assert at.text_input(key="order_sentence").value == ui_order.DEFAULT_SENTENCE
    assert chart_titles(at) == ["Same words, other orders: P(positive) from each model"]
    table = _table(at)
    assert table["variant"][0] == "as typed" and len(table) >= 4
    assert table["sentence"].tolist()[1] == "the end was great but the start was dull"
    assert table["bag of embeddings"].nunique() == 1  # the same answer, to the digits shown
    assert table["LSTM (shipped)"].nunique() > 1
    text = page_text(at)
    assert f"gives all {len(table)} orderings exactly the same answer" in text
    assert "not in the model card" in text  # the stand-ins have no card


def test_typed_orderings_are_added_and_other_words_marked(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    typed = "the end was dull but the start was great\nthe movie was good\n\n"
    _ok(at.text_area(key="order_typed").set_value(typed).run())
    table = _table(at)
    rows = table[table["variant"] == "typed"]
    assert rows["sentence"].tolist() == ["the end was dull but the start was great", "the movie was good"]
    assert rows["same words"].tolist() == ["yes", "no: other words"]
    assert at.text_area(key="order_typed").value == typed


def test_accuracies_come_from_the_model_card(models_dir, monkeypatch, tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(models_dir, folder)
    card = {"test_accuracy": {"bag": {"movies": 0.7566}, "lstm": {"movies": 0.834}}}
    (folder / checkpoints.CARD_FILE).write_text(json.dumps(card))
    at = _open(folder, monkeypatch)
    assert "bag of embeddings **75.7%** · LSTM \\(shipped\\) **83.4%**" in page_text(at)


def test_a_link_sets_the_sentence(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"sentence": "the movie was not good but the acting was great"})
    assert at.text_input(key="order_sentence").value == "the movie was not good but the acting was great"
    assert "“not” moved before “great”" in _table(at)["variant"].tolist()
    _ok(at.text_input(key="order_sentence").set_value("good").run())
    assert "A single word has no other order" in page_text(at)
    _ok(at.text_input(key="order_sentence").set_value("   ").run())
    assert "Type a sentence above" in page_text(at) and not at.dataframe


def test_without_the_bag_the_page_says_so(models_dir, monkeypatch, tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(models_dir, folder)
    (folder / checkpoints.BASELINES["bag"]).unlink()
    at = _open(folder, monkeypatch)
    assert "The bag of embeddings is not available: its file bag\\.safetensors is not installed" in page_text(
        at
    )
    assert at.text_area(key="order_typed")  # the page's controls are all still drawn
