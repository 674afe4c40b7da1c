"""Browser-test helpers only tests need: typing, reading charts and exception boxes, screenshots.

The machinery benches share lives in the package: the server in rnnviz.tools.appserver, Chromium
and the waits in rnnviz.tools.browser.

    with AppServer(APP, models_dir, log_dir=ARTIFACTS) as server:    # or the `app_server` fixture
        page.goto(server.url)
        wait_for_app(page)
        rerun_after(page, lambda: type_into(page, "Type a sentence and press Enter", "not bad"))
        screenshot(page, "explore", readme="explore.png")
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

from rnnviz.tools.browser import wait_for_app

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots and server logs of a run
README_SCREENSHOTS = ROOT / "docs" / "screenshots"


def app_pages() -> dict[str, str]:
    """Every page app.py's menu lists, in menu order: its URL path ("" for the default page) ->
    a name for files ("explore"). Read from app.py's `st.Page("pages/<file>.py", …)` calls, so
    a page added there is tested (and photographed) without touching the tests."""
    pages = {}
    for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args:
            stem = Path(node.args[0].value).stem
            default = any(k.arg == "default" and getattr(k.value, "value", False) for k in node.keywords)
            pages["" if default else stem] = stem
    return pages


def type_into(page, label: str, text: str) -> None:
    """Replace the text of the text box labelled `label` and press Enter."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")


def exceptions_on_page(page) -> list[str]:
    """Texts of any Streamlit exception boxes (there should be none)."""
    return page.locator('[data-testid="stException"]').all_inner_texts()


def axis_labels(page, chart_index: int = 0) -> list[str]:
    """The x-axis tick labels of the chart_index-th plotly chart on the page."""
    chart = page.get_by_test_id("stPlotlyChart").nth(chart_index)
    return chart.locator(".xaxislayer-above .xtick text").evaluate_all(
        "nodes => nodes.map(n => n.textContent)"
    )


def chart_titles(page) -> list[str]:
    """The titles of all plotly charts on the page, in page order."""
    return page.locator('[data-testid="stPlotlyChart"] .gtitle').evaluate_all(
        "nodes => nodes.map(n => n.textContent)"
    )


def screenshot(page, name: str, readme: str | None = None, full_page: bool = True) -> Path:
    """Save tests/e2e/artifacts/<name>.png. With `readme`, also copy it to docs/screenshots/
    when that file is missing or RNNVIZ_UPDATE_SCREENSHOTS=1 (so a test run does not rewrite
    the README's pictures unless asked to).

    Streamlit scrolls its main area inside the window, so for a full-page picture the
    window is made as tall as that content for the moment of the screenshot.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring
    size = page.viewport_size
    if full_page and size:
        height = page.evaluate(
            """() => {
                const main = document.querySelector('[data-testid="stMain"]');
                return main ? Math.max(0, main.scrollHeight - main.clientHeight) : 0;
            }"""
        )
        page.set_viewport_size({"width": size["width"], "height": min(12_000, size["height"] + int(height))})
        wait_for_app(page)
    try:
        page.screenshot(path=str(path))
    finally:
        if size:
            page.set_viewport_size(size)
    target = README_SCREENSHOTS / readme if readme else None
    if target and (not target.exists() or os.environ.get("RNNVIZ_UPDATE_SCREENSHOTS") == "1"):
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return path
