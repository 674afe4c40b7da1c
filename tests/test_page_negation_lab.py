"""Proves the Negation lab page in Streamlit's AppTest: the prefilled pair, bad pairs (empty, identical,
far apart, unknown words, hostile text), links, layer/direction switching on the 2-layer bidirectional
stand-in, typed and uploaded pairs with malformed lines, and picking a variant or a unit in a table all
end in a page without an exception, showing what they should."""

import urllib.parse

import pytest

from rnnviz.ui import lab_view
from rnnviz.ui.lab import saturation_sentences
from tests.pages_support import app_test, chart_specs, chart_titles, html_bodies, page_text

PAGE = "pages/negation_lab.py"
NOT_COLUMN = "— / not"


def _plain(elements) -> str:
    """The text of alerts as a reader sees it (without the markdown escapes ui.md_escape adds)."""
    return "\n".join(e.value for e in elements).replace("\\", "").replace("\u200b", "")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    """The lab page opened directly, as a link to it does."""
    at = app_test(models_dir, monkeypatch, query)
    at.switch_page(PAGE)
    return _ok(at.run())


@pytest.fixture
def lab(models_dir, monkeypatch):
    return _open(models_dir, monkeypatch)


def _set_pair(at, text_a, text_b):
    at.text_input(key="lab_a").set_value(text_a)
    at.text_input(key="lab_b").set_value(text_b)
    return _ok(at.run())


def _table(at, key_prefix):
    (table,) = [t for t in at.dataframe if t.key and t.key.startswith(key_prefix)]
    return table


