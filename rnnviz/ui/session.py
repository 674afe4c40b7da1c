"""One browser session's place in the app: routing through app.py, the URL it mirrors, and the
sentence its pages share.

A page applies an opened link once (`incoming_query`) and afterwards asks for its own view in
the URL (`set_query`); app.py writes it once per run (`flush_query`), so Back goes back one
view, and the user's own choices win over the link.

Session state keys:
    rnnviz_query_seen       {query parameter: value} last read from or written to the URL
    rnnviz_query_pending    {query parameter: value or None} asked for in this run, not yet written
    rnnviz_routed           set by app.py just before it runs the page (`ensure_routed`)
    rnnviz_shared_seen      {text control: the shared sentence it last took} (`follow_sentence`)
Explore's sentence is the control SHARED_SENTENCE (rnnviz.ui.state).
"""

from __future__ import annotations

import runpy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import streamlit as st

from rnnviz.core.markup import clean_text, quote
from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import Translate, english
from rnnviz.ui import state

T = TypeVar("T")

QUERY_SEEN_KEY = "rnnviz_query_seen"
QUERY_PENDING_KEY = "rnnviz_query_pending"  # what this run asked of the URL (`set_query`), not yet written
ROUTED_KEY = "rnnviz_routed"
ROUTER = "app.py"  # the entrypoint, in the folder that holds Streamlit's pages/ folder
# Explore's sentence: the other pages start from it, and hand theirs back to it.
SHARED_SENTENCE = state.Control(
    "explore_sentence", glossary.DEFAULT_SENTENCE, check=lambda v: isinstance(v, str)
)
SHARED_SEEN_KEY = "rnnviz_shared_seen"  # {text control key: the shared sentence it last took}

# --------------------------------------------------------------------------- routing


def mark_routed() -> None:
    """app.py, just before `page.run()`: the page about to run was chosen by the router."""
    st.session_state[ROUTED_KEY] = True


def ensure_routed(page_file: str) -> None:
    """First line of every page, `ensure_routed(__file__)`: when the page runs without app.py,
    run app.py instead (which then runs this page inside it, with the sidebar) and stop this
    bare run.

    Until some session has called st.navigation, Streamlit 1.67 treats our pages/ folder the
    legacy way: the first visit to a page's own address (a shared link such as
    `/negation_lab?a=…`) runs that file alone. app.py's st.navigation then resolves the same
    address to the same page and keeps the link's query parameters. Streamlit's pages/ folder
    sits beside the entrypoint, so the router is found from the page's own file.
    """
    if st.session_state.pop(ROUTED_KEY, False):
        return
    runpy.run_path(str(Path(page_file).resolve().parent.parent / ROUTER), run_name="__main__")
    st.stop()


def notice(message: str) -> None:
    """A visible warning about a link or input we could not follow. `message` must already
    be safe markdown (build user parts with `quote`)."""
    st.warning(message, icon=":material/info:")


# --------------------------------------------------------------------------- URL


def incoming_query(names: Sequence[str]) -> dict[str, str]:
    """The query parameters among `names` that arrived from outside this session's own
    writes, i.e. from a link that was opened; each is reported once.

    Values this session wrote itself (`set_query`) or already reported are not returned
    again, so a page applies a link once and the user's own choices win afterwards.
    """
    seen = st.session_state.setdefault(QUERY_SEEN_KEY, {})
    found = {}
    for name in names:
        if name in st.query_params:
            value = st.query_params[name]
            if seen.get(name) != value:
                found[name] = value
            seen[name] = value
    return found


def begin_query() -> None:
    """Start a run's URL: nothing written yet. app.py calls it before anything sets the URL."""
    st.session_state[QUERY_PENDING_KEY] = {}


def set_query(**values: str | None) -> None:
    """Ask for `values` in the URL (None removes a parameter). Nothing is written until
    `flush_query`, so that a run changes the address once: Back then goes back one view."""
    seen = st.session_state.setdefault(QUERY_SEEN_KEY, {})
    st.session_state.setdefault(QUERY_PENDING_KEY, {}).update(values)
    for name, value in values.items():
        if value is None:
            seen.pop(name, None)
        else:
            seen[name] = value


def wanted_query() -> dict[str, str]:
    """The URL's query parameters as this run wants them: today's, with what it set."""
    wanted = st.query_params.to_dict()
    for name, value in st.session_state.get(QUERY_PENDING_KEY, {}).items():
        if value is None:
            wanted.pop(name, None)
        else:
            wanted[name] = value
    return wanted


def flush_query() -> None:
    """Write the run's URL in one change, if it changed (app.py after the page; a fragment that
    sets the URL, at its end)."""
    wanted = wanted_query()
    st.session_state[QUERY_PENDING_KEY] = {}
    if wanted != st.query_params.to_dict():
        st.query_params.from_dict(wanted)


def query_choice(
    incoming: dict[str, str],
    name: str,
    options: Sequence[T],
    parse: Callable[[str], T],
    what: str,
    fallback_text: str,
    missing: str = "which this model does not have",
    _: Translate = english,
) -> T | None:
    """The option the opened link asks for under `name`, or None when it asks for none or
    for something invalid or stale (then a notice says so, with `missing`, and names
    `fallback_text`; `_` translates it)."""
    if name not in incoming:
        return None
    raw = incoming[name]
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        value = None
    if value is not None and value in options:
        return value
    notice(
        _("The link asks for {what} {value}, {missing}; showing {fallback}.").format(
            what=what, value=quote(raw), missing=missing, fallback=fallback_text
        )
    )
    return None


def whole_number(raw: str) -> int:
    """An ASCII decimal number from a link ("12"); ValueError for anything int() would also
    take, such as "1_0", " 7 " or other scripts' digits."""
    if not (raw.isascii() and raw.isdecimal()):
        raise ValueError(f"not a whole number: {raw!r}")
    return int(raw)


def text_from_query(incoming: dict[str, str], name: str, key: str, max_chars: int) -> None:
    """Make the text the opened link carries under `name` the value of text control `key`
    (call before the text box is drawn), cut to `max_chars` with a notice."""
    if name in incoming:
        text, cut = clean_text(incoming[name], max_chars)
        if cut:
            notice(f"The link's text was longer than {max_chars} characters and has been cut.")
        state.set_value(state.Control(key, ""), text)


# --------------------------------------------------------------------------- one sentence for all pages


def follow_sentence(key: str, default: str) -> None:
    """Before drawing text box `key`: take the sentence last typed on Explore if it changed
    since this page last saw it, else keep the box's own text (`default` the first time).
    Call before `text_from_query`, so that an opened link still wins."""
    seen = st.session_state.setdefault(SHARED_SEEN_KEY, {})
    shared = state.value(SHARED_SENTENCE) if state.has_value(SHARED_SENTENCE) else None
    control = state.Control(key, default)
    if isinstance(shared, str) and shared != seen.get(key):
        state.set_value(control, shared)
        seen[key] = shared
    elif not state.has_value(control):
        state.set_value(control, default)


def share_sentence(key: str, text: str) -> None:
    """After reading text box `key`: hand `text` to Explore's text box, so a student who
    goes back finds the same sentence there."""
    st.session_state.setdefault(SHARED_SEEN_KEY, {})[key] = text
    state.set_value(SHARED_SENTENCE, text)
