"""TrainingJob: one training (or a race of RNN, GRU and LSTM) as a background job on a server a
whole class shares: its data, its runs and their trainers, divergence, the probe's weight
snapshots and the scoring at the end. The job machinery itself (status, queue, cap,
abandonment) is rnnviz.training.jobs. Never imports streamlit: the Train page submits a job and
polls it.

    manager = JobManager.from_environment()           # one per server process
    job = manager.submit(TrainingJob([config]), alive=probe)
    job.state()          # TrainingState: status, queue position, progress, runs, results
    job.pause(); job.resume(lr=0.003); job.stop(); job.touch()

A training job moves through every status of rnnviz.training.jobs.Status:

    queued -> loading -> running <-> paused -> evaluating -> done
       \\---------\\----------\\-----------------------------> stopped | failed

`done` means there are models to look at (one per run, with the best validation weights, even
when a run was stopped or diverged); `stopped` means it ended before training produced one (or
was abandoned); `failed` carries a message saying what went wrong (a dataset that could not be
downloaded or read, ...). Nothing here raises into the page for those: the message is the state.

Threads. Each training runs in its job's thread with torch's process-wide thread count left as
the app set it (TrainConfig.threads must be 0). After every optimizer step the training thread
sleeps for the manager's `rest` times the step's duration while other sessions use the server
(JobManager.rest_now: not at all on an idle server), leaving the GIL and a share of the
CPU to the other sessions' pages (see BENCHMARKS.md, "Training next door"). A race trains plain
RNN, GRU and LSTM on the same data and seed, one step each in turn (a baton passed between three
threads), so it takes one slot and its three curves grow side by side.

Pausing. A pause takes effect between two steps: the training thread waits in `_on_event`. A
job paused longer than its manager's `pause_release` seconds gives its slot to the queue (a
paused job does no work, and two paused students would otherwise block a class); it stays
resumable, and Resume queues it behind the jobs already waiting ("Queued, position N") until a
slot is free. A race pauses as one job: only the thread whose turn it is waits.

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
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rnnviz.analysis.probe import ProbeHistory, probe_history, trace_probe
from rnnviz.core.models import CELL_NAMES, Classifier
from rnnviz.core.trace import SentenceTrace
from rnnviz.data import corpora, dataset
from rnnviz.data.corpora import CorpusError
from rnnviz.data.dataset import TextDataset
from rnnviz.data.tables import TableError
from rnnviz.training.config import TRAIN_RANGES, TrainConfig, model_name
from rnnviz.training.history import RunState
from rnnviz.training.jobs import Job, JobManager, JobState, StopReason
from rnnviz.training.metrics import RunResult, score_model
from rnnviz.training.trainer import Trainer, TrainEvent, splits_for

_LOG = logging.getLogger(__name__)

RACE_CELLS = ("rnn_tanh", "gru", "lstm")  # the architecture race, slowest learner first
DIVERGED_FACTOR = 10.0
DIVERGED_WINDOW = 20
TABLE_TEST_FRACTION = 0.15  # an uploaded table keeps this share (stratified) for the test
MAX_BUILTIN_TEST = 2_000  # test sentences from the grammar's held-out seed
RATE_WINDOW = 50  # recent steps over which examples per second are measured, rests included
TRAIN_SAMPLE = 1_000  # training examples re-scored after each epoch for the accuracy curve
SNAPSHOT_BYTES = 16 * 2**20  # weight snapshots a job keeps for the probe, over all its runs
_DOWNLOAD_LOCK = threading.Lock()  # one corpus download at a time, server-wide


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
    progress: dataset.Progress | None = None,
) -> JobData:
    """Train/val/test for `config`. Named sources use their fixed test split (the grammar: a
    held-out seed); a table in `tables` (an upload, by the name it has in config.data) gives
    a stratified TABLE_TEST_FRACTION. Raises ValueError, TableError or CorpusError."""
    splits = splits_for(
        config,
        progress,
        builtin_test_size=min(config.builtin_size, MAX_BUILTIN_TEST),
        tables=tables,
        table_test_fraction=TABLE_TEST_FRACTION,
    )
    train = splits.train
    step = max(1, math.ceil(len(train) / TRAIN_SAMPLE))
    return JobData(train, splits.validation, splits.test, train.subset(range(0, len(train), step)))


@dataclass(frozen=True)
class TrainingState(JobState):
    """A consistent snapshot of a training job for the page."""

    runs: tuple[RunState, ...]
    position: int | None = None  # 1-based place in the server's queue while queued
    progress: tuple[float, str] | None = None  # data loading: (fraction, what)
    step: int = 0  # over all runs
    total_steps: int = 0
    eta_seconds: float | None = None
    examples_per_second: tuple[float | None, ...] = ()  # per run, wall clock over its recent steps
    data: tuple[int, int, int] | None = None  # examples in (train, val, test)


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


class TrainingJob(Job):
    """One training (or a race of several) on the same data; see the module docstring.

    `configs` share data and seed (a race differs only in `cell`); `tables` maps a table name
    used in config.data to an uploaded TextDataset. It trains in its own job thread whatever
    the manager's executor (its trainers are paused and its models probed while they live);
    the executor only warms the process up (torch.optim's imports).
    """

    what = "training"
    waiting = "waiting for a free training slot on this server"

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
        super().__init__()
        self.configs = tuple(configs)
        self.tables = dict(tables or {})
        self._runs = [_Run(config) for config in configs]
        self._progress: tuple[float, str] | None = None
        self._paused = False
        self._released = False  # paused for longer than the manager's pause_release: no slot held
        self._unpaused = threading.Condition(self._lock)  # notified by resume() and stop()
        self._holding = False  # the training thread is waiting in _wait_while_paused
        self._pending_lr: float | None = None
        self._data: JobData | None = None

    @classmethod
    def race(cls, config: TrainConfig, tables: Mapping[str, TextDataset] | None = None) -> TrainingJob:
        """Plain RNN, GRU and LSTM with `config`'s data, sizes and seed."""
        return cls([replace(config, cell=cell) for cell in RACE_CELLS], tables)

    @property
    def is_race(self) -> bool:
        """More than one run: RNN, GRU and LSTM side by side."""
        return len(self._runs) > 1

    # -- control, from any thread

    def pause(self) -> None:
        """Pause between two steps (a queued or loading job pauses as soon as it trains)."""
        with self._lock:
            self._paused = True
        # The training thread pauses its trainers itself, in _on_event: pausing one from here
        # could park it inside its own step loop, where the slot release never runs.

    def resume(self, lr: float | None = None) -> None:
        """Go on; with `lr`, from the next step on with that learning rate."""
        if lr is not None:
            self.set_learning_rate(lr)
        with self._lock:
            self._paused = False
            self._unpaused.notify_all()
            # without a slot, the training thread resumes its trainers once it has one again
            trainers = [] if self._released else [run.trainer for run in self._runs if run.trainer]
        for trainer in trainers:
            trainer.resume()

    def set_learning_rate(self, lr: float) -> None:
        """Use `lr` from the next step on (also before training starts)."""
        checked = TRAIN_RANGES["lr"].check("the learning rate", lr)
        with self._lock:
            self._pending_lr = checked
            trainers = [run.trainer for run in self._runs if run.trainer]
        for trainer in trainers:
            trainer.set_learning_rate(lr)

    def _on_stop(self) -> None:
        """Stop the trainers after their current step; runs keep their best weights."""
        with self._lock:
            self._unpaused.notify_all()
            trainers = [run.trainer for run in self._runs if run.trainer]
        for trainer in trainers:
            trainer.stop()

    # -- reading, from any thread

    def state(self) -> TrainingState:
        """A consistent snapshot, taken under the job's lock (the queue position after it)."""
        with self._lock:
            runs = tuple(self._run_state(run) for run in self._runs)
            status = self._status
            if status == "running" and self._paused and self._holding:
                status = "paused"  # only once the step in flight has ended: then the step count stays
            data, message, stop, progress = self._data, self._message, self._stop, self._progress
            manager = self._manager
            rates = tuple(_rate(run) for run in self._runs)
        # outside the job's lock: the manager takes its own lock, then jobs' (never the reverse)
        position = manager.position(self) if manager is not None and status == "queued" else None
        if position is not None and manager is not None:
            message = (
                f"Queued, position {position}: {manager.server} trains at most {manager.capacity} at once; "
                "yours starts as soon as a slot is free."
            )
        trainers = [r.trainer for r in runs if r.trainer]
        remaining = sum(t.total_steps - t.step for t in trainers)
        steps_per_second = sum(
            rate / r.config.batch_size for rate, r in zip(rates, runs, strict=True) if rate
        )
        return TrainingState(
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

    def _run_state(self, run: _Run) -> RunState:
        trainer = run.trainer.state() if run.trainer else None
        message = ""
        if trainer is not None and trainer.status in ("done", "stopped", "failed"):
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

    def _on_progress(self, fraction: float, message: str) -> None:
        with self._lock:
            self._progress = (fraction, message)

    def _work(self, manager: JobManager) -> None:
        self._set("loading", "loading the data")
        downloads = any(source in (*corpora.CORPORA, "vader-all") for source in self.configs[0].data)
        try:
            # one corpus download at a time, server-wide; other data loads need no turn
            with _DOWNLOAD_LOCK if downloads else contextlib.nullcontext():
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
            self._train_race(data, manager.rest_now)
        else:
            self._train_one(0, data, None, manager.rest_now)
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
                result = score_model(run.trainer.result, data.test, model_name(run.config))
                with self._lock:
                    run.result = result
        self._set("done", self._summary())

    def _train_race(self, data: JobData, rest: Callable[[], float]) -> None:
        turns = _Turns(len(self._runs))
        threads = [
            threading.Thread(
                target=self._train_one,
                args=(i, data, turns, rest),
                name=f"rnnviz-job-{self.id}-{i}",
                daemon=True,
            )
            for i in range(len(self._runs))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _train_one(self, index: int, data: JobData, turns: _Turns | None, rest: Callable[[], float]) -> None:
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
                on_event=lambda event: self._on_event(run, index, event, turns, rest),
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

    def _on_event(
        self, run: _Run, index: int, event: TrainEvent, turns: _Turns | None, rest: Callable[[], float]
    ) -> None:
        """In the training thread, after every step and validation."""
        trainer = run.trainer
        if trainer is None:
            return
        with self._lock:
            paused, stop = self._paused, self._stop
            trainers = [each.trainer for each in self._runs if each.trainer]
        if paused:
            for each in trainers:  # a race's other trainer waits for its turn meanwhile
                each.pause()
            self._wait_while_paused()
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
        share = rest()
        if share and event.examples_per_second:
            # the step's compute time ≈ batch size / (the engine's examples per second, rests excluded)
            time.sleep(min(0.5, share * run.config.batch_size / event.examples_per_second))
        else:
            time.sleep(0)  # at least offer the GIL to another thread
        if turns is not None:
            turns.passed(index)
            turns.wait(index)

    def _wait_while_paused(self) -> None:
        """In the training thread between two steps: wait for resume() or stop(). After the
        manager's pause_release seconds the slot goes to the queue; on resume the job queues
        for one again (it stays "queued" meanwhile), then its trainers go on."""
        manager = self._manager
        assert manager is not None
        try:
            self._hold_until_resumed(manager)
        finally:
            with self._lock:
                self._holding = False

    def _hold_until_resumed(self, manager: JobManager) -> None:
        while True:
            with self._lock:
                self._holding = True
                holding = not self._released
                limit = manager.pause_release if holding else None
                woken = self._unpaused.wait_for(lambda: not self._paused or self._stop is not None, limit)
                if self._stop is not None:
                    return  # the trainers were stopped (and so unpaused) by _on_stop
                if woken and holding:
                    trainers = [run.trainer for run in self._runs if run.trainer]
                    break
                if not woken:  # paused too long: give the slot up
                    self._released = True
                    self._message = (
                        f"Paused for over {limit:g} s, so its training slot went to others; "
                        "Resume queues it again."
                    )
                else:  # resumed without a slot: queue for one
                    self._status, self._message = "queued", self.waiting
            if not woken:
                manager.release(self)
            elif not manager.acquire(self):
                return  # stopped while queued
            else:
                with self._lock:
                    self._released, self._status, self._message = False, "running", ""
        for trainer in trainers:
            trainer.resume()

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
