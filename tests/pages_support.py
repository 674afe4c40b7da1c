"""Helpers for page tests (AppTest): run app.py on given models, and read what a run drew.

The shipped models are trained elsewhere and may be absent, so page tests use the stand-ins of
rnnviz.tools.standins, trained in a second or two.

    models_dir = standin_models_dir()               # lstm/gru/rnn.safetensors, trained once
    at = app_test(models_dir, monkeypatch, {"model": "gru"}).run()   # AppTest of app.py
    assert not at.exception
    at.switch_page("pages/<your page>.py").run()

tests/conftest.py wraps these as the fixtures `models_dir` (session) and `app` (a fresh
AppTest); `chart_specs`, `chart_titles`, `html_bodies` and `page_text` read what a run drew.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rnnviz.core import checkpoints

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
APP_TIMEOUT = 60  # seconds per AppTest run: generous, the CPU is shared


def app_test(models_dir: str | os.PathLike, monkeypatch, query: dict[str, str] | None = None) -> AppTest:
    """An AppTest of app.py whose shipped models come from `models_dir`.

    rnnviz.core.checkpoints reads RNNVIZ_MODELS_DIR once at import, which has long happened in
    a pytest process, so the module attribute is patched as well as the variable.
    """
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RNNVIZ_MODELS_DIR", str(models_dir))
    monkeypatch.setattr(checkpoints, "MODELS_DIR", Path(models_dir))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.query_params.update(query or {})
    return at


def no_exception(at: AppTest) -> AppTest:
    """`at` after checking that its last run raised nothing (the exceptions' texts otherwise)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(models_dir, monkeypatch, page: str, query: dict[str, str] | None = None) -> AppTest:
    """An AppTest of app.py switched to `page` ("pages/units.py") with the link `query`, run once
    and checked for exceptions."""
    return no_exception(app_test(models_dir, monkeypatch, query).switch_page(page).run())


def chart_specs(at) -> list[dict]:
    """The plotly figures an AppTest run drew, as JSON dicts, in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_titles(at) -> list[str]:
    """The titles of the plotly figures an AppTest run drew, in page order."""
    return [spec["layout"]["title"]["text"] for spec in chart_specs(at)]


def html_bodies(at) -> str:
    """All st.html output of the last run, joined."""
    return "\n".join(element.value for element in at.get("html"))


def page_text(at) -> str:
    """The text of every markdown-like element, alert and html body, for assertions."""
    parts = [element.value for element in at.markdown]
    parts += [
        element.value
        for kind in ("caption", "info", "warning", "error", "success")
        for element in at.get(kind)
    ]
    return "\n".join(str(part) for part in parts) + "\n" + html_bodies(at)
