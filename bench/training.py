"""Trainer throughput relative to a bare PyTorch loop over the same model and batches.

The trainer's time includes everything it does for one epoch: validation before and after,
best-weight copies, events, the lock, pause/stop checks and its own batching. The bare loop
only runs forward, loss, backward, clipping and the optimizer step on the same batches. It
runs twice: with the usual validation set (a tenth of the data) and with two validation
sentences, which leaves the engine's own overhead.

Run: python -m bench.training
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from bench.common import interleaved_ratio
from rnnviz.data.dataset import stratified_split
from rnnviz.data.grammar import grammar_dataset
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer

ROUNDS = 7


def measure(config: TrainConfig, train, val) -> float:
    """Throughput of the trainer's epoch (validation of `val` included) over the bare loop's."""
    pool = [Trainer(config, train, val) for _ in range(ROUNDS + 3)]  # one per call, warm-ups included
    start_model = copy.deepcopy(pool[0].model)
    batches = pool[0].epoch_batches(1)  # what every trainer's first epoch uses
    trainers = iter(pool)

    def trainer_epoch() -> None:
        next(trainers).run()

    def bare_epoch() -> None:
        model = copy.deepcopy(start_model)
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
        loss_fn = nn.CrossEntropyLoss()
        for ids, lengths, labels in batches:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(ids, lengths), labels)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)
            optimizer.step()

    time_ratio, _, _ = interleaved_ratio(trainer_epoch, bare_epoch, rounds=ROUNDS, calls=1)
    return 1 / time_ratio


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    config = TrainConfig(embedding_dim=64, hidden_size=128, batch_size=64, epochs=1, seed=0)
    train, val, _ = stratified_split(grammar_dataset(3_520, seed=0), val_fraction=0.1, seed=0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"LSTM 1x128, emb 64, batch 64: one epoch of {len(train)} grammar sentences")
    with_validation = measure(config, train, val)
    print(f"throughput ratio (trainer / bare), {len(val)} sentences validated twice: {with_validation:.3f}")
    engine_only = measure(config, train, val.subset([0, 1]))
    print(f"throughput ratio (trainer / bare), 2 sentences validated twice:   {engine_only:.3f}")


if __name__ == "__main__":
    main()
