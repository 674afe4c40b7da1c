"""The long-range memory experiment, and its job: can a cell carry one sentiment word across N neutral words?

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

At the bottom, the experiment as a job (rnnviz.training.jobs): `experiment_task` is
run_experiment over JSON-ready values, so that an executor can run it in a worker process, and
a JobBoard shares one job per setting between every session of a server. Never imports streamlit.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

from rnnviz.core.models import CELL_TYPES, CellType
from rnnviz.data.dataset import LABELS, TextDataset
from rnnviz.training.config import Range, TrainConfig
from rnnviz.training.jobs import ACTIVE, Emit, Executor, Job, JobManager, JobState
from rnnviz.training.metrics import evaluate_dataset
from rnnviz.training.trainer import Trainer, TrainEvent
from rnnviz.training.worker import WorkerProcess

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


# The one owner of LongRangeConfig's valid values.
LONG_RANGE_RANGES: dict[str, Range] = {
    "max_filler": Range(1, MAX_FILLER, whole=True),
    "points": Range(2, 21, whole=True),
    "train_size": Range(20, 100_000, whole=True),
    "val_size": Range(10, 10_000, whole=True),
    "test_size": Range(10, 10_000, whole=True),
    "hidden_size": Range(1, 256, whole=True),
    "embedding_dim": Range(1, 256, whole=True),
    "epochs": Range(1, 100, whole=True),
    "batch_size": Range(1, 1024, whole=True),
    "seed": Range(0, 2**31 - 1, whole=True),
    "lr": Range(0.0, 1.0, low_open=True),
}
# The Why-gates page's choices (a link's settings must be one of them).
PAGE_CHOICES: dict[str, tuple[int, ...]] = {
    "max_filler": tuple(range(10, 101, 10)),
    "train_size": (100, 200, 400, 800, 1600),
    "epochs": tuple(range(1, 21)),
    "seed": tuple(range(1001)),
}


@dataclass(frozen=True)
class LongRangeConfig:
    """One experiment: the task's length, the data sizes and the shared training settings."""

    max_filler: int = 50  # N: the longest filler, in training and among the tested lengths
    points: int = 5  # how many filler lengths are tested, evenly spaced from 0 to max_filler
    cells: tuple[CellType, ...] = ("rnn_tanh", "gru", "lstm")  # trained one after another, in this order
    train_size: int = 800  # training sentences (n uniform in 0..max_filler)
    val_size: int = 200  # validation sentences, to keep each cell's best epoch
    test_size: int = 200  # test sentences per tested length
    hidden_size: int = 16  # units of every cell's one layer
    embedding_dim: int = 16  # size of each word's embedding vector
    epochs: int = 8  # passes over the training sentences, for every cell
    batch_size: int = 32  # sentences per optimizer step
    lr: float = 0.01  # Adam learning rate
    seed: int = 0  # data, initial weights and batch order

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", tuple(self.cells))
        problems = [p for name, r in LONG_RANGE_RANGES.items() if (p := r.problem(name, getattr(self, name)))]
        if not self.cells or any(cell not in CELL_TYPES for cell in self.cells):
            problems.append(f"cells must be some of {', '.join(CELL_TYPES)}; got {list(self.cells)}")
        if problems:
            raise ValueError("invalid long-range experiment: " + "; ".join(problems))

    @classmethod
    def from_dict(cls, values: dict) -> LongRangeConfig:
        """The inverse of to_dict; unknown fields are an error."""
        unknown = sorted(set(values) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"invalid long-range experiment: unknown fields {unknown}")
        return cls(**{**values, "cells": tuple(values.get("cells", cls.cells))})

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
        """JSON-ready values (cells as a list)."""
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
        """JSON-ready values (filler lengths as strings)."""
        return {**asdict(self), "accuracy": {str(n): a for n, a in self.accuracy.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> CellResult:
        """The inverse of to_dict."""
        return cls(**{**data, "accuracy": {int(n): float(a) for n, a in data["accuracy"].items()}})


@dataclass(frozen=True)
class LongRangeResult:
    """A whole experiment's outcome: every cell's accuracies, for its config."""

    config: LongRangeConfig
    cells: tuple[CellResult, ...]
    seconds: float  # the whole experiment

    def accuracy_at(self, filler: int) -> dict[CellType, float]:
        """Each cell's test accuracy at one tested filler length."""
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
            LongRangeConfig.from_dict(data["config"]),
            tuple(CellResult.from_dict(cell) for cell in data["cells"]),
            float(data["seconds"]),
        )

    def to_dict(self) -> dict:
        """JSON-ready values, for the worker process's messages."""
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


# --------------------------------------------------------------------------- the experiment as a job

TASK = "rnnviz.training.experiment:experiment_task"  # run_experiment as an executor's task
PROGRESS_EVERY = 0.25  # seconds between progress events (a worker prints each one)


def experiment_task(config: dict, emit: Emit, stop: threading.Event) -> dict | None:
    """run_experiment as a job task (rnnviz.training.jobs): a LongRangeConfig's dict in; events
    {"progress": [done, total, message]} (at most every PROGRESS_EVERY s, and the last) and
    {"cell": CellResult dict} out; the LongRangeResult's dict, or None when stopped."""
    last = [0.0]

    def progress(update: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or update.done == update.total:
            last[0] = now
            emit({"progress": [update.done, update.total, update.message]})

    cells = lambda cell: emit({"cell": cell.to_dict()})  # noqa: E731
    result = run_experiment(LongRangeConfig.from_dict(config), progress, cells, stop)
    return None if result is None else result.to_dict()


@dataclass(frozen=True)
class ExperimentState(JobState):
    """A consistent view of an experiment job, safe to read from any thread."""

    fraction: float  # 0..1 of the training steps done
    cells: tuple[CellResult, ...]  # the cells finished so far
    result: LongRangeResult | None  # when done


class ExperimentJob(Job):
    """One long-range experiment: its task runs on the board's executor (a worker process, or
    this job's thread); `state()` may be polled from any thread."""

    what = "the experiment"
    waiting = "waiting for another experiment on this server to finish"

    def __init__(self, config: LongRangeConfig) -> None:
        super().__init__()
        self.config = config
        self._fraction = 0.0
        self._cells: list[CellResult] = []
        self._result: LongRangeResult | None = None

    def state(self) -> ExperimentState:
        """A consistent snapshot, taken under the job's lock."""
        with self._lock:
            return ExperimentState(
                self.id,
                self._status,
                self._message,
                self._fraction,
                tuple(self._cells),
                self._result,
                stop_reason=self._stop,
            )

    def _on_event(self, event: dict) -> None:
        """One event of the task (see experiment_task), in the job's thread."""
        with self._lock:
            if "progress" in event:
                done, total, text = event["progress"]
                self._fraction, self._message = done / max(1, total), text
            elif "cell" in event:
                self._cells.append(CellResult.from_dict(event["cell"]))

    def _work(self, manager: JobManager) -> None:
        self._set("running", "starting (the first run loads PyTorch in a worker)")
        outcome = manager.executor.run(TASK, self.config.to_dict(), self._on_event, self.stop_event)
        if outcome.error is not None:
            self._set("failed", f"the experiment failed: {outcome.error}")
        elif outcome.result is None:
            self._set("stopped", self._stopped_text("before the end"))
        else:
            result = LongRangeResult.from_dict(outcome.result)
            with self._lock:  # one snapshot shows the result and "done" together
                self._fraction, self._result = 1.0, result
                self._set("done", f"done in {result.seconds:.0f} s")


class JobBoard:
    """Experiments shared by every session of a server, one per config: a second request for
    the same settings joins the running job or reads its result. One runs at a time (the
    others queue) on `executor`, by default a WorkerProcess (rnnviz.training.worker); the
    `keep` most recent are remembered. Nobody's tab owns a shared experiment, so none is
    abandoned."""

    def __init__(self, keep: int = 32, executor: Executor | None = None) -> None:
        self._keep = keep
        self.manager = JobManager(max_running=1, abandon_after=None, executor=executor or WorkerProcess())
        self._jobs: OrderedDict[LongRangeConfig, ExperimentJob] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Start the worker process now (e.g. when the page opens), so a first experiment
        does not wait for PyTorch to load. Returns at once."""
        self.manager.warm_up()

    def get(self, config: LongRangeConfig) -> ExperimentJob | None:
        """The job for `config`, if one was started (and not forgotten or stopped)."""
        with self._lock:
            return self._jobs.get(config)

    def start(self, config: LongRangeConfig) -> ExperimentJob:
        """The job for `config`: the existing one unless it stopped or failed, else a new one."""
        with self._lock:
            job = self._jobs.get(config)
            if job is not None and job.status not in ("stopped", "failed"):
                self._jobs.move_to_end(config)
                return job
            job = ExperimentJob(config)
            self._jobs[config] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in ACTIVE:
                    break
                del self._jobs[oldest]
        self.manager.submit(job)
        return job

    def stop(self, config: LongRangeConfig) -> None:
        """Stop the job for `config`; it is forgotten, so the next start trains afresh."""
        with self._lock:
            job = self._jobs.pop(config, None)
        if job is not None:
            job.stop()
