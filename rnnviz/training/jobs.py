"""Background work, one abstraction: a job turns a config into events and a result in a thread of
its own, behind a server-wide cap, with ONE status vocabulary. Never imports streamlit: a page
submits a job and polls `job.state()`.

    manager = JobManager(max_running=2)               # one per kind of work per server process
    job = manager.submit(SomeJob(config), alive=probe)
    job.state()          # a JobState (or a subclass), a snapshot taken under the job's lock
    job.touch(); job.stop(); job.join()

Status, the words every job, the Trainer and the pages use:

    queued -> loading -> running <-> paused -> evaluating -> done
       \\---------\\----------\\-----------------------------> stopped | failed

    queued      waiting for a free slot (JobManager's cap, first come first served)
    loading     reading or downloading its data
    running     working (training steps)
    paused      waiting for resume, keeping its slot for `pause_release` seconds; after that
                the slot goes to the queue, and Resume queues the job again (a TrainingJob)
    evaluating  scoring what it made on held-out data
    done        finished with a result to look at
    stopped     ended by stop() (a user, or the watchdog: nobody was looking) without a result
    failed      ended by a problem; the message says which

A job need not pass through every word: a long-range experiment goes queued -> running -> done.

Abandonment. A page calls `touch()` whenever it polls; the optional `alive` probe given to
`submit` ("is this browser session still connected?") also counts as being seen. With
`abandon_after` set, a job not seen for that many seconds is stopped by the manager's watchdog,
queued or paused jobs included, so a closed tab frees its slot. Shared work (experiments
whose results every session reads) sets it to None.

Executors: where a job's task runs, a choice and not a second framework. A task is a function
`task(config, emit, stop) -> result` over JSON-ready values, named "module:function"; a job hands
it to its manager's executor: `InThread` runs it in the job's own thread, and
rnnviz.training.worker's WorkerProcess in one lasting worker process and WorkerPool in a worker
of its own per running job (so that training's Python work does not hold the server's GIL).
All report the same events and the same Outcome. A task that takes messages while it runs (a
training's pause and learning rate) is called as `task(config, emit, stop, inbox=inbox)` when its
job passes an `inbox` (a queue of JSON-ready dicts) to `run`. `manager.warm_up()` pays each
executor's first-use costs ahead of time. A server's manager (JobManager.from_environment) runs
its jobs' tasks in a WorkerPool; tests build managers that run them in their threads.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from rnnviz.training.settings import (
    ABANDON_AFTER,
    PAUSE_RELEASE,
    abandon_seconds,
    max_trainings,
    pages_first,
    pause_release_seconds,
    training_nice,
)
from rnnviz.training.settings import replicas as replica_count

_LOG = logging.getLogger(__name__)

Status = Literal["queued", "loading", "running", "paused", "evaluating", "done", "stopped", "failed"]
ACTIVE: tuple[str, ...] = ("queued", "loading", "running", "paused", "evaluating")
StopReason = Literal["user", "abandoned"]
Alive = Callable[[], bool | None]  # True: the session is there; False/None: unknown or gone
Emit = Callable[[dict], None]  # a task's events: JSON-ready dicts
Inbox = queue.Queue  # messages from a job to its running task: JSON-ready dicts
Task = Callable[[dict, Emit, threading.Event], dict | None]  # config, emit, stop -> result or None


def warm_up() -> None:
    """Do once what a process's first optimizer does: torch.optim imports torch._dynamo, which
    takes seconds and holds the GIL (about 6 s on the 2-core class machine). A server calls
    this (through JobManager.warm_up) when it creates its manager, so the first student to press
    Start does not wait."""
    import torch

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


@dataclass(frozen=True)
class JobState:
    """What every job's snapshot has; each kind of job adds its own fields."""

    id: int
    status: Status
    message: str  # one line: what is happening, or how it ended
    stop_reason: StopReason | None = field(default=None, kw_only=True)

    @property
    def active(self) -> bool:
        """Not yet done, stopped or failed."""
        return self.status in ACTIVE


# --------------------------------------------------------------------------- executors


@dataclass(frozen=True)
class Outcome:
    """How a task ended: its result (None: stopped before the end), or an error in words."""

    result: dict | None = None
    error: str | None = None


class Executor(Protocol):
    """Runs tasks (see the module docstring); `run` blocks until the task ends."""

    def warm_up(self) -> None:
        """Pay first-use costs now; returns at once or after a short import."""
        ...

    def run(
        self, task: str, config: dict, on_event: Emit, stop: threading.Event, inbox: Inbox | None = None
    ) -> Outcome:
        """Run `task` on `config`, passing its events to `on_event`; `stop` ends it early; what
        the job puts in `inbox` reaches the task's own inbox."""
        ...


