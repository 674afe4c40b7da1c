"""Proves in AppTest that a browser's trained and uploaded models come back: a model trained or
uploaded in one session is in the picker of a new session with the same browser token (a reload, a
new tab, another replica), not in a session with another token, and gone everywhere once deleted;
without a token (plain `streamlit run app.py`) nothing is saved and the sidebar has no list."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from rnnviz.training import jobs
from rnnviz.training.store import ModelStore, StoreSettings, new_token
from rnnviz.ui import saved_models, token_cookie
from rnnviz.ui import train as ui_train
from tests.conftest import make_classifier
from tests.pages_support import app_test

UPLOADED = "mine (uploaded)"


class Browser:
    """Whose cookie the next AppTest session carries (AppTest cannot send cookies)."""

    token: str | None = None


@pytest.fixture
def browser(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNVIZ_MODEL_STORE", str(tmp_path / "store"))
    who = Browser()
    monkeypatch.setattr(token_cookie, "browser_token", lambda: who.token)
    return who


def session(models_dir, monkeypatch):
    """A new browser session (what a reload or a new tab opens)."""
    at = app_test(models_dir, monkeypatch).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def options(at) -> list[str]:
    return at.sidebar.selectbox(key="rnnviz_model").options


def upload(at, models_dir):
    data = (models_dir / "lstm.safetensors").read_bytes()
    at.sidebar.file_uploader[0].set_value(("mine.safetensors", data, "application/octet-stream")).run()
    assert not at.exception
    return at


def test_an_upload_is_back_in_a_new_session_of_the_same_browser_only(browser, models_dir, monkeypatch):
    browser.token = new_token()
    at = upload(session(models_dir, monkeypatch), models_dir)
    assert UPLOADED in options(at)

    again = session(models_dir, monkeypatch)  # a reload: a new session, the same cookie
    assert UPLOADED in options(again)
    assert any(e.label == "Saved models (1)" for e in again.sidebar.expander)
    again.sidebar.selectbox(key="rnnviz_model").set_value(UPLOADED).run()
    assert not again.exception
    assert again.query_params["model"] == UPLOADED
    linked = app_test(models_dir, monkeypatch, {"model": UPLOADED}).run()  # a link to it, in a new tab
    assert linked.sidebar.selectbox(key="rnnviz_model").value == UPLOADED and not linked.warning

    owner = browser.token
    browser.token = new_token()  # another browser
    stranger = session(models_dir, monkeypatch)
    assert UPLOADED not in options(stranger)
    assert any(e.label == "Saved models (0)" for e in stranger.sidebar.expander)

    browser.token = owner
    assert UPLOADED in options(session(models_dir, monkeypatch))


def test_a_deleted_model_leaves_the_picker_and_does_not_come_back(browser, models_dir, monkeypatch):
    browser.token = new_token()
    at = upload(session(models_dir, monkeypatch), models_dir)
    at.sidebar.selectbox(key="rnnviz_model").set_value(UPLOADED).run()
    delete = next(b for b in at.sidebar.button if b.label == "Delete")
    delete.click().run()
    assert not at.exception
    assert UPLOADED not in options(at)
    assert at.sidebar.selectbox(key="rnnviz_model").value == "lstm"  # back to the default
    assert UPLOADED not in options(session(models_dir, monkeypatch))
    store = ModelStore(StoreSettings.from_environment())
    assert store.list(browser.token) == []


def test_a_trained_model_is_back_in_a_new_session(browser, models_dir, monkeypatch):
    jobs.warm_up()
    browser.token = new_token()
    at = session(models_dir, monkeypatch)
    at.switch_page("pages/train.py").run()
    at.select_slider(key="train_size").set_value(1_000)
    at.select_slider(key="train_embedding").set_value(8)
    at.select_slider(key="train_hidden").set_value(8)
    at.slider(key="train_epochs").set_value(1)
    at.run()
    next(b for b in at.button if b.label == "Start").click().run()
    job = at.session_state[ui_train.JOB_KEY]
    deadline = time.monotonic() + 60
    while job.state().status != "done":
        assert time.monotonic() < deadline, job.state().status
        time.sleep(0.3)
        at.run()
    at.run()  # the run after "done" adds the model to the picker
    assert not at.exception
    name = job.state().runs[0].result.name
    assert name in options(at)

    again = session(models_dir, monkeypatch)
    assert name in options(again)
    assert again.sidebar.selectbox(key="rnnviz_model").value == "lstm"  # offered, not chosen


def test_without_a_browser_token_nothing_is_saved(browser, models_dir, monkeypatch, tmp_path):
    browser.token = None
    at = upload(session(models_dir, monkeypatch), models_dir)
    assert UPLOADED in options(at)  # this session still has it
    assert not any(e.label.startswith("Saved models") for e in at.sidebar.expander)
    assert not (tmp_path / "store").exists()
    assert UPLOADED not in options(session(models_dir, monkeypatch))


def test_cleanup_store_deletes_expired_browsers_when_a_server_starts(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNVIZ_MODEL_STORE", str(tmp_path))
    monkeypatch.setenv("RNNVIZ_MODEL_STORE_DAYS", "1")
    store = ModelStore(StoreSettings.from_environment())
    old, recent = new_token(), new_token()
    store.save(old, "old", "trained", make_classifier())
    store.save(recent, "recent", "trained", make_classifier())
    for seen in tmp_path.glob("*/seen"):
        if seen.parent.name == hashlib.sha256(old.encode()).hexdigest():
            os.utime(seen, (time.time() - 2 * 86400,) * 2)
    saved_models.cleanup_store()
    assert store.list(old) == [] and len(store.list(recent)) == 1


def test_a_model_over_the_cap_stays_in_the_tab_and_the_list_says_why(browser, models_dir, monkeypatch):
    monkeypatch.setenv("RNNVIZ_MODEL_STORE_MB_PER_BROWSER", "0.001")  # 1 kB: nothing fits
    browser.token = new_token()
    at = upload(session(models_dir, monkeypatch), models_dir)
    assert UPLOADED in options(at)
    [warning] = at.sidebar.warning
    assert "is not saved" in warning.value and "kB this server keeps per browser" in warning.value
    assert UPLOADED not in options(session(models_dir, monkeypatch))
