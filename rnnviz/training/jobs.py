"""Training jobs on a server a whole class shares: one background thread per job, a server-wide
cap on how many train at once (the rest wait in a queue), and jobs that stop themselves when
nobody is looking any more. Never imports streamlit: the Train page submits a job and polls it.

    manager = JobManager(max_running=2)               # one per server process
    job = manager.submit(TrainingJob([config]), alive=probe)
    job.state()          # JobState: status, queue position, progress, curves, results
    job.pause(); job.resume(lr=0.003); job.stop(); job.touch()

A job moves through

    queued -> loading -> running <-> paused -> evaluating -> done
       \\---------\\----------\\-----------------------------> stopped | failed

`done` means there are models to look at (one per run, with the best validation weights, even
when a run was stopped or diverged); `stopped` means it ended before training produced one (or
was abandoned); `failed` carries a message saying what went wrong (a dataset that could not be
downloaded or read, ...). Nothing here raises into the page for those: the message is the state.

Abandonment. Every poll of the page calls `touch()`; the optional `alive` probe given to
`submit` (the page passes "is this browser session still connected?") also counts as being
seen. A job not seen for `abandon_after` seconds (30 by default) is stopped by the manager's
watchdog, queued or paused jobs included, so a closed tab frees its slot.

Threads. Each training runs in its own thread with torch's process-wide thread count left as
the app set it (TrainConfig.threads must be 0). After every optimizer step the training thread
sleeps for `rest` times the step's duration, leaving the GIL and a share of the CPU to the
other sessions' pages (see BENCHMARKS.md, "Training next door"). A race trains plain RNN, GRU
and LSTM on the same data and seed, one step each in turn (a baton passed between three
threads), so it takes one slot and its three curves grow side by side.

Divergence. The engine stops when the loss becomes NaN or infinite. With Adam and gradient
clipping a far too high learning rate (10, say) usually keeps the loss finite but huge, so a
job also stops a run whose mean loss over the last DIVERGED_WINDOW steps exceeds
DIVERGED_FACTOR times the loss of guessing (ln of the number of classes), and says so. Both
ways the run keeps its best validated weights.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from rnnviz.analysis.probe import ProbeHistory, probe_history, trace_probe
from rnnviz.core.models import CELL_NAMES, Classifier
from rnnviz.core.trace import SentenceTrace
from rnnviz.data import corpora
from rnnviz.data import dataset as datasets
from rnnviz.data.corpora import CorpusError
from rnnviz.data.dataset import TextDataset
from rnnviz.data.pairs import builtin_pairs
from rnnviz.data.sources import load_splits
from rnnviz.data.tables import TableError
from rnnviz.training.trainer import (
    Metrics,
    PairScore,
    TrainConfig,
    Trainer,
    TrainEvent,
    TrainState,
    evaluate_dataset,
    pair_score,
)

_LOG = logging.getLogger(__name__)

JobStatus = Literal["queued", "loading", "running", "paused", "evaluating", "done", "stopped", "failed"]
ACTIVE: tuple[str, ...] = ("queued", "loading", "running", "paused", "evaluating")
StopReason = Literal["user", "abandoned"]
Alive = Callable[[], bool | None]  # True: the session is there; False/None: unknown or gone

RACE_CELLS = ("rnn_tanh", "gru", "lstm")  # the architecture race, slowest learner first
MAX_TRAININGS_ENV = "RNNVIZ_MAX_TRAININGS"
REST_ENV = "RNNVIZ_TRAINING_REST"
ABANDON_ENV = "RNNVIZ_TRAINING_ABANDON_SECONDS"
ABANDON_AFTER = 30.0  # seconds without a poll or a live session before a job stops itself
REST = 0.5  # after each step, sleep this times the step's duration (see the module docstring)
DIVERGED_FACTOR = 10.0
DIVERGED_WINDOW = 20
TABLE_TEST_FRACTION = 0.15  # an uploaded table keeps this share (stratified) for the test
MAX_BUILTIN_TEST = 2_000  # test sentences from the grammar's held-out seed
RATE_WINDOW = 50  # recent steps over which examples per second are measured, rests included
TRAIN_SAMPLE = 1_000  # training examples re-scored after each epoch for the accuracy curve
SNAPSHOT_BYTES = 16 * 2**20  # weight snapshots a job keeps for the probe, over all its runs


def _env_number(environ: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}; got {raw!r}")
    return value


def max_trainings(environ: Mapping[str, str] = os.environ) -> int:
    """The server-wide cap: $RNNVIZ_MAX_TRAININGS, else the CPU cores this process may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    value = _env_number(environ, MAX_TRAININGS_ENV, max(1, cores), 1, 1024)
    if value != int(value):
        raise ValueError(f"{MAX_TRAININGS_ENV} must be a whole number; got {environ[MAX_TRAININGS_ENV]!r}")
    return int(value)


