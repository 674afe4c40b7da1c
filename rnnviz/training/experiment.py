"""The long-range memory experiment: can a cell carry one sentiment word across N neutral words?

Task. Each sentence is one sentiment word followed by n neutral filler words,
    "great then we the at home about it …"   -> positive
labelled with the word's polarity. The networks read left to right and answer from their
last state (one layer, one direction, readout "last"), so the answer has to be carried
across all n filler words.

Protocol (one `run_experiment` call):
  * training data: `train_size` sentences with n drawn uniformly from 0..max_filler, the
    same for every cell type (short sentences give the gradient an easy path to the
    sentiment word, long ones demand memory); validation data alike, to keep each cell's
    best epoch;
  * every cell type (plain RNN, GRU, LSTM) is trained with the same settings and seed
    by rnnviz.training.trainer.Trainer;
  * test: for each n in `filler_grid()`, `test_size` new sentences with exactly n filler
    words; accuracy per (cell, n). Chance is 0.5 (the classes are balanced).

The job machinery at the bottom runs experiments in background threads for a page and
shares results between sessions: it never imports streamlit.
"""

from __future__ import annotations

import json
import math
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from rnnviz.core.models import CELL_TYPES, CellType
from rnnviz.data.dataset import LABELS, TextDataset
from rnnviz.training.trainer import TrainConfig, Trainer, TrainEvent, evaluate_dataset

# Few sentiment words, so that learning the words is easy and the experiment measures memory.
POSITIVE_WORDS = ("good", "great", "excellent")
NEGATIVE_WORDS = ("bad", "awful", "terrible")
# Neutral filler: function words and plain nouns and verbs that carry no sentiment.
FILLER_WORDS = tuple(
    """the a of and then we went home to it in on at with my this that last week tuesday after
    before they he she was had our there here into about from around during until again also
    just""".split()
)
MAX_FILLER = 200
# How the page and the summary name each cell type.
CELL_TITLES = {"rnn_tanh": "plain RNN", "rnn_relu": "plain RNN (ReLU)", "gru": "GRU", "lstm": "LSTM"}


