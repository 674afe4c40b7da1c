"""TrainingJob: one training (or a race of RNN, GRU and LSTM) as a background job on a server a
whole class shares, as the page sees it: its status, queue place, progress, runs and curves,
pause/resume/stop, the probe's per-epoch weights and the scored models at the end. The training
itself is the task rnnviz.training.training_task, which the manager's executor runs (on a
server: a niced worker process of its own, rnnviz.training.worker); the job machinery (status,
queue, cap, abandonment) is rnnviz.training.jobs. Never imports streamlit: the Train page submits
a job and polls it.

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
downloaded or read, a worker process that died, ...). Nothing here raises into the page for
those: the message is the state.

Where the work runs. The job's thread waits for a slot, then hands the task to the executor and
turns its events into the state the page reads (the trainers' histories, the snapshots loaded
from the checkpoints the task writes into the job's temporary folder, the scored models). In a
worker process the training holds neither the server's GIL nor, niced, a core the pages want,
so it runs flat out without rests (see BENCHMARKS.md, "Training next door"). A race trains
plain RNN, GRU and LSTM on the same data and seed, one step each in turn, so it takes one slot
and one worker, and its three curves grow side by side.

Pausing. A pause takes effect between two steps: the task says "held" and waits; the job's
thread keeps the slot meanwhile. A job paused longer than its manager's `pause_release` seconds
gives its slot to the queue (a paused job does no work, and two paused students would otherwise
block a class); it stays resumable (its worker keeps its models), and Resume queues it behind
the jobs already waiting ("Queued, position N") until a slot is free, then tells the task to go
on, with the new learning rate if one was chosen.
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rnnviz.analysis.probe import ProbeHistory, probe_history, trace_probe
from rnnviz.core.checkpoints import CheckpointError
from rnnviz.core.models import CELL_NAMES, Classifier
from rnnviz.core.trace import SentenceTrace
from rnnviz.data import corpora
from rnnviz.data.dataset import TextDataset
from rnnviz.training.config import TRAIN_RANGES, TrainConfig
from rnnviz.training.history import RunState
from rnnviz.training.jobs import Job, JobManager, JobState, Outcome, StopReason
from rnnviz.training.metrics import RunResult
from rnnviz.training.trainer import TrainEvent, TrainState
from rnnviz.training.training_task import TASK, read_model, train_event, train_state, write_tables

_LOG = logging.getLogger(__name__)

RACE_CELLS = ("rnn_tanh", "gru", "lstm")  # the architecture race, slowest learner first
RATE_WINDOW = 50  # recent steps over which examples per second are measured
SNAPSHOT_BYTES = 16 * 2**20  # weight snapshots a job keeps for the probe, over all its runs
_DOWNLOAD_LOCK = threading.Lock()  # one corpus download at a time, server-wide


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


# --------------------------------------------------------------------------- one job


class _Run:
    """What the job knows of one run from its task's events, guarded by the job's lock."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.trainer: dict | None = None  # the latest TrainState report (no history); None: no trainer yet
        self.history: list[TrainEvent] = []
        self.steps_per_epoch = 0
        self.labels: tuple[str, ...] = ()
        # (epoch, weights then), oldest first; a fraction such as 2.4 when stopped mid-epoch
        self.snapshots: list[tuple[float, Classifier]] = []
        self.train_accuracy: list[tuple[int, float]] = []
        self.problem = ""  # why the run was cut short: divergence or an error (a sentence)
        self.stopped_by: StopReason | None = None
        self.result: RunResult | None = None
        self.probe_cache: tuple[str, dict[float, SentenceTrace]] = ("", {})
        self.ticks: deque[tuple[float, int]] = deque(maxlen=RATE_WINDOW)  # (time, step) of recent steps

    def train_state(self) -> TrainState | None:
        return train_state(self.trainer, tuple(self.history)) if self.trainer is not None else None


