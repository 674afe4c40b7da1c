"""Cold first view: a fresh server and its first browser, for the app and for a toy page with one
plotly chart, side by side in one run (ratios to the toy page's cold view).

Run: python -m bench.cold_start [--rounds 3]

Each round starts, one after the other, a fresh `streamlit run` of
  toy      bench/toy_page.py, the browser benches' yardstick (a text box and one plotly chart)
  app.py   the app, as the README starts it
  asgi.py  the app behind the browser-token cookie, as each replica of `python -m rnnviz.tools.serve`
           runs it
(both are st.App files whose lifespan runs rnnviz.ui.warmup.ready when the server starts: the
server answers nothing, its health check included, until the pages' imports and the shipped
models are loaded; in the first runs of 2026-12-02 the warm-up still ran beside the first browser)
and opens it in an already running Chromium as soon as the server answers its health check. Two
times per server: "view", from opening the address to the first chart drawn (the student's
wait), and "launch", from starting the server process to the same moment; then "second view",
a second tab's view of the same server, now warm (what no warm-up can beat).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bench.common import APP, TOY_PAGE
from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import VIEWPORT, launch_chromium

# The first chart drawn and the script finished.
_DRAWN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.length > 0 && charts.every(chart => chart.querySelector('.main-svg'));
}"""


def _view(browser, url: str) -> float:
    """Seconds from opening `url` in a new tab to its first chart drawn."""
    page = browser.new_page(viewport=VIEWPORT)
    opened = time.perf_counter()
    page.goto(url)
    page.wait_for_function(_DRAWN, polling=50, timeout=180_000)
    seconds = time.perf_counter() - opened
    page.close()
    return seconds


def cold_view(browser, app: Path, models: str | None) -> tuple[float, float, float]:
    """(seconds from opening the address to the first chart drawn, seconds from launching the
    server to the same moment, and the same view for a second tab on the now warm server) for a
    fresh server of `app`."""
    launched = time.perf_counter()
    with AppServer(app, models) as server:
        view = _view(browser, server.url)
        launch = time.perf_counter() - launched
        second = _view(browser, server.url)
    return view, launch, second


def _medians(times: list[tuple[float, float, float]]) -> tuple[float, ...]:
    """The median of each of the three times (view, launch, second view) over the rounds."""
    return tuple(statistics.median(t[k] for t in times) for k in range(3))


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores; load average (1, 5, 15 min) at the start: {load}")
    results: dict[str, list[tuple[float, float, float]]] = {"toy": [], "app.py": [], "asgi.py": []}
    with sync_playwright() as playwright:
        apps = {"toy": TOY_PAGE, "app.py": APP, "asgi.py": APP.parent / "asgi.py"}
        browser = launch_chromium(playwright)
        for round_ in range(args.rounds):
            for name, app in apps.items():
                results[name].append(cold_view(browser, app, None))
                view, launch, second = results[name][-1]
                print(
                    f"  round {round_ + 1} {name:8} view {view:5.2f} s, launch {launch:5.2f} s, "
                    f"second view {second:5.2f} s"
                )
        browser.close()
    toy_view, toy_launch, toy_second = _medians(results["toy"])
    print(
        f"\nmedians of {args.rounds} rounds (ratio to the toy page's cold view, goal <= 1.3; the launch "
        "and the second tab's view to the toy's own):"
    )
    for name, times in results.items():
        view, launch, second = _medians(times)
        print(
            f"  {name:8} view {view:5.2f} s ({view / toy_view:4.2f}x)   "
            f"launch {launch:5.2f} s ({launch / toy_launch:4.2f}x)   "
            f"second view {second:5.2f} s ({second / toy_second:4.2f}x)"
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load}")


if __name__ == "__main__":
    main()
