"""Proves the Units page's match view in Streamlit's AppTest: off by default (nothing is indexed),
on it lists the phrases where the ranking's best units are on with a legend and a caption, units
chosen by hand and a changed threshold are used, and an uploaded text file that is too large,
binary or not UTF-8 gives a clear message (never a traceback) while a good one joins the search."""

from __future__ import annotations

import pytest

from rnnviz.analysis import matches as mt
from rnnviz.data import corpora
from rnnviz.lessons import glossary
from rnnviz.ui import units_match
from tests.pages_support import app_test, html_bodies, page_text

PAGE = "pages/units.py"


def _text(at) -> str:
    """The page's text with markdown's escapes (and the zero-width spaces after colons) taken out."""
    return page_text(at).replace("\\", "").replace("\u200b", "")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def page(models_dir, monkeypatch):
    """The Units page on the stand-in LSTM, its match index over a few hundred sentences."""
    monkeypatch.setattr(mt, "TARGET_SENTENCES", 300)
    monkeypatch.setattr(mt, "MIN_GRAMMAR", 150)
    monkeypatch.setattr(corpora, "downloaded", lambda folder=None: False)
    units_match._builtin_index.clear()
    units_match._builtin_corpus.clear()
    at = _ok(app_test(models_dir, monkeypatch).switch_page(PAGE).run())
    yield at
    units_match._builtin_index.clear()
    units_match._builtin_corpus.clear()


def test_off_by_default_then_the_top_phrases_of_the_best_units(page):
    at = page
    assert "rnnviz-matches" not in html_bodies(at)
    _ok(at.toggle(key="units_match_on").set_value(True).run())
    body = html_bodies(at)
    assert body.count("<li ") == mt.TOP and "Colour = mean" in body
    text = _text(at)
    assert "The mean " in text and ", on at or " in text  # which units the ranking gave
    assert "The 20 phrases where the mean" in text and "sentences (pairs, grammar)" in text
    youden = at.number_input(key="units_match_threshold").value
    _ok(at.number_input(key="units_match_threshold").set_value(round(youden + 0.05, 4)).run())
    assert f"{youden + 0.05:.4g}" in _text(at)
    _ok(at.button(key="units_match_youden").click().run())
    assert at.number_input(key="units_match_threshold").value == youden


def test_units_chosen_by_hand(page):
    at = page
    _ok(at.toggle(key="units_match_on").set_value(True).run())
    _ok(at.segmented_control(key="units_match_from").set_value("mine").run())
    best = at.dataframe[0].value.iloc[0]  # choosing by hand starts from the ranking's best unit
    assert glossary.title(at.selectbox(key="units_match_quantity").value) == best["quantity"]
    assert best["unit"] in at.multiselect(key="units_match_units").value
    _ok(at.selectbox(key="units_match_quantity").set_value("forget").run())
    _ok(at.multiselect(key="units_match_units").set_value([0, 5]).run())
    _ok(at.number_input(key="units_match_threshold").set_value(0.0).run())
    assert "mean forget gate f of units 0, 5" in _text(at)
    assert html_bodies(at).count("<li ") == mt.TOP


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * 5000, "at most"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (b"the movie was good\nthe movie was \xff\xfe bad\n", "line 2: not UTF-8 text (byte 0xff)"),
        (b"\n\n   \n", "no sentence"),
    ],
)
def test_a_bad_upload_says_why(page, monkeypatch, content, message):
    monkeypatch.setattr(units_match, "_max_upload_bytes", lambda: 4000)
    at = page
    _ok(at.toggle(key="units_match_on").set_value(True).run())
    _ok(at.file_uploader(key="units_match_file").set_value(("mine.txt", content, "text/plain")).run())
    (error,) = at.error
    shown = error.value.replace("\\", "").replace("\u200b", "")
    assert "“mine.txt” cannot be used" in shown and message in shown
    assert html_bodies(at).count("<li ") == mt.TOP  # the built-in corpus is still searched


def test_a_good_upload_joins_the_search(page):
    at = page
    _ok(at.toggle(key="units_match_on").set_value(True).run())
    lines = "\n".join(["the plot was not dull", "bell\x07line", "", "it was not bad , not bad at all"] * 3)
    _ok(at.file_uploader(key="units_match_file").set_value(("mine.txt", lines.encode(), "text/plain")).run())
    assert not at.error
    assert "Skipped line 2 and 2 more: with control characters." in _text(at)
    assert "your file" in _text(at)
