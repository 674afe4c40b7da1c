"""Proves, as named regressions of issue 13 (items 1-5), that no click sequence a student tried
loses or changes a setting: an emptied sentence, teacher mode, popovers, Reset and page visits
leave every control as it was, a running job's settings show on the Train page, a finished model
reaches the picker from any page, and a run writes the URL once."""

from __future__ import annotations

import pytest
from streamlit.runtime.state.query_params import QueryParams

from rnnviz.training import jobs
from rnnviz.ui import state
from rnnviz.ui import train as ui_train
from rnnviz.ui.lab_inputs import UPLOAD
from tests import monkey
from tests.pages_support import chart_titles, page_text
from tests.test_page_train import poll, press, tiny

SWITCH = monkey.TEACHER_KEY


@pytest.fixture(scope="module", autouse=True)
def _warm():
    jobs.warm_up()


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(app, page):
    at = _ok(app.run())
    return _ok(at.switch_page(page).run())


def _choose(at, key, shown):
    """Pick the option displayed as `shown` in a select, select slider, pills or segmented control."""
    monkey.apply(at, ("set", key, [shown]))
    return _ok(at)


def _teacher_round_trip(at):
    _ok(at.sidebar.toggle(key=SWITCH).set_value(True).run())
    return _ok(at.sidebar.toggle(key=SWITCH).set_value(False).run())


def _visit(at, page, back):
    _ok(at.switch_page(page).run())
    return _ok(at.switch_page(back).run())


def _stored(at, key):
    return at.session_state[state.STORE_KEY][key]


def _widget(at, key):
    return monkey.find(at, key)


# 1. Explore: "Order units by" came back empty and every later sentence crashed.
def test_explore_keeps_the_unit_order_through_an_empty_sentence_and_teacher_mode(app):
    at = _open(app, "pages/explore.py")
    _choose(at, "explore_order", "most changed")
    for text in ("", "the movie was bad", "the plot was dull"):
        _ok(at.text_input(key="explore_sentence").input(text).run())
    assert _widget(at, "explore_order").value == "changed"
    _teacher_round_trip(at)
    _ok(at.text_input(key="explore_sentence").input("the acting was great").run())
    assert _widget(at, "explore_order").value == "changed"
    assert any("most changed" in title or "unit" in title for title in chart_titles(at))


# 2. Negation lab: own pairs, the built-in switch and an uploaded file vanished.
def test_lab_keeps_own_pairs_switch_and_upload_through_retyping_and_teacher_mode(app):
    at = _open(app, "pages/negation_lab.py")
    at.query_params["section"] = "pairs"  # the tab with the pairs controls, as a link opens it
    _ok(at.run())
    typed = "the soup was hot | positive\nthe soup was not hot | negative"
    _ok(at.text_area(key="lab_typed").input(typed).run())
    _ok(at.toggle(key="lab_builtin").set_value(False).run())
    uploaded = b"the tea was warm\tpositive\nthe tea was not warm\tnegative\n"
    at.session_state[state.STORE_KEY][UPLOAD.key] = ("mine.tsv", uploaded)  # as an upload leaves it
    _ok(at.run())
    assert any(title.endswith("· 2 pairs") for title in chart_titles(at)), chart_titles(at)
    _ok(at.text_input(key="lab_b").input("").run())
    _ok(at.text_input(key="lab_b").input("the movie was not good").run())
    _ok(at.sidebar.toggle(key=SWITCH).set_value(True).run())
    assert any(title.endswith("· 2 pairs") for title in chart_titles(at)), "teacher mode ignored the upload"
    _ok(at.sidebar.toggle(key=SWITCH).set_value(False).run())
    assert at.text_area(key="lab_typed").value == typed
    assert at.toggle(key="lab_builtin").value is False
    assert "mine" in page_text(at) and "uploaded before" in page_text(at)


# 3. Settings changed behind the user's back.
def test_train_keeps_its_advanced_settings_through_teacher_mode(app):
    at = _open(app, "pages/train.py")
    _ok(at.select_slider(key="train_embedding").set_value(16).run())
    _ok(at.select_slider(key="train_batch").set_value(64).run())
    _ok(at.select_slider(key="train_dropout").set_value(0.2).run())
    _ok(at.number_input(key="train_seed").set_value(7).run())
    _teacher_round_trip(at)
    assert at.select_slider(key="train_embedding").value == 16
    assert at.select_slider(key="train_batch").value == 64
    assert at.select_slider(key="train_dropout").value == 0.2
    assert at.number_input(key="train_seed").value == 7


def test_why_gates_shows_the_gradient_target_it_draws_through_teacher_mode(app):
    at = _open(app, "pages/why_gates.py")
    options = _widget(at, "gates_of").proto.options
    embedding = next(option.content for option in options if "embedding" in option.content.lower())
    _choose(at, "gates_of", embedding)
    _ok(at.sidebar.toggle(key=SWITCH).set_value(True).run())
    assert _stored(at, "gates_of") == "embedding"
    _ok(at.sidebar.toggle(key=SWITCH).set_value(False).run())
    assert _widget(at, "gates_of").value == "embedding"


