"""Proves teacher mode in AppTest: `?teacher=1` or the sidebar switch turns it on on every page, keeps
`teacher=1` in the URL across pages, leaves out each page's advanced controls (keeping their values for
when it is turned off), draws larger charts, and ends each page with a link to the current view."""

from pathlib import Path

import pytest
import streamlit as st

from rnnviz.plots import base as plots
from rnnviz.ui import teacher
from tests.pages_support import app_test, chart_specs, chart_titles

SWITCH = teacher.TEACHER_KEY
WIDGET_KINDS = (
    "segmented_control",
    "selectbox",
    "select_slider",
    "slider",
    "number_input",
    "toggle",
    "text_area",
    "text_input",
    "file_uploader",
    "download_button",
)

# page file -> (the controls teacher mode leaves out, the controls it keeps)
PAGES = {
    "pages/lesson.py": ({"rnnviz_upload"}, {"lesson_lang", "rnnviz_model"}),
    "pages/explore.py": (
        {"explore_order", "explore_shown", "explore_download_json", "explore_download_csv", "rnnviz_upload"},
        {"explore_sentence", "explore_view", "rnnviz_model"},
    ),
    "pages/word_order.py": (set(), {"order_sentence", "order_typed"}),
    "pages/negation_lab.py": (
        {"lab_shown", "rnnviz_upload"},  # and the pairs controls in their tab: see below
        {"lab_a", "lab_b", "lab_quantity"},
    ),
    "pages/train.py": (
        {"train_embedding", "train_batch", "train_dropout", "train_seed"},
        {
            "train_data",
            "train_cell",
            "train_hidden",
            "train_layers",
            "train_readout",
            "train_lr",
            "train_epochs",
        },
    ),
    "pages/inside_the_cell.py": ({"cell_word"}, {"cell_sentence", "cell_unit", "cell_view"}),
    "pages/why_gates.py": (
        {"gates_of", "gates_train", "gates_epochs", "gates_seed"},
        {"gates_sentence", "gates_filler", "gates_scaled"},
    ),
    "pages/layers.py": (
        {"layers_shown", "rnnviz_upload"},
        {"layers_sentence", "rnnviz_model"},
    ),
    "pages/batches.py": ({"rnnviz_upload"}, {"batch_1", "batch_2", "batch_3", "rnnviz_model"}),
    "pages/units.py": ({"rnnviz_upload"}, {"units_sentence", "units_quantity", "units_mode", "rnnviz_model"}),
}


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _keys(at) -> set[str]:
    """The keys of every widget the last run drew, main area and sidebar."""
    return {widget.key for kind in WIDGET_KINDS for widget in at.get(kind) if widget.key}


def _link(at) -> str:
    (box,) = at.code
    return box.value


@pytest.mark.parametrize("path", list(PAGES))
def test_a_teacher_link_opens_every_page_in_teacher_mode(models_dir, monkeypatch, path):
    hidden, kept = PAGES[path]
    at = _ok(app_test(models_dir, monkeypatch, {"teacher": "1"}).switch_page(path).run())
    assert at.sidebar.toggle(key=SWITCH).value is True
    assert at.query_params["teacher"] == "1"
    keys = _keys(at)
    assert not hidden & keys, hidden & keys
    assert kept <= keys, kept - keys
    link = _link(at)  # AppTest has no browser address: the link is the page's path and query
    page_path = "/" + Path(path).stem.replace("explore", "")
    assert link.startswith(f"{page_path}?") and "teacher=1" in link and "model=lstm" in link
    assert not any(title.startswith("Gate saturation") for title in chart_titles(at))


@pytest.mark.parametrize("path", list(PAGES))
def test_without_teacher_mode_the_advanced_controls_are_there(models_dir, monkeypatch, path):
    hidden, kept = PAGES[path]
    at = _ok(app_test(models_dir, monkeypatch).switch_page(path).run())
    assert at.sidebar.toggle(key=SWITCH).value is False and "teacher" not in at.query_params
    keys = _keys(at)
    assert hidden <= keys, hidden - keys
    assert kept <= keys
    assert not at.code  # the link box belongs to teacher mode


