"""The process executors: run job tasks (rnnviz.training.jobs) in lasting worker processes,
`python -m rnnviz.training.worker`, at a lower CPU priority, talking JSON over stdin and stdout.
WorkerProcess is one such process; WorkerPool hands each running job a worker of its own.

    server: job thread --{"task": "module:function", "config": {…}, "inbox": true}-->  worker: task(…)
                 ^                                         |  {"ready": true} once, after its imports
                 +------------- worker stdout -------------+  {"event": {…}} …
                                                              {"done": result or null} | {"error": text}
            a line "stop" on its stdin stops the current task (the task watches its stop event);
            a line {"message": {…}} is put in the current task's inbox (a pause, a learning rate)

Why a process: small tensors make training mostly Python work, which would hold the server's
GIL and slow every other student's page; in its own process, niced (RNNVIZ_TRAINING_NICE), it
only competes for a core, and loses that contest to the pages. Why a lasting one: importing
torch and its optimizer machinery takes seconds (15 s on a busy 2-core machine), paid once per
worker instead of once per task (`warm_up` starts one early). An idle worker exits after
WORKER_IDLE_SECONDS and is started again when needed; every worker exits as soon as its server
closes its stdin (the server ended), even in the middle of a task nobody will read.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

from rnnviz.training.jobs import Emit, Inbox, Outcome, resolve_task, warm_up
from rnnviz.training.pause import PAGES_FIRST
from rnnviz.training.settings import NICE

WORKER_IDLE_SECONDS = 900
SEND_EVERY = 0.1  # seconds a task's events wait to go out together (the reader wakes <= 10 times a second)
FORWARD_EVERY = 0.1  # seconds between the server's looks at a running task's stop and inbox


def main(argv: list[str] | None = None) -> None:
    """The worker process: lower its priority, warm up and import `--preload` modules, then run
    tasks sent on stdin until it closes or nothing comes for WORKER_IDLE_SECONDS."""
    parser = argparse.ArgumentParser(prog="python -m rnnviz.training.worker")
    parser.add_argument("--nice", type=int, default=NICE, help="added to this process's niceness")
    parser.add_argument("--preload", nargs="*", default=[], help="modules to import before ready")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    import torch

    torch.set_num_threads(1)
    warm_up()
    for module in args.preload:
        importlib.import_module(module)
    say_lock = threading.Lock()  # a race's runs report from three threads; guards `waiting`
    waiting: list[str] = []  # lines not yet sent
    pending = threading.Event()  # set while `waiting` may hold lines for the batch sender

    def say(message: dict, now: bool = False) -> None:
        """Queue a line for the server; with `now`, send it and every line before it at once."""
        line = json.dumps(message) + "\n"
        with say_lock:
            waiting.append(line)
            if now:
                send()
            else:
                pending.set()

    def send() -> None:  # under say_lock
        if waiting:
            sys.stdout.write("".join(waiting))
            sys.stdout.flush()
            waiting.clear()

    def send_every() -> None:
        """Events go out in batches, so that a training's hundreds of steps a second wake the
        server's reader (and take its GIL) a few times a second, not hundreds; an idle worker's
        sender sleeps until there is something to send."""
        while True:
            pending.wait()
            time.sleep(SEND_EVERY)
            with say_lock:
                pending.clear()
                send()

    threading.Thread(target=send_every, daemon=True).start()

    # (command, its stop event, its inbox); the reader thread makes both, so that a stop or a
    # message that arrives before the task starts is never lost or given to the wrong task
    commands: queue.Queue[tuple[dict, threading.Event, Inbox]] = queue.Queue()

    def read_stdin() -> None:
        stop, inbox = threading.Event(), queue.Queue()
        for line in sys.stdin:
            if line.strip() == "stop":
                stop.set()
                continue
            try:
                command = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "message" in command:
                inbox.put(command["message"])
            elif "task" in command:
                stop, inbox = threading.Event(), queue.Queue()
                commands.put((command, stop, inbox))
        os._exit(0)  # the server went away (or closed us): nobody reads what a task would say

    threading.Thread(target=read_stdin, daemon=True).start()
    say({"ready": True}, now=True)
    while True:
        try:
            command, stop, inbox = commands.get(timeout=WORKER_IDLE_SECONDS)
        except queue.Empty:
            return
        try:
            task = resolve_task(command["task"])
            emit = lambda event: say({"event": event})  # noqa: E731
            if command.get("inbox"):
                result = task(command["config"], emit, stop, inbox=inbox)
            else:
                result = task(command["config"], emit, stop)
        except Exception as error:  # reported on the page
            say({"error": f"{type(error).__name__}: {error}"}, now=True)
        else:
            say({"done": result}, now=True)


def worker_environment() -> dict[str, str]:
    """The environment of the worker: this one, with PYTHONPATH set to this process's sys.path
    (made absolute), so the worker imports the very rnnviz this server runs, however it was
    found (an installed package, a checkout started with `streamlit run`, pytest's rootdir),
    without guessing at the repository's layout."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(os.path.abspath(p) for p in sys.path)}


class WorkerProcess:
    """The server side of one worker process: an executor (rnnviz.training.jobs.Executor) for
    one task at a time. `nice` is added to the worker's niceness; `preload` names modules (or
    tasks, "module:function") the worker imports while it warms up."""

    def __init__(self, nice: int = NICE, preload: tuple[str, ...] = ()) -> None:
        self.nice = nice
        self.preload = tuple(name.partition(":")[0] for name in preload)
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._errors = None  # the worker's stderr: a file, so a chatty worker can never block

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs."""
        with self._lock:
            alive = self._process is not None and self._process.poll() is None
            return self._process.pid if alive else None

    def warm_up(self) -> None:
        """Start the worker process unless it is running (returns at once)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            if self._errors is not None:
                self._errors.close()
            self._errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the worker
            command = [sys.executable, "-m", "rnnviz.training.worker", "--nice", str(self.nice)]
            if self.preload:
                command += ["--preload", *self.preload]
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                text=True,
                env=worker_environment(),
            )

    def close(self) -> None:
        """End the worker (it exits when its stdin closes)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            PAGES_FIRST.let_go(process.pid)  # a stopped worker could not read its end of input
            try:
                process.stdin.close()
                process.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                process.kill()

    def run(
        self, task: str, config: dict, on_event: Emit, stop: threading.Event, inbox: Inbox | None = None
    ) -> Outcome:
        """Run `task` in the worker, passing its events to `on_event`, and `stop` and the
        messages put in `inbox` on to it."""
        self.warm_up()
        process = self._process
        command = {"task": task, "config": config, "inbox": inbox is not None}
        try:
            process.stdin.write(json.dumps(command) + "\n")
            process.stdin.flush()
        except (OSError, ValueError):
            return Outcome(error=self._death_notice(process))
        finished = threading.Event()
        forward = threading.Thread(target=self._forward, args=(process, stop, inbox, finished), daemon=True)
        forward.start()
        try:
            for line in process.stdout:
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:  # something else printed to stdout
                    continue
                if not isinstance(message, dict):
                    continue
                if "event" in message:
                    on_event(message["event"])
                elif "done" in message:
                    return Outcome(result=message["done"])
                elif "error" in message:
                    return Outcome(error=str(message["error"]))
        finally:
            finished.set()
            forward.join()  # so that nothing it writes can reach the worker's next task
        return Outcome(error=self._death_notice(process))

    @staticmethod
    def _forward(
        process: subprocess.Popen, stop: threading.Event, inbox: Inbox | None, finished: threading.Event
    ) -> None:
        """While the task runs: pass `stop` and what comes into `inbox` on to the worker."""
        stopped = False
        while not finished.is_set():
            lines = []
            if stop.is_set() and not stopped:
                lines.append("stop")
                stopped = True
            while inbox is not None and not inbox.empty():
                lines.append(json.dumps({"message": inbox.get_nowait()}))
            if lines:
                try:
                    process.stdin.write("".join(line + "\n" for line in lines))
                    process.stdin.flush()
                except (OSError, ValueError):  # the worker has gone
                    return
            finished.wait(FORWARD_EVERY)

    def _death_notice(self, process: subprocess.Popen) -> str:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        code = process.returncode
        if code is not None and code < 0:  # killed (out of memory, or by an administrator)
            try:
                last = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                last = f"killed by signal {-code}"
        else:  # its own last words, e.g. an import error
            last = f"exit code {code}"
            if self._errors is not None:
                self._errors.seek(0)
                last = (self._errors.read().strip().splitlines() or [last])[-1]
        return f"the training process ended unexpectedly ({last})"


class WorkerPool:
    """An executor that gives every running task a worker process of its own: an idle one when
    there is one, else a new one. At most `size` idle workers are kept (the server's training
    cap); a worker whose task ended stays for the next task, or ends when enough wait. A paused
    training that gave its slot away keeps its worker (its models live there), so for a while
    more than `size` workers may exist; the extra ones end with their tasks."""

    def __init__(self, size: int, nice: int = NICE, preload: tuple[str, ...] = ()) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one worker; got {size!r}")
        self.size, self.nice, self.preload = size, nice, preload
        self._lock = threading.Lock()
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()

    def _new(self) -> WorkerProcess:
        return WorkerProcess(nice=self.nice, preload=self.preload)

    def warm_up(self) -> None:
        """Have one worker ready for the next task, unless `size` are busy: start one, or start
        again one that ended after WORKER_IDLE_SECONDS (returns at once)."""
        with self._lock:
            if not self._idle and len(self._busy) >= self.size:
                return
            if not self._idle:
                self._idle.append(self._new())
            worker = self._idle[-1]
        worker.warm_up()

    def pids(self) -> list[int]:
        """The process ids of the workers running tasks now."""
        with self._lock:
            busy = list(self._busy)
        return [pid for pid in (worker.pid for worker in busy) if pid is not None]

    def run(
        self, task: str, config: dict, on_event: Emit, stop: threading.Event, inbox: Inbox | None = None
    ) -> Outcome:
        """Run `task` in a worker of its own (see WorkerProcess.run)."""
        with self._lock:
            worker = self._idle.pop() if self._idle else self._new()
            self._busy.add(worker)
        try:
            return worker.run(task, config, on_event, stop, inbox)
        finally:
            with self._lock:
                self._busy.discard(worker)
                keep = len(self._idle) < self.size and worker.pid is not None
                if keep:
                    self._idle.append(worker)
            if not keep:
                worker.close()

    def close(self) -> None:
        """End the idle workers (busy ones end with their tasks)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


if __name__ == "__main__":
    main()
