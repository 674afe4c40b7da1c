"""Timing helpers for the benchmarks: interleaved rounds, so both sides see the same noise, and the
time from Enter to a drawn page in the browser."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rnnviz.core import checkpoints
from rnnviz.tools.browser import watch_runs

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"  # the app the benches measure
TOY_PAGE = Path(__file__).resolve().parent / "toy_page.py"  # the browser benches' yardstick page


def seconds_per_call(run: Callable[[], object], calls: int) -> float:
    """Mean seconds of one call of `run` over `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return (time.perf_counter() - start) / calls


def repeat_seconds(run: Callable[[], object], repeats: int) -> list[float]:
    """Seconds of each of `repeats` calls of `run`, after one warm-up call that is not counted."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def interleaved_ratio(
    measured: Callable[[], object], baseline: Callable[[], object], rounds: int = 21, calls: int = 20
) -> tuple[float, float, float]:
    """Median over rounds of (measured time / baseline time), alternating the two within each
    round; also the median seconds per call of each. Warms both up first."""
    for _ in range(3):
        measured()
        baseline()
    ratios, measured_times, baseline_times = [], [], []
    for _ in range(rounds):
        b = seconds_per_call(baseline, calls)
        m = seconds_per_call(measured, calls)
        ratios.append(m / b)
        measured_times.append(m)
        baseline_times.append(b)
    return statistics.median(ratios), statistics.median(measured_times), statistics.median(baseline_times)


def enter_to_drawn(
    page, box, texts: list[str], done: str, timeout_ms: float, warm_up: bool = True
) -> list[float]:
    """Seconds from pressing Enter in the text box `box` until the page function `done(last
    word)` holds, for each of `texts` in turn; the first is a warm-up and not returned (unless
    `warm_up` is False)."""
    results = []
    for index, text in enumerate(texts):
        box.fill(text)
        watch_runs(page)
        page.evaluate("() => { window.__rnnvizStart = performance.now(); }")
        box.press("Enter")
        page.wait_for_function(done, arg=text.split()[-1], polling="raf", timeout=timeout_ms)
        elapsed = page.evaluate("() => window.__rnnvizDone - window.__rnnvizStart") / 1000
        if index or not warm_up:
            results.append(elapsed)
    return results


def app_test(folder: Path | None, timeout: float) -> AppTest:
    """An AppTest of app.py reading its models from `folder` (None: the shipped models)."""
    from streamlit.testing.v1 import AppTest  # also sets the plotly template the app uses

    if folder is not None:
        checkpoints.MODELS_DIR = folder
    return AppTest.from_file(str(APP), default_timeout=timeout)
