"""A browser's saved models in a session: the store this server uses, bringing the browser's saved
models back on a session's first run, saving what it trains or uploads, and the sidebar list where
a student deletes them; and the browser's control values, mirrored in the same store so that a
replica taking over a killed one's browser starts where the student was.

The store (rnnviz.training.store) is keyed by the browser's token (rnnviz.ui.token_cookie); with no
token, or with the store off, every function here does nothing and models last as long as the tab.
This module never touches the picker itself: rnnviz.ui.models calls it and adds what it returns.

Session state keys:
    rnnviz_saved            {picker name: store entry id} of this session's models that are saved
    rnnviz_saved_restored   True once this session's saved models were brought back
    rnnviz_saved_problem    why the last save failed (plain text), until the next save works
    rnnviz_controls_mirrored  the control values last written to the store, as JSON
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from rnnviz.core.checkpoints import CheckpointError
from rnnviz.core.markup import md_escape
from rnnviz.core.models import Classifier
from rnnviz.training.store import Kind, ModelStore, StoreError, StoreSettings
from rnnviz.ui import state, token_cookie

_LOG = logging.getLogger(__name__)

SAVED_KEY = "rnnviz_saved"
RESTORED_KEY = "rnnviz_saved_restored"
PROBLEM_KEY = "rnnviz_saved_problem"
MIRRORED_KEY = "rnnviz_controls_mirrored"


@st.cache_resource(show_spinner=False)
def _store(folder: str, per_browser_bytes: int, total_bytes: int, max_age_seconds: float) -> ModelStore:
    """One store object per server and settings (it holds no state: every answer comes from disk)."""
    return ModelStore(StoreSettings(Path(folder), per_browser_bytes, total_bytes, max_age_seconds))


def cleanup_store() -> None:
    """Delete what expired in the store (warmup.lifespan, when a server starts); problems are logged."""
    try:
        settings = StoreSettings.from_environment()
        if settings is not None:
            done = ModelStore(settings).cleanup()
            _LOG.info("model store %s: deleted %d expired browsers, %d leftovers", settings.folder, *done)
    except (OSError, ValueError):
        _LOG.exception("model store: cleanup failed")


def model_store() -> ModelStore | None:
    """The store named by $RNNVIZ_MODEL_STORE... (None when it is off or its settings are bad)."""
    try:
        settings = StoreSettings.from_environment()
    except ValueError:
        _LOG.exception("model store settings")
        return None
    if settings is None:
        return None
    return _store(
        str(settings.folder), settings.per_browser_bytes, settings.total_bytes, settings.max_age_seconds
    )


def _active() -> tuple[ModelStore, str] | None:
    """(store, token) when this session can save, else None."""
    token = token_cookie.browser_token()
    store = model_store() if token is not None else None
    return (store, token) if store is not None and token is not None else None


def saved_names() -> dict[str, str]:
    """{picker name: entry id} of this session's saved models (mutable dict)."""
    return st.session_state.setdefault(SAVED_KEY, {})


def restore() -> list[tuple[str, Classifier, str]]:
    """On a session's first run: the browser's saved models as (name, classifier, entry id), for
    the picker to add (then `remember` the name it used). Afterwards, and with no store: []."""
    if st.session_state.get(RESTORED_KEY):
        return []
    st.session_state[RESTORED_KEY] = True
    active = _active()
    if active is None:
        return []
    store, token = active
    known = set(saved_names().values())
    found = []
    try:
        listed = store.list(token)
    except OSError:
        _LOG.exception("model store: listing failed")
        return []
    for model in listed:
        if model.entry in known:
            continue
        try:
            found.append((model.name, store.load(token, model.entry), model.entry))
        except (StoreError, CheckpointError, OSError) as error:
            _LOG.warning("model store: saved model %s not loaded: %s", model.entry, error)
    return found


def remember(name: str, entry: str) -> None:
    """The picker shows the saved model `entry` as `name`."""
    saved_names()[name] = entry


def save(name: str, classifier: Classifier, kind: Kind) -> None:
    """Keep a model the picker just got as `name` in the browser's store (no store: nothing).
    A failure is remembered for the sidebar list to show; the model stays in this session."""
    active = _active()
    if active is None:
        return
    store, token = active
    try:
        model = store.save(token, name, kind, classifier)
    except StoreError as error:
        st.session_state[PROBLEM_KEY] = f"{name} is not saved: {error}"
        return
    except OSError:
        _LOG.exception("model store: saving failed")
        st.session_state[PROBLEM_KEY] = f"{name} is not saved: the server could not write it"
        return
    st.session_state.pop(PROBLEM_KEY, None)
    remember(name, model.entry)


def _delete(names: list[str], forget: Callable[[str], None]) -> None:
    """Button callback: delete `names` from the store and from the picker."""
    active = _active()
    if active is None:
        return
    store, token = active
    for name in names:
        entry = saved_names().get(name)
        try:
            if entry is not None:
                store.delete(token, entry)
        except (OSError, StoreError):
            _LOG.exception("model store: deleting %s failed", entry)
            st.session_state[PROBLEM_KEY] = f"{name} could not be deleted: the server could not remove it"
            continue
        saved_names().pop(name, None)
        forget(name)


def saved_box(forget: Callable[[str], None]) -> None:
    """Sidebar list of this browser's saved models with a Delete button each; `forget(name)`
    takes a deleted model out of the picker. Draws nothing without a store."""
    if _active() is None:
        return
    names = list(saved_names())
    problem = st.session_state.get(PROBLEM_KEY)
    with st.expander(f"Saved models ({len(names)})", expanded=bool(problem)):  # open to say why
        st.caption(
            "Models you train or upload, kept on this server for this browser: a reload or a new "
            "tab brings them back. Nobody else can see them."
        )
        if problem:
            st.warning(md_escape(problem))
        for name in names:
            text, button = st.columns([3, 2], vertical_alignment="center")
            text.markdown(md_escape(name))
            button.button(
                "Delete",
                key=f"rnnviz_saved_delete_{saved_names()[name]}",
                on_click=_delete,
                args=([name], forget),
                help="Delete this model from the server and from the model list",
            )
        if len(names) > 1:
            st.button("Delete all", key="rnnviz_saved_delete_all", on_click=_delete, args=(names, forget))


def mirror_controls() -> None:
    """Write this session's control values to the browser's store when they changed since the last
    write (no store or no token: nothing), so that a replica taking the browser over starts from
    them (`restore_controls`). Called before and after each page run: a value a widget's callback
    just set is on disk before the page's work begins."""
    active = _active()
    if active is None:
        return
    values = state.snapshot()
    try:
        text = json.dumps(values, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return
    if st.session_state.get(MIRRORED_KEY) == text:
        return
    store, token = active
    try:
        store.save_controls(token, values)
    except OSError:
        _LOG.exception("model store: control values not saved")
        return
    st.session_state[MIRRORED_KEY] = text


def restore_controls() -> int:
    """Adopt the control values the browser's previous server process saved (`mirror_controls`);
    how many. For a session that came from a killed or restarted replica (rnnviz.ui.reconnect)."""
    active = _active()
    if active is None:
        return 0
    store, token = active
    values = store.load_controls(token)
    state.adopt(values)
    return len(values)
