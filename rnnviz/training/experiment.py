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
a JobBoard shares one job per setting between the sessions of a server, a few per session, until
its requesters leave. Never imports streamlit.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace

from rnnviz.core.models import CELL_TYPES, CellType
from rnnviz.data.dataset import LABELS, TextDataset
from rnnviz.training.config import Range, TrainConfig
from rnnviz.training.jobs import ACTIVE, Alive, Emit, Executor, Job, JobManager, JobState
from rnnviz.training.metrics import evaluate_dataset
from rnnviz.training.settings import abandon_seconds, experiments_per_session
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


TYPICAL_SECONDS = 30.0  # the default run, warm, on the loaded class machine (BENCHMARKS.md)


def work(config: LongRangeConfig) -> float:
    """How much training `config` asks for, in sentence-words read (the estimates' unit)."""
    return config.train_size * config.epochs * (config.max_filler / 2 + 1) * len(config.cells)


def duration(seconds: float) -> str:
    """'about 40 s', 'about 3 min'."""
    return f"about {max(5, round(seconds / 5) * 5)} s" if seconds < 90 else f"about {round(seconds / 60)} min"


@dataclass(frozen=True)
class ExperimentState(JobState):
    """A consistent view of an experiment job, safe to read from any thread."""

    fraction: float  # 0..1 of the training steps done
    cells: tuple[CellResult, ...]  # the cells finished so far
    result: LongRangeResult | None  # when done
    position: int | None = None  # 1-based place in the server's queue while queued
    wait_seconds: float | None = None  # while queued: the estimated time before it starts


class ExperimentJob(Job):
    """One long-range experiment: its task runs on the board's executor (a worker process, or
    this job's thread); `state()` may be polled from any thread. `expected(config)` estimates a
    run's seconds (the board's, from the runs it finished)."""

    what = "the experiment"
    waiting = "waiting for another experiment on this server to finish"

    def __init__(self, config: LongRangeConfig, expected: Callable[[LongRangeConfig], float] | None = None):
        super().__init__()
        self.config = config
        self.expected = expected or (lambda c: TYPICAL_SECONDS * work(c) / work(LongRangeConfig()))
        self._fraction = 0.0
        self._cells: list[CellResult] = []
        self._result: LongRangeResult | None = None
        self._started: float | None = None  # time.monotonic() when it began running

    def state(self) -> ExperimentState:
        """A consistent snapshot, taken under the job's lock; while queued, with the place in
        the queue and the wait estimated from the running job's progress (outside the lock)."""
        with self._lock:
            state = ExperimentState(
                self.id,
                self._status,
                self._message,
                self._fraction,
                tuple(self._cells),
                self._result,
                stop_reason=self._stop,
            )
            manager = self._manager
        if state.status != "queued" or manager is None:
            return state
        queue = manager.queued_jobs()
        if self not in queue:
            return state
        position = queue.index(self) + 1
        wait = sum(
            job.remaining_seconds() for job in manager.running_jobs() if isinstance(job, ExperimentJob)
        ) + sum(job.expected(job.config) for job in queue[: position - 1] if isinstance(job, ExperimentJob))
        message = (
            f"Queued, position {position}: this server runs one experiment at a time; "
            f"yours starts in {duration(wait)}."
        )
        return replace(state, message=message, position=position, wait_seconds=wait)

    def remaining_seconds(self) -> float:
        """The estimated seconds until this job ends: from its progress once it has some, else
        from the expected duration."""
        with self._lock:
            fraction, started = self._fraction, self._started
        if started is None:
            return self.expected(self.config)
        elapsed = time.monotonic() - started
        if fraction >= 0.05:
            return elapsed * (1 - fraction) / fraction
        return max(0.0, self.expected(self.config) - elapsed)

    def _on_event(self, event: dict) -> None:
        """One event of the task (see experiment_task), in the job's thread."""
        with self._lock:
            if "progress" in event:
                done, total, text = event["progress"]
                self._fraction, self._message = done / max(1, total), text
            elif "cell" in event:
                self._cells.append(CellResult.from_dict(event["cell"]))

    def _work(self, manager: JobManager) -> None:
        with self._lock:
            self._started = time.monotonic()
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


class ExperimentRefused(ValueError):
    """A start the board turns down (the session's cap); the message says why and what to do."""


@dataclass
class _Request:  # one session's wish for a job's result
    seen: float  # time.monotonic() of the session's last poll
    alive: Alive | None  # "is the session's browser still connected?" (None: unknown)


