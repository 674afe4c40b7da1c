"""Proves the notice for a page that lost its server process: the previous session id is read from
the websocket handshake's Sec-WebSocket-Protocol header, a process remembers the sessions it
created (the newest ones), and a new session toasts once exactly when its page asked to resume a
session this process never had, naming the saved models brought back; a reload, a new tab or a
session that expired on this same process gets no notice."""

from __future__ import annotations

import pytest

from rnnviz.training.store import new_token
from rnnviz.ui import reconnect, token_cookie
from tests.pages_support import app_test

GONE = "0b8f3c52-7d0e-4a8e-9d7a-3f1c2b4e5a60"  # a session id of a process that is gone


def test_the_previous_session_is_the_third_entry_of_the_handshakes_protocol_header():
    assert reconnect.previous_session({"Sec-Websocket-Protocol": f"streamlit, xsrf, {GONE}"}) == GONE
    assert reconnect.previous_session({"sec-websocket-protocol": f"streamlit,,{GONE}"}) == GONE
    assert reconnect.previous_session({"Sec-Websocket-Protocol": "streamlit, xsrf"}) is None  # fresh
    assert reconnect.previous_session({"Sec-Websocket-Protocol": "streamlit, xsrf, "}) is None
    assert reconnect.previous_session({"Host": "example"}) is None


def test_a_process_remembers_its_newest_sessions_and_a_move_is_a_stranger_id():
    log = reconnect.SessionLog(size=2)
    for session_id in ("a", "b", "c"):
        log.add(session_id)
    assert "a" not in log and "b" in log and "c" in log and log.newest() == "c"
    assert reconnect.moved_here("a", log)  # asked to resume a session this process does not know
    assert not reconnect.moved_here("c", log)  # one it created: expired here, not a move
    assert not reconnect.moved_here(None, log)  # a reload or a new tab asks for none


def test_the_notice_says_what_was_lost_and_counts_the_saved_models():
    assert reconnect.notice_text(0).startswith("The server process you were on stopped; this page")
    assert "saved model" not in reconnect.notice_text(0)
    one, three = reconnect.notice_text(1), reconnect.notice_text(3)
    assert one.startswith(
        "The server process you were on stopped; your saved model is back in the model picker."
    )
    assert "; your 3 saved models are back in the model picker. This page started afresh" in three
    kept = reconnect.notice_text(1, settings=True)
    assert "This page continues on another one with your settings" in kept and "reset" not in kept


@pytest.fixture
def handshake(monkeypatch, tmp_path):
    """The next AppTest session's handshake headers, and a fresh session log for this 'process'."""
    headers: dict[str, str] = {}
    log = reconnect.SessionLog()
    monkeypatch.setattr(reconnect, "_handshake_headers", lambda: headers)
    monkeypatch.setattr(reconnect, "_session_log", lambda: log)
    monkeypatch.setenv("RNNVIZ_MODEL_STORE", str(tmp_path / "store"))
    return headers, log


def _toasts(at) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [toast.value for toast in at.toast]


def test_a_page_that_comes_from_another_process_is_told_once(handshake, models_dir, monkeypatch):
    headers, log = handshake
    token = new_token()
    monkeypatch.setattr(token_cookie, "browser_token", lambda: token)
    first = app_test(models_dir, monkeypatch).run()
    assert _toasts(first) == []  # a fresh page
    data = (models_dir / "lstm.safetensors").read_bytes()
    first.sidebar.file_uploader[0].set_value(("mine.safetensors", data, "application/octet-stream")).run()
    here = log.newest()

    headers["Sec-Websocket-Protocol"] = f"streamlit, xsrf, {here}"  # expired on this process
    assert _toasts(app_test(models_dir, monkeypatch).run()) == []

    headers["Sec-Websocket-Protocol"] = f"streamlit, xsrf, {GONE}"  # its process was killed
    moved = app_test(models_dir, monkeypatch).run()
    toasts = _toasts(moved)
    assert len(toasts) == 1 and "your saved model is back in the model picker" in toasts[0]
    assert _toasts(moved.run()) == []  # once: the next run of that session says nothing
    assert GONE not in log  # only sessions this process created are remembered


def test_a_page_from_a_killed_replica_keeps_the_sentence_just_typed(handshake, models_dir, monkeypatch):
    """The first process mirrors the control values to the store as the student changes them; a
    session that comes from that (now gone) process adopts them before any widget is drawn, while
    a new tab or a reload starts from the defaults."""
    headers, _ = handshake
    token = new_token()
    monkeypatch.setattr(token_cookie, "browser_token", lambda: token)
    typed = "the soup was <b>cold</b> and the waiter never came back"
    first = app_test(models_dir, monkeypatch).run()
    first.text_input(key="explore_sentence").input(typed).run()
    assert not first.exception

    headers["Sec-Websocket-Protocol"] = f"streamlit, xsrf, {GONE}"  # its process was killed
    moved = app_test(models_dir, monkeypatch).run()
    assert moved.text_input(key="explore_sentence").value == typed
    toasts = _toasts(moved)
    assert len(toasts) == 1 and "continues on another one with your settings" in toasts[0]

    # The student's next change never reached the old process (it died first): the browser sends
    # it again with the new session's first run, and it wins over the older mirrored value.
    later = "the soup was hot and the waiter came back at once"
    first.text_input(key="explore_sentence").input(later)  # no run: the old process is gone
    resent = first._tree.get_widget_states()  # what the browser sends with its rerun request
    moved = app_test(models_dir, monkeypatch)._run(widget_state=resent)
    assert moved.text_input(key="explore_sentence").value == later
    assert moved.run().text_input(key="explore_sentence").value == later  # and it stays
    assert len(_toasts(moved)) == 0  # the notice came once, with the first run

    headers.pop("Sec-Websocket-Protocol")  # a reload or a new tab: defaults, no notice
    fresh = app_test(models_dir, monkeypatch).run()
    assert fresh.text_input(key="explore_sentence").value != typed
    assert _toasts(fresh) == []


def test_a_widget_id_names_its_key_at_the_end():
    assert reconnect.widget_key("$$ID-0f3a9c-explore_sentence") == "explore_sentence"
    assert reconnect.widget_key("$$ID-0f3a9c-a-key-with-dashes") == "a-key-with-dashes"
    assert reconnect.widget_key("$$ID-0f3a9c-None") is None  # a widget drawn without a key
    assert reconnect.widget_key("something-else") is None


def test_a_page_from_a_killed_replica_keeps_the_model_just_picked(handshake, models_dir, monkeypatch):
    """The address still names the model the old process wrote there; the picker's value the
    browser sent with the new session's first run is newer, and wins."""
    headers, _ = handshake
    token = new_token()
    monkeypatch.setattr(token_cookie, "browser_token", lambda: token)
    first = app_test(models_dir, monkeypatch).run()
    first.sidebar.selectbox(key="rnnviz_model").set_value("gru").run()
    assert first.query_params["model"] == "gru"
    first.sidebar.selectbox(key="rnnviz_model").set_value("rnn")  # no run: the old process is gone
    resent = first._tree.get_widget_states()

    headers["Sec-Websocket-Protocol"] = f"streamlit, xsrf, {GONE}"
    moved = app_test(models_dir, monkeypatch, {"model": "gru"})._run(widget_state=resent)
    assert not moved.exception
    assert moved.sidebar.selectbox(key="rnnviz_model").value == "rnn"
    assert moved.query_params["model"] == "rnn"