def resolve_task(name: str) -> Task:
    """The function a task name "package.module:function" stands for."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


class InThread:
    """The executor that runs a task in the calling thread (the job's)."""

    def warm_up(self) -> None:
        """Import PyTorch's optimizer machinery now (see warm_up)."""
        warm_up()

    def run(
        self, task: str, config: dict, on_event: Emit, stop: threading.Event, inbox: Inbox | None = None
    ) -> Outcome:
        """Run `task` here (with `inbox` itself as its inbox); an exception becomes the Outcome's error."""
        try:
            if inbox is not None:
                return Outcome(result=resolve_task(task)(config, on_event, stop, inbox=inbox))
            return Outcome(result=resolve_task(task)(config, on_event, stop))
        except Exception as error:  # reported on the page; the server keeps running
            return Outcome(error=f"{type(error).__name__}: {error}")


# --------------------------------------------------------------------------- one job


class Job:
    """The part every job shares: an id, a status and message under a lock, stop and touch,
    and a thread that waits for its manager's slot and then calls `_work`. Subclasses set
    `what` and `waiting`, implement `_work(manager)` and `state()`, and may add `_on_stop()`."""

    what = "the job"  # in "… failed unexpectedly"
    waiting = "waiting for a free slot on this server"  # the message while queued

    _ids = itertools.count(1)
    _ids_lock = threading.Lock()

    def __init__(self) -> None:
        with Job._ids_lock:
            self.id = next(Job._ids)
        self._lock = threading.RLock()  # guards every field below (and a subclass's)
        self._status: Status = "queued"
        self._message = self.waiting
        self._stop: StopReason | None = None
        self.stop_event = threading.Event()  # set by stop(): tasks and executors watch it
        self._manager: JobManager | None = None
        self._last_seen = time.monotonic()
        self._thread: threading.Thread | None = None

    # -- control, from any thread

    def touch(self) -> None:
        """Someone is looking (the page polled)."""
        with self._lock:
            self._last_seen = time.monotonic()

    def idle_seconds(self) -> float:
        """Seconds since the last touch()."""
        with self._lock:
            return time.monotonic() - self._last_seen

    def stop(self, reason: StopReason = "user") -> None:
        """Stop soon (a task after its current step); leaves a queue at once."""
        with self._lock:
            if self._stop is None:
                self._stop = reason
            manager = self._manager
        self.stop_event.set()
        self._on_stop()
        if manager is not None:
            manager.wake()

    @property
    def stop_requested(self) -> StopReason | None:
        """Why the job was asked to stop, if it was."""
        with self._lock:
            return self._stop

    @property
    def status(self) -> Status:
        """The job's status now."""
        with self._lock:
            return self._status

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job's thread; True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def state(self) -> JobState:
        """A consistent snapshot (subclasses return their own JobState subclass)."""
        with self._lock:
            return JobState(self.id, self._status, self._message, stop_reason=self._stop)

    # -- for subclasses

    def _on_stop(self) -> None:
        """Pass a stop on to what the job runs (called outside the lock)."""

    def _work(self, manager: JobManager) -> None:
        """The job's work, in its thread once it has a slot; it sets the status as it goes."""
        raise NotImplementedError

    def _set(self, status: Status, message: str = "") -> None:
        """Set the status and its message (take self._lock around it to change more at once)."""
        with self._lock:
            self._status, self._message = status, message

    def _stopped_text(self, when: str) -> str:
        if self.stop_requested == "abandoned" and self._manager is not None:
            seconds = self._manager.abandon_after
            return f"Stopped {when}: nobody looked at it for {seconds:g} s (was the tab closed?)."
        return f"Stopped {when}."

    # -- the job's thread

    def _start(self, manager: JobManager) -> None:
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("a job runs once; make a new one to run it again")
            self._manager = manager
            self._last_seen = time.monotonic()
            name = f"rnnviz-{type(self).__name__}-{self.id}"
            self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        manager = self._manager
        assert manager is not None
        self._set("queued", self.waiting)
        if not manager.acquire(self):
            self._set("stopped", self._stopped_text("before it started"))
            return
        try:
            self._work(manager)
        except Exception as error:  # never let a bug kill the page: report it as the job's end
            _LOG.exception("job %s failed", self.id)
            self._set("failed", f"{self.what} failed unexpectedly: {error}")
        finally:
            manager.release(self)


# --------------------------------------------------------------------------- the server's manager


@dataclass
class _Watch:
    job: Job
    alive: Alive | None


class JobManager:
    """Runs jobs with at most `max_running` at once, first come first served, through one
    executor (by default in the jobs' own threads), and (with `abandon_after`) stops jobs nobody
    looks at. One per server process and kind of work. `pause_release` is how long a paused
    job keeps its slot (None: for ever; see rnnviz.training.settings)."""

    def __init__(
        self,
        max_running: int | None = None,
        abandon_after: float | None = ABANDON_AFTER,
        check_every: float = 1.0,
        executor: Executor | None = None,
        pause_release: float | None = PAUSE_RELEASE,
        replicas: int = 1,
    ) -> None:
        self.max_running = max_trainings() if max_running is None else int(max_running)
        if self.max_running < 1:
            raise ValueError(f"max_running must be at least 1; got {max_running!r}")
        if int(replicas) < 1:
            raise ValueError(f"replicas must be at least 1; got {replicas!r}")
        self.replicas = int(replicas)  # server processes on this machine, each with its own cap
        self.abandon_after = abandon_after
        self.check_every = check_every
        self.pause_release = pause_release
        self.executor: Executor = executor or InThread()
        self._cond = threading.Condition()
        self._queue: list[Job] = []
        self._running: set[Job] = set()
        self._watched: list[_Watch] = []
        self._watchdog: threading.Thread | None = None

    @property
    def capacity(self) -> str:
        """How many trainings run at once, in words: "1 model", "2 models"."""
        return f"{self.max_running} model{'' if self.max_running == 1 else 's'}"

    @property
    def server(self) -> str:
        """Whom the cap binds, in words: "this server", or "this server process (one of 3)" when
        replicas share the machine (the cap is per process; another process may have a free slot)."""
        return "this server" if self.replicas == 1 else f"this server process (one of {self.replicas})"

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] = os.environ, tasks: tuple[str, ...] = ()
    ) -> JobManager:
        """A server's manager with its settings: RNNVIZ_MAX_TRAININGS, RNNVIZ_TRAINING_NICE,
        RNNVIZ_TRAINING_PAGES_FIRST, RNNVIZ_TRAINING_ABANDON_SECONDS, RNNVIZ_PAUSE_RELEASE_SECONDS
        and RNNVIZ_REPLICAS (see rnnviz.training.settings). Its jobs' tasks run in a pool of niced
        worker processes, one per running job (rnnviz.training.worker.WorkerPool), which import the
        modules of `tasks` while they warm up, and which step aside while pages run
        (rnnviz.training.pause) unless RNNVIZ_TRAINING_PAGES_FIRST is 0."""
        from rnnviz.training.pause import PAGES_FIRST
        from rnnviz.training.worker import WorkerPool  # it builds on this module

        cap = max_trainings(environ)
        pool = WorkerPool(cap, nice=training_nice(environ), preload=tasks)
        if pages_first(environ):
            PAGES_FIRST.register(pool)
        return cls(
            cap,
            abandon_seconds(environ),
            executor=pool,
            pause_release=pause_release_seconds(environ),
            replicas=replica_count(environ),
        )

    def warm_up(self) -> None:
        """Pay the executor's first-use costs now (importing torch.optim, starting a worker)."""
        self.executor.warm_up()

    def submit(self, job: Job, alive: Alive | None = None) -> Job:
        """Queue `job` and start its thread. `alive()` is asked every `check_every` seconds
        whether the job's browser session is still there (True counts as a poll)."""
        if self.abandon_after is not None:
            with self._cond:
                self._watched.append(_Watch(job, alive))
                if self._watchdog is None or not self._watchdog.is_alive():
                    self._watchdog = threading.Thread(
                        target=self._watch, name="rnnviz-job-watchdog", daemon=True
                    )
                    self._watchdog.start()
        job._start(self)
        return job

    def position(self, job: Job) -> int | None:
        """1-based place of `job` in the queue, or None when it is not waiting."""
        with self._cond:
            return self._queue.index(job) + 1 if job in self._queue else None

    @property
    def running(self) -> int:
        """Jobs holding a slot now."""
        with self._cond:
            return len(self._running)

    def running_jobs(self) -> list[Job]:
        """The jobs holding a slot now."""
        with self._cond:
            return list(self._running)

    def queued_jobs(self) -> list[Job]:
        """The jobs waiting for a slot now, first in line first."""
        with self._cond:
            return list(self._queue)

    @property
    def queued(self) -> int:
        """Jobs waiting for a slot now."""
        with self._cond:
            return len(self._queue)

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop every watched or running job and wait for their threads (for tests and shutdown)."""
        with self._cond:
            jobs = list(dict.fromkeys([w.job for w in self._watched] + self._queue + list(self._running)))
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(timeout)

    # -- used by the jobs' threads

    def wake(self) -> None:
        """A job was stopped: let the queue look again."""
        with self._cond:
            self._cond.notify_all()

    def acquire(self, job: Job) -> bool:
        """Wait in line for a slot; False when the job was stopped while waiting."""
        with self._cond:
            self._queue.append(job)
            self._cond.wait_for(
                lambda: (
                    job.stop_requested is not None
                    or (self._queue[0] is job and len(self._running) < self.max_running)
                )
            )
            self._queue.remove(job)
            self._cond.notify_all()  # the next in line may move up
            if job.stop_requested is not None:
                return False
            self._running.add(job)
            return True

    def release(self, job: Job) -> None:
        """`job` has ended: free its slot."""
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def _watch(self) -> None:
        """Stop jobs not seen for `abandon_after` seconds; exits when nothing is left to watch."""
        while True:
            with self._cond:
                self._watched = [w for w in self._watched if w.job.status in ACTIVE]
                watched = list(self._watched)
                if not watched:
                    self._watchdog = None
                    return
            for watch in watched:
                if watch.alive is not None:
                    try:
                        if watch.alive():
                            watch.job.touch()
                    except Exception:  # a broken probe must not stop the watchdog
                        _LOG.exception("liveness probe of job %s failed", watch.job.id)
                if self.abandon_after is not None and watch.job.idle_seconds() > self.abandon_after:
                    watch.job.stop("abandoned")
            time.sleep(self.check_every)
