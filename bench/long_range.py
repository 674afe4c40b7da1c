"""Time of the Why-gates page's default long-range experiment (plain RNN, GRU and LSTM trained
one after another), measured the way the page runs it, and what it measured.

Run: python -m bench.long_range [--rounds 3] [--seeds 0 1 2 …] [--max-filler 50]

Each round makes a new JobBoard (rnnviz.training.experiment), as a freshly started server has, and
times from pressing the button (board.start) to the finished result:
  cold: the board's worker process is started by this run: its imports (torch, and torch's
        optimizer machinery on first use) are included;
  warm: a second experiment on the same board (another seed), as when the page has already
        warmed the worker up (it does so when it opens) or another run came first.
"experiment" is the training and testing alone, inside the worker. The page's goal: the
default run finishes in under a minute on the 2-core class machine. The machine is shared
and noisy, so the 1-minute load average is printed next to every time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import replace

from rnnviz.training.experiment import JobBoard, LongRangeConfig, LongRangeResult

LEARNED = 0.9  # a cell "learned the task" when it scores at least this after N filler words


def timed_run(board: JobBoard, config: LongRangeConfig) -> tuple[float, LongRangeResult]:
    """Seconds from board.start to the finished result, and the result."""
    started = time.perf_counter()
    job = board.start(config)
    while job.state().active:
        time.sleep(0.05)
    state = job.state()
    if state.result is None:
        raise RuntimeError(state.message)
    return time.perf_counter() - started, state.result


def accuracy_line(result: LongRangeResult) -> str:
    """Each cell's test accuracy at the longest filler, on one line."""
    longest = result.config.filler_grid()[-1]
    return ", ".join(f"{r.cell} {r.accuracy[longest]:.2f}" for r in result.cells)


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="new boards, each: one cold and one warm run")
    parser.add_argument("--seeds", type=int, nargs="*", default=[], help="also run these seeds (warm)")
    parser.add_argument("--max-filler", type=int, default=None, help="N (default: the page's default)")
    args = parser.parse_args()
    config = LongRangeConfig()
    if args.max_filler is not None:
        config = replace(config, max_filler=args.max_filler)
    print(f"config: {json.dumps(config.to_dict())}")
    print("round  load  cold s (experiment)  load  warm s (experiment)  accuracy at N (cold run)")
    cold_times, warm_times = [], []
    for round_ in range(args.rounds):
        board = JobBoard()
        load_cold = os.getloadavg()[0]
        cold, result = timed_run(board, config)
        load_warm = os.getloadavg()[0]
        warm, warm_result = timed_run(board, replace(config, seed=1000 + round_))
        cold_times.append(cold)
        warm_times.append(warm)
        print(
            f"{round_ + 1:5d}  {load_cold:4.1f}  {cold:6.1f} ({result.seconds:5.1f})      "
            f"{load_warm:4.1f}  {warm:6.1f} ({warm_result.seconds:5.1f})      {accuracy_line(result)}"
        )
        per_cell = ", ".join(f"{r.cell} {r.seconds:.1f} s" for r in result.cells)
        print(f"       per cell (cold run): {per_cell}")
    if cold_times:
        print(
            f"cold: median {statistics.median(cold_times):.1f} s, slowest {max(cold_times):.1f} s; "
            f"warm: median {statistics.median(warm_times):.1f} s, slowest {max(warm_times):.1f} s "
            "(goal < 60 s)"
        )
    if args.seeds:
        board = JobBoard()
        board.warm_up()
        learned: dict[str, int] = {}
        for seed in args.seeds:
            load = os.getloadavg()[0]
            seconds, result = timed_run(board, replace(config, seed=seed))
            print(f"seed {seed}: {seconds:.1f} s at load {load:.1f}: {accuracy_line(result)}")
            longest = result.config.filler_grid()[-1]
            for cell in result.cells:
                learned[cell.cell] = learned.get(cell.cell, 0) + (cell.accuracy[longest] >= LEARNED)
        counts = ", ".join(f"{cell} {count} of {len(args.seeds)}" for cell, count in learned.items())
        print(f"accuracy >= {LEARNED} at N = {config.max_filler}: {counts}")


if __name__ == "__main__":
    main()
