"""The teacher overview's counts: how many answers each question got on this server and how many
were right. No names, no sessions: one counter pair per question, in memory, behind a lock
(Streamlit runs each browser session in its own thread).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Count:
    answers: int
    right: int

    @property
    def share_right(self) -> float:
        return self.right / self.answers if self.answers else 0.0


class Tally:
    """Answers per question key (e.g. "step 7", "pre 3"), safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def record(self, question: str, right: bool) -> None:
        """Count one committed answer to `question`."""
        with self._lock:
            answers, correct = self._counts.get(question, (0, 0))
            self._counts[question] = (answers + 1, correct + int(right))

    def snapshot(self) -> dict[str, Count]:
        """Every question's counts so far, in the order they were first answered."""
        with self._lock:
            return {key: Count(*value) for key, value in self._counts.items()}

    def clear(self) -> None:
        """Forget every count (the teacher starts a new class)."""
        with self._lock:
            self._counts.clear()
