"""One browser session's place in the app: routing through app.py, the URL it mirrors, and the
sentence its pages share.

A page applies an opened link once (`incoming_query`) and afterwards writes its own view back
(`set_query`), touching only what changed, so Back goes back one view and the user's own
choices win over the link.

Session state keys:
    rnnviz_query_seen       {query parameter: value} last read from or written to the URL
    rnnviz_routed           set by app.py just before it runs the page (`ensure_routed`)
    explore_sentence        Explore's text box, the sentence other pages start from
    <key>_shared            the sentence a page last exchanged with Explore (`follow_sentence`)
"""

from __future__ import annotations

import runpy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import streamlit as st

from rnnviz.core.markup import clean_text, quote

T = TypeVar("T")

QUERY_SEEN_KEY = "rnnviz_query_seen"
ROUTED_KEY = "rnnviz_routed"
ROUTER = "app.py"  # the entrypoint, in the folder that holds Streamlit's pages/ folder
SHARED_SENTENCE_KEY = "explore_sentence"  # Explore's text box: other pages start from its sentence

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


def set_query(**values: str | None) -> None:
    """Write `values` to the URL (None removes a parameter), touching only what changed."""
    seen = st.session_state.setdefault(QUERY_SEEN_KEY, {})
    for name, value in values.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
            seen.pop(name, None)
        else:
            if st.query_params.get(name) != value:
                st.query_params[name] = value
            seen[name] = value


def query_choice(
    incoming: dict[str, str],
    name: str,
    options: Sequence[T],
    parse: Callable[[str], T],
    what: str,
    fallback_text: str,
    missing: str = "which this model does not have",
) -> T | None:
    """The option the opened link asks for under `name`, or None when it asks for none or
    for something invalid or stale (then a notice says so, with `missing`, and names
    `fallback_text`)."""
    if name not in incoming:
        return None
    raw = incoming[name]
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        value = None
    if value is not None and value in options:
        return value
    notice(f"The link asks for {what} {quote(raw)}, {missing}; showing {fallback_text}.")
    return None


def whole_number(raw: str) -> int:
    """An ASCII decimal number from a link ("12"); ValueError for anything int() would also
    take, such as "1_0", " 7 " or other scripts' digits."""
    if not (raw.isascii() and raw.isdecimal()):
        raise ValueError(f"not a whole number: {raw!r}")
    return int(raw)


def text_from_query(incoming: dict[str, str], name: str, key: str, max_chars: int) -> None:
    """Put the text the opened link carries under `name` into the widget `key` (call before
    the widget is drawn), cut to `max_chars` with a notice."""
    if name in incoming:
        text, cut = clean_text(incoming[name], max_chars)
        if cut:
            notice(f"The link's text was longer than {max_chars} characters and has been cut.")
        st.session_state[key] = text


# --------------------------------------------------------------------------- one sentence for all pages


def follow_sentence(key: str, default: str) -> None:
    """Before drawing text box `key`: take the sentence last typed on Explore if it changed
    since this page last saw it, else keep the box's own text (`default` the first time).
    Call before `text_from_query`, so that an opened link still wins."""
    state = st.session_state
    shared = state.get(SHARED_SENTENCE_KEY)
    if isinstance(shared, str) and shared != state.get(f"{key}_shared"):
        state[key] = shared
        state[f"{key}_shared"] = shared
    state.setdefault(key, default)


def share_sentence(key: str, text: str) -> None:
    """After reading text box `key`: hand `text` to Explore's text box, so a student who
    goes back finds the same sentence there."""
    state = st.session_state
    state[f"{key}_shared"] = text
    if state.get(SHARED_SENTENCE_KEY) != text:
        state[SHARED_SENTENCE_KEY] = text