class JobBoard:
    """Experiments shared by every session of a server, one per config: a second request for
    the same settings joins the running job or reads its result. One runs at a time (the
    others queue, with their place and an estimated wait) on `executor`, by default a
    WorkerProcess (rnnviz.training.worker); the `keep` most recent are remembered.

    Sessions. A session (a token; None for a caller outside a browser, never abandoned) that
    starts or joins a job is one of its requesters; it may have at most `per_session` of them
    queued or running ($RNNVIZ_EXPERIMENTS_PER_SESSION, default 1). Its page calls
    `poll(session)` while it looks; a requester that neither polled nor had a connected browser
    (its `alive` probe) for `abandon_after` seconds ($RNNVIZ_TRAINING_ABANDON_SECONDS) is gone,
    and a job whose requesters are all gone is stopped by the manager's watchdog, queued or
    running. A requester's Stop withdraws its request: the job stops when nobody else wants it."""

    def __init__(
        self,
        keep: int = 32,
        executor: Executor | None = None,
        per_session: int | None = None,
        abandon_after: float | None = None,
        check_every: float = 1.0,
    ) -> None:
        self._keep = keep
        self.per_session = experiments_per_session() if per_session is None else per_session
        self.abandon_after = abandon_seconds() if abandon_after is None else abandon_after
        self.manager = JobManager(
            max_running=1,
            abandon_after=self.abandon_after,
            check_every=check_every,
            executor=executor or WorkerProcess(),
        )
        self._jobs: OrderedDict[LongRangeConfig, ExperimentJob] = OrderedDict()
        self._requests: dict[ExperimentJob, dict[str | None, _Request]] = {}
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Start the worker process now (e.g. when the page opens), so a first experiment
        does not wait for PyTorch to load. Returns at once."""
        self.manager.warm_up()

    def get(self, config: LongRangeConfig) -> ExperimentJob | None:
        """The job for `config`, if one was started (and not forgotten or stopped)."""
        with self._lock:
            job = self._jobs.get(config)
        return None if job is None or job.status == "stopped" else job

    def why_not(self, config: LongRangeConfig, session: str | None) -> str | None:
        """Why `start(config, session)` would be refused, or None when it would not."""
        with self._lock:
            return self._refusal(config, session)

    def start(
        self, config: LongRangeConfig, session: str | None = None, alive: Alive | None = None
    ) -> ExperimentJob:
        """The job for `config`, with `session` among its requesters: the existing one unless
        it stopped or failed, else a new one. Raises ExperimentRefused when the new one would
        exceed the session's cap."""
        with self._lock:
            refusal = self._refusal(config, session)
            if refusal is not None:
                raise ExperimentRefused(refusal)
            job = self._jobs.get(config)
            fresh = job is None or job.status in ("stopped", "failed")
            if fresh:
                job = ExperimentJob(config, self.expected_seconds)
                self._jobs[config] = job
                self._forget_old()
            else:
                self._jobs.move_to_end(config)
            if job.status in ACTIVE:
                self._requests.setdefault(job, {})[session] = _Request(time.monotonic(), alive)
        if fresh:
            self.manager.submit(job, alive=lambda: self._wanted(job))
        return job

    def poll(self, session: str | None) -> None:
        """The session's page is looking: its requests are not abandoned."""
        now = time.monotonic()
        with self._lock:
            mine = [job for job, requests in self._requests.items() if session in requests]
            for job in mine:
                self._requests[job][session].seen = now
        for job in mine:
            job.touch()

    def requested(self, config: LongRangeConfig, session: str | None) -> bool:
        """Whether `session` is among the requesters of the job for `config` (it may stop it)."""
        with self._lock:
            job = self._jobs.get(config)
            return job is not None and session in self._requests.get(job, {})

    def stop(self, config: LongRangeConfig, session: str | None = None) -> None:
        """Withdraw `session`'s request for `config` (None: everyone's); when no requester is
        left, the job stops and is forgotten, so the next start trains afresh."""
        with self._lock:
            job = self._jobs.get(config)
            if job is None:
                return
            requests = self._requests.get(job, {})
            requests.pop(session, None)
            if session is not None and any(self._present(r, k) for k, r in requests.items()):
                return
            del self._jobs[config]
            self._requests.pop(job, None)
        job.stop()

    def withdraw(self, session: str) -> None:
        """Withdraw every request of `session` (its "stop my other experiment")."""
        with self._lock:
            configs = [job.config for job, requests in self._requests.items() if session in requests]
        for config in configs:
            self.stop(config, session)

    def expected_seconds(self, config: LongRangeConfig) -> float:
        """How long `config` should take here: its work at the median pace of the runs this
        board finished, else at TYPICAL_SECONDS for the default run."""
        with self._lock:
            done = [(job.config, job.state().result) for job in self._jobs.values() if job.status == "done"]
        paces = sorted(result.seconds / work(config) for config, result in done if result is not None)
        pace = paces[len(paces) // 2] if paces else TYPICAL_SECONDS / work(LongRangeConfig())
        return pace * work(config)

    # -- under self._lock

    def _refusal(self, config: LongRangeConfig, session: str | None) -> str | None:
        job = self._jobs.get(config)
        if session is None or (job is not None and job.status not in ("stopped", "failed")):
            return None  # joining a job, or reading its result, costs nothing
        mine = [
            other
            for other, requests in self._requests.items()
            if session in requests and other.status in ACTIVE and other is not job
        ]
        if len(mine) < self.per_session:
            return None
        first = mine[0].config
        return (
            f"You already have {len(mine)} experiment{'s' if len(mine) > 1 else ''} queued or running "
            f"(N = {first.max_filler}, {first.train_size} sentences, {first.epochs} epochs, seed "
            f"{first.seed}); this server runs one at a time for the whole class, so each student "
            f"may have {self.per_session}. Wait for it to finish, or stop it first."
        )

    def _present(self, request: _Request, session: str | None) -> bool:
        if session is None or time.monotonic() - request.seen <= self.abandon_after:
            return True
        try:
            return bool(request.alive and request.alive())
        except Exception:  # a broken probe counts as gone
            return False

    def _wanted(self, job: ExperimentJob) -> bool:
        """The manager's liveness probe for `job`: is any requester still there?"""
        with self._lock:
            requests = dict(self._requests.get(job, {}))
        return any(self._present(request, session) for session, request in requests.items())

    def _forget_old(self) -> None:
        while (
            len(self._jobs) > self._keep and (oldest := next(iter(self._jobs.values()))).status not in ACTIVE
        ):
            self._requests.pop(self._jobs.pop(oldest.config), None)