def rest_fraction(environ: Mapping[str, str] = os.environ) -> float:
    """How long a training sleeps after each step, as a share of the step: $RNNVIZ_TRAINING_REST,
    else REST. 0 trains flat out (for a server with cores to spare)."""
    return _env_number(environ, REST_ENV, REST, 0, 10)


def abandon_seconds(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds without a poll or a live session before a job stops: $RNNVIZ_TRAINING_ABANDON_SECONDS,
    else ABANDON_AFTER."""
    return _env_number(environ, ABANDON_ENV, ABANDON_AFTER, 1, 24 * 3600)


def warm_up() -> None:
    """Do once what a process's first optimizer does: torch.optim imports torch._dynamo, which
    takes seconds and holds the GIL (about 6 s on the 2-core class machine). A server calls
    this when it creates its manager, so the first student to press Start does not wait."""
    import torch

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


def data_title(config: TrainConfig) -> str:
    """Short words for a config's data: 'grammar 5k', 'movies', 'reviews.csv'."""
    names = {"builtin": f"grammar {config.builtin_size / 1000:g}k", "vader-all": "4 corpora"}
    return " + ".join(names.get(source, source) for source in config.data)


def model_name(config: TrainConfig) -> str:
    """A model's name in the picker, made from its settings (most telling first)."""
    shape = f"{CELL_NAMES[config.cell]} {config.num_layers}×{config.hidden_size}"
    if config.bidirectional:
        shape += " bi"
    return f"{shape}, {data_title(config)}, lr {config.lr:g}, {config.epochs} ep, seed {config.seed}"


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class JobData:
    """What a job trains, validates and tests on."""

    train: TextDataset
    val: TextDataset
    test: TextDataset | None  # None when no source has held-out data (a tiny table)
    train_sample: TextDataset  # at most TRAIN_SAMPLE training examples, for the accuracy curve


def load_job_data(
    config: TrainConfig,
    tables: Mapping[str, TextDataset] | None = None,
    progress: datasets.Progress | None = None,
) -> JobData:
    """Train/val/test for `config`. Named sources use their fixed test split (the grammar: a
    held-out seed); a table in `tables` (an upload, by the name it has in config.data) gives
    a stratified TABLE_TEST_FRACTION. Raises ValueError, TableError or CorpusError."""
    splits = load_splits(
        config.data,
        builtin_size=config.builtin_size,
        seed=config.seed,
        validation_fraction=config.val_fraction,
        neutral_band=config.neutral_band,
        builtin_test_size=min(config.builtin_size, MAX_BUILTIN_TEST),
        tables=tables,
        table_test_fraction=TABLE_TEST_FRACTION,
        progress=progress,
    )
    train = splits.train
    step = max(1, math.ceil(len(train) / TRAIN_SAMPLE))
    return JobData(train, splits.validation, splits.test, train.subset(range(0, len(train), step)))


# --------------------------------------------------------------------------- what the page reads


@dataclass(frozen=True)
class RunResult:
    """One trained model and how it did on held-out data."""

    classifier: Classifier  # the best validated weights
    name: str  # for the model picker (see model_name)
    test: Metrics | None  # on the test split; None with a note when there is none
    pairs: PairScore | None  # on rnnviz.data.pairs.builtin_pairs(); None with a note when not possible
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunState:
    """One trainer inside a job (a race has three)."""

    title: str  # "LSTM", "GRU", "RNN (tanh)"
    config: TrainConfig
    trainer: TrainState | None  # None until the data is loaded and the trainer built
    steps_per_epoch: int  # 0 until the trainer exists
    train_accuracy: tuple[tuple[int, float], ...]  # (step, accuracy on the training sample) per epoch
    labels: tuple[str, ...] = ()  # the classes, once the data is loaded
    message: str = ""  # how the run ended (the engine's words, or why it was stopped)
    warning: bool = False  # cut short by a problem (divergence, an error): message says which
    result: RunResult | None = None

    @property
    def history(self) -> tuple[TrainEvent, ...]:
        return self.trainer.history if self.trainer else ()


@dataclass(frozen=True)
class Curves:
    """What the training charts draw for one run. x values are in epochs: step / steps per epoch."""

    name: str  # legend entry: the cell type
    epochs: int  # epochs planned (where the x axis ends)
    step_x: np.ndarray  # [steps]
    batch_loss: np.ndarray  # [steps] loss of each step's batch
    val_x: np.ndarray  # [validations]; 0 = before training
    val_loss: np.ndarray  # [validations]
    val_accuracy: np.ndarray  # [validations]
    train_x: np.ndarray  # [validations]
    train_accuracy: np.ndarray  # [validations] on a fixed sample of the training data
    chance: float  # accuracy of guessing uniformly: 1 / classes


def curves(run: RunState) -> Curves:
    """The arrays of `run`'s charts (empty before its first step)."""
    per_epoch = max(1, run.steps_per_epoch)
    steps = [e for e in run.history if e.kind == "step" and e.batch_loss is not None]
    checks = [e for e in run.history if e.kind == "epoch"]
    train = run.train_accuracy

    def array(values) -> np.ndarray:
        return np.asarray(list(values), dtype=np.float32)

    return Curves(
        name=run.title,
        epochs=run.config.epochs,
        step_x=array(e.step / per_epoch for e in steps),
        batch_loss=array(e.batch_loss for e in steps),
        val_x=array(e.step / per_epoch for e in checks),
        val_loss=array(e.val_loss for e in checks),
        val_accuracy=array(e.val_accuracy for e in checks),
        train_x=array(step / per_epoch for step, _ in train),
        train_accuracy=array(accuracy for _, accuracy in train),
        chance=1.0 / max(2, len(run.labels)),
    )


@dataclass(frozen=True)
class JobState:
    """A consistent snapshot of a job for the page."""

    id: int
    status: JobStatus
    message: str  # one line: what is happening, or how it ended
    runs: tuple[RunState, ...]
    position: int | None = None  # 1-based place in the server's queue while queued
    progress: tuple[float, str] | None = None  # data loading: (fraction, what)
    stop_reason: StopReason | None = None
    step: int = 0  # over all runs
    total_steps: int = 0
    eta_seconds: float | None = None
    examples_per_second: tuple[float | None, ...] = ()  # per run, wall clock over its recent steps
    data: tuple[int, int, int] | None = None  # examples in (train, val, test)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


# --------------------------------------------------------------------------- a race's baton


class _Turns:
    """Round-robin turns between threads 0..n-1: each waits for its turn, takes one step and
    passes the turn on; a thread that finishes leaves the rotation."""

    def __init__(self, n: int) -> None:
        self._cond = threading.Condition()
        self._members = list(range(n))
        self._current: int | None = 0 if n else None

    def wait(self, member: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._current == member or member not in self._members)

    def _after(self, member: int) -> int | None:
        later = [m for m in self._members if m > member]
        return (later or self._members or [None])[0]

    def passed(self, member: int) -> None:
        with self._cond:
            if self._current == member:
                self._current = self._after(member)
                self._cond.notify_all()

    def leave(self, member: int) -> None:
        with self._cond:
            if member in self._members:
                self._members.remove(member)
            if self._current == member or self._current not in self._members:
                self._current = self._after(member)
            self._cond.notify_all()


# --------------------------------------------------------------------------- one job


class _Run:
    """Mutable bookkeeping of one trainer, guarded by the job's lock."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.trainer: Trainer | None = None
        # (epoch, weights then), oldest first; a fraction such as 2.4 when stopped mid-epoch
        self.snapshots: list[tuple[float, Classifier]] = []
        self.train_accuracy: list[tuple[int, float]] = []
        self.recent_losses: deque[float] = deque(maxlen=DIVERGED_WINDOW)
        self.problem = ""  # why the run was cut short: divergence or an error (a sentence)
        self.stopped_by: StopReason | None = None
        self.result: RunResult | None = None
        self.probe_cache: tuple[str, dict[int, SentenceTrace]] = ("", {})
        self.ticks: deque[tuple[float, int]] = deque(maxlen=RATE_WINDOW)  # (time, step) of recent steps


class TrainingJob:
    """One training (or a race of several) on the same data; see the module docstring.

    `configs` share data and seed (a race differs only in `cell`); `tables` maps a table name
    used in config.data to an uploaded TextDataset.
    """

    _ids = iter(range(1, 2**62))
    _ids_lock = threading.Lock()

    def __init__(
        self, configs: Sequence[TrainConfig], tables: Mapping[str, TextDataset] | None = None
    ) -> None:
        if not configs:
            raise ValueError("a job needs at least one TrainConfig")
        first = configs[0]
        for config in configs:
            if config.threads:
                raise ValueError("a job leaves torch's thread count alone: use TrainConfig(threads=0)")
            if replace(config, cell=first.cell) != first:
                raise ValueError("the runs of one job may differ only in their cell type")
        with TrainingJob._ids_lock:
            self.id = next(TrainingJob._ids)
        self.configs = tuple(configs)
        self.tables = dict(tables or {})
        self._lock = threading.RLock()
        self._runs = [_Run(config) for config in configs]
        self._status: JobStatus = "queued"
        self._message = ""
        self._progress: tuple[float, str] | None = None
        self._stop: StopReason | None = None
        self._paused = False
        self._pending_lr: float | None = None
        self._data: JobData | None = None
        self._manager: JobManager | None = None
        self._last_seen = time.monotonic()
        self._rest = REST
        self._thread: threading.Thread | None = None

    @classmethod
    def race(cls, config: TrainConfig, tables: Mapping[str, TextDataset] | None = None) -> TrainingJob:
        """Plain RNN, GRU and LSTM with `config`'s data, sizes and seed."""
        return cls([replace(config, cell=cell) for cell in RACE_CELLS], tables)

    @property
    def is_race(self) -> bool:
        return len(self._runs) > 1

    # -- control, from any thread

    def touch(self) -> None:
        """Someone is looking (the page polled)."""
        with self._lock:
            self._last_seen = time.monotonic()

    def idle_seconds(self) -> float:
        with self._lock:
            return time.monotonic() - self._last_seen

    def pause(self) -> None:
        """Pause between two steps (a queued or loading job pauses as soon as it trains)."""
        with self._lock:
            self._paused = True
            trainers = [run.trainer for run in self._runs if run.trainer]
        for trainer in trainers:
            trainer.pause()

    def resume(self, lr: float | None = None) -> None:
        """Go on; with `lr`, from the next step on with that learning rate."""
        if lr is not None:
            self.set_learning_rate(lr)
        with self._lock:
            self._paused = False
            trainers = [run.trainer for run in self._runs if run.trainer]
        for trainer in trainers:
            trainer.resume()

    def set_learning_rate(self, lr: float) -> None:
        """Use `lr` from the next step on (also before training starts)."""
        if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"the learning rate must be a number above 0; got {lr!r}")
        with self._lock:
            self._pending_lr = float(lr)
            trainers = [run.trainer for run in self._runs if run.trainer]
        for trainer in trainers:
            trainer.set_learning_rate(lr)

    def stop(self, reason: StopReason = "user") -> None:
        """Stop after the current step; runs keep their best weights. Leaves a queue at once."""
        with self._lock:
            if self._stop is None:
                self._stop = reason
            trainers = [run.trainer for run in self._runs if run.trainer]
            manager = self._manager
        for trainer in trainers:
            trainer.stop()
        if manager is not None:
            manager._wake()

    @property
    def stop_requested(self) -> StopReason | None:
        with self._lock:
            return self._stop

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job's thread; True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    # -- reading, from any thread

    def state(self) -> JobState:
        with self._lock:
            runs = tuple(self._run_state(run) for run in self._runs)
            status = self._status
            if status == "running" and self._paused:
                status = "paused"
            data, message, stop, progress = self._data, self._message, self._stop, self._progress
            manager = self._manager
            rates = tuple(_rate(run) for run in self._runs)
        # outside the job's lock: the manager takes its own lock, then jobs' (never the reverse)
        position = manager.position(self) if manager is not None and status == "queued" else None
        if position is not None and manager is not None:
            message = (
                f"Queued, position {position}: this server trains at most {manager.capacity} at once; "
                "yours starts as soon as a slot is free."
            )
        trainers = [r.trainer for r in runs if r.trainer]
        remaining = sum(t.total_steps - t.step for t in trainers)
        steps_per_second = sum(
            rate / r.config.batch_size for rate, r in zip(rates, runs, strict=True) if rate
        )
        return JobState(
            id=self.id,
            status=status,
            message=message,
            runs=runs,
            position=position,
            progress=progress if status == "loading" else None,
            stop_reason=stop,
            step=sum(t.step for t in trainers),
            total_steps=sum(t.total_steps for t in trainers),
            eta_seconds=remaining / steps_per_second if steps_per_second and status == "running" else None,
            examples_per_second=rates,
            data=(len(data.train), len(data.val), len(data.test or ())) if data else None,
        )

    def _is_active(self) -> bool:
        with self._lock:
            return self._status in ACTIVE

    def _run_state(self, run: _Run) -> RunState:
        trainer = run.trainer.state() if run.trainer else None
        message = ""
        if trainer is not None and trainer.status in ("finished", "stopped", "failed"):
            message = trainer.message
            if run.problem:
                message = f"{run.problem} {_kept(trainer.message)}"
            elif run.stopped_by == "abandoned":
                message = f"Stopped: nobody looked at it for a while (was the tab closed?). {_kept(message)}"
        elif run.problem:
            message = run.problem
        return RunState(
            title=CELL_NAMES[run.config.cell],
            config=run.config,
            trainer=trainer,
            steps_per_epoch=run.trainer.steps_per_epoch if run.trainer else 0,
            train_accuracy=tuple(run.train_accuracy),
            labels=run.trainer.train_data.label_names if run.trainer else (),
            message=message,
            warning=bool(run.problem),
            result=run.result,
        )

    def probe(self, text: str, run: int = 0) -> ProbeHistory:
        """How the run's snapshots (epoch 0 = untrained, then after each epoch) read `text`.
        Traces are cached per epoch for the latest text. Raises ValueError for a text without
        tokens, LookupError before the first snapshot."""
        with self._lock:
            target = self._runs[run]
            snapshots = list(target.snapshots)
            cached_text, cache = target.probe_cache
            if cached_text != text:
                cache = {}
        if not snapshots:
            raise LookupError("no snapshot yet: the model appears when training starts")
        traces = {
            epoch: cache[epoch] if epoch in cache else trace_probe(classifier, text)
            for epoch, classifier in snapshots
        }
        with self._lock:
            target.probe_cache = (text, traces)
        return probe_history([(epoch, traces[epoch]) for epoch, _ in snapshots])

    # -- the job's thread

    def _start(self, manager: JobManager, rest: float) -> None:
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("a job runs once; make a new one to train again")
            self._manager, self._rest = manager, rest
            self._last_seen = time.monotonic()
            self._thread = threading.Thread(target=self._main, name=f"rnnviz-job-{self.id}", daemon=True)
        self._thread.start()

    def _set(self, status: JobStatus, message: str = "") -> None:
        with self._lock:
            self._status, self._message = status, message

    def _main(self) -> None:
        manager = self._manager
        assert manager is not None
        self._set("queued", "waiting for a free training slot on this server")
        if not manager._acquire(self):
            self._set("stopped", self._stopped_text("before it started"))
            return
        try:
            self._work()
        except Exception as error:  # never let a bug kill the page: report it as the job's end
            _LOG.exception("training job %s failed", self.id)
            self._set("failed", f"training failed unexpectedly: {error}")
        finally:
            manager._release(self)

    def _stopped_text(self, when: str) -> str:
        if self.stop_requested == "abandoned" and self._manager is not None:
            seconds = self._manager.abandon_after
            return f"Stopped {when}: nobody looked at it for {seconds:g} s (was the tab closed?)."
        return f"Stopped {when}."

    def _on_progress(self, fraction: float, message: str) -> None:
        with self._lock:
            self._progress = (fraction, message)

    def _work(self) -> None:
        self._set("loading", "loading the data")
        downloads = any(source in (*corpora.CORPORA, "vader-all") for source in self.configs[0].data)
        try:
            # one corpus download at a time, server-wide; other data loads need no turn
            with self._manager._download_lock if downloads else contextlib.nullcontext():
                data = load_job_data(self.configs[0], self.tables, self._on_progress)
        except (CorpusError, TableError, ValueError) as error:
            self._set("failed", f"The data could not be loaded: {error}")
            return
        with self._lock:
            self._data = data
        if self.stop_requested:
            self._set("stopped", self._stopped_text("before training"))
            return
        self._set("running")
        if self.is_race:
            self._train_race(data)
        else:
            self._train_one(0, data, None)
        if not any(run.trainer and run.trainer.result for run in self._runs):
            problems = " ".join(dict.fromkeys(run.problem for run in self._runs if run.problem))
            if problems:
                self._set("failed", problems)
            else:
                self._set("stopped", self._stopped_text("before training"))
            return
        if self.stop_requested == "abandoned":
            self._set("stopped", self._stopped_text("during training"))
            return
        self._set("evaluating", "scoring the trained model on held-out data")
        for run in self._runs:
            if run.trainer is not None and run.trainer.result is not None:
                result = _evaluate(run.config, run.trainer.result, data.test)
                with self._lock:
                    run.result = result
        self._set("done", self._summary())

    def _train_race(self, data: JobData) -> None:
        turns = _Turns(len(self._runs))
        threads = [
            threading.Thread(
                target=self._train_one, args=(i, data, turns), name=f"rnnviz-job-{self.id}-{i}", daemon=True
            )
            for i in range(len(self._runs))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _train_one(self, index: int, data: JobData, turns: _Turns | None) -> None:
        run = self._runs[index]
        try:
            if turns is not None:
                turns.wait(index)
            if self.stop_requested:
                return
            trainer = Trainer(
                run.config,
                data.train,
                data.val,
                on_event=lambda event: self._on_event(run, index, event, turns),
                on_epoch_end=lambda epoch, classifier: self._on_epoch_end(run, epoch, classifier, data),
            )
            with self._lock:
                run.trainer = trainer
                pending_lr, stop = self._pending_lr, self._stop
                run.stopped_by = stop
            if pending_lr is not None:
                trainer.set_learning_rate(pending_lr)
            if stop:
                trainer.stop()
            trainer.run()  # a pause asked for before this point is applied by the first event
        except Exception as error:
            _LOG.exception("run %s of training job %s failed", index, self.id)
            with self._lock:
                run.problem = run.problem or f"Training failed: {error}."
        finally:
            if turns is not None:
                turns.leave(index)

    def _on_event(self, run: _Run, index: int, event: TrainEvent, turns: _Turns | None) -> None:
        """In the training thread, after every step and validation."""
        trainer = run.trainer
        if trainer is None:
            return
        with self._lock:
            paused, stop = self._paused, self._stop
        if paused:
            trainer.pause()
        if stop:
            with self._lock:
                run.stopped_by = stop
            trainer.stop()
        if event.kind != "step":
            return
        with self._lock:
            run.ticks.append((time.monotonic(), event.step))
        if event.batch_loss is not None:
            run.recent_losses.append(event.batch_loss)
            self._check_divergence(run, trainer, event)
        if self._rest and event.examples_per_second:
            # the step's compute time ≈ batch size / (the engine's examples per second, rests excluded)
            time.sleep(min(0.5, self._rest * run.config.batch_size / event.examples_per_second))
        else:
            time.sleep(0)  # at least offer the GIL to another thread
        if turns is not None:
            turns.passed(index)
            turns.wait(index)

    def _check_divergence(self, run: _Run, trainer: Trainer, event: TrainEvent) -> None:
        if run.problem or len(run.recent_losses) < DIVERGED_WINDOW:
            return
        chance = math.log(len(trainer.train_data.label_names))
        mean = sum(run.recent_losses) / len(run.recent_losses)
        if mean > DIVERGED_FACTOR * chance:
            with self._lock:
                run.problem = (
                    f"Stopped at step {event.step} (epoch {event.epoch}): the loss blew up to {mean:.1f} "
                    f"on average over the last {DIVERGED_WINDOW} steps, {mean / chance:.0f}× the "
                    f"{chance:.2f} of plain guessing — the learning rate {event.lr:g} is too high; "
                    "try 0.01 or lower."
                )
            trainer.stop()

    def _on_epoch_end(self, run: _Run, epoch: int, classifier: Classifier, data: JobData) -> None:
        """In the training thread, after each validation: keep a snapshot for the probe and
        score the training sample for the accuracy curve."""
        trainer = run.trainer
        step = trainer.state().step if trainer else 0
        if run.train_accuracy and run.train_accuracy[-1][0] == step:
            return  # stopped right after a validation: the same weights again
        sample = data.train_sample
        accuracy = float(
            np.mean(classifier.predict_proba(list(sample.texts)).argmax(-1) == np.asarray(sample.labels))
        )
        per_epoch = trainer.steps_per_epoch if trainer else 1
        when = epoch if step == epoch * per_epoch else round(step / per_epoch, 1)  # stopped mid-epoch
        with self._lock:
            run.train_accuracy.append((step, accuracy))
            run.snapshots.append((when, classifier))
            _thin(run.snapshots, SNAPSHOT_BYTES // len(self._runs))

    def _summary(self) -> str:
        results = [run.result for run in self._runs if run.result]
        if self.is_race:
            return "The race is over."
        if not results:
            return "Training ended without a model."
        return "Training finished." if not self.stop_requested else "Training stopped."


def _rate(run: _Run) -> float | None:
    """Training examples per second of wall-clock time over the run's recent steps."""
    if len(run.ticks) < 2:
        return None
    (start, first), (end, last) = run.ticks[0], run.ticks[-1]
    return (last - first) * run.config.batch_size / (end - start) if end > start else None


def _kept(message: str) -> str:
    """'kept the weights of epoch 2 (…)' from the engine's end message, as a sentence."""
    kept = message.split("; ", 1)[-1]
    return kept[:1].upper() + kept[1:] + "."


def _snapshot_bytes(classifier: Classifier) -> int:
    return sum(p.numel() * p.element_size() for p in classifier.model.parameters())


def _thin(snapshots: list[tuple[float, Classifier]], budget: int) -> None:
    """Keep snapshots within `budget` bytes by dropping every other one between the first
    (untrained) and the latest; the probe then shows fewer, evenly spread epochs."""
    while len(snapshots) > 2 and sum(_snapshot_bytes(c) for _, c in snapshots) > budget:
        del snapshots[1:-1:2]


def _evaluate(config: TrainConfig, classifier: Classifier, test: TextDataset | None) -> RunResult:
    notes = []
    metrics = None
    if test is None or not len(test):
        notes.append("no test data: this dataset is too small to hold any out")
    else:
        metrics = evaluate_dataset(classifier, test)
    pairs = None
    labels = classifier.labels
    minimal_pairs = builtin_pairs()
    if not all(p.label_a in labels and p.label_b in labels for p in minimal_pairs):
        notes.append(f"no negation-pair score: the pairs are labelled {', '.join(datasets.LABELS)}")
    else:
        index = {label: i for i, label in enumerate(labels)}
        pairs = pair_score(
            classifier, [((p.text_a, index[p.label_a]), (p.text_b, index[p.label_b])) for p in minimal_pairs]
        )
    return RunResult(classifier, model_name(config), metrics, pairs, tuple(notes))


# --------------------------------------------------------------------------- the server's manager


@dataclass
class _Watch:
    job: TrainingJob
    alive: Alive | None


class JobManager:
    """Runs jobs with at most `max_running` training at once, first come first served, and
    stops jobs nobody looks at (see the module docstring). One per server process."""

    def __init__(
        self,
        max_running: int | None = None,
        abandon_after: float = ABANDON_AFTER,
        check_every: float = 1.0,
        rest: float = REST,
    ) -> None:
        self.max_running = max_trainings() if max_running is None else int(max_running)
        if self.max_running < 1:
            raise ValueError(f"max_running must be at least 1; got {max_running!r}")
        self.abandon_after = abandon_after
        self.check_every = check_every
        self.rest = rest
        self._cond = threading.Condition()
        self._queue: list[TrainingJob] = []
        self._running: set[TrainingJob] = set()
        self._watched: list[_Watch] = []
        self._watchdog: threading.Thread | None = None
        self._download_lock = threading.Lock()

    @property
    def capacity(self) -> str:
        """How many trainings run at once, in words: "1 model", "2 models"."""
        return f"{self.max_running} model{'' if self.max_running == 1 else 's'}"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> JobManager:
        """A manager with the server's settings: RNNVIZ_MAX_TRAININGS, RNNVIZ_TRAINING_REST and
        RNNVIZ_TRAINING_ABANDON_SECONDS (see max_trainings, rest_fraction, abandon_seconds)."""
        return cls(max_trainings(environ), abandon_seconds(environ), rest=rest_fraction(environ))

    def submit(self, job: TrainingJob, alive: Alive | None = None) -> TrainingJob:
        """Queue `job` and start its thread. `alive()` is asked every `check_every` seconds
        whether the job's browser session is still there (True counts as a poll)."""
        with self._cond:
            self._watched.append(_Watch(job, alive))
            if self._watchdog is None or not self._watchdog.is_alive():
                self._watchdog = threading.Thread(target=self._watch, name="rnnviz-job-watchdog", daemon=True)
                self._watchdog.start()
        job._start(self, self.rest)
        return job

    def position(self, job: TrainingJob) -> int | None:
        """1-based place of `job` in the queue, or None when it is not waiting."""
        with self._cond:
            return self._queue.index(job) + 1 if job in self._queue else None

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop every job and wait for their threads (for tests and shutdown)."""
        with self._cond:
            jobs = [watch.job for watch in self._watched]
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(timeout)

    # -- used by the jobs' threads

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _acquire(self, job: TrainingJob) -> bool:
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

    def _release(self, job: TrainingJob) -> None:
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def _watch(self) -> None:
        """Stop jobs not seen for `abandon_after` seconds; exits when nothing is left to watch."""
        while True:
            with self._cond:
                self._watched = [w for w in self._watched if w.job._is_active()]
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
                if watch.job.idle_seconds() > self.abandon_after:
                    watch.job.stop("abandoned")
            time.sleep(self.check_every)
