"""Teacher mode, for showing the app on a projector: the flag itself, the sidebar switch and its
`teacher=1` URL flag, the larger text, and the "copy link to this view" box each page ends with.

What each page counts as advanced, and leaves out while teacher mode is on, is decided on the
page (`teacher_mode()`); charts are enlarged in one place, rnnviz.ui.output.chart. The switch is
the widget `TEACHER_KEY`, drawn by app.py on every page, so it keeps its value across pages.

Session state keys:
    rnnviz_teacher          the sidebar's Teacher mode toggle
    rnnviz_page_path        the running page's path (app.py's `remember_page`)
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots import colours
from rnnviz.ui import session

T = TypeVar("T")

TEACHER_KEY = "rnnviz_teacher"
PAGE_PATH_KEY = "rnnviz_page_path"  # the running page's url_path, for a link without the browser's address
FLAG = "teacher"  # the query parameter: teacher=1 turns teacher mode on, teacher=0 off
_ON = ("1", "true", "on", "yes")

# Fixed styles, never built from user text. Streamlit sizes its text, widgets and the sidebar
# in rem, as do the token chips and verdicts (rnnviz.plots.html): a larger root font scales them all.
# Every mode: a laptop's first screen (1366x768) holds the answer too.
# Charts laid out in pixels (rnnviz.ui.output.chart's WIDE_KEY_PREFIX containers) scroll sideways.
_SCROLL_STYLE = """
[class*="st-key-rnnviz_wide_"] { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
[class*="st-key-rnnviz_wide_"] > div { flex-shrink: 0; }
"""
PAGE_STYLE = f"""<style>{_SCROLL_STYLE}
[data-testid="stMainBlockContainer"] {{ padding-top: 2.2rem !important; }}
/* text contrast at least 4.5:1: captions, key hints and help marks a shade darker than Streamlit's */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{
    color: {colours.PAGE_CAPTION} !important; opacity: 1 !important; }}
kbd {{ color: {colours.PAGE_HINT} !important; opacity: 1 !important; }}
[data-testid="stMainBlockContainer"] h1 {{
    font-size: 2rem !important; padding: 0.2rem 0 0.4rem 0 !important; }}
</style>"""

PROJECTOR_STYLE = f"""<style>{_SCROLL_STYLE}
html {{ font-size: 22px !important; }}
/* the first screen of a 1280x720 projector holds the answer: little padding, one-line titles */
[data-testid="stMainBlockContainer"] {{
    padding: 0.6rem 1.2rem 3rem 1.2rem !important; max-width: 100% !important; }}
[data-testid="stMainBlockContainer"] h1 {{  /* left room for the folded sidebar's open button */
    font-size: 1.45rem !important; padding: 0.2rem 0 0.3rem 1.6rem !important; }}
[data-testid="stMainBlockContainer"] h2 {{
    font-size: 1.2rem !important; padding: 0.4rem 0 0.2rem 0 !important; }}
[data-testid="stHeader"] {{ height: 2rem !important; background: transparent !important; }}
/* example pills: one row, smaller than the lesson's own text */
[data-testid="stButtonGroup"] button p {{ font-size: 0.8rem !important; }}
/* captions at projector contrast (near-black on white: 15.9:1) and still readable size */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{
    font-size: 0.95rem !important; color: {colours.PROJECTOR_TEXT} !important; opacity: 1 !important; }}
[data-testid="stElementContainer"]:has(> [data-testid="stButtonGroup"]) {{ margin-top: -0.4rem; }}
/* projector contrast (7:1): hints, help marks and widget text in near-black */
kbd, [data-testid="stWidgetLabel"] * {{ color: {colours.PROJECTOR_TEXT} !important; opacity: 1 !important; }}
[data-testid="stAlertContainer"] * {{ color: {colours.PROJECTOR_ALERT} !important; }}
</style>"""


def opened_in_teacher_mode() -> bool:
    """Whether this run starts in teacher mode (the switch, or a `teacher=1` link), read before
    anything is drawn, for st.set_page_config."""
    wanted = st.query_params.get(FLAG)
    if wanted is not None:
        return wanted.strip().lower() in _ON
    return teacher_mode()


def teacher_mode() -> bool:
    """Whether teacher mode is on: the sidebar switch or a `teacher=1` link.
    Pages then leave out the controls they count as advanced, and charts are drawn larger."""
    return bool(st.session_state.get(TEACHER_KEY))


def teacher_switch() -> bool:
    """The sidebar's Teacher mode toggle, which follows an opened link's `teacher` flag and
    keeps `teacher=1` in the URL while it is on (so a copied link opens in teacher mode).
    While on, it also enlarges the text. Call it once per run, from app.py, before the pages'
    widgets. Returns whether teacher mode is on."""
    wanted = session.incoming_query([FLAG]).get(FLAG)
    if wanted is not None:
        st.session_state[TEACHER_KEY] = wanted.strip().lower() in _ON
    on = st.sidebar.toggle(
        "Teacher mode",
        key=TEACHER_KEY,
        help="For a projector: larger text and charts, fewer controls, and a link to the current view "
        "at the bottom of each page. A link with teacher=1 opens in teacher mode.",
    )
    session.set_query(**{FLAG: "1" if on else None})
    if on:
        st.html(PROJECTOR_STYLE)
    else:
        st.html(PAGE_STYLE)
    return on


def remember_page(url_path: str) -> None:
    """Note the running page's path (st.navigation's `url_path`, "" for the default page), for
    a link made without the browser's own address. Called by app.py once per run."""
    st.session_state[PAGE_PATH_KEY] = url_path


def view_link() -> str:
    """The address of the current view: the address the browser is on (st.context.url: the
    teacher's projector shows what the students can type) and the query parameters the page
    keeps in the URL. A client that does not say its address (AppTest) gets the page's path on
    the host it connected to (the Origin or Host header), or the bare path."""
    headers = st.context.headers
    return link_address(
        st.context.url,
        headers.get("Origin"),
        headers.get("Host"),
        st.session_state.get(PAGE_PATH_KEY, ""),
        session.wanted_query(),
    )


def link_address(
    url: str | None, origin: str | None, host: str | None, page_path: str, query: dict[str, str]
) -> str:
    """A link from what is known: the browser's `url` (scheme, host, path; no query) if any,
    else `origin` ('http://host:port') or the `host` header with `page_path`, else the path
    alone. The address always has a path ('http://host/' rather than 'http://host')."""
    if url:
        parts = urlsplit(url)
        base = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    else:
        path = "/" + page_path.strip("/")
        if origin and origin != "null":
            base = origin.rstrip("/") + path
        elif host:
            base = f"http://{host}{path}"
        else:
            base = path
    encoded = urlencode(query)
    return f"{base}?{encoded}" if encoded else base


def link_box(_: Translate = english) -> None:
    """In teacher mode, "Copy link to this view": the view's address in a code box, which has
    a copy button. Call it at the end of a page, after its last `session.set_query` (inside the
    fragment that sets the URL, if one does)."""
    if not teacher_mode():
        return
    st.caption(_("**Copy link to this view**: it opens this page as it is now, in teacher mode."))
    st.code(view_link(), language=None, wrap_lines=True)
