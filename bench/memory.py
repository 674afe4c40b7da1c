"""Server memory with a class on every page: the resident memory (RSS) of one `streamlit run app.py`
(the shipped models) after it starts, after one session has opened every page, and after ten more
sessions have, each in its own browser context.

Run: python -m bench.memory [--sessions 10]

Each session opens the app and goes through the page menu in order (Lesson, Explore, …, Train),
waiting on each page until every chart has drawn; the sessions stay open, so the server holds
them all when memory is read. The server's worker processes (the long-range experiments' worker
that Why gates starts) are reported apart. Chromium runs at `nice 19` (as in bench.load).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from bench.common import APP
from bench.load import NICE_CHROMIUM, resident_mb
from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import CHROMIUM_ARGS, VIEWPORT, go_to_page, open_app

PAGES = re.findall(r'st\.Page\("pages/\w+\.py", title="([^"]+)"', APP.read_text())  # app.py's menu, in order
PATIENCE = 300_000  # ms per page on a loaded 2-core machine


def children(pid: int) -> list[int]:
    """Every descendant process of `pid` (Linux)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *children(int(child))]
    return found


def memory(pid: int) -> tuple[float, float]:
    """(the server's RSS, its worker processes' RSS together) in MB."""
    return resident_mb(pid), sum(resident_mb(child) for child in children(pid))


def visit_every_page(browser, url: str) -> None:
    """A new session (browser context) that opens the app and every page in menu order."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(PATIENCE)
    open_app(page, url)
    for title in PAGES:
        go_to_page(page, title, timeout=PATIENCE)


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        nice = Path(scratch) / "chromium"
        nice.write_text(NICE_CHROMIUM)
        nice.chmod(0o755)
        with AppServer(APP, None, log_dir=scratch) as server:
            pid = server.process.pid
            time.sleep(5)  # let the server settle
            rows = [("server started", *memory(pid))]
            browser = playwright.chromium.launch(executable_path=str(nice), args=CHROMIUM_ARGS, headless=True)
            start = time.perf_counter()
            visit_every_page(browser, server.url)
            rows.append(("1 session, every page", *memory(pid)))
            for _ in range(args.sessions):
                visit_every_page(browser, server.url)
            time.sleep(5)
            rows.append((f"{1 + args.sessions} sessions, every page", *memory(pid)))
            took = time.perf_counter() - start
            browser.close()
    print(f"\n{'':28} server RSS   worker processes")
    for what, server_mb, workers_mb in rows:
        print(f"  {what:26} {server_mb:7.0f} MB  {workers_mb:7.0f} MB")
    per_session = (rows[2][1] - rows[1][1]) / args.sessions
    print(f"per extra session (server): {per_session:.1f} MB; visits took {took:.0f} s")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
