"""Trainer throughput relative to a bare PyTorch loop over the same model and batches.

The trainer's time includes everything it does for one epoch: validation before and after,
best-weight copies, events, the lock, pause/stop checks and its own batching. The bare loop
only runs forward, loss, backward, clipping and the optimizer step on the same batches. It
runs twice: with the usual validation set (a tenth of the data) and with two validation
sentences, which leaves the engine's own overhead.

Then, with one torch thread as the app runs: the Train page's job (rnnviz.training.training_job,
the Train page's defaults: LSTM 64 units, 5,000 grammar sentences, 2 epochs) through a server's
JobManager (JobManager.from_environment: a niced worker process, RNNVIZ_TRAINING_NICE) on an
otherwise idle machine, against the bare loop over the same model and batches in this process,
rounds interleaved: examples per second while running (the job's own wall-clock rate).

Run: python -m bench.training [--job-rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import torch
from torch import nn

from bench.common import interleaved_ratio
from rnnviz.core.threads import limit_torch_threads
from rnnviz.data.dataset import stratified_split
from rnnviz.data.grammar import grammar_dataset
from rnnviz.training.config import TrainConfig
from rnnviz.training.jobs import JobManager
from rnnviz.training.trainer import Trainer
from rnnviz.training.training_job import TrainingJob

ROUNDS = 7


def bare_loop(model: nn.Module, batches: list, config: TrainConfig) -> None:
    """One epoch of the bare PyTorch loop: forward, loss, backward, clipping, Adam step."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    loss_fn = nn.CrossEntropyLoss()
    for ids, lengths, labels in batches:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(ids, lengths), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)
        optimizer.step()


def measure(config: TrainConfig, train, val) -> float:
    """Throughput of the trainer's epoch (validation of `val` included) over the bare loop's."""
    pool = [Trainer(config, train, val) for _ in range(ROUNDS + 3)]  # one per call, warm-ups included
    start_model = copy.deepcopy(pool[0].model)
    batches = pool[0].epoch_batches(1)  # what every trainer's first epoch uses
    trainers = iter(pool)

    def trainer_epoch() -> None:
        next(trainers).run()

    def bare_epoch() -> None:
        bare_loop(copy.deepcopy(start_model), batches, config)

    time_ratio, _, _ = interleaved_ratio(trainer_epoch, bare_epoch, rounds=ROUNDS, calls=1)
    return 1 / time_ratio


def job_rate(config: TrainConfig, manager: JobManager) -> float:
    """Median examples per second of a TrainingJob while it runs on `manager`."""
    job = manager.submit(TrainingJob([config]))
    rates = []
    while job.state().active:
        time.sleep(0.25)
        state = job.state()
        if state.status == "running" and state.examples_per_second and state.examples_per_second[0]:
            rates.append(state.examples_per_second[0])
    return statistics.median(rates)


def bare_rate(config: TrainConfig) -> float:
    """Examples per second of the bare loop over one epoch of the job's model and batches."""
    train, val, _ = stratified_split(grammar_dataset(config.builtin_size, seed=0), val_fraction=0.1, seed=0)
    trainer = Trainer(config, train, val)
    batches = trainer.epoch_batches(1)
    start = time.perf_counter()
    bare_loop(copy.deepcopy(trainer.model), batches, config)
    return sum(len(labels) for *_, labels in batches) / (time.perf_counter() - start)


def job_against_bare(rounds: int) -> None:
    """The job section of the module's docstring, printed."""
    limit_torch_threads()
    config = TrainConfig(builtin_size=5_000, epochs=2, seed=0)
    manager = JobManager.from_environment({**os.environ, "RNNVIZ_TRAINING_ABANDON_SECONDS": "86400"})
    manager.warm_up()
    threads = torch.get_num_threads()
    print(f"\nTrain page job in a worker process, {threads} thread: LSTM 1x64, 5,000 grammar sentences")
    bare_rate(config)  # warm-up: the first optimizer of a process imports torch's compiler stack
    ratios = []
    for _ in range(rounds):  # each job against the mean of the bare loop just before and after it
        before = bare_rate(config)
        job = job_rate(config, manager)
        after = bare_rate(config)
        ratios.append(job / ((before + after) / 2))
        print(f"  round: job {job:.0f} ex./s, bare {before:.0f} and {after:.0f} ex./s: {ratios[-1]:.2f}")
    print(f"job / bare loop, median of {rounds}: {statistics.median(ratios):.2f} (goal >= 0.9)")
    manager.executor.close()


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-rounds", type=int, default=3)
    parser.add_argument("--job-only", action="store_true")
    args = parser.parse_args()
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.job_only:
        engine()
    job_against_bare(args.job_rounds)
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def engine() -> None:
    """The trainer against the bare loop (the first part of the module's docstring), printed."""
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
