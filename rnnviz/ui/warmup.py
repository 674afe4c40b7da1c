"""Work paid once per server process ahead of the students: the imports the pages need (torch,
pandas, plotly, every rnnviz.ui module and what they import, captum) and the shipped models, so
that no page's first visit waits for them.

    st.App("app.py", lifespan=warmup.lifespan)  # all of it before the server answers (app.py, asgi.py)
    warmup.ready()       # the same, in the calling thread (the lifespan's; benches)
    warmup.start()       # a fallback thread of imports, once per process, unless ready() has run
    warmup.page_drawn()  # a page run has ended: the fallback's imports only some pages need may go on
    warmup.warm()        # every import, in the calling thread (benches, tests)

app.py and asgi.py hold an st.App whose lifespan runs `ready` when the server starts: Streamlit
answers no request, health check included, until it is done (a few seconds on the development
machine), so the first student's page finds everything imported and loaded, and no import
shares the GIL with a page run later. app.py also calls start() after each run, for a server
that did not start through the lifespan (a test's own st.App, say; after `ready` it starts
nothing): that thread imports what
every page needs at once, and what only the Negation lab needs (LAST) after the first page run
has ended. A thread importing a module that a session is importing at the same moment waits for
that import (Python's per-module import lock): nothing is imported twice. pandas comes before
plotly, as in app.py (a run that meets plotly's lazy import of pandas halfway saw a
half-initialised pandas).
"""

from __future__ import annotations

import asyncio
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
_READY = threading.Event()  # set once `ready` has run in this process: no fallback thread needed


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


# Streamlit's logger for a st.* call without a script run (the models' cache spinner, here).
_NO_RUN_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


class _ThisThread(logging.Filter):
    """Drops the records of the thread that made it."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


def ready() -> None:
    """In the calling thread: every import (`warm`), then the shipped models in the server's shared
    cache, as the first page would load them. The lifespan runs it before the server answers anyone."""
    warm()
    quiet = _ThisThread()  # the cache's spinner has no page to show on: its warnings say only that
    logging.getLogger(_NO_RUN_LOGGER).addFilter(quiet)
    try:
        from rnnviz.ui import models

        models.shipped_models()  # a file that does not load is reported by the page that asks for it
    except Exception:
        _LOG.exception("warm-up of the shipped models failed")
    finally:
        logging.getLogger(_NO_RUN_LOGGER).removeFilter(quiet)
    _READY.set()


def page_drawn() -> None:
    """Say that a page run has ended (app.py, after every run)."""
    _PAGE_DRAWN.set()


def start(server_only: bool = True) -> threading.Thread | None:
    """The process's warm-up thread (a daemon running `warm`), started on the first call; None,
    and nothing started, after `ready` (it has done all of it) or when `server_only` and no
    Streamlit server runs here (AppTest, scripts)."""
    if _READY.is_set():
        return None
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
    """The st.App lifespan of app.py and asgi.py. Streamlit binds the port (and prints the
    address), imports the app file and runs this before it answers any request, its health check
    included; a connection in between is accepted and waits (so does nginx, on a restarted
    replica). So everything is warm when the first page runs: `ready`, in a thread, which keeps
    the event loop free. The model store's cleanup runs in the background."""
    threading.Thread(target=_clean_store, name="rnnviz-store-cleanup", daemon=True).start()
    await asyncio.to_thread(ready)
    yield
