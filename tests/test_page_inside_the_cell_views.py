"""Proves Inside the cell's views in AppTest: the view control (key cell_view, `view` in the URL)
switches between the equations, the unrolled network, the embedding and the classifier head; each
follows the step player; the head's logits and probabilities are the model's own, with the check
shown; an unknown word's embedding is <unk>'s with the explanation; a bad link falls back."""

from pathlib import Path

import numpy as np
import torch

from rnnviz.core import checkpoints
from rnnviz.core.models import pad_ids
from tests.pages_support import app_test, chart_titles, page_text

PAGE = "pages/inside_the_cell.py"
VIEW = "cell_view"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _tables(at) -> list[list[dict]]:
    """Each st.table of the run as a list of row dicts."""
    return [table.value.to_dict("records") for table in at.table]


def test_the_view_control_switches_views_and_is_in_the_link(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    assert at.segmented_control(key=VIEW).value == "equations" and at.get("latex")
    expected = {
        "unrolled": "The unrolled LSTM · layer 1, forward (left to right) · unit ",
        "embedding": "The embedding of “the”: row ",
        "head": "How the logit of “",
        "equations": "All units of this layer at word 1",
    }
    for view, title in expected.items():
        _ok(at.segmented_control(key=VIEW).set_value(view).run())
        titles = chart_titles(at)
        assert titles[0].startswith("LSTM cell · layer 1")  # the diagram stays first
        assert titles[1].startswith(title), (view, titles)
        assert at.query_params["view"] == view
        assert bool(at.get("latex")) == (view == "equations")
        assert at.caption, view  # each view says what to look for


def test_the_unrolled_view_follows_the_step_player(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"view": "unrolled"})
    assert chart_titles(at)[1].endswith("word 1 of 5")
    _ok(at.button(key="cell_next").click().run())
    assert chart_titles(at)[1].endswith("word 2 of 5")
    _ok(at.text_input(key="cell_sentence").set_value("the movie was not good but the acting was great").run())
    _ok(at.slider(key="cell_word").set_value(8).run())
    assert chart_titles(at)[1].endswith("word 8 of 10")
    assert "5 words are left out at “…”" in page_text(at)


def test_the_embedding_view_names_unknown_words_and_every_weight(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"view": "embedding", "sentence": "the xyzzy movie", "word": "2"})
    text = page_text(at)
    assert "“xyzzy” is not among the model's" in text and "`<unk>`" in text
    assert chart_titles(at)[1] == "The embedding of “&lt;unk&gt;”: row 1 of the table, 16 numbers"
    assert chart_titles(at)[2] == "The 8 words nearest to “&lt;unk&gt;”"
    classifier = checkpoints.load(Path(models_dir) / "lstm.safetensors")
    shapes = _tables(at)[0]
    assert [(row["parameter"], row["shape"]) for row in shapes] == [
        (f"`{name}`", " × ".join(map(str, p.shape))) for name, p in classifier.model.named_parameters()
    ]
    _ok(at.button(key="cell_next").click().run())  # a known word: no explanation
    assert "is not among the model's" not in page_text(at)
    assert chart_titles(at)[1].startswith("The embedding of “movie”")


def test_the_head_view_shows_the_models_own_logits_and_the_check(models_dir, monkeypatch):
    for model, words in (("lstm", 5), ("gru", 3)):
        at = _open(models_dir, monkeypatch, {"view": "head", "model": model, "word": str(words)})
        classifier = checkpoints.load(Path(models_dir) / f"{model}.safetensors")
        ids = classifier.vocab.encode("the movie was not good".split()[:words])
        with torch.no_grad():
            logits = classifier.model(*pad_ids([ids]))[0].numpy()
        table = _tables(at)[0]
        shown = np.array([float(row["model's logit"].replace("−", "-")) for row in table])
        np.testing.assert_allclose(shown, logits, atol=6e-4)  # shown to 3 decimals
        probabilities = np.array([float(row["probability"]) for row in table])
        np.testing.assert_allclose(
            probabilities, torch.softmax(torch.from_numpy(logits), -1).numpy(), atol=6e-4
        )
        assert [row["sum = logit"] for row in table] == [row["model's logit"] for row in table]
        assert "Check: for every class the contributions plus the bias equal the model's logit" in page_text(
            at
        )
        assert len(_tables(at)[1]) == 8  # the top contributing units
        predicted = int(np.argmax(logits))
        assert at.segmented_control(key="cell_head_class").value == predicted
        assert classifier.labels[predicted] in chart_titles(at)[1]
    other = 1 - predicted
    _ok(at.segmented_control(key="cell_head_class").set_value(other).run())
    assert classifier.labels[other] in chart_titles(at)[1]


def test_a_bad_view_in_a_link_falls_back_to_the_equations(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"view": "<script>"})
    assert "the view “\\<script\\>”, which this page does not have; showing the cell equations" in page_text(
        at
    )
    assert at.segmented_control(key=VIEW).value == "equations" and at.get("latex")


def test_teacher_mode_steps_with_the_buttons_and_keeps_the_view(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"teacher": "1", "view": "unrolled"})
    assert not at.get("slider")  # the word chips take its place: the diagram fits the first screen
    _ok(at.button(key="cell_next").click().run())
    assert chart_titles(at)[1].endswith("word 2 of 5") and at.query_params["word"] == "2"


def test_hostile_view_values_in_a_link(models_dir, monkeypatch):
    for value in ("**head**", "$x$", "unrolled ", "HEAD", "\u202ehead"):
        at = _open(models_dir, monkeypatch, {"view": value})
        assert "which this page does not have" in page_text(at)
        assert at.segmented_control(key=VIEW).value == "equations"


def test_every_view_with_one_word_and_with_a_long_sentence(models_dir, monkeypatch):
    long = " ".join(["the movie was not good"] * 40)  # 200 tokens
    for sentence, word in (("good", "1"), (long, "200")):
        for view in ("unrolled", "embedding", "head"):
            at = _open(
                models_dir, monkeypatch, {"sentence": sentence, "view": view, "word": word, "model": "rnn"}
            )
            titles = chart_titles(at)
            assert len(titles) >= 2, (view, titles)
            if view == "unrolled":
                assert titles[1].endswith(f"word {word} of {word}")