def test_why_gates_experiment_settings_survive_reruns(app):
    at = _open(app, "pages/why_gates.py")
    _choose(at, "gates_train", "400")
    _ok(at.slider(key="gates_epochs").set_value(3).run())
    _ok(at.number_input(key="gates_seed").set_value(5).run())
    _ok(at.slider(key="gates_filler").set_value(30).run())
    assert (_widget(at, "gates_train").value, at.slider(key="gates_epochs").value) == (400, 3)
    assert at.number_input(key="gates_seed").value == 5
    assert at.query_params["train"] == "400" and at.query_params["seed"] == "5"


def test_inside_the_cell_unit_box_shows_the_unit_it_explains(app):
    at = _open(app, "pages/inside_the_cell.py")
    unit = at.number_input(key="cell_unit").value
    assert f"The arithmetic of unit {unit}," in "\n".join(h.value for h in at.subheader)
    _ok(at.number_input(key="cell_unit").set_value(3).run())
    _ok(at.text_input(key="cell_sentence").input("the acting was great").run())
    assert at.number_input(key="cell_unit").value == 3
    assert "The arithmetic of unit 3," in "\n".join(h.value for h in at.subheader)


def test_lab_quantity_keeps_its_selection_when_sentence_b_changes(app):
    at = _open(app, "pages/negation_lab.py")
    forget = next(o.content for o in _widget(at, "lab_quantity").proto.options if "orget" in o.content)
    _choose(at, "lab_quantity", forget)
    _ok(at.text_input(key="lab_b").input("the movie was not great").run())
    assert _widget(at, "lab_quantity").value == "forget"


def test_train_probe_sentence_survives_reset_and_start(app):
    at = _open(app, "pages/train.py")
    tiny(at)
    press(at, "Start")
    poll(at, lambda s: s.status == "done")
    _ok(at.text_input(key="train_probe").input("the plot was not dull").run())
    press(at, "Reset")
    press(at, "Start")
    assert at.text_input(key="train_probe").value == "the plot was not dull"
    at.session_state[ui_train.JOB_KEY].stop()


# 4. Train forgot its own job.
def test_train_shows_the_running_jobs_settings_after_a_page_visit(app):
    at = _open(app, "pages/train.py")
    tiny(at, epochs=20)
    press(at, "Start")
    _visit(at, "pages/explore.py", "pages/train.py")
    assert at.select_slider(key="train_hidden").value == 8
    assert at.slider(key="train_epochs").value == 20
    assert at.select_slider(key="train_hidden").disabled
    at.session_state[ui_train.JOB_KEY].stop()


def test_resume_applies_the_learning_rate_chosen_while_paused_after_a_page_visit(app):
    at = _open(app, "pages/train.py")
    tiny(at, epochs=20)
    press(at, "Start")
    poll(at, lambda s: s.status == "running")
    press(at, "Pause")
    poll(at, lambda s: s.status == "paused")
    _ok(at.select_slider(key="train_lr").set_value(0.003).run())
    _visit(at, "pages/explore.py", "pages/train.py")
    assert at.select_slider(key="train_lr").value == 0.003
    press(at, "Resume")
    job = at.session_state[ui_train.JOB_KEY]
    poll(at, lambda s: s.runs[0].trainer is not None and s.runs[0].trainer.lr == pytest.approx(0.003))
    job.stop()


# 5. Navigation reset work.
def test_every_train_setting_survives_a_visit_to_another_page(app):
    at = _open(app, "pages/train.py")
    _ok(at.select_slider(key="train_hidden").set_value(16).run())
    _ok(at.slider(key="train_epochs").set_value(3).run())
    _ok(at.toggle(key="train_bidirectional").set_value(True).run())
    _ok(at.selectbox(key="train_readout").set_value("max").run())
    _visit(at, "pages/negation_lab.py", "pages/train.py")
    assert at.select_slider(key="train_hidden").value == 16
    assert at.slider(key="train_epochs").value == 3
    assert at.toggle(key="train_bidirectional").value is True
    assert at.selectbox(key="train_readout").value == "max"


def test_a_finished_model_joins_the_picker_on_whatever_page_the_student_is(app):
    at = _open(app, "pages/train.py")
    tiny(at)
    press(at, "Start")
    _ok(at.switch_page("pages/explore.py").run())
    job = at.session_state[ui_train.JOB_KEY]
    job.join(60)
    _ok(at.run())
    picker = at.sidebar.selectbox(key="rnnviz_model")
    assert any("LSTM 1×8" in str(option) for option in picker.options), picker.options


def test_a_page_visit_writes_the_url_once(app, monkeypatch):
    at = _open(app, "pages/explore.py")
    writes = []
    for method in ("__setitem__", "__delitem__", "from_dict", "clear", "update"):
        original = getattr(QueryParams, method)

        def counted(self, *args, _original=original, _name=method, **kwargs):
            writes.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(QueryParams, method, counted)
    _ok(at.switch_page("pages/negation_lab.py").run())
    # one from_dict (which updates internally), never parameter by parameter
    assert writes.count("from_dict") == 1 and not {"__setitem__", "__delitem__"} & set(writes), writes
    assert at.query_params["a"] == "the movie was good"
