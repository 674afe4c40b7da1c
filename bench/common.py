"""Timing helpers for the benchmarks: interleaved rounds, so both sides see the same noise."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def seconds_per_call(run: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return (time.perf_counter() - start) / calls


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
