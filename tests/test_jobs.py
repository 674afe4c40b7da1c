"""Proves the one background-work abstraction with a toy job: the cap queues jobs first come first
served and a stop leaves the queue, an unwatched job is abandoned only by a manager that abandons,
a bug in a job's work ends in `failed` with a message, and the in-thread executor runs a task
into events and an Outcome."""

from __future__ import annotations

import threading
import time
from typing import get_args

import pytest

from rnnviz.training.jobs import ACTIVE, InThread, Job, JobManager, Status


class Sleeper(Job):
    """A job that sleeps `steps` times 10 ms, or until stopped."""

    what = "the sleeper"

    def __init__(self, steps: int = 10**6, broken: bool = False) -> None:
        super().__init__()
        self.steps, self.broken = steps, broken

    def _work(self, manager: JobManager) -> None:
        if self.broken:
            raise RuntimeError("boom")
        self._set("running", "sleeping")
        for _ in range(self.steps):
            if self.stop_event.wait(0.01):
                self._set("stopped", self._stopped_text("while sleeping"))
                return
        self._set("done", "slept")


def count_task(config: dict, emit, stop: threading.Event) -> dict | None:
    """A task: emits {"n": i} for i below config["n"] and returns their sum."""
    for i in range(config["n"]):
        emit({"n": i})
    if config.get("fail"):
        raise ValueError("asked to fail")
    return {"sum": sum(range(config["n"]))}


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def manager():
    created = []

    def make(**settings) -> JobManager:
        created.append(JobManager(**{"max_running": 1, "abandon_after": None, **settings}))
        return created[-1]

    yield make
    for each in created:
        each.stop_all()


def test_one_status_vocabulary():
    assert get_args(Status) == (
        "queued", "loading", "running", "paused", "evaluating", "done", "stopped", "failed",
    )  # fmt: skip
    assert set(ACTIVE) == set(get_args(Status)) - {"done", "stopped", "failed"}


def test_the_cap_queues_first_come_first_served(manager):
    server = manager()
    first, second, third = (server.submit(Sleeper()) for _ in range(3))
    wait_for(lambda: third.state().status == "queued" and server.position(third) == 2)
    assert first.state().status == "running" and server.position(second) == 1
    assert (server.running, server.queued) == (1, 2)
    second.stop()
    assert second.join(5) and second.state().status == "stopped"
    assert second.state().message == "Stopped before it started." and second.state().stop_reason == "user"
    wait_for(lambda: server.position(third) == 1)
    first.stop()
    wait_for(lambda: third.state().status == "running")
    third.stop()
    assert third.join(5) and third.state().message == "Stopped while sleeping."


def test_only_a_manager_that_abandons_stops_unwatched_jobs(manager):
    kept = manager(abandon_after=None).submit(Sleeper())
    abandoned = manager(abandon_after=0.3, check_every=0.05).submit(Sleeper())
    assert abandoned.join(10)
    state = abandoned.state()
    assert state.status == "stopped" and state.stop_reason == "abandoned"
    assert "nobody looked at it for 0.3 s" in state.message
    assert kept.state().active and kept.stop_requested is None


def test_a_bug_in_the_work_is_a_failed_job(manager):
    job = manager().submit(Sleeper(broken=True))
    assert job.join(5)
    assert job.state().status == "failed" and job.state().message == "the sleeper failed unexpectedly: boom"
    assert not job.state().active


def test_the_in_thread_executor_runs_a_task_into_events_and_an_outcome():
    events = []
    outcome = InThread().run("tests.test_jobs:count_task", {"n": 4}, events.append, threading.Event())
    assert events == [{"n": i} for i in range(4)] and outcome.result == {"sum": 6} and outcome.error is None
    failed = InThread().run("tests.test_jobs:count_task", {"n": 1, "fail": True}, print, threading.Event())
    assert failed.result is None and failed.error == "ValueError: asked to fail"
