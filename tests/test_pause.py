"""Proves that training workers step aside for pages (rnnviz.training.pause) with real processes:
stopped while a page runs, or while any of two overlapping ones does, running again as soon as
none does, never held longer than the hold limit, and let go before they are closed; a dead
worker or a server without pools changes nothing; the watcher sleeps between its deadlines."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnviz.training import pause
from rnnviz.training.settings import pages_first
from rnnviz.training.worker import WorkerProcess


class Pool:
    """A stand-in pool whose busy workers are plain sleeping processes."""

    def __init__(self, count: int = 2) -> None:
        command = [sys.executable, "-c", "import time; time.sleep(120)"]
        self.processes = [subprocess.Popen(command) for _ in range(count)]

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.poll() is None]

    def close(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


def _state(pid: int) -> str:
    """The process's state letter from /proc (T: stopped)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def _wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def pool():
    made = Pool()
    yield made
    made.close()


def test_busy_workers_stop_while_pages_run_and_go_on_when_none_does(pool):
    pages = pause.PagesFirst(max_hold=30)
    pages.register(pool)
    first, second = pages.page_running(), pages.page_running()
    with first:
        assert all(_wait_for(lambda pid=pid: _state(pid) == "T") for pid in pool.pids())
        assert pages.stopped() == set(pool.pids())
        second.__enter__()  # a second page starts while the first runs
    assert {_state(pid) for pid in pool.pids()} == {"T"}  # the second one still runs
    second.__exit__(None, None, None)
    assert all(_wait_for(lambda pid=pid: _state(pid) != "T") for pid in pool.pids())
    assert pages.stopped() == set()


def test_a_long_page_holds_a_training_only_so_long(pool):
    pages = pause.PagesFirst(max_hold=0.2, resume=0.2)
    pages.register(pool)
    pid = pool.pids()[0]
    with pages.page_running():
        assert _wait_for(lambda: _state(pid) == "T")
        assert _wait_for(lambda: _state(pid) != "T", 3)  # let go after max_hold
        assert _wait_for(lambda: _state(pid) == "T", 3)  # and held again after resume
    assert _wait_for(lambda: _state(pid) != "T")


def test_a_worker_being_closed_is_let_go(pool):
    pages = pause.PagesFirst(max_hold=30)
    pages.register(pool)
    pid = pool.pids()[0]
    with pages.page_running():
        assert _wait_for(lambda: _state(pid) == "T")
        pages.let_go(pid)
        assert _wait_for(lambda: _state(pid) != "T")
        assert pid not in pages.stopped()


def test_dead_workers_and_servers_without_pools_change_nothing(pool):
    pages = pause.PagesFirst()
    with pages.page_running():  # nothing registered: nothing to do
        assert pages.stopped() == set()
    pages.register(pool)
    pool.close()  # the workers ended (their ids may not be reported any more)
    with pages.page_running():
        pass
    assert pages.stopped() == set()


def test_a_real_worker_that_is_closed_while_held_ends_by_itself(monkeypatch):
    worker = WorkerProcess(nice=0)
    worker.warm_up()
    process = worker._process
    assert '"ready"' in process.stdout.readline()  # its imports are done

    class One:
        def pids(self):
            return [process.pid]

    pages = pause.PagesFirst(max_hold=30)
    one = One()  # registered pools are held weakly: the server's manager keeps its own alive
    pages.register(one)
    monkeypatch.setattr("rnnviz.training.worker.PAGES_FIRST", pages)
    with pages.page_running():
        assert _wait_for(lambda: _state(process.pid) == "T")
        worker.close()  # lets it go, then closes its input
    # It read the end of its input and exited; held, it would have been killed after a timeout.
    assert process.returncode == 0
    assert worker.pid is None and pages.stopped() == set()


def test_the_setting_is_on_unless_turned_off():
    assert pages_first({}) is True
    assert pages_first({"RNNVIZ_TRAINING_PAGES_FIRST": "0"}) is False
    with pytest.raises(ValueError, match="RNNVIZ_TRAINING_PAGES_FIRST"):
        pages_first({"RNNVIZ_TRAINING_PAGES_FIRST": "0.5"})


def _thread_switches(native_id: int) -> int:
    """Voluntary context switches of one thread of this process so far (Linux /proc)."""
    with open(f"/proc/self/task/{native_id}/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith("voluntary_ctxt_switches"))


def test_the_watcher_sleeps_until_a_hold_ends_rather_than_polling(pool):
    pages = pause.PagesFirst(max_hold=30)
    pages.register(pool)
    with pages.page_running():
        watcher = pages._watcher
        assert watcher is not None and _wait_for(lambda: _state(pool.pids()[0]) == "T")
        before = _thread_switches(watcher.native_id)
        time.sleep(1.0)  # a watcher polling every 0.05 s would wake about 20 times
        assert _thread_switches(watcher.native_id) - before <= 2
    assert _wait_for(lambda: pages._watcher is None)  # the last page's end wakes it to leave
