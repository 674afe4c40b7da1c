"""Imports paid once per server process ahead of the students: a background thread that imports
what the pages need (torch, pandas, plotly, every rnnviz.ui module and what they import, captum),
so that a page's first visit does not wait for a second or more of imports.

    warmup.start()       # starts the thread once per process; later calls return at once
    warmup.page_drawn()  # a page run has ended: the imports only some pages need may go on
    warmup.warm()        # every import, in the calling thread (benches, tests)
    st.App("app.py", lifespan=warmup.lifespan)  # start() when the server starts (app.py, asgi.py)

app.py and asgi.py start it in their st.App lifespan, when the server starts and before any
browser; app.py also calls page_drawn() after each run, and start() for a server that did not
start through the lifespan (a test's own st.App, say). The thread imports what every
page needs at once, and what only the Negation lab needs (LAST) after the first page run has ended, so the
first student's page does not share the GIL with a second of captum. A thread importing a module
that a session is importing at the same moment waits for that import (Python's per-module import
lock): nothing is imported twice. pandas comes before plotly, as in app.py (a run that
meets plotly's lazy import of pandas halfway saw a half-initialised pandas).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil
import threading
from unittest.mock import NonCallableMock

from streamlit import runtime

import rnnviz.ui

_LOG = logging.getLogger(__name__)
# In order: the heavy libraries every page needs first, the pages' own code, then what only the
# Negation lab's attributions need (captum: about a second, and matplotlib and IPython with it).
FIRST = ("torch", "pandas", "plotly.graph_objects", "plotly.io")
LAST = ("captum.attr",)
_LOCK = threading.Lock()
_THREAD: list[threading.Thread] = []  # the process's warm-up thread, once started


def modules() -> list[str]:
    """Every module the warm-up imports, in order."""
    ui = [f"rnnviz.ui.{m.name}" for m in pkgutil.iter_modules(rnnviz.ui.__path__) if m.name != "warmup"]
    return [*FIRST, *ui, *LAST]


_PAGE_DRAWN = threading.Event()  # set once a page run of this process has ended


def _import(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional package must not take the server down
            _LOG.exception("warm-up import of %s failed", name)


def warm(wait_for_page: bool = False) -> None:
    """Import every module of `modules()` here (one that fails is logged and skipped); with
    `wait_for_page`, the LAST ones only after `page_drawn()`."""
    names = modules()
    _import(names[: -len(LAST)])
    if wait_for_page:
        _PAGE_DRAWN.wait()
    _import(names[-len(LAST) :])


def page_drawn() -> None:
    """Say that a page run has ended (app.py, after every run)."""
    _PAGE_DRAWN.set()


def start(server_only: bool = True) -> threading.Thread | None:
    """The process's warm-up thread (a daemon running `warm`), started on the first call; None,
    and nothing started, when `server_only` and no Streamlit server runs here (AppTest, scripts)."""
    # AppTest stands a mock in for the runtime: its runs are not a server's
    if server_only and (not runtime.exists() or isinstance(runtime.get_instance(), NonCallableMock)):
        return None
    with _LOCK:
        if not _THREAD:
            _THREAD.append(threading.Thread(target=warm, args=(True,), name="rnnviz-warm-up", daemon=True))
            _THREAD[0].start()
        return _THREAD[0]


def _clean_store() -> None:
    from rnnviz.ui.saved_models import cleanup_store  # imports torch: not before the server answers

    cleanup_store()


@contextlib.asynccontextmanager
async def lifespan(app):
    """The st.App lifespan of app.py and asgi.py: the warm-up thread and the model store's cleanup,
    both in the background. Streamlit binds the port before it imports the app file and runs
    this; until both are done a connection is accepted but not answered (nginx waits on a restarted
    replica), so nothing heavy runs here."""
    start(server_only=False)  # the pages' imports, before any browser
    threading.Thread(target=_clean_store, name="rnnviz-store-cleanup", daemon=True).start()
    yield
