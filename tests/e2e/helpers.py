"""Browser-test machinery every page's e2e tests share: a real `streamlit run app.py` on a
free loopback port, Debian's Chromium through Playwright, and waits that know when the app
has finished running.

    with AppServer(models_dir) as server:               # or the `app_server` fixture
        page.goto(server.url)
        wait_for_app(page)
        rerun_after(page, lambda: type_into(page, "Type a sentence and press Enter", "not bad"))
        screenshot(page, "explore", readme="explore.png")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
]
VIEWPORT = {"width": 1600, "height": 1000}  # a projector-like wide screen
TIMEOUT_MS = 90_000  # waits end as soon as they can; a loaded 2-core machine needs the room

_APP = '[data-testid="stApp"]'


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """`streamlit run app.py` in a subprocess on a free loopback port, for tests and benches.

    `models_dir` becomes RNNVIZ_MODELS_DIR (None: the real shipped models). The server's
    output goes to tests/e2e/artifacts/server-<port>.log.
    """

    def __init__(self, models_dir: str | os.PathLike | None, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.models_dir = models_dir
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = ARTIFACTS / f"server-{self.port}.log"

    def start(self, timeout: float = 90) -> AppServer:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.extra_env}
        if self.models_dir is not None:
            env["RNNVIZ_MODELS_DIR"] = str(self.models_dir)
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the flags a sandbox-less CI container needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def app_url(base_url: str, path: str = "", query: dict[str, str] | None = None) -> str:
    url = f"{base_url}/{path.lstrip('/')}"
    return f"{url}?{urlencode(query)}" if query else url


def wait_for_app(page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the app is connected, its script has finished, nothing on the page is
    stale and every plotly chart has drawn its SVG."""
    page.wait_for_selector(f'{_APP}[data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            if (document.querySelector('[data-stale="true"]')) return false;
            if (document.querySelector('[data-testid="stSkeleton"]')) return false;
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return [...charts].every(chart => chart.querySelector('.main-svg'));
        }""",
        timeout=timeout,
        polling=100,
    )


def open_app(page, base_url: str, path: str = "", query: dict[str, str] | None = None) -> None:
    """Load a page of the app (optionally with query parameters) and wait for it."""
    page.goto(app_url(base_url, path, query))
    wait_for_app(page)


def watch_runs(page) -> None:
    """Start counting changes of the app's script state (a rerun changes it at least twice)."""
    page.evaluate(
        """() => {
            const state = () => document.querySelector('[data-testid="stApp"]')
                ?.getAttribute('data-test-script-state');
            let last = state();
            window.__rnnvizStateChanges = 0;
            const check = () => {
                const now = state();
                if (now !== last) { last = now; window.__rnnvizStateChanges += 1; }
            };
            if (window.__rnnvizObserver) window.__rnnvizObserver.disconnect();
            clearInterval(window.__rnnvizPoll);
            // A mutation observer catches short runs; in some sessions Chromium delivers it no
            // records at all, so a 10 ms poll backs it up.
            window.__rnnvizObserver = new MutationObserver(check);
            const watched = {attributes: true, childList: true, subtree: true};
            window.__rnnvizObserver.observe(document.documentElement, watched);
            window.__rnnvizPoll = setInterval(check, 10);
        }"""
    )


def rerun_after(page, action: Callable[[], object], timeout: float = TIMEOUT_MS) -> None:
    """Do `action` (which must make the app rerun) and wait until that rerun has finished."""
    watch_runs(page)
    action()
    # A quick rerun can start and finish within one React render, so the state never shows it.
    with contextlib.suppress(PlaywrightTimeout):
        seen = "() => window.__rnnvizStateChanges > 0"
        page.wait_for_function(seen, timeout=min(timeout, 15_000), polling=20)
    wait_for_app(page, timeout)


def type_into(page, label: str, text: str) -> None:
    """Replace the text of the text box labelled `label` and press Enter."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")


def go_to_page(page, title: str, timeout: float = TIMEOUT_MS) -> None:
    """Click `title` in the sidebar's page menu and wait for that page to finish."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    path = urlsplit(link.get_attribute("href")).path
    rerun_after(page, link.click, timeout)
    page.wait_for_function("path => location.pathname === path", arg=path, timeout=timeout)
    wait_for_app(page, timeout)


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
