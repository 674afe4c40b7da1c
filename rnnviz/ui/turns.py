"""Page runs take turns: at most one page script per CPU core runs at a time, the others wait.

When a teacher says "now press Enter", a whole class's runs arrive at once. Run side by side, the
runs take turns on the interpreter's lock and every one of them finishes at the end of the burst
(ten runs of 50 ms: everyone waits half a second). Let in a core's worth at a time, the first
students get their answer after one run and the burst as a whole ends no later
(BENCHMARKS.md, "Page runs take turns"). A run never waits longer than MAX_WAIT_S: a slow page
(a long computation on Units) must not hold up a class, so after that wait a run goes ahead anyway.

`RNNVIZ_PAGE_SLOTS` sets how many page runs go at once (default: the CPU cores; 0: no limit).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from rnnviz.training import settings

MAX_WAIT_S = 2.0
_LOG = logging.getLogger(__name__)


def slots_from_environment() -> int:
    """RNNVIZ_PAGE_SLOTS (settings.page_slots); a bad value is logged, saying why, and the CPU
    cores are used, so that a typo in a deployment does not stop every page."""
    try:
        return settings.page_slots()
    except ValueError as error:
        _LOG.warning("%s; using %d (the CPU cores)", error, settings.cores())
        return settings.cores()


class Turns:
    """At most `slots` holders at once (0: no limit); a holder waits at most `max_wait` seconds."""

    def __init__(self, slots: int, max_wait: float = MAX_WAIT_S) -> None:
        self.slots, self.max_wait = slots, max_wait
        self._gate = threading.BoundedSemaphore(max(slots, 1))

    @contextlib.contextmanager
    def turn(self) -> Iterator[bool]:
        """Hold a slot while the block runs; yields whether a slot was had (False: waited too long
        and went ahead, or no limit)."""
        held = self.slots > 0 and self._gate.acquire(timeout=self.max_wait)
        try:
            yield held
        finally:
            if held:
                self._gate.release()


PAGES = Turns(slots_from_environment())  # the server's one gate, shared by every session's runs