def _select(at, key_prefix, rows):
    """Select `rows` of the table whose key starts with `key_prefix`, as a click would."""
    table = _table(at, key_prefix)
    at.session_state[table.key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return _ok(at.run())


def _section(at, name):
    """Open the lab's tab `name` (pair, units, pairs, why) as a link to it does."""
    at.query_params["section"] = name
    return _ok(at.run())


def _ticks(at, title_start):
    (spec,) = [s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith(title_start)]
    return spec["layout"]["xaxis"]["ticktext"]


def test_prefilled_pair_shows_not_as_an_insertion(lab):
    at = lab
    assert (at.text_input(key="lab_a").value, at.text_input(key="lab_b").value) == (
        "the movie was good",
        "the movie was not good",
    )
    # The first screen's chart and the open tab's (the pair side by side): nothing else is drawn.
    assert chart_titles(at) == [
        "Prediction after each word: P(positive) for A and B",
        "How far apart A and B are, word by word",
        "Hidden state h: A, B and their difference",
    ]
    assert [tab.label for tab in at.tabs] == list(lab_view.SECTIONS.values())
    assert _ticks(at, "Prediction after each word") == ["the", "movie", "was", NOT_COLUMN, "good"]
    heatmaps = chart_specs(at)[2]["layout"]
    assert heatmaps["xaxis"]["ticktext"][3] == "—" and heatmaps["xaxis2"]["ticktext"][3] == "not"
    body = html_bodies(at)
    assert "<bdi>positive</bdi>" in body and "<bdi>negative</bdi>" in body  # the stand-in flips on "not"
    assert "share of P(" not in body  # the attributions wait in their tab
    assert at.query_params["a"] == "the movie was good" and at.query_params["b"] == "the movie was not good"
    assert (at.query_params["layer"], at.query_params["direction"]) == ("1", "forward")
    assert "section" not in at.query_params  # the first tab needs no parameter

    at = _section(at, "pairs")
    titles = chart_titles(at)
    assert titles[1] == "Negation units: Hidden state h<br>layer 1, forward · 78 pairs"
    assert titles[2].startswith("Unit ") and titles[2].endswith(
        " on your pair: Hidden state h, A solid, B dashed"
    )
    at = _section(at, "why")
    assert "share of P(" in html_bodies(at)  # attributions as coloured tokens
    assert "convergence delta" in page_text(at)
    assert chart_titles(at)[-1].startswith("Gate saturation over")
    assert at.query_params["section"] == "why"
    at = _ok(at.text_input(key="lab_b").set_value("the movie was never good").run())
    assert "share of P(" in html_bodies(at)  # a new sentence keeps the open tab


@pytest.mark.parametrize(
    ("text_a", "text_b", "side"), [("the movie was good", "", "second"), ("  ", "x", "first")]
)
def test_an_empty_sentence_gets_a_prompt(lab, text_a, text_b, side):
    at = _set_pair(lab, text_a, text_b)
    # No chart of the pair; the scores over many pairs (and their controls) stay in their tab.
    assert chart_titles(at) == []
    assert f"The {side} sentence is empty: type a sentence to compare." in _plain(at.info)
    assert "Type two sentences above to compare them here." in _plain(at.info)
    at = _section(at, "pairs")
    assert at.toggle(key="lab_builtin").value is True
    assert [title[:15] for title in chart_titles(at)] == ["Negation units:"]
    assert not at.error
    assert ("No rule applies to sentence A" in page_text(at)) == (side == "first")  # no contrast set


def test_identical_sentences_are_explained_and_differ_by_zero(lab):
    at = _set_pair(lab, "the movie was good", "The  movie was good")
    assert "The two sentences are the same to the model" in _plain(at.warning)
    assert "— / not" not in _ticks(at, "Prediction after each word")
    assert len(chart_specs(at)) == 3


def test_very_different_lengths_and_unknown_words(lab):
    at = _set_pair(lab, "good", "zebra quokka xylophone " * 20 + "not good at all")
    warnings = _plain(at.warning)
    assert "very different lengths (1 and 64 tokens)" in warnings
    assert html_bodies(at).count("<sup>?</sup>") == 62  # 60 animals and instruments, "at", "all"
    assert len(chart_specs(at)) == 3
    at = _set_pair(at, "the movie was good", "zebra quokka")
    assert "None of the words of sentence B are in the model's vocabulary" in _plain(at.warning)


def test_long_sentences_are_cut(lab):
    at = _set_pair(lab, "the movie was good " * 60, "the movie was not good " * 30)
    assert "Sentence A was cut after 100 tokens (140 more were left out)" in _plain(at.warning)
    assert "a" not in at.query_params  # too long for a link


HOSTILE = {
    "script": "<script>alert(1)</script> not good",
    "html": '"><img src=x onerror=alert(1)> good',
    "markdown": "**not** _good_ [link](http://x) $x^2$ :smile: # head",
    "emoji and scripts": "the movie 😀 was לא טוב not good 👍🏽",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_stays_plain_text(lab, name):
    at = _set_pair(lab, HOSTILE[name], "the movie was good")
    body = html_bodies(at)
    assert "<script" not in body and "<img" not in body
    assert len(chart_specs(at)) == 3
    for section in ("pair", "units", "pairs", "why"):
        at = _section(at, section)
        assert "<script" not in html_bodies(at) and "<img" not in html_bodies(at)
        for spec in chart_specs(at):
            assert "<script" not in str(spec["layout"]) and "<img" not in str(spec["layout"])


def test_a_link_opens_the_same_view_and_bad_values_fall_back(models_dir, monkeypatch):
    query = {"a": "the plot is good", "b": "the plot is not good", "model": "gru", "layer": "2"}
    at = _open(models_dir, monkeypatch, {**query, "direction": "backward"})
    assert at.text_input(key="lab_b").value == "the plot is not good"
    assert "Hidden state h: A, B and their difference" in chart_titles(at)
    assert at.query_params["layer"] == "2" and at.query_params["direction"] == "backward"
    at = _open(models_dir, monkeypatch, {**query, "direction": "backward", "section": "pairs"})
    assert "Negation units: Hidden state h<br>layer 2, backward · 78 pairs" in chart_titles(at)
    assert at.query_params["section"] == "pairs"
    at = _open(models_dir, monkeypatch, {**query, "section": "<b>nowhere</b>"})
    assert "The link asks for the section “<b>nowhere</b>”, which the lab does not have" in _plain(at.warning)
    assert "Hidden state h: A, B and their difference" in chart_titles(at)
    at = _open(models_dir, monkeypatch, {**query, "model": "lstm"})
    assert "The link asks for layer “2”, which this model does not have" in _plain(at.warning)
    assert at.query_params["layer"] == "1"


def test_layers_directions_and_quantities_of_the_bidirectional_gru(lab):
    at = _ok(lab.sidebar.selectbox(key="rnnviz_model").set_value("gru").run())
    assert at.segmented_control(key="lab_quantity").options == [
        "Hidden state h",
        "Reset gate r",
        "Update gate z",
        "Candidate (new gate) n",
    ]
    _ok(at.segmented_control(key="lab_layer").set_value(1).run())
    _ok(at.segmented_control(key="lab_direction").set_value("backward").run())
    _ok(at.segmented_control(key="lab_quantity").set_value("update").run())
    assert "Update gate z: A, B and their difference" in chart_titles(at)
    at = _section(at, "pairs")
    assert "Negation units: Update gate z<br>layer 2, backward · 78 pairs" in chart_titles(at)
    titles = chart_titles(_section(at, "why"))
    assert f"Gate saturation over {len(saturation_sentences())} sentences" in titles[-1]
    assert titles[-1].endswith("words), backward")
    assert "update gate" in page_text(at)  # the right-saturated keep-gate is explained for the GRU
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("rnn").run())
    assert "A plain RNN has no gates" in _plain(at.info)
    assert at.segmented_control(key="lab_quantity").value == "hidden"


def test_typed_pairs_with_a_malformed_line(lab):
    at = _section(lab, "pairs")
    at.text_area(key="lab_typed").set_value("the soup was hot | positive\nthe soup was not hot\n")
    _ok(at.run())
    errors = _plain(at.error)
    assert "Your typed pairs, line 2: expected 'sentence | label', found no “|”" in errors
    assert "Negation units: Hidden state h<br>layer 1, forward · 78 pairs" in chart_titles(at)
    typed = "the soup was hot | positive\nthe soup was not hot | negative\n\n"
    typed += "it works\tpositive\nit never works\tnegative"
    at.text_area(key="lab_typed").set_value(typed)
    _ok(at.toggle(key="lab_builtin").set_value(False).run())
    assert not at.error
    assert "Negation units: Hidden state h<br>layer 1, forward · 2 pairs" in chart_titles(at)
    _ok(at.text_area(key="lab_typed").set_value("good | positive\nvery good | positive").run())
    assert "need at least two pairs with exactly one negated sentence" in _plain(at.info)


def test_uploaded_pairs_are_validated(lab):
    at = _section(lab, "pairs")
    upload = at.file_uploader(key="lab_file")
    _ok(upload.set_value(("pairs.tsv", b"it was good\tpositive\nit was bad\tmeh\n", "text/plain")).run())
    assert "The uploaded file, line 2: unknown label 'meh'" in _plain(at.error)
    _ok(at.file_uploader(key="lab_file").set_value(("pairs.tsv", b"\xff\xfe bad", "text/plain")).run())
    assert "line 1: the file is not UTF-8 text" in _plain(at.error)
    good = b"it was good\tpositive\nit was not good\tnegative\n"
    _ok(at.file_uploader(key="lab_file").set_value(("pairs.tsv", good, "text/plain")).run())
    assert not at.error
    assert "Negation units: Hidden state h<br>layer 1, forward · 79 pairs" in chart_titles(at)


def test_picking_a_variant_loads_it_as_sentence_b(lab):
    at = lab
    variants = _table(at, "lab_variants").value
    assert list(variants["sentence"][:2]) == ["the movie was not good", "the movie wasn't good"]
    assert set(variants.columns) == {"sentence", "change", "edit", "prediction", "probability"}
    at = _select(at, "lab_variants", [2])
    assert at.text_input(key="lab_b").value == "the movie was never good"
    assert "— / never" in _ticks(at, "Prediction after each word")
    _ok(at.text_input(key="lab_b").set_value("the movie was not good").run())  # typing wins afterwards
    assert at.text_input(key="lab_b").value == "the movie was not good"


def test_picking_units_in_the_tables(lab):
    at = _select(_section(lab, "pairs"), "lab_units", [3])
    unit = _table(at, "lab_units").value["unit"][3]
    assert f"Unit {unit} on your pair: Hidden state h, A solid, B dashed" in chart_titles(at)
    at = _select(_section(at, "units"), "lab_top", [0, 4])
    top = _table(at, "lab_top").value["unit"]
    assert f"Hidden state h of units {top[0]}, {top[4]}: A solid, B dashed" in chart_titles(at)


def test_pair_presets_fill_both_sentences(lab):
    at = _ok(lab.pills(key="lab_preset").set_value("negated negative: the movie was not bad").run())
    assert at.text_input(key="lab_a").value == "the movie was bad"
    assert at.text_input(key="lab_b").value == "the movie was not bad"


def test_a_unit_links_to_switching_it_off_on_the_units_page(lab, models_dir, monkeypatch):
    at = _select(_section(lab, "pairs"), "lab_units", [2])
    unit = int(_table(at, "lab_units").value["unit"][2])
    (link,) = [each.proto for each in at.get("page_link") if each.proto.page == "units"]
    assert link.label.startswith(f"What if unit {unit} were off at “not”?")
    query = dict(urllib.parse.parse_qsl(link.query_string))
    units = app_test(models_dir, monkeypatch, query).switch_page("pages/units.py").run()
    assert not units.exception and not units.warning
    assert units.multiselect(key="units_units").value == [unit]
    assert units.selectbox(key="units_mode").value == "zero"
    not_at = units.text_input(key="units_sentence").value.split().index("not")
    words = (units.selectbox(key="units_words_from").value, units.selectbox(key="units_words_to").value)
    assert words == (not_at, not_at)
