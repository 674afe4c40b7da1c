"""The process executor: runs job tasks (rnnviz.training.jobs) in one lasting worker process,
`python -m rnnviz.training.worker`, talking JSON over its stdin and stdout.

    server: job thread --{"task": "module:function", "config": {…}}-->  worker: task(config, emit, stop)
                 ^                                         |  {"ready": true} once, after its imports
                 +------------- worker stdout -------------+  {"event": {…}} …
                                                              {"done": result or null} | {"error": text}
            a line "stop" on its stdin stops the current task (the task watches its stop event)

Why a process: small tensors make training mostly Python work, which would hold the server's
GIL and slow every other student's page; in its own process it only competes for a core.
Why a lasting one: importing torch and its optimizer machinery takes seconds (15 s on a busy
2-core machine), paid once per server instead of once per task (`warm_up` starts it early).
An idle worker exits after WORKER_IDLE_SECONDS and is started again when needed. One task runs
at a time: the job manager that owns the executor gives it one job at a time (max_running=1).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading

from rnnviz.training.jobs import Emit, Outcome, resolve_task, warm_up

WORKER_IDLE_SECONDS = 900


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    """The worker process: warm up, then run tasks sent on stdin until it closes or nothing
    comes for WORKER_IDLE_SECONDS."""
    import torch

    torch.set_num_threads(1)
    warm_up()
    commands: queue.Queue[str | None] = queue.Queue()
    stop = threading.Event()

    def read_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                stop.set()
            elif line.strip():
                commands.put(line)
        stop.set()  # the server went away
        commands.put(None)

    threading.Thread(target=read_stdin, daemon=True).start()
    _say({"ready": True})
    while True:
        try:
            line = commands.get(timeout=WORKER_IDLE_SECONDS)
        except queue.Empty:
            return
        if line is None:
            return
        stop.clear()
        try:
            command = json.loads(line)
            result = resolve_task(command["task"])(command["config"], lambda e: _say({"event": e}), stop)
        except Exception as error:  # reported on the page
            _say({"error": f"{type(error).__name__}: {error}"})
        else:
            _say({"done": result})


def worker_environment() -> dict[str, str]:
    """The environment of the worker: this one, with PYTHONPATH set to this process's sys.path
    (made absolute), so the worker imports the very rnnviz this server runs, however it was
    found (an installed package, a checkout started with `streamlit run`, pytest's rootdir),
    without guessing at the repository's layout."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(os.path.abspath(p) for p in sys.path)}


class WorkerProcess:
    """The server side of one worker process: an executor (rnnviz.training.jobs.Executor) for
    one task at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._errors = None  # the worker's stderr: a file, so a chatty worker can never block

    def warm_up(self) -> None:
        """Start the worker process unless it is running (returns at once)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            if self._errors is not None:
                self._errors.close()
            self._errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the worker
            self._process = subprocess.Popen(
                [sys.executable, "-m", "rnnviz.training.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                text=True,
                env=worker_environment(),
            )

    def run(self, task: str, config: dict, on_event: Emit, stop: threading.Event) -> Outcome:
        """Run `task` in the worker, passing its events to `on_event` and `stop` on to it."""
        self.warm_up()
        process = self._process
        try:
            process.stdin.write(json.dumps({"task": task, "config": config}) + "\n")
            process.stdin.flush()
        except (OSError, ValueError):
            return Outcome(error=self._death_notice(process))
        finished = threading.Event()
        threading.Thread(target=self._pass_on_stop, args=(process, stop, finished), daemon=True).start()
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
        return Outcome(error=self._death_notice(process))

    @staticmethod
    def _pass_on_stop(process: subprocess.Popen, stop: threading.Event, finished: threading.Event) -> None:
        """Waits for `stop` while the task runs and passes it on to the worker."""
        while not finished.is_set():
            if stop.wait(timeout=0.5):
                try:
                    process.stdin.write("stop\n")
                    process.stdin.flush()
                except (OSError, ValueError):  # the worker has gone
                    pass
                return

    def _death_notice(self, process: subprocess.Popen) -> str:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        last = [f"exit code {process.returncode}"]
        if self._errors is not None:
            self._errors.seek(0)
            last = self._errors.read().strip().splitlines()[-1:] or last
        return f"the training process ended unexpectedly ({last[0]})"


if __name__ == "__main__":
    main()
