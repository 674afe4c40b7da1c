"""Trainings step aside while pages run: the server stops its busy training workers (SIGSTOP)
while any page script runs, and lets them go on (SIGCONT) as soon as none does.

    PAGES_FIRST.register(pool)                 # JobManager.from_environment: the server's WorkerPool
    with PAGES_FIRST.page_running(): page.run()   # app.py (through rnnviz.ui.train), each page run

Why. A training worker is niced (rnnviz.training.settings.training_nice), which is enough where
the server has cores to spare. On a small server it is not: at full speed a training keeps one of
two cores busy, and measured with ten students on two cores the class's median server time
doubled to quadrupled with a niced training beside it, whatever the nice level (BENCHMARKS.md,
"A class with one training in a worker"). A stopped process uses no CPU at all, so the pages get
the whole machine while they run, and the training the time between them; an idle server stops
nothing, so a training alone runs at full speed.

A training is never starved: a hold lasts at most `max_hold` seconds; then the training runs
`resume` seconds before it is stopped again if pages still run, so it keeps at least
resume / (max_hold + resume) of its speed under a class that never rests. Only the workers
running a task when the hold begins are stopped; a worker that is closed is let go first.
RNNVIZ_TRAINING_PAGES_FIRST=0 turns it off (rnnviz.training.settings.pages_first).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Protocol

MAX_HOLD_SECONDS = 1.0  # the longest a training is stopped at a time
RESUME_SECONDS = 0.25  # then it runs this long before the next hold


class HasWorkers(Protocol):
    """What a pool shows: the process ids of its workers running tasks now."""

    def pids(self) -> list[int]: ...


def _signal(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # it ended meanwhile
        os.kill(pid, number)


class PagesFirst:
    """Holds the registered pools' busy workers while page runs are under way (see the module)."""

    def __init__(self, max_hold: float = MAX_HOLD_SECONDS, resume: float = RESUME_SECONDS) -> None:
        self.max_hold, self.resume = max_hold, resume
        self.enabled = hasattr(signal, "SIGSTOP")  # POSIX only
        self._lock = threading.Lock()
        self._changes = threading.Condition(self._lock)  # wakes the watcher when the last page ends
        self._pools: weakref.WeakSet = weakref.WeakSet()
        self._running = 0  # page runs under way
        self._stopped: set[int] = set()  # workers this hold stopped
        self._changed = 0.0  # when the workers were last stopped or let go
        self._watcher: threading.Thread | None = None

    def register(self, pool: HasWorkers) -> None:
        """Make `pool`'s busy workers step aside for pages from now on."""
        with self._lock:
            self._pools.add(pool)

    @contextlib.contextmanager
    def page_running(self) -> Iterator[None]:
        """Around one page run: the busy workers are stopped while it (or another) runs."""
        if not self.enabled or not self._pools:
            yield
            return
        with self._lock:
            self._running += 1
            if self._running == 1:
                self._stop()
                if self._watcher is None:
                    self._watcher = threading.Thread(
                        target=self._watch, name="rnnviz-pages-first", daemon=True
                    )
                    self._watcher.start()
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._go_on()
                    self._changes.notify()

    def let_go(self, pid: int) -> None:
        """A worker is about to be closed or waited for: let it run (a stopped process can neither
        read its closed input nor exit)."""
        with self._lock:
            if pid in self._stopped:
                self._stopped.discard(pid)
                _signal(pid, signal.SIGCONT)

    def stopped(self) -> set[int]:
        """The workers stopped now (for tests and benches)."""
        with self._lock:
            return set(self._stopped)

    def _stop(self) -> None:  # under the lock
        pids = {pid for pool in list(self._pools) for pid in pool.pids()}
        for pid in pids:
            _signal(pid, signal.SIGSTOP)
        self._stopped = pids
        self._changed = time.monotonic()

    def _go_on(self) -> None:  # under the lock
        for pid in self._stopped:
            _signal(pid, signal.SIGCONT)
        self._stopped = set()
        self._changed = time.monotonic()

    def _watch(self) -> None:
        """While pages run: let the workers go on after `max_hold`, stop them again after `resume`;
        it sleeps until the next of these is due (or the last page ends), never polls."""
        with self._lock:
            while self._running:
                held = time.monotonic() - self._changed
                if self._stopped and held >= self.max_hold:
                    self._go_on()
                elif not self._stopped and held >= self.resume:
                    self._stop()
                else:
                    self._changes.wait((self.max_hold if self._stopped else self.resume) - held)
            self._watcher = None


PAGES_FIRST = PagesFirst()  # the server process's one
