"""Proves the process executors: a task runs in `python -m rnnviz.training.worker` with the same
events and Outcome as in this thread, an error comes back as words, a stop ends the task, messages
put in an inbox reach the task's, the worker runs niced, a pool gives each running task a worker of
its own and keeps idle ones up to its size, a killed worker is an Outcome's error in words, an idle
worker does not wake to send nothing, and
the worker finds the package through the parent's sys.path rather than the repository's layout."""

import os
import queue
import signal
import sys
import threading
import time

import pytest

import rnnviz
from rnnviz.training import worker
from rnnviz.training.jobs import InThread
from rnnviz.training.worker import WorkerPool, WorkerProcess


def until_stopped(config: dict, emit, stop: threading.Event) -> dict | None:
    """A task that emits one event, then waits for its stop; None (stopped)."""
    emit({"waiting": True})
    while not stop.wait(0.01):
        pass
    return None


def echo_inbox(config: dict, emit, stop: threading.Event, inbox: queue.Queue) -> dict:
    """A task that reports its process and niceness, then emits each inbox message until "end"."""
    emit({"pid": os.getpid(), "nice": os.getpriority(os.PRIO_PROCESS, 0)})
    while True:
        message = inbox.get(timeout=30)
        if message.get("end"):
            return {"ended": True}
        emit(message)


def echo_through(executor) -> tuple[list[dict], object]:
    """Run echo_inbox on `executor`, sending it two messages and "end"."""
    inbox, events = queue.Queue(), []
    for message in ({"lr": 0.1}, {"pause": True}, {"end": True}):
        inbox.put(message)
    outcome = executor.run("tests.test_worker:echo_inbox", {}, events.append, threading.Event(), inbox)
    return events, outcome


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


def test_messages_reach_the_task_in_a_niced_worker_as_in_this_thread(process):
    here, outcome_here = echo_through(InThread())
    there, outcome_there = echo_through(process)
    assert outcome_here == outcome_there and outcome_there.result == {"ended": True}
    assert here[1:] == there[1:] == [{"lr": 0.1}, {"pause": True}]
    assert here[0]["pid"] == os.getpid() and there[0]["pid"] != os.getpid()
    assert there[0]["nice"] == min(19, os.getpriority(os.PRIO_PROCESS, 0) + process.nice)


def test_a_pool_gives_each_running_task_its_own_worker_and_keeps_size_idle():
    pool = WorkerPool(1, nice=0)
    try:
        seen, outcomes = [], []

        def run() -> None:
            events, outcome = echo_through(pool)
            seen.append(events[0]["pid"])
            outcomes.append(outcome)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert len(set(seen)) == 2 and os.getpid() not in seen  # two at once: two workers
        assert all(outcome.result == {"ended": True} for outcome in outcomes)
        events, _ = echo_through(pool)
        assert events[0]["pid"] in seen  # one of them was kept for the next task
    finally:
        pool.close()


def test_a_killed_worker_is_an_error_in_words():
    pool = WorkerPool(1, nice=0)
    stop, events = threading.Event(), []

    def kill_on_first_event(event: dict) -> None:
        events.append(event)
        (pid,) = pool.pids()
        os.kill(pid, signal.SIGKILL)

    outcome = pool.run("tests.test_worker:until_stopped", {}, kill_on_first_event, stop)
    assert events == [{"waiting": True}] and outcome.result is None
    assert outcome.error == "the training process ended unexpectedly (killed by SIGKILL)"
    assert pool.pids() == []
    pool.close()


def _switches(pid: int) -> int:
    """Voluntary context switches of every thread of process `pid` so far (Linux /proc)."""
    total = 0
    for status in os.scandir(f"/proc/{pid}/task"):
        with open(f"{status.path}/status") as lines:
            total += sum(int(line.split()[1]) for line in lines if line.startswith("voluntary_ctxt_switches"))
    return total


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads Linux's /proc")
def test_an_idle_worker_sleeps_until_it_has_something_to_say():
    idle = WorkerProcess(nice=0)
    try:
        idle.warm_up()
        assert '"ready"' in idle._process.stdout.readline()
        before = _switches(idle.pid)
        time.sleep(1.0)  # a batch sender on a timer would wake ~10 times in this second
        assert _switches(idle.pid) - before <= 3
    finally:
        idle.close()
