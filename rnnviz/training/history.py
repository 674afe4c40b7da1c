"""What a training run leaves behind for the page: its RunState (the trainer's snapshot, accuracy
samples and result) and the Curves the training charts draw from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.training.config import TrainConfig
from rnnviz.training.metrics import RunResult
from rnnviz.training.trainer import TrainEvent, TrainState


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
        """Every event of the run's trainer so far, oldest first."""
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
