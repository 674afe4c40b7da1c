"""The work of one TrainingJob, wherever its executor runs it (on a server: a niced worker process
of its own; in tests: the job's thread): load the data, train its runs (a race: RNN, GRU and
LSTM one step each in turn), stop a run whose loss blows up, keep the weights after every epoch
for the probe and the best validated weights, score them on held-out data, and report all of it
as JSON-ready events, every model as a safetensors file in the job's folder (never a pickle).
rnnviz.training.training_job turns the events back into the page's TrainingState.

    training_task({"configs": [TrainConfig dicts], "tables": {name: file}, "folder": dir},
                  emit, stop, inbox) -> {"trained": bool} | {"failed": message}

Events, each with its "kind":

    progress    fraction, what           loading the data
    data        sizes [train, val, test]  loaded; training starts
    trainer     run, steps_per_epoch, labels, state   run `run` has its Trainer
    train       run, event, state, time  every TrainEvent of a run, with its TrainState (no history)
                                         and time.monotonic() then (the same clock in every process)
    epoch_end   run, step, epoch, accuracy, file   weights after a validation (epoch 2.4: mid-epoch)
    problem     run, text                the run was cut short: divergence, or an error
    held        (nothing)                paused between two steps; waits for {"go": true}
    evaluating  (nothing)                scoring starts
    result      run, file, and RunResult.to_dict()   a trained model and its scores

Messages in the inbox: {"pause": true} (pause at the next step, say "held"), {"go": true} (the
job's answer to "held": go on), {"lr": x} (from the next step on). `stop` ends the training after
the current step; the runs keep their best weights, which are then scored.

Divergence. The engine stops when the loss becomes NaN or infinite. With Adam and gradient
clipping a far too high learning rate (10, say) usually keeps the loss finite but huge, so a
run also stops when its mean loss over the last DIVERGED_WINDOW steps exceeds DIVERGED_FACTOR
times the loss of guessing (ln of the number of classes), and says so. Both ways the run keeps
its best validated weights.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from rnnviz.core import checkpoints
from rnnviz.core.models import Classifier
from rnnviz.data import dataset
from rnnviz.data.corpora import CorpusError
from rnnviz.data.dataset import TextDataset
from rnnviz.data.tables import TableError
from rnnviz.training.config import TrainConfig, model_name
from rnnviz.training.jobs import Emit, Inbox
from rnnviz.training.metrics import score_model
from rnnviz.training.trainer import Trainer, TrainEvent, TrainState, splits_for

_LOG = logging.getLogger(__name__)

TASK = "rnnviz.training.training_task:training_task"  # the task's name for an executor
DIVERGED_FACTOR = 10.0
DIVERGED_WINDOW = 20
TABLE_TEST_FRACTION = 0.15  # an uploaded table keeps this share (stratified) for the test
MAX_BUILTIN_TEST = 2_000  # test sentences from the grammar's held-out seed
TRAIN_SAMPLE = 1_000  # training examples re-scored after each epoch for the accuracy curve
LOOK_EVERY = 0.1  # seconds between looks at the inbox and `stop` while paused


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


# --------------------------------------------------------------------------- what travels as files


def write_tables(tables: Mapping[str, TextDataset], folder: str | Path) -> dict[str, str]:
    """Write uploaded tables as JSON files into `folder` for the task: {name in config.data: file}."""
    files = {}
    for i, (name, table) in enumerate(tables.items()):
        path = Path(folder) / f"table-{i}.json"
        values = {"texts": table.texts, "labels": table.labels, "label_names": table.label_names}
        path.write_text(json.dumps({**values, "name": table.name}), encoding="utf-8")
        files[name] = str(path)
    return files


def read_table(path: str | Path) -> TextDataset:
    """A table written by write_tables."""
    values = json.loads(Path(path).read_text(encoding="utf-8"))
    return TextDataset(values["texts"], values["labels"], values["label_names"], values["name"])


def write_model(classifier: Classifier, path: Path) -> str:
    """Save `classifier` as a safetensors checkpoint at `path`; its name as text."""
    path.write_bytes(checkpoints.to_bytes(classifier))
    return str(path)


def read_model(path: str | Path, network: str = "recurrent") -> Classifier:
    """Load (validated, as any checkpoint) and delete a model written by write_model."""
    path = Path(path)
    try:
        data = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    return checkpoints.bag_from_bytes(data) if network == "bag" else checkpoints.from_bytes(data)


def train_state(values: dict, history: tuple[TrainEvent, ...] = ()) -> TrainState:
    """A TrainState from its report (the `state` of a trainer or train event) and the history."""
    return TrainState(**{**values, "history": history})


def train_event(values: dict) -> TrainEvent:
    """A TrainEvent from its report (the `event` of a train event)."""
    return TrainEvent(**values)


def _report(state: TrainState) -> dict:
    return {key: value for key, value in asdict(replace(state, history=())).items() if key != "history"}


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


# --------------------------------------------------------------------------- the task


class _Run:
    """One trainer's bookkeeping in the task."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self.trainer: Trainer | None = None
        self.recent_losses: deque[float] = deque(maxlen=DIVERGED_WINDOW)
        self.problem = ""
        self.last_snapshot_step: int | None = None


