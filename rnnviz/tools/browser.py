"""Driving the app in Debian's Chromium through Playwright: the browser's path and flags, and waits
that know when the app has finished running.

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        open_app(page, server.url)                       # a running AppServer's address
        rerun_after(page, lambda: box.press("Enter"))     # act, then wait for the rerun to finish

Playwright is imported inside the functions that need it, so importing this module never does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:  # for the annotations only: importing this module never imports Playwright
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium package
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

APP_SELECTOR = '[data-testid="stApp"]'  # the element whose attributes tell the app's state


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with the flags a sandbox-less CI container needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def app_url(base_url: str, path: str = "", query: dict[str, str] | None = None) -> str:
    """The address of page `path` of the app at `base_url`, with `query` as its parameters."""
    url = f"{base_url}/{path.lstrip('/')}"
    return f"{url}?{urlencode(query)}" if query else url


def wait_for_app(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the app is connected, its script has finished, nothing on the page is
    stale and every plotly chart has drawn its SVG."""
    page.wait_for_selector(f'{APP_SELECTOR}[data-test-connection-state="CONNECTED"]', timeout=timeout)
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


def open_app(page: Page, base_url: str, path: str = "", query: dict[str, str] | None = None) -> None:
    """Load a page of the app (optionally with query parameters) and wait for it."""
    page.goto(app_url(base_url, path, query))
    wait_for_app(page)


def watch_runs(page: Page) -> None:
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


def rerun_after(page: Page, action: Callable[[], object], timeout: float = TIMEOUT_MS) -> None:
    """Do `action` (which must make the app rerun) and wait until that rerun has finished."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    watch_runs(page)
    action()
    # A quick rerun can start and finish within one React render, so the state never shows it.
    with contextlib.suppress(PlaywrightTimeout):
        seen = "() => window.__rnnvizStateChanges > 0"
        page.wait_for_function(seen, timeout=min(timeout, 15_000), polling=20)
    wait_for_app(page, timeout)


def open_sidebar(page: Page) -> None:
    """Unfold the sidebar if it is folded away (teacher mode starts with it folded)."""
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.count() and opener.first.is_visible():
        opener.first.click()
        page.get_by_test_id("stSidebarNav").first.wait_for(state="visible")


def go_to_page(page: Page, title: str, timeout: float = TIMEOUT_MS) -> None:
    """Click `title` in the sidebar's page menu (unfolding the sidebar first if need be) and
    wait for that page to finish."""
    open_sidebar(page)
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    path = urlsplit(link.get_attribute("href")).path
    rerun_after(page, link.click, timeout)
    page.wait_for_function("path => location.pathname === path", arg=path, timeout=timeout)
    wait_for_app(page, timeout)