class TrainingJob(Job):
    """One training (or a race of several) on the same data; see the module docstring.

    `configs` share data and seed (a race differs only in `cell`); `tables` maps a table name
    used in config.data to an uploaded TextDataset.
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
        self._inbox: queue.Queue[dict] = queue.Queue()  # to the task: pause, go, lr
        self._progress: tuple[float, str] | None = None
        self._paused = False
        self._released = False  # paused for longer than the manager's pause_release: no slot held
        self._unpaused = threading.Condition(self._lock)  # notified by resume() and stop()
        self._holding = False  # the task is waiting between two steps ("held")
        self._data: tuple[int, int, int] | None = None
        self._download_turn: threading.Lock | None = None  # held while this job downloads a corpus

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
        self._inbox.put({"pause": True})

    def resume(self, lr: float | None = None) -> None:
        """Go on; with `lr`, from the next step on with that learning rate."""
        if lr is not None:
            self.set_learning_rate(lr)
        with self._lock:
            self._paused = False
            self._unpaused.notify_all()

    def set_learning_rate(self, lr: float) -> None:
        """Use `lr` from the next step on (also before training starts)."""
        checked = TRAIN_RANGES["lr"].check("the learning rate", lr)
        self._inbox.put({"lr": checked})

    def _on_stop(self) -> None:
        """The executor passes the stop on to the task; a held job stops waiting for resume."""
        with self._lock:
            self._unpaused.notify_all()

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
            data=data,
        )

    def _run_state(self, run: _Run) -> RunState:
        trainer = run.train_state()
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
            steps_per_epoch=run.steps_per_epoch,
            train_accuracy=tuple(run.train_accuracy),
            labels=run.labels,
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

    def _work(self, manager: JobManager) -> None:
        self._set("loading", "loading the data")
        downloads = any(source in (*corpora.CORPORA, "vader-all") for source in self.configs[0].data)
        folder = tempfile.mkdtemp(prefix="rnnviz-training-")  # the task's checkpoints, read at once
        try:
            if downloads:  # one corpus download at a time, server-wide; other data loads need no turn
                _DOWNLOAD_LOCK.acquire()
                self._download_turn = _DOWNLOAD_LOCK
            config = {
                "configs": [config.to_dict() for config in self.configs],
                "tables": write_tables(self.tables, folder),
                "folder": folder,
            }
            outcome = manager.executor.run(TASK, config, self._on_event, self.stop_event, self._inbox)
        finally:
            self._end_download_turn()
            shutil.rmtree(folder, ignore_errors=True)
        self._finish(outcome)

    def _end_download_turn(self) -> None:
        turn, self._download_turn = self._download_turn, None
        if turn is not None:
            turn.release()

    def _finish(self, outcome: Outcome) -> None:
        """The job's end, from the task's outcome and what its events said."""
        if outcome.error is not None:
            self._set("failed", f"Training failed: {outcome.error}.")
            return
        result = outcome.result or {}
        if result.get("failed"):
            self._set("failed", str(result["failed"]))
            return
        with self._lock:
            problems = " ".join(dict.fromkeys(run.problem for run in self._runs if run.problem))
            scored = any(run.result for run in self._runs)
        if not result.get("trained") or not scored:
            if problems:
                self._set("failed", problems)
            else:
                self._set("stopped", self._stopped_text("before training"))
            return
        if self.stop_requested == "abandoned":
            self._set("stopped", self._stopped_text("during training"))
            return
        self._set("done", self._summary())

    def _on_event(self, event: dict) -> None:
        """In the job's thread: one event of the task (see rnnviz.training.training_task)."""
        kind = event.get("kind")
        run = self._runs[event["run"]] if "run" in event else None
        if kind == "progress":
            with self._lock:
                self._progress = (float(event["fraction"]), str(event["what"]))
        elif kind == "data":
            self._end_download_turn()
            with self._lock:
                self._data = tuple(event["sizes"])
                if self._stop is None:
                    self._status, self._message = "running", ""
        elif kind == "trainer":
            with self._lock:
                run.trainer, run.steps_per_epoch = event["state"], int(event["steps_per_epoch"])
                run.labels = tuple(event["labels"])
        elif kind == "train":
            happened = train_event(event["event"])
            with self._lock:
                run.history.append(happened)
                run.trainer = event["state"]
                if happened.kind == "step":
                    run.ticks.append((float(event["time"]), happened.step))  # when the task made it
                elif happened.kind == "stopped":
                    run.stopped_by = self._stop
        elif kind == "epoch_end":
            classifier = self._model(event["file"], run)
            with self._lock:
                run.train_accuracy.append((int(event["step"]), float(event["accuracy"])))
                if classifier is not None:
                    run.snapshots.append((event["epoch"], classifier))
                    _thin(run.snapshots, SNAPSHOT_BYTES // len(self._runs))
        elif kind == "problem":
            with self._lock:
                run.problem = run.problem or str(event["text"])
        elif kind == "held":
            self._wait_while_paused()
            if self.stop_requested is None:
                self._inbox.put({"go": True})
        elif kind == "evaluating":
            self._set("evaluating", "scoring the trained model on held-out data")
        elif kind == "result":
            classifier = self._model(event["file"], run)
            if classifier is not None:
                with self._lock:
                    run.result = RunResult.from_dict(event, classifier)

    def _model(self, file: str, run: _Run) -> Classifier | None:
        """A model the task wrote (then deleted); None, logged, if it cannot be read."""
        try:
            return read_model(file, run.config.network)
        except (OSError, CheckpointError):
            _LOG.exception("a model of training job %s could not be read", self.id)
            return None

    def _wait_while_paused(self) -> None:
        """In the job's thread while the task is held between two steps: wait for resume() or
        stop(). After the manager's pause_release seconds the slot goes to the queue; on resume
        the job queues for one again (it stays "queued" meanwhile), then the task goes on."""
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
                    return
                if woken and holding:
                    return
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
                return

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
