"""Proves the Train page in Streamlit's AppTest: a tiny training starts, is polled to completion and
lands in the sidebar's model picker with results and a download; Stop keeps the model, Reset clears
the page; a new learning rate set while paused is used on Resume; a far too high learning rate
stops with an explanation; a bad table upload names its line; a full server says "queued, position
N"."""

from __future__ import annotations

import re
import time

import pytest

from rnnviz.training import jobs
from rnnviz.training.config import TrainConfig
from rnnviz.training.training_job import TrainingJob
from rnnviz.ui import train as ui_train
from tests.pages_support import chart_titles, page_text

JOB = ui_train.JOB_KEY


@pytest.fixture(scope="module", autouse=True)
def _warm():
    jobs.warm_up()


@pytest.fixture
def train(app):
    """The Train page in a fresh AppTest; any job it started is stopped afterwards."""
    at = app.run()
    at.switch_page("pages/train.py").run()
    _ok(at)
    yield at
    if JOB in at.session_state:
        job = at.session_state[JOB]
        job.stop()
        job.join(30)


KEPT = re.compile(r"Kept the weights of epoch \d+|the result keeps those")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def tiny(at, epochs: int = 1, lr: float | None = None):
    """The smallest settings the controls offer (1,000 grammar sentences, 8 units)."""
    if any(s.key == "train_size" for s in at.select_slider):  # only for the built-in grammar
        at.select_slider(key="train_size").set_value(1_000)
    at.select_slider(key="train_embedding").set_value(8)
    at.select_slider(key="train_hidden").set_value(8)
    at.select_slider(key="train_batch").set_value(64)
    at.slider(key="train_epochs").set_value(epochs)
    if lr is not None:
        at.select_slider(key="train_lr").set_value(lr)
    return _ok(at.run())


def press(at, label: str):
    button = next(b for b in at.button if b.label == label)
    assert not button.disabled, f"{label} is disabled"
    return _ok(button.click().run())