@dataclass(frozen=True)
class LongRangeConfig:
    """One experiment: the task's length, the data sizes and the shared training settings."""

    max_filler: int = 50  # N: the longest filler, in training and among the tested lengths
    points: int = 5  # how many filler lengths are tested, evenly spaced from 0 to max_filler
    cells: tuple[CellType, ...] = ("rnn_tanh", "gru", "lstm")
    train_size: int = 800  # training sentences (n uniform in 0..max_filler)
    val_size: int = 200  # validation sentences, to keep each cell's best epoch
    test_size: int = 200  # test sentences per tested length
    hidden_size: int = 16
    embedding_dim: int = 16
    epochs: int = 8
    batch_size: int = 32
    lr: float = 0.01  # Adam
    seed: int = 0  # data, initial weights and batch order

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))
        problems = []
        for name, low, high in (
            ("max_filler", 1, MAX_FILLER),
            ("points", 2, 21),
            ("train_size", 20, 100_000),
            ("val_size", 10, 10_000),
            ("test_size", 10, 10_000),
            ("hidden_size", 1, 256),
            ("embedding_dim", 1, 256),
            ("epochs", 1, 100),
            ("batch_size", 1, 1024),
            ("seed", 0, 2**31 - 1),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                problems.append(f"{name} must be a whole number from {low} to {high}; got {value!r}")
        if not self.cells or any(cell not in CELL_TYPES for cell in self.cells):
            problems.append(f"cells must be some of {', '.join(CELL_TYPES)}; got {list(self.cells)}")
        if not isinstance(self.lr, (int, float)) or not math.isfinite(self.lr) or not 0 < self.lr <= 1:
            problems.append(f"lr must be a number above 0 and at most 1; got {self.lr!r}")
        if problems:
            raise ValueError("invalid long-range experiment: " + "; ".join(problems))

    def filler_grid(self) -> tuple[int, ...]:
        """The tested filler lengths: `points` values from 0 to max_filler, evenly spaced."""
        steps = min(self.points, self.max_filler + 1) - 1
        return tuple(sorted({round(self.max_filler * k / steps) for k in range(steps + 1)}))

    def train_config(self, cell: CellType) -> TrainConfig:
        """The training settings every cell shares, for `cell`."""
        return TrainConfig(
            cell=cell,
            embedding_dim=self.embedding_dim,
            hidden_size=self.hidden_size,
            num_layers=1,
            bidirectional=False,
            readout="last",
            lr=self.lr,
            batch_size=self.batch_size,
            epochs=self.epochs,
            seed=self.seed,
            device="cpu",
            max_tokens=self.max_filler + 1,
        )

    def to_dict(self) -> dict:
        result = asdict(self)
        result["cells"] = list(self.cells)
        return result


def make_sentences(size: int, min_filler: int, max_filler: int, seed: str) -> TextDataset:
    """`size` balanced sentences "<sentiment word> <n filler words>", n uniform in
    min_filler..max_filler, labelled with the word's polarity (LABELS order). Deterministic
    for a seed string."""
    rng = random.Random(f"rnnviz-long-range-{seed}")
    texts, labels = [], []
    for i in range(size):
        label = i % 2  # 1 = positive
        word = rng.choice(POSITIVE_WORDS if label else NEGATIVE_WORDS)
        filler = " ".join(rng.choice(FILLER_WORDS) for _ in range(rng.randint(min_filler, max_filler)))
        texts.append(f"{word} {filler}".strip())
        labels.append(label)
    return TextDataset(tuple(texts), tuple(labels), LABELS, f"long range, {min_filler}-{max_filler} filler")


@dataclass(frozen=True)
class CellResult:
    """One cell type's outcome."""

    cell: CellType
    accuracy: dict[int, float]  # tested filler length -> test accuracy
    best_epoch: int | None  # the epoch whose weights were kept (0 = none beat the untrained ones)
    val_accuracy: float | None  # on the mixed-length validation sentences
    seconds: float  # training and testing time

    def to_dict(self) -> dict:
        return {**asdict(self), "accuracy": {str(n): a for n, a in self.accuracy.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> CellResult:
        return cls(**{**data, "accuracy": {int(n): float(a) for n, a in data["accuracy"].items()}})


@dataclass(frozen=True)
class LongRangeResult:
    config: LongRangeConfig
    cells: tuple[CellResult, ...]
    seconds: float  # the whole experiment

    def accuracy_at(self, filler: int) -> dict[CellType, float]:
        return {result.cell: result.accuracy[filler] for result in self.cells}

    def summary(self) -> str:
        """One sentence with the measured accuracies at the longest filler, e.g. 'After 40
        filler words the plain RNN scored 0.50, the GRU 1.00 and the LSTM 1.00 (accuracy on
        200 test sentences; chance is 0.50).'"""
        longest = self.config.filler_grid()[-1]
        parts = [f"the {CELL_TITLES[r.cell]} {r.accuracy[longest]:.2f}" for r in self.cells]
        first, *rest = parts
        name, score = first.rsplit(" ", 1)
        joined = f"{name} scored {score}"
        if rest:
            joined += "".join(f", {part}" for part in rest[:-1]) + f" and {rest[-1]}"
        return (
            f"After {longest} filler words {joined} (accuracy on {self.config.test_size} test "
            "sentences; chance is 0.50)."
        )

    @classmethod
    def from_dict(cls, data: dict) -> LongRangeResult:
        """The inverse of to_dict."""
        return cls(
            LongRangeConfig(**{**data["config"], "cells": tuple(data["config"]["cells"])}),
            tuple(CellResult.from_dict(cell) for cell in data["cells"]),
            float(data["seconds"]),
        )

    def to_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "seconds": self.seconds,
            "cells": [cell.to_dict() for cell in self.cells],
        }


@dataclass(frozen=True)
class Progress:
    """Where an experiment is: `done` of `total` training steps, over all cells."""

    cell: CellType
    done: int
    total: int
    message: str


def run_experiment(
    config: LongRangeConfig,
    on_progress: Callable[[Progress], None] | None = None,
    on_cell: Callable[[CellResult], None] | None = None,
    stop: threading.Event | None = None,
) -> LongRangeResult | None:
    """Train and test every cell of `config` in turn (see the module docstring). Reports each
    training step through `on_progress` and each finished cell through `on_cell`; returns
    None if `stop` was set before the end."""
    started = time.perf_counter()
    train = make_sentences(config.train_size, 0, config.max_filler, f"train-{config.seed}")
    val = make_sentences(config.val_size, 0, config.max_filler, f"val-{config.seed}")
    tests = {
        n: make_sentences(config.test_size, n, n, f"test-{n}-{config.seed}") for n in config.filler_grid()
    }
    steps_per_cell = math.ceil(len(train) / config.batch_size) * config.epochs
    total = steps_per_cell * len(config.cells)
    results = []
    for index, cell in enumerate(config.cells):
        cell_started = time.perf_counter()
        trainer = Trainer(config.train_config(cell), train, val)
        trainer.on_event = _reporter(trainer, cell, index * steps_per_cell, total, on_progress, stop)
        if stop is not None and stop.is_set():
            return None
        classifier = trainer.run()
        if stop is not None and stop.is_set():
            return None
        state = trainer.state()
        result = CellResult(
            cell=cell,
            accuracy={n: evaluate_dataset(classifier, data).accuracy for n, data in tests.items()},
            best_epoch=state.best_epoch,
            val_accuracy=state.best_val_accuracy,
            seconds=time.perf_counter() - cell_started,
        )
        results.append(result)
        if on_cell is not None:
            on_cell(result)
    return LongRangeResult(config, tuple(results), time.perf_counter() - started)


def _reporter(
    trainer: Trainer,
    cell: CellType,
    offset: int,
    total: int,
    on_progress: Callable[[Progress], None] | None,
    stop: threading.Event | None,
) -> Callable[[TrainEvent], None]:
    """The trainer's event callback: passes steps on as Progress over the whole experiment
    and stops the trainer (after its current step) once `stop` is set."""

    def report(event: TrainEvent) -> None:
        if stop is not None and stop.is_set():
            trainer.stop()
        if on_progress is not None and event.kind == "step":
            message = f"training the {CELL_TITLES[cell]}: epoch {event.epoch} of {trainer.config.epochs}"
            on_progress(Progress(cell, offset + event.step, total, message))

    return report


# --------------------------------------------------------------------------- background jobs
#
# A page starts an experiment through a JobBoard and polls ExperimentJob.snapshot(). By default
# experiments train in a worker process, `python -m rnnviz.training.experiment`, that the board starts
# once (`warm_up`, e.g. when the page opens) and reuses; a daemon thread of the server sends it
# one experiment at a time and relays what it prints, one JSON object per line:
#
#     server: job thread --{"config": …}-->  worker: run_experiment(...)
#                  ^                           |  {"ready": true} once, after its imports
#                  +------- worker stdout -----+  {"progress": [done, total, message]} …
#                                                 {"cell": CellResult} …
#                                                 {"done": result or null} | {"error": text}
#             a line "stop" on its stdin stops the current experiment after its current step
#
# Why a process: small tensors make training mostly Python work, which would hold the server's
# GIL and slow every other student's page; in its own process it only competes for a core.
# Why a lasting one: importing torch and its optimizer machinery takes seconds (15 s on a busy
# 2-core machine), paid once per server instead of once per experiment. An idle worker exits
# after WORKER_IDLE_SECONDS and is started again when needed.

JobStatus = Literal["queued", "running", "finished", "stopped", "failed"]
_PROGRESS_EVERY = 0.25  # seconds between progress lines from the worker
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
WORKER_IDLE_SECONDS = 900


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent view of a job, safe to read from any thread."""

    status: JobStatus
    fraction: float  # 0..1 of the training steps done
    message: str
    cells: tuple[CellResult, ...]  # the cells finished so far
    result: LongRangeResult | None  # when finished

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")


def _say(message: dict) -> None:
    print(json.dumps(message), flush=True)


def _worker_main() -> None:
    """The worker process (see above): warm up, then run experiments sent on stdin until it
    closes or nothing comes for WORKER_IDLE_SECONDS."""
    import torch

    torch.set_num_threads(1)
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # pays the optimizer's first-use imports
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

    last = [0.0]

    def progress(update: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_EVERY or update.done == update.total:
            last[0] = now
            _say({"progress": [update.done, update.total, update.message]})

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
            config = LongRangeConfig(**json.loads(line)["config"])
            result = run_experiment(config, progress, lambda cell: _say({"cell": cell.to_dict()}), stop)
        except Exception as error:  # reported on the page
            _say({"error": f"{type(error).__name__}: {error}"})
        else:
            _say({"done": None if result is None else result.to_dict()})


class _Worker:
    """The server side of one worker process. Used by one job at a time (the board's gate)."""

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
            environment = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *sys.path])}
            self._process = subprocess.Popen(
                [sys.executable, "-m", "rnnviz.training.experiment"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                text=True,
                env=environment,
            )

    def run(self, config: LongRangeConfig, job: ExperimentJob) -> tuple[str, object]:
        """Run `config` in the worker, applying its messages to `job`; ('done', result or None)
        or ('error', text)."""
        self.warm_up()
        process = self._process
        try:
            process.stdin.write(json.dumps({"config": config.to_dict()}) + "\n")
            process.stdin.flush()
        except (OSError, ValueError):
            return "error", self._death_notice(process)
        finished = threading.Event()
        threading.Thread(target=self._pass_on_stop, args=(process, job, finished), daemon=True).start()
        try:
            for line in process.stdout:
                outcome = job._apply(line)
                if outcome is not None:
                    return outcome
        finally:
            finished.set()
        return "error", self._death_notice(process)

    @staticmethod
    def _pass_on_stop(process: subprocess.Popen, job: ExperimentJob, finished: threading.Event) -> None:
        """Waits for job.stop() while the job runs and passes it on to the worker."""
        while not finished.is_set():
            if job._stop.wait(timeout=0.5):
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


class ExperimentJob:
    """One experiment, run by a daemon thread (in the board's worker process when it has one);
    `snapshot()` may be polled from any thread."""

    def __init__(self, config: LongRangeConfig, gate: threading.Semaphore, worker: _Worker | None) -> None:
        self.config = config
        self._gate = gate  # held while training: one experiment at a time per board
        self._worker = worker
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._status: JobStatus = "queued"
        self._fraction = 0.0
        self._message = "waiting for another experiment on this server to finish"
        self._cells: list[CellResult] = []
        self._result: LongRangeResult | None = None

    def start(self) -> ExperimentJob:
        threading.Thread(target=self._run, name="rnnviz-long-range", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop after the current training step (the job then reports 'stopped')."""
        self._stop.set()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self._status, self._fraction, self._message, tuple(self._cells), self._result)

    def _set(self, **values) -> None:
        with self._lock:
            for name, value in values.items():
                setattr(self, f"_{name}", value)

    def _progress(self, progress: Progress) -> None:
        self._set(fraction=progress.done / max(1, progress.total), message=progress.message)

    def _cell_done(self, result: CellResult) -> None:
        with self._lock:
            self._cells.append(result)

    def _apply(self, line: str) -> tuple[str, object] | None:
        """One line from the worker applied to this job; the outcome when it is the last."""
        try:
            message = json.loads(line)
        except json.JSONDecodeError:  # something else printed to stdout
            return None
        if not isinstance(message, dict):
            return None
        if "progress" in message:
            done, total, text = message["progress"]
            self._set(fraction=done / max(1, total), message=text)
        elif "cell" in message:
            self._cell_done(CellResult.from_dict(message["cell"]))
        elif "done" in message:
            result = message["done"]
            return "done", None if result is None else LongRangeResult.from_dict(result)
        elif "error" in message:
            return "error", str(message["error"])
        return None

    def _run(self) -> None:
        with self._gate:
            if self._stop.is_set():
                self._set(status="stopped", message="stopped before it started")
                return
            self._set(status="running", message="starting (the first run loads PyTorch in a worker)")
            try:
                if self._worker is not None:
                    kind, payload = self._worker.run(self.config, self)
                else:
                    result = run_experiment(self.config, self._progress, self._cell_done, self._stop)
                    kind, payload = "done", result
            except Exception as error:  # reported on the page; the server keeps running
                kind, payload = "error", f"{type(error).__name__}: {error}"
        if kind == "error":
            self._set(status="failed", message=f"the experiment failed: {payload}")
        elif payload is None:
            self._set(status="stopped", message="stopped")
        else:
            self._set(
                status="finished", fraction=1.0, result=payload, message=f"done in {payload.seconds:.0f} s"
            )


class JobBoard:
    """Experiments shared by every session of a server, one per config: a second request for
    the same settings joins the running job or reads its result. One runs at a time (the
    others queue) and the `keep` most recent are remembered. `isolated`: train in the board's
    worker process (see above) rather than in the job's thread."""

    def __init__(self, keep: int = 32, isolated: bool = True) -> None:
        self._gate = threading.Semaphore(1)
        self._keep = keep
        self._worker = _Worker() if isolated else None
        self._jobs: OrderedDict[LongRangeConfig, ExperimentJob] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Start the worker process now (e.g. when the page opens), so a first experiment
        does not wait for PyTorch to load. Returns at once."""
        if self._worker is not None:
            self._worker.warm_up()

    def get(self, config: LongRangeConfig) -> ExperimentJob | None:
        """The job for `config`, if one was started (and not forgotten or stopped)."""
        with self._lock:
            return self._jobs.get(config)

    def start(self, config: LongRangeConfig) -> ExperimentJob:
        """The job for `config`: the existing one unless it stopped or failed, else a new one."""
        with self._lock:
            job = self._jobs.get(config)
            if job is not None and job.snapshot().status in ("queued", "running", "finished"):
                self._jobs.move_to_end(config)
                return job
            job = ExperimentJob(config, self._gate, self._worker)
            self._jobs[config] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].snapshot().active:
                    break
                del self._jobs[oldest]
        return job.start()

    def stop(self, config: LongRangeConfig) -> None:
        """Stop the job for `config`; it is forgotten, so the next start trains afresh."""
        with self._lock:
            job = self._jobs.pop(config, None)
        if job is not None:
            job.stop()


if __name__ == "__main__":  # the worker process of a JobBoard
    _worker_main()
