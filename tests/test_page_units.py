"""Proves the Units page in Streamlit's AppTest: the default intervention (the top negation units
zeroed at "not") draws the before/after chart and the aggregate line, the three presets run, the
patch and constant modes work, a hypothesis ranks units with its charts and table, the ranked
units can be sent to the intervention, and links and bad input give messages, not tracebacks."""

from __future__ import annotations

import base64

import numpy as np

from tests.pages_support import app_test, chart_specs, chart_titles, page_text

PAGE = "pages/units.py"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def test_default_view_changes_the_negation_units_and_ranks_a_hypothesis(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    titles = chart_titles(at)
    assert titles[0] == "P(positive) after each word, untouched and changed"
    assert titles[1] == "Hidden state h after the change (chosen units)"
    assert titles[2] == "How h moved: changed − untouched"
    assert titles[3] == "Units that tell the hypothesis's words apart"
    assert titles[4].startswith("Best: ")
    z = chart_specs(at)[2]["data"][0]["z"]  # [16 units, 5 words], plotly's base64 float32
    moved = np.frombuffer(base64.b64decode(z["bdata"]), np.float32).reshape(16, 5)
    assert np.all(moved[:, :3] == 0) and np.any(moved[:, 3:] != 0)  # nothing moves before "not"
    text = page_text(at)
    assert "After the last word: P(positive) =" in text
    assert "built-in negation pairs, both sentences right" in text and "(mean ± sd of 20 draws)" in text
    assert (at.selectbox(key="units_words_from").value, at.selectbox(key="units_words_to").value) == (3, 3)
    assert len(at.multiselect(key="units_units").value) == 3
    (table,) = at.dataframe
    assert len(table.value) == 15 and table.value["AUC"].is_monotonic_decreasing


def test_presets_run(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    for preset in ("forget gate 0 at “not”", "zero the top-3 negation units", "A's memory at “not” into B"):
        _ok(at.pills(key="units_preset").set_value(preset).run())
        assert chart_titles(at)[0] == "P(positive) after each word, untouched and changed"
    assert at.selectbox(key="units_mode").value == "patch"
    assert at.text_input(key="units_sentence").value == "the movie was good"
    assert at.select_slider(key="units_source_word").value == 3
    assert "in the built-in negation pairs" not in page_text(at).lower()  # no aggregate for a patch


def test_constant_mean_and_every_unit(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    _ok(at.selectbox(key="units_mode").set_value("constant").run())
    _ok(at.number_input(key="units_value").set_value(3.0).run())
    _ok(at.toggle(key="units_every").set_value(True).run())
    assert "After the last word" in page_text(at)
    _ok(at.selectbox(key="units_mode").set_value("mean").run())
    assert "After the last word" in page_text(at)


def test_hypotheses_and_sending_units_to_the_intervention(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    _ok(at.selectbox(key="units_feature").set_value("since_negator").run())
    _ok(at.number_input(key="units_n").set_value(2).run())
    _ok(at.segmented_control(key="units_kind").set_value("pattern").run())
    _ok(at.text_input(key="units_pattern").set_value("(").run())
    assert "not a regular expression" in page_text(at)
    _ok(at.text_input(key="units_pattern").set_value("zzzz").run())
    assert "must hold for some words and not for others" in page_text(at)
    _ok(at.segmented_control(key="units_kind").set_value("span").run())
    _ok(at.selectbox(key="units_span_from").set_value(3).run())
    _ok(at.selectbox(key="units_span_to").set_value(4).run())
    (table,) = at.dataframe
    best = table.value.iloc[0]
    _ok(at.button[0].click().run())
    assert at.multiselect(key="units_units").value[0] == int(best["unit"])


def test_links_and_bad_input(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"sentence": "it was never bad , but dull", "layer": "7"})
    assert at.text_input(key="units_sentence").value == "it was never bad , but dull"
    assert "layer" in page_text(at)  # the notice about layer 7
    assert (at.selectbox(key="units_words_from").value, at.selectbox(key="units_words_to").value) == (2, 2)
    _ok(at.text_input(key="units_sentence").set_value("   ").run())
    assert "Type a sentence above" in page_text(at)
    _ok(at.text_input(key="units_sentence").set_value("<b>not</b> **good** " * 30).run())
    assert "Only the first 40 tokens are read." in page_text(at)


def test_choices_survive_another_page_and_teacher_mode(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    _ok(at.selectbox(key="units_mode").set_value("constant").run())
    _ok(at.number_input(key="units_value").set_value(-2.5).run())
    _ok(at.selectbox(key="units_words_from").set_value(1).run())
    _ok(at.segmented_control(key="units_kind").set_value("pattern").run())
    _ok(at.switch_page("pages/word_order.py").run())
    _ok(at.sidebar.toggle(key="rnnviz_teacher").set_value(True).run())
    _ok(at.switch_page(PAGE).run())
    assert at.selectbox(key="units_mode").value == "constant"
    assert at.number_input(key="units_value").value == -2.5
    assert (at.selectbox(key="units_words_from").value, at.selectbox(key="units_words_to").value) == (1, 3)
    assert at.segmented_control(key="units_kind").value == "pattern"
    assert "Copy link to this view" in str([c.value for c in at.caption])


def test_a_link_opens_an_intervention_preset(models_dir, monkeypatch):
    query = {
        "sentence": "it was not bad",
        "quantity": "f",
        "change": "constant",
        "units": "1,4",
        "from": "3",
        "to": "4",
    }
    at = _open(models_dir, monkeypatch, query)
    assert at.selectbox(key="units_quantity").value == "forget"
    assert at.selectbox(key="units_mode").value == "constant"
    assert at.multiselect(key="units_units").value == [1, 4]
    assert (at.selectbox(key="units_words_from").value, at.selectbox(key="units_words_to").value) == (2, 3)
    assert at.query_params["units"] == "1,4" and at.query_params["from"] == "3"
    bad = {"sentence": "it was bad", "quantity": "zz", "change": "double", "units": "1,999", "from": "9"}
    at = _open(models_dir, monkeypatch, bad)
    said = " ".join(str(w.value) for w in at.warning)
    assert said.count("The link asks for") == 4, said
    at = _open(models_dir, monkeypatch, {"units": "all"})
    assert at.toggle(key="units_every").value is True and at.query_params["units"] == "all"


def test_switching_to_a_model_without_the_chosen_quantity(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    _ok(at.selectbox(key="units_quantity").set_value("forget").run())
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("gru").run())
    assert at.selectbox(key="units_quantity").value == "hidden"  # a GRU has no forget gate
    assert len(at.selectbox(key="units_quantity").options) == 4  # h, r, z, n
    _ok(at.selectbox(key="units_quantity").set_value("reset").run())
    assert chart_titles(at)[1] == "Reset gate r after the change (chosen units)"


def test_a_link_opens_a_patch(models_dir, monkeypatch):
    query = {"sentence": "the movie was good", "change": "patch", "quantity": "c", "units": "all"}
    query |= {"from": "3", "to": "3", "b": "the movie was not good", "bword": "4"}
    at = _open(models_dir, monkeypatch, query)
    assert at.text_input(key="units_source").value == "the movie was not good"
    assert at.select_slider(key="units_source_word").value == 3
    assert at.query_params["bword"] == "4" and at.query_params["b"] == "the movie was not good"
    assert chart_titles(at)[0] == "P(positive) after each word, untouched and changed"
    at = _open(models_dir, monkeypatch, {"change": "patch", "b": "it is good", "bword": "9"})
    assert "The link asks for word" in " ".join(str(w.value) for w in at.warning)
