"""Proves the Why-gates page keeps one student to one long-range experiment at a time (issue 13,
item 9): with one queued or running, the Train button for other settings is disabled with a
message saying why, and "Stop my other experiment" frees the student to start another."""

from tests.pages_support import app_test, page_text

PAGE = "pages/why_gates.py"
LONG = {"filler": "100", "train": "1600", "epochs": "20", "seed": "7"}  # minutes: stopped below


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at, label: str):
    (button,) = [b for b in at.button if b.label == label]
    return button


def test_a_second_experiment_from_the_same_session_waits_its_turn(models_dir, monkeypatch):
    at = _ok(app_test(models_dir, monkeypatch, LONG).switch_page(PAGE).run())
    _ok(_button(at, "Train the three cells").click().run())
    assert any(b.label == "Stop" for b in at.button), page_text(at)

    _ok(at.number_input(key="gates_seed").set_value(8).run())  # other settings: a second experiment
    assert _button(at, "Train the three cells").disabled
    assert "You already have 1 experiment queued or running" in page_text(at)

    _ok(_button(at, "Stop my other experiment").click().run())
    assert not _button(at, "Train the three cells").disabled
    _ok(at.number_input(key="gates_seed").set_value(7).run())
    assert not any(b.label == "Stop" for b in at.button)  # the long run was withdrawn and stopped
