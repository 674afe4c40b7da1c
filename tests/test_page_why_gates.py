"""Proves the Why-gates page in AppTest: the gradient chart compares the shipped models (leaving
out a bidirectional model's hidden-state line, with a note), survives empty, hostile and missing
input, and the long-range experiment runs at tiny size in the worker, states what it measured,
and is shared with a second session instead of being trained again."""

import shutil
import time

from rnnviz.core import checkpoints
from tests.pages_support import app_test, chart_specs, chart_titles, page_text

PAGE = "pages/why_gates.py"
GRADIENTS = "How much the prediction depends on each word's"
LONG_RANGE = "Remembering one word across N filler words"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


TINY = {"filler": "10", "train": "100", "epochs": "1"}  # the settings travel in the link


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _lines(at, title: str) -> list[str]:
    (spec,) = [s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith(title)]
    return [trace["name"] for trace in spec["data"]]


def test_gradient_flow_of_the_shipped_models(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    assert _lines(at, GRADIENTS) == ["LSTM (shipped)", "plain RNN (shipped)"]  # bidirectional: GRU, BiLSTM
    text = page_text(at)
    assert "GRU \\(shipped\\) is bidirectional" in text
    assert text.count("78 words before the end") == 2
    _ok(at.segmented_control(key="gates_of").set_value("embedding").run())
    assert _lines(at, GRADIENTS) == [
        "LSTM (shipped)",
        "GRU (shipped)",
        "plain RNN (shipped)",
        "BiLSTM, 2 layers (shipped)",
    ]
    _ok(at.toggle(key="gates_scaled").set_value(False).run())
    assert "÷" not in chart_specs(at)[0]["layout"]["yaxis"]["title"]["text"]


def test_empty_hostile_and_missing_input(models_dir, monkeypatch, tmp_path):
    at = _open(models_dir, monkeypatch)
    for text in ("", "   \n "):
        _ok(at.text_area(key="gates_sentence").set_value(text).run())
        assert not chart_titles(at) and "Type a sentence" in at.info[0].value
    _ok(
        at.text_area(key="gates_sentence")
        .set_value("<script>x</script> $\\frac{1}{2}$ **good** :smile:")
        .run()
    )
    ticks = " ".join(chart_specs(at)[0]["layout"]["xaxis"]["ticktext"])
    assert "&gt;" in ticks and "<script" not in ticks and "</" not in ticks

    only_lstm = tmp_path / "models"
    only_lstm.mkdir()
    shutil.copy(models_dir / checkpoints.SHIPPED["lstm"], only_lstm)
    at = _ok(app_test(only_lstm, monkeypatch).switch_page(PAGE).run())
    assert _lines(at, GRADIENTS) == ["LSTM (shipped)"]
    assert "not installed on this server" in at.warning[0].value

    at = _ok(app_test(tmp_path / "empty", monkeypatch).switch_page(PAGE).run())
    assert not chart_titles(at) and at.get("button")  # the experiment needs no shipped model


def _until_done(at, timeout=90.0):
    deadline = time.monotonic() + timeout
    while not at.get("success"):
        assert time.monotonic() < deadline, page_text(at)
        time.sleep(0.3)
        _ok(at.run())  # what the page's polling fragment does once a second
    return at


def test_the_long_range_experiment_runs_and_is_shared(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, TINY)
    assert at.slider(key="gates_filler").value == 10 and at.query_params["seed"] == "0"
    assert "(answer: negative)" in page_text(at)
    _ok(at.button[0].click().run())
    assert at.get("progress") or at.get("success")
    _until_done(at)
    assert _lines(at, LONG_RANGE) == ["plain RNN", "GRU", "LSTM"]
    summary = at.success[0].value
    assert summary.startswith("After 10 filler words the plain RNN scored 0\\.")
    assert "100 training sentences with 0–10 filler words, 1 epoch," in page_text(at)

    other = _open(models_dir, monkeypatch, TINY)  # a second student with the same settings
    assert other.success[0].value == summary and not other.get("button")

    at.slider(key="gates_epochs").set_value(20)  # a long run, stopped by the session that started it
    at.select_slider(key="gates_train").set_value(1600)
    _ok(at.run())
    _ok(at.button[0].click().run())
    stop = [button for button in at.button if button.label == "Stop"]
    assert stop, page_text(at)
    _ok(stop[0].click().run())
    assert any(button.label == "Train the three cells" for button in at.button)


def test_bad_settings_in_a_link_fall_back_with_a_notice(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"filler": "55", "train": "lots", "epochs": "3", "seed": "1_0"})
    assert at.slider(key="gates_filler").value == 50 and at.select_slider(key="gates_train").value == 800
    assert at.slider(key="gates_epochs").value == 3 and at.query_params["seed"] == "0"
    notices = " ".join(w.value for w in at.warning)
    assert "“55”" in notices and "“lots”" in notices and "“1\\_0”" in notices  # markdown-escaped
    assert "which is not one of its choices" in notices and "model" not in notices
