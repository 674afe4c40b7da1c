"""Proves the warm-up imports every rnnviz.ui module and the heavy libraries the pages need, and
starts no thread outside a Streamlit server (AppTest and scripts stay as they were)."""

import pkgutil
import subprocess
import sys
import threading
from pathlib import Path

import rnnviz.ui
from rnnviz.ui import warmup


def test_modules_cover_every_ui_module_and_the_heavy_libraries():
    names = warmup.modules()
    for module in pkgutil.iter_modules(rnnviz.ui.__path__):
        if module.name != "warmup":
            assert f"rnnviz.ui.{module.name}" in names
    assert names[0] == "torch" and names.index("pandas") < names.index("plotly.graph_objects")
    assert names[-1] == "captum.attr"


def test_no_thread_outside_a_server():
    assert warmup.start() is None  # no runtime at all


def test_no_thread_in_apptest():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from rnnviz.ui import warmup

        st.write(str(warmup.start()))

    at = AppTest.from_function(page).run()
    assert not at.exception and at.markdown[0].value == "None"


def test_ready_imports_everything_and_caches_the_shipped_models_quietly():
    """In a fresh process (the models' cache is the process's): after ready(), every module is
    imported and a page's shipped_models() loads no file again; the cache's spinner, which has no
    page here, logs no "missing ScriptRunContext" warning."""
    code = """
import sys
from rnnviz.core import checkpoints
from rnnviz.ui import models, warmup
warmup.ready()
missing = [name for name in warmup.modules() if name not in sys.modules]
def load(path):
    raise AssertionError(f"{path} was loaded again")
checkpoints.load = load
loaded, problems = models.shipped_models()
print(missing, sorted(loaded) == sorted(checkpoints.SHIPPED), problems)
"""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[] True {}"
    assert "ScriptRunContext" not in done.stderr


def test_the_lifespan_is_ready_before_the_server_answers(monkeypatch):
    import asyncio

    calls = []
    monkeypatch.setattr(warmup, "ready", lambda: calls.append("ready"))
    monkeypatch.setattr(warmup, "_clean_store", lambda: None)

    async def serve():
        async with warmup.lifespan(None):
            calls.append("answering")

    # A loop of its own, in a thread: Playwright's may be running in this one.
    runner = threading.Thread(target=asyncio.run, args=(serve(),))
    runner.start()
    runner.join()
    assert calls == ["ready", "answering"]


def test_no_fallback_thread_once_ready_has_run(monkeypatch):
    done = threading.Event()
    done.set()
    monkeypatch.setattr(warmup, "_READY", done)
    assert warmup.start(server_only=False) is None