@pytest.mark.parametrize("teacher", [True, False])
def test_the_labs_own_pairs_are_advanced_controls_in_their_tab(models_dir, monkeypatch, teacher):
    query = {"section": "pairs", **({"teacher": "1"} if teacher else {})}
    at = _ok(app_test(models_dir, monkeypatch, query).switch_page("pages/negation_lab.py").run())
    own_pairs = {"lab_builtin", "lab_typed", "lab_file"}
    assert (own_pairs & _keys(at)) == (set() if teacher else own_pairs)
    assert any(title.startswith("Negation units") for title in chart_titles(at))


def test_the_switch_follows_the_url_and_keeps_hidden_values(app):
    at = _ok(app.run())
    _ok(at.segmented_control(key="explore_order").set_value("changed").run())
    plain = chart_specs(at)[1]["layout"]
    _ok(at.sidebar.toggle(key=SWITCH).set_value(True).run())
    assert at.query_params["teacher"] == "1" and "explore_order" not in _keys(at)
    large = chart_specs(at)[1]["layout"]
    assert large["height"] == round(plain["height"] * plots.PROJECTOR_SCALE)
    assert large["font"]["size"] > plain["font"]["size"]
    assert large["yaxis"]["title"]["text"] == plain["yaxis"]["title"]["text"]  # still ordered as chosen
    assert "changed" in plain["yaxis"]["title"]["text"]
    _ok(at.run())  # a second run in teacher mode must not lose the hidden value either
    _ok(at.sidebar.toggle(key=SWITCH).set_value(False).run())
    assert "teacher" not in at.query_params
    assert at.segmented_control(key="explore_order").value == "changed"
    assert chart_specs(at)[1]["layout"]["height"] == plain["height"]


def test_teacher_mode_stays_on_across_pages(models_dir, monkeypatch):
    at = _ok(app_test(models_dir, monkeypatch, {"teacher": "1"}).run())
    for path in ("pages/why_gates.py", "pages/inside_the_cell.py", "pages/explore.py"):
        _ok(at.switch_page(path).run())
        assert at.sidebar.toggle(key=SWITCH).value is True and at.query_params["teacher"] == "1", path
        assert "teacher=1" in _link(at)


def test_teacher_0_turns_it_off(models_dir, monkeypatch):
    at = _ok(app_test(models_dir, monkeypatch, {"teacher": "0"}).run())
    assert at.sidebar.toggle(key=SWITCH).value is False and "teacher" not in at.query_params


def test_the_link_follows_the_view(models_dir, monkeypatch):
    query = {"teacher": "1", "sentence": "the plot was fun", "unit": "2", "word": "3"}
    at = _ok(app_test(models_dir, monkeypatch, query).switch_page("pages/inside_the_cell.py").run())
    assert "word=3" in _link(at) and "unit=2" in _link(at) and "sentence=the+plot+was+fun" in _link(at)
    _ok(at.button(key="cell_next").click().run())
    assert "word=4" in _link(at)


def test_the_link_is_the_address_the_browser_is_on(models_dir, monkeypatch):
    """Not the server's own address: what st.context.url says the browser shows."""
    browser_url = "http://192.168.1.20:8501/negation_lab"
    monkeypatch.setattr(type(st.context), "url", property(lambda self: browser_url))
    at = _ok(app_test(models_dir, monkeypatch, {"teacher": "1"}).switch_page("pages/negation_lab.py").run())
    link = _link(at)
    assert link.startswith(f"{browser_url}?") and "teacher=1" in link and "127.0.0.1" not in link


def test_without_the_browser_address_the_link_falls_back_to_the_connection():
    query = {"teacher": "1", "model": "gru"}
    assert teacher.link_address("http://school.example:8501", None, None, "", query) == (
        "http://school.example:8501/?teacher=1&model=gru"
    )
    assert teacher.link_address(None, "https://school.example", "ignored", "train", query) == (
        "https://school.example/train?teacher=1&model=gru"
    )
    assert teacher.link_address(None, None, "10.0.0.5:8501", "why_gates", {}) == (
        "http://10.0.0.5:8501/why_gates"
    )
    assert teacher.link_address(None, "null", None, "", query) == "/?teacher=1&model=gru"
