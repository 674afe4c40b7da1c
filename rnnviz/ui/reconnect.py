"""The notice for a student whose server process went away: when a page reconnects to a process
that never had its session (its replica was killed or restarted, and nginx sent it to another one,
or to the restarted one), a one-time toast says so, and that the browser's saved models are back.

The signal is the page's own. Streamlit's frontend keeps the id of the session it was connected
to, and when its websocket drops it reconnects with that id as the third entry of the handshake's
Sec-WebSocket-Protocol header ("streamlit, <xsrf token>, <previous session id>"); the header is in
`st.context.headers`. A process that still has that session reconnects the page to it (no new
session, no notice). So a *new* session whose handshake names a previous one means the previous
session was lost. Each process remembers the ids of the sessions it created (`SessionLog`): a
previous id it created itself is a session that expired here (a laptop that slept), not a move, so
no notice; an id it never created belonged to another process, which is gone from this page's
point of view. A reload (F5) or a new tab starts without a previous id: no notice. Students on a
surviving replica keep their websocket and session: nothing happens to them.

The page reconnects within a second or so, but Streamlit's frontend reruns the script after a
reconnect only when a run or a timed fragment (a training's live view) was under way; an idle
page gets its new session's first run, and so the notice, at the student's next action.

Such a session also adopts the control values its browser's previous process mirrored to the
model store (rnnviz.ui.saved_models.mirror_controls): sentences, pages' settings, the chosen model.
The widget values the browser sent with the new session's first run win over them: they hold the
student's last change, which the old process may have died before receiving (or mirroring).

Session state keys:
    rnnviz_reconnect_checked   True once this session's first run asked where it came from
    rnnviz_reconnect_moved     {"settings": whether control values came back}, until the toast
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

import streamlit as st

# A private Streamlit module, on purpose: a session's own id (which the page names when it
# reconnects) has no public API (st.context has no session id; checked for Streamlit 1.67).
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.common import GENERATED_ELEMENT_ID_PREFIX

from rnnviz.ui import saved_models, state

CHECKED_KEY = "rnnviz_reconnect_checked"
MOVED_KEY = "rnnviz_reconnect_moved"  # set by take_over for notice_if_moved
PROTOCOL_HEADER = "Sec-WebSocket-Protocol"
REMEMBERED_SESSIONS = 20_000  # ids a process keeps (36 characters each: under 2 MB)
NOTICE_SECONDS = 20  # how long the toast stays (the student can close it sooner)


def previous_session(headers: Mapping[str, str]) -> str | None:
    """The session id a page asked to resume in its websocket handshake, or None (a fresh page).
    `headers` is the handshake's (st.context.headers); the header's entries are positional."""
    raw = next((value for name, value in headers.items() if name.lower() == PROTOCOL_HEADER.lower()), "")
    entries = [entry.strip() for entry in str(raw).split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


class SessionLog:
    """The ids of the sessions one process created, the newest REMEMBERED_SESSIONS of them."""

    def __init__(self, size: int = REMEMBERED_SESSIONS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, session_id: str) -> None:
        with self._lock:
            self._ids[session_id] = None
            self._ids.move_to_end(session_id)
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            return session_id in self._ids

    def newest(self) -> str | None:
        """The id added last (None before any)."""
        with self._lock:
            return next(reversed(self._ids), None)


def moved_here(previous: str | None, log: SessionLog) -> bool:
    """Whether a new session whose page asked to resume `previous` came from another process:
    it asked for one (a reconnect, not a reload) and this process never created it."""
    return previous is not None and previous not in log


def notice_text(saved: int, settings: bool = False) -> str:
    """The toast: what happened and where the browser's saved models are in its first sentence
    (a toast shows three lines before "view more"), then what was kept (`settings`: the control
    values came back) and what was lost."""
    stopped = "The server process you were on stopped;"
    if settings:
        afresh = "continues on another one with your settings (a running training was lost)."
    else:
        afresh = "started afresh on another one (settings and a running training are reset)."
    if not saved:
        return f"{stopped} this page {afresh}"
    models = "your saved model is" if saved == 1 else f"your {saved} saved models are"
    return f"{stopped} {models} back in the model picker. This page {afresh}"


@st.cache_resource(show_spinner=False)
def _session_log() -> SessionLog:
    """One log per server process, shared by its sessions."""
    return SessionLog()


def widget_key(widget_id: str) -> str | None:
    """The user key at the end of a Streamlit widget id ("$$ID-<hash>-<key>"), or None."""
    parts = widget_id.split("-", 2)
    keyed = len(parts) == 3 and parts[0] == GENERATED_ELEMENT_ID_PREFIX and parts[2] != "None"
    return parts[2] if keyed else None


def _browser_widget_keys(context) -> set[str]:
    """The keys of the widgets whose values the browser sent with this run. Private Streamlit
    state, on purpose: before a widget is drawn in a session, its value from the browser is not
    readable through st.session_state (checked for Streamlit 1.67); a missing attribute (another
    version) gives no keys, and the stored values are drawn as before."""
    try:
        ids = list(context.session_state._state._new_widget_state.states)
    except AttributeError:
        return set()
    return {key for key in map(widget_key, ids) if key}


def _handshake_headers() -> Mapping[str, str]:
    try:
        return dict(st.context.headers)
    except Exception:  # no browser behind this run (AppTest, bare mode): no handshake
        return {}


def take_over() -> None:
    """On a session's first run, before any widget: note this session in the process's log and,
    when the page came from another process, adopt the control values that process mirrored to the
    store (so the sentence the student had just typed is the one this run draws), and remember to
    toast (`notice_if_moved`)."""
    if st.session_state.get(CHECKED_KEY):
        return
    st.session_state[CHECKED_KEY] = True
    context = get_script_run_ctx()
    if context is None:
        return
    log = _session_log()
    moved = moved_here(previous_session(_handshake_headers()), log)
    log.add(context.session_id)
    if moved:
        st.session_state[MOVED_KEY] = {"settings": saved_models.restore_controls() > 0}
        state.defer_to_browser(_browser_widget_keys(context))


def notice_if_moved() -> None:
    """Once, after the model picker brought the saved models back: the toast for a page that came
    from another process (`take_over`)."""
    moved = st.session_state.pop(MOVED_KEY, None)
    if moved:
        st.toast(
            notice_text(len(saved_models.saved_names()), moved["settings"]),
            icon=":material/sync_problem:",
            duration=NOTICE_SECONDS,
        )