def poll(at, until, timeout: float = 50.0):
    """Rerun the page (as the live fragment does once a second) until until(job state), then
    once more, as the fragment does when the status changes: the page then shows that state (the
    job may have changed it while the last run drew the page, a worker process being a pipe away)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _ok(at.run())
        state = at.session_state[JOB].state()
        if until(state):
            _ok(at.run())
            return state
        time.sleep(0.3)
    raise AssertionError(f"timed out; the job is {at.session_state[JOB].state().status}")


def test_a_tiny_training_runs_to_the_end_and_joins_the_picker(train):
    at = tiny(train, epochs=2)
    assert "Press **Start**" in page_text(at)
    at = press(at, "Start")
    state = poll(at, lambda s: s.status == "done")
    at.run()  # the run after "done" adds the model to the picker and reruns
    _ok(at)
    name = state.runs[0].result.name
    assert name == "LSTM 1×8, grammar 1k, lr 0.01, 2 ep, seed 0"
    picker = at.sidebar.selectbox[0]
    assert name in picker.options and picker.value == name
    titles = chart_titles(at)
    for title in (
        "Loss: lower is better",
        "Accuracy: higher is better",
        "Prediction after each word · epoch 2",
        "Prediction after each word, epoch by epoch: P(positive)",
        "Forget gate f, mean of all units, layer 1 of the LSTM, epoch by epoch",
        "Confusion matrix (test set)",
        "Accuracy per class (test set)",
    ):
        assert title in titles
    assert [m.label for m in at.metric] == ["Test accuracy", "Negation pairs both right"]
    assert at.get("download_button")[0].proto.label == "Download as a checkpoint"
    assert "finished 2 epochs" in page_text(at)
    assert not next(b for b in at.button if b.label == "Start").disabled

    at.text_input(key="train_probe").set_value("not bad at all").run()
    assert "Prediction after each word · epoch 2" in chart_titles(_ok(at))
    at.switch_page("pages/explore.py").run()  # Explore reads the trained model
    assert _ok(at).sidebar.selectbox[0].value == name


def test_a_mean_readout_model_trains_and_says_so(train):
    assert train.selectbox(key="train_readout").value == "last"
    at = _ok(train.selectbox(key="train_readout").set_value("mean").run())
    at = press(tiny(at, epochs=1), "Start")
    state = poll(at, lambda s: s.status == "done")
    _ok(at.run())
    result = state.runs[0].result
    assert result.classifier.config.readout == "mean"
    assert result.classifier.meta["settings"]["readout"] == "mean"
    assert result.name == "LSTM 1×8, mean over steps, grammar 1k, lr 0.01, 1 ep, seed 0"
    assert at.sidebar.selectbox[0].value == result.name
    assert "readout:\u200b mean over steps" in at.sidebar.caption[0].value  # md_escape breaks "x:" links
    assert at.selectbox(key="train_readout").value == "mean"  # kept after the run


def test_stop_keeps_the_model_and_reset_clears_the_page(train):
    at = press(tiny(train, epochs=20), "Start")
    poll(at, lambda s: s.step >= 3)
    assert next(b for b in at.button if b.label == "Start").disabled
    at = press(at, "Stop")
    state = poll(at, lambda s: not s.active)
    assert state.status == "done" and state.stop_reason == "user"
    assert state.runs[0].trainer.status == "stopped"
    _ok(at.run())
    assert state.runs[0].result.name in at.sidebar.selectbox[0].options
    assert "stopped after" in page_text(at)
    at = press(at, "Reset")
    assert JOB not in at.session_state and "Press **Start**" in page_text(at)
    assert not chart_titles(at)


def test_a_learning_rate_set_while_paused_is_used_on_resume(train):
    at = press(tiny(train, epochs=20), "Start")
    poll(at, lambda s: s.step >= 2)
    assert at.select_slider(key="train_lr").disabled
    at = press(at, "Pause")
    paused = poll(at, lambda s: s.status == "paused")
    assert not at.select_slider(key="train_lr").disabled and at.select_slider(key="train_hidden").disabled
    assert "Paused" in page_text(at)
    at.select_slider(key="train_lr").set_value(0.001).run()
    at = press(at, "Resume")
    state = poll(at, lambda s: s.step >= paused.step + 2)
    steps = [e for e in state.runs[0].history if e.kind == "step"]
    assert steps[0].lr == 0.01 and steps[-1].lr == 0.001
    press(at, "Stop")


def test_a_far_too_high_learning_rate_stops_with_an_explanation(train):
    at = press(tiny(train, epochs=3, lr=10.0), "Start")
    state = poll(at, lambda s: s.status == "done")
    assert state.runs[0].warning
    _ok(at.run())
    warnings = " ".join(w.value for w in at.warning)
    assert "the learning rate 10 is too high" in warnings
    assert KEPT.search(warnings)  # which weights the result holds: an epoch's, or the untrained ones
    assert state.runs[0].result.name in at.sidebar.selectbox[0].options


def test_a_bad_table_upload_names_its_line(train):
    at = train
    at.selectbox(key="train_data").set_value("upload").run()
    assert "Upload a CSV or TSV table" in page_text(_ok(at))
    bad = b"text,label\nthe movie was good,positive\n,negative\n"
    at.file_uploader(key="train_upload").set_value(("mine.csv", bad, "text/csv")).run()
    errors = page_text(_ok(at))
    assert "This table cannot be used" in errors and "line 3" in errors and "the text is empty" in errors
    assert next(b for b in at.button if b.label == "Start").disabled

    good = b"text,label\n" + b"".join(
        b"a fine film %d,yes\nan awful film %d,no\n" % (i, i) for i in range(60)
    )
    at.file_uploader(key="train_upload").set_value(("good.csv", good, "text/csv")).run()
    assert "120 rows" in page_text(_ok(at))
    at = press(tiny(at), "Start")
    state = poll(at, lambda s: s.status == "done")
    assert state.runs[0].labels == ("no", "yes") and state.data[2] == 18
    _ok(at.run())
    assert "the pairs are labelled negative, positive" in page_text(at)  # so no negation-pair score


def test_a_full_server_says_queued_and_the_position(train, monkeypatch):
    server = jobs.JobManager(max_running=1, replicas=3)  # one of 3 replicas (rnnviz.tools.serve)
    monkeypatch.setattr(ui_train, "training_manager", lambda: server)
    holder = TrainingJob([TrainConfig(builtin_size=200, embedding_dim=4, hidden_size=4, epochs=1000)])
    holder.pause()
    server.submit(holder, alive=lambda: True)
    try:
        intro = " ".join(i.value for i in train.run().info)
        assert "This server process (one of 3) trains up to 1 model at once" in intro
        at = press(tiny(train), "Start")
        poll(at, lambda s: s.status == "queued")
        info = " ".join(i.value for i in at.info).replace("\\", "").replace("\u200b", "")  # markdown escapes
        assert "Queued, position 1: this server process (one of 3) trains at most 1 model at once" in info
    finally:
        server.stop_all()


def test_a_model_near_chance_finishes_under_a_warning_not_a_check(train):
    at = press(tiny(train, epochs=1, lr=1e-6), "Start")  # too small a step to learn anything
    state = poll(at, lambda s: s.status == "done")
    _ok(at.run())
    accuracy = state.runs[0].result.test.accuracy
    assert abs(accuracy - 0.5) <= 0.05, accuracy
    assert any("within 5 points of chance" in w.value for w in at.warning)
    assert not any("LSTM" in s.value for s in at.success)