def training_task(config: dict, emit: Emit, stop: threading.Event, inbox: Inbox | None = None) -> dict:
    """Train the runs of `config` (see the module docstring), reporting through `emit`."""
    configs = [TrainConfig.from_dict(values) for values in config["configs"]]
    tables = {name: read_table(path) for name, path in config.get("tables", {}).items()}
    return _Training(configs, Path(config["folder"]), emit, stop, inbox or queue.Queue()).run(tables)


class _Training:
    """The task's state: its runs, the pause and learning rate asked for, and its reports."""

    def __init__(
        self, configs: list[TrainConfig], folder: Path, emit: Emit, stop: threading.Event, inbox: Inbox
    ) -> None:
        self.runs = [_Run(config) for config in configs]
        self.folder, self.stop, self.inbox = folder, stop, inbox
        self._emit = emit
        self._lock = threading.Lock()  # guards the runs' trainers and the learning rate asked for
        self._paused = False  # asked to pause: the next event waits for "go"
        self._lr: float | None = None

    def emit(self, kind: str, **values) -> None:
        """Report an event (a race's runs take turns, so one thread reports at a time; the
        executor's side may block, e.g. on "held" in the job's own thread)."""
        self._emit({"kind": kind, **values})

    def run(self, tables: Mapping[str, TextDataset]) -> dict:
        progress = lambda fraction, what: self.emit("progress", fraction=fraction, what=what)  # noqa: E731
        try:
            data = load_job_data(self.runs[0].config, tables, progress)
        except (CorpusError, TableError, ValueError) as error:
            return {"failed": f"The data could not be loaded: {error}"}
        self.emit("data", sizes=[len(data.train), len(data.val), len(data.test or ())])
        if self.stop.is_set():
            return {"trained": False}
        if len(self.runs) > 1:
            turns = _Turns(len(self.runs))
            threads = [
                threading.Thread(
                    target=self._train_one, args=(i, data, turns), name=f"rnnviz-run-{i}", daemon=True
                )
                for i in range(len(self.runs))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            self._train_one(0, data, None)
        trained = [(i, run) for i, run in enumerate(self.runs) if run.trainer and run.trainer.result]
        if not trained:
            return {"trained": False}
        self.emit("evaluating")
        for i, run in trained:
            result = score_model(run.trainer.result, data.test, model_name(run.config))
            file = write_model(result.classifier, self.folder / f"run{i}-best.safetensors")
            self.emit("result", run=i, file=file, **result.to_dict())
        return {"trained": True}

    def _train_one(self, index: int, data: JobData, turns: _Turns | None) -> None:
        run = self.runs[index]
        try:
            if turns is not None:
                turns.wait(index)
            if self.stop.is_set():
                return
            trainer = Trainer(
                run.config,
                data.train,
                data.val,
                on_event=lambda event: self._on_event(index, event, turns),
                on_epoch_end=lambda epoch, classifier: self._on_epoch_end(index, epoch, classifier, data),
            )
            with self._lock:
                run.trainer, lr = trainer, self._lr
            if lr is not None:
                trainer.set_learning_rate(lr)
            state = _report(trainer.state(with_history=False))
            labels = list(trainer.train_data.label_names)
            self.emit(
                "trainer", run=index, steps_per_epoch=trainer.steps_per_epoch, labels=labels, state=state
            )
            trainer.run()
        except Exception as error:
            _LOG.exception("run %s of a training failed", index)
            self._problem(run, index, f"Training failed: {error}.")
        finally:
            if turns is not None:
                turns.leave(index)

    def _problem(self, run: _Run, index: int, text: str) -> None:
        if not run.problem:
            run.problem = text
            self.emit("problem", run=index, text=text)

    def _on_event(self, index: int, event: TrainEvent, turns: _Turns | None) -> None:
        """In the training thread, after every step and validation: report, obey the inbox,
        watch for divergence, pass a race's turn on."""
        run = self.runs[index]
        trainer = run.trainer
        if trainer is None:
            return
        state = _report(trainer.state(with_history=False))
        self.emit("train", run=index, event=asdict(event), state=state, time=time.monotonic())
        self._obey()
        if self.stop.is_set():
            trainer.stop()
        if event.kind != "step":
            return
        if event.batch_loss is not None:
            run.recent_losses.append(event.batch_loss)
            self._check_divergence(run, index, trainer, event)
        if turns is not None:
            turns.passed(index)
            turns.wait(index)

    def _read(self, message: dict) -> None:
        if message.get("lr") is not None:
            with self._lock:
                self._lr = float(message["lr"])
                trainers = [run.trainer for run in self.runs if run.trainer]
            for trainer in trainers:
                trainer.set_learning_rate(self._lr)
        if message.get("pause"):
            self._paused = True

    def _obey(self) -> None:
        """Read the inbox; when asked to pause, say "held" and wait for "go" (or a stop)."""
        while not self.inbox.empty():
            self._read(self.inbox.get_nowait())
        if not self._paused:
            return
        self.emit("held")
        while not self.stop.is_set():
            try:
                message = self.inbox.get(timeout=LOOK_EVERY)
            except queue.Empty:
                continue
            self._read(message)
            if message.get("go"):
                break
        self._paused = False

    def _check_divergence(self, run: _Run, index: int, trainer: Trainer, event: TrainEvent) -> None:
        if run.problem or len(run.recent_losses) < DIVERGED_WINDOW:
            return
        chance = math.log(len(trainer.train_data.label_names))
        mean = sum(run.recent_losses) / len(run.recent_losses)
        if mean > DIVERGED_FACTOR * chance:
            self._problem(
                run,
                index,
                f"Stopped at step {event.step} (epoch {event.epoch}): the loss blew up to {mean:.1f} "
                f"on average over the last {DIVERGED_WINDOW} steps, {mean / chance:.0f}× the "
                f"{chance:.2f} of plain guessing — the learning rate {event.lr:g} is too high; "
                "try 0.01 or lower.",
            )
            trainer.stop()

    def _on_epoch_end(self, index: int, epoch: int, classifier: Classifier, data: JobData) -> None:
        """In the training thread, after each validation: score the training sample for the
        accuracy curve and hand the weights over for the probe."""
        run = self.runs[index]
        trainer = run.trainer
        step = trainer.state(with_history=False).step if trainer else 0
        if run.last_snapshot_step == step:
            return  # stopped right after a validation: the same weights again
        run.last_snapshot_step = step
        sample = data.train_sample
        accuracy = float(
            np.mean(classifier.predict_proba(list(sample.texts)).argmax(-1) == np.asarray(sample.labels))
        )
        per_epoch = trainer.steps_per_epoch if trainer else 1
        when = epoch if step == epoch * per_epoch else round(step / per_epoch, 1)  # stopped mid-epoch
        file = write_model(classifier, self.folder / f"run{index}-step{step}.safetensors")
        self.emit("epoch_end", run=index, step=step, epoch=when, accuracy=accuracy, file=file)
