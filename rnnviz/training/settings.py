"""The server's background-work settings from the environment: how many trainings run at once
($RNNVIZ_MAX_TRAININGS), how much lower the worker processes' CPU priority is ($RNNVIZ_TRAINING_NICE), how
long an unwatched job lives ($RNNVIZ_TRAINING_ABANDON_SECONDS), whether trainings stop while pages
run ($RNNVIZ_TRAINING_PAGES_FIRST), how long a paused training keeps
its slot ($RNNVIZ_PAUSE_RELEASE_SECONDS) and how many long-range experiments one browser session
may have queued or running ($RNNVIZ_EXPERIMENTS_PER_SESSION), how many page scripts run at once
($RNNVIZ_PAGE_SLOTS); and how many replicas of the app
share this machine ($RNNVIZ_REPLICAS, set by rnnviz.tools.serve), which the Train page reports
beside the cap, since the cap is per process."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

MAX_TRAININGS_ENV = "RNNVIZ_MAX_TRAININGS"
NICE_ENV = "RNNVIZ_TRAINING_NICE"
PAGES_FIRST_ENV = "RNNVIZ_TRAINING_PAGES_FIRST"
ABANDON_ENV = "RNNVIZ_TRAINING_ABANDON_SECONDS"
PAUSE_RELEASE_ENV = "RNNVIZ_PAUSE_RELEASE_SECONDS"
EXPERIMENTS_ENV = "RNNVIZ_EXPERIMENTS_PER_SESSION"
PAGE_SLOTS_ENV = "RNNVIZ_PAGE_SLOTS"  # page scripts run at once (rnnviz.ui.turns)
REPLICAS_ENV = "RNNVIZ_REPLICAS"  # server processes sharing this machine's cores (serve sets it)
PAUSE_RELEASE = 120.0  # seconds a paused training keeps its slot; then others may use it
EXPERIMENTS_PER_SESSION = 1  # long-range experiments one session may have queued or running
ABANDON_AFTER = 30.0  # seconds without a poll or a live session before a job stops itself
NICE = 10  # added to a worker process's niceness (0-19): the pages win every contest for a core


def env_number(
    environ: Mapping[str, str], name: str, default: float, low: float, high: float = math.inf
) -> float:
    """The number in environment variable `name` (`default` when unset or blank); ValueError
    naming the variable unless it is a finite number from `low` to `high`."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        allowed = f"of at least {low:g}" if math.isinf(high) else f"from {low:g} to {high:g}"
        raise ValueError(f"{name} must be a number {allowed}; got {raw!r}")
    return value


def env_whole(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """The whole number in environment variable `name` (`default` when unset or blank); ValueError
    naming the variable unless it is one from `low` to `high`."""
    value = env_number(environ, name, default, low, high)
    if value != int(value):
        raise ValueError(f"{name} must be a whole number; got {environ[name]!r}")
    return int(value)


def cores() -> int:
    """The CPU cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def max_trainings(environ: Mapping[str, str] = os.environ) -> int:
    """This server process's cap: $RNNVIZ_MAX_TRAININGS, else the CPU cores this process may use
    (rnnviz.tools.serve sets it to the cores divided among the replicas)."""
    return env_whole(environ, MAX_TRAININGS_ENV, cores(), 1, 1024)


def page_slots(environ: Mapping[str, str] = os.environ) -> int:
    """How many page scripts run at once (rnnviz.ui.turns): $RNNVIZ_PAGE_SLOTS, 0 for no limit,
    else the CPU cores this process may use. ValueError naming the variable for a bad value."""
    return env_whole(environ, PAGE_SLOTS_ENV, cores(), 0, 1024)


def replicas(environ: Mapping[str, str] = os.environ) -> int:
    """How many server processes (replicas) share this machine: $RNNVIZ_REPLICAS, else 1. Each
    has its own training cap, so the Train page says which share of the machine it speaks for."""
    return env_whole(environ, REPLICAS_ENV, 1, 1, 1024)


def pages_first(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether training workers are stopped while pages run (rnnviz.training.pause):
    $RNNVIZ_TRAINING_PAGES_FIRST, 1 (the default) or 0."""
    return env_whole(environ, PAGES_FIRST_ENV, 1, 0, 1) == 1


def training_nice(environ: Mapping[str, str] = os.environ) -> int:
    """How much lower the CPU priority of the worker processes that train is (added to their
    niceness, 0-19): $RNNVIZ_TRAINING_NICE, else NICE. 0 gives them the pages' priority."""
    return env_whole(environ, NICE_ENV, NICE, 0, 19)


def abandon_seconds(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds without a poll or a live session before a job stops: $RNNVIZ_TRAINING_ABANDON_SECONDS,
    else ABANDON_AFTER."""
    return env_number(environ, ABANDON_ENV, ABANDON_AFTER, 1, 24 * 3600)


def pause_release_seconds(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds a paused training keeps its slot before it gives it to the queue (it stays
    resumable): $RNNVIZ_PAUSE_RELEASE_SECONDS, else PAUSE_RELEASE."""
    return env_number(environ, PAUSE_RELEASE_ENV, PAUSE_RELEASE, 0, 24 * 3600)


def experiments_per_session(environ: Mapping[str, str] = os.environ) -> int:
    """Long-range experiments one browser session may have queued or running at once:
    $RNNVIZ_EXPERIMENTS_PER_SESSION, else EXPERIMENTS_PER_SESSION."""
    return env_whole(environ, EXPERIMENTS_ENV, EXPERIMENTS_PER_SESSION, 1, 100)
