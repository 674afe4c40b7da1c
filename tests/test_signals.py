"""Proves the honest signals: a near-chance accuracy and many unknown words are said plainly (the
words in rnnviz.lessons.glossary, the pages that show them), and heatmaps open on the 16 units that
changed most, in teacher mode too."""

import pytest

from rnnviz.lessons import glossary
from rnnviz.plots import colours
from rnnviz.ui import widgets
from tests.pages_support import app_test, chart_specs, html_bodies

TEXT_BOX = "explore_sentence"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_near_chance_accuracy_gets_a_warning():
    assert "within 5 points of chance (50% for 2 classes)" in glossary.chance_warning(0.497, 2)
    assert glossary.chance_warning(0.549, 2) and glossary.chance_warning(0.451, 2)
    assert glossary.chance_warning(0.56, 2) is None and glossary.chance_warning(0.9, 2) is None
    assert glossary.chance_warning(0.36, 3) and glossary.chance_warning(0.5, 3) is None


def test_unknown_words_from_thirty_percent_on():
    assert glossary.unknown_notice([False] * 4) is None
    assert glossary.unknown_notice([True, False, False, False]) is None  # 25%
    assert not glossary.many_unknown([True, False, False, False])
    notice = glossary.unknown_notice([True, True, False, False, True, True, False])
    assert notice.startswith("4 of the 7 words are not in the model's vocabulary")
    assert (
        glossary.many_unknown([True, False, False])
        and glossary.unknown_notice([True, True]) == glossary.ALL_UNKNOWN
    )
    assert glossary.unknown_notice([]) is None and not glossary.many_unknown([])


def test_explore_greys_the_verdict_when_many_words_are_unknown(app):
    at = _ok(app.run())
    assert "(many unknown words)" not in html_bodies(at)
    _ok(at.text_input(key=TEXT_BOX).set_value("the zebra quokka was good").run())
    assert "(many unknown words)" in html_bodies(at) and colours.UNCERTAIN in html_bodies(at)
    assert any("2 of the 5 words are not" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["pages/negation_lab.py", "pages/inside_the_cell.py"])
def test_other_pages_say_so_too(models_dir, monkeypatch, page):
    query = {"a": "the zebra quokka was good"} if "lab" in page else {"sentence": "the zebra quokka was good"}
    at = _ok(app_test(models_dir, monkeypatch, query).switch_page(page).run())
    assert any("2 of the 5 words are not" in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.mark.parametrize("teacher", [False, True])
def test_heatmaps_open_on_sixteen_most_changed_units(models_dir, monkeypatch, teacher):
    assert (widgets.DEFAULT_ORDERING, widgets.DEFAULT_UNITS_SHOWN) == ("changed", 16)
    at = _ok(
        app_test(models_dir, monkeypatch, {"teacher": "1"} if teacher else {}).run()
    )  # the LSTM: 24 units
    heatmaps = [s for s in chart_specs(at) if s["data"] and s["data"][0]["type"] == "heatmap"]
    assert heatmaps and all(len(s["data"][0]["y"]) == 16 for s in heatmaps)
    assert heatmaps[0]["data"][0]["y"] != [str(u) for u in range(16)]  # most changed first, not by number
