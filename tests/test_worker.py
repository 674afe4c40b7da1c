"""Proves the process executor: a task runs in `python -m rnnviz.training.worker` with the same
events and Outcome as in this thread, an error comes back as words, a stop ends the task, and the
worker finds the package through the parent's sys.path rather than the repository's layout."""

import os
import sys
import threading
import time

import pytest

import rnnviz
from rnnviz.training import worker
from rnnviz.training.jobs import InThread
from rnnviz.training.worker import WorkerProcess


def until_stopped(config: dict, emit, stop: threading.Event) -> dict | None:
    """A task that emits one event, then waits for its stop; None (stopped)."""
    emit({"waiting": True})
    while not stop.wait(0.01):
        pass
    return None


@pytest.fixture(scope="module")
def process():
    executor = WorkerProcess()
    executor.warm_up()
    return executor


def test_a_task_gives_the_same_events_and_result_as_in_this_thread(process):
    here, there = [], []
    task, config = "tests.test_jobs:count_task", {"n": 5}
    assert InThread().run(task, config, here.append, threading.Event()) == process.run(
        task, config, there.append, threading.Event()
    )
    assert here == there == [{"n": i} for i in range(5)]
    failed = process.run(task, {"n": 1, "fail": True}, there.append, threading.Event())
    assert failed.error == "ValueError: asked to fail"


def test_a_stop_reaches_the_task_in_the_worker(process):
    stop, events = threading.Event(), []
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    outcome = process.run("tests.test_worker:until_stopped", {}, events.append, stop)
    assert events == [{"waiting": True}] and outcome.result is None and outcome.error is None
    assert time.monotonic() - started < 10


def test_the_worker_imports_the_package_the_server_imported():
    paths = worker.worker_environment()["PYTHONPATH"].split(os.pathsep)
    assert os.path.dirname(os.path.dirname(rnnviz.__file__)) in paths
    assert all(os.path.isabs(path) for path in paths) and len(paths) == len(sys.path)
