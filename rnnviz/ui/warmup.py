"""Imports paid once per server process ahead of the students: a background thread that imports
what the pages need (torch, pandas, plotly, every rnnviz.ui module and what they import, captum),
so that a page's first visit does not wait for a second or more of imports.

    warmup.start()     # starts the thread once per process; later calls return at once
    warmup.warm()      # the same imports, in the calling thread (benches, tests)

asgi.py starts it in its st.App lifespan (when the server starts, before any browser); app.py
starts it after each run, so a `streamlit run app.py` server warms the other pages while its
first student looks at the first one. A thread importing a module that a session is importing
at the same moment waits for that import (Python's per-module import lock): nothing is imported
twice. pandas comes before plotly, as in rnnviz.ui.lesson (a run that meets plotly's lazy import
of pandas halfway saw a half-initialised pandas).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading

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


def warm() -> None:
    """Import every module of `modules()` here; one that fails is logged and skipped."""
    for name in modules():
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional package must not take the server down
            _LOG.exception("warm-up import of %s failed", name)


def start(server_only: bool = True) -> threading.Thread | None:
    """The process's warm-up thread (a daemon running `warm`), started on the first call; None,
    and nothing started, when `server_only` and no Streamlit server runs here (AppTest, scripts)."""
    if server_only and not runtime.exists():
        return None
    with _LOCK:
        if not _THREAD:
            _THREAD.append(threading.Thread(target=warm, name="rnnviz-warm-up", daemon=True))
            _THREAD[0].start()
        return _THREAD[0]
