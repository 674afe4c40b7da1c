"""Proves the browser helpers can be imported without Playwright (benches that skip the browser
need not have it) and build the app's addresses with their query parameters."""

import subprocess
import sys

from rnnviz.tools.browser import app_url


def test_importing_never_loads_playwright():
    code = "import sys, rnnviz.tools.browser; print('playwright' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_app_url():
    assert app_url("http://127.0.0.1:8501") == "http://127.0.0.1:8501/"
    assert app_url("http://h:1", "/train", {"a": "x y", "b": "<"}) == "http://h:1/train?a=x+y&b=%3C"
