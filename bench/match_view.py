"""The Units page's match view: how long the one-time index of a shipped model takes
(rnnviz.analysis.matches.build_index over the built-in corpus of 5,000+ sentences), how much
memory it holds (the arrays' bytes, and the growth of the process's resident memory), and how long
a top-20 query takes afterwards (the negation-scope hypothesis's best units at their Youden
threshold, and one unit of each other quantity), against the issue's 3 s budget. One torch
thread, as the app runs.

Run: python -m bench.match_view [model ...]     (default: lstm bilstm)
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time

import torch

from bench.common import repeat_seconds
from rnnviz.analysis import hypotheses as hy
from rnnviz.analysis import matches as mt
from rnnviz.core import checkpoints
from rnnviz.core.threads import limit_torch_threads
from rnnviz.data import corpora

BUDGET = 3.0  # seconds for the top 20 matches (issue 19)


def resident_bytes() -> int:
    """The process's resident memory now (VmRSS), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(name: str, corpus) -> None:
    """Build the index of one shipped model and time queries on it; print one block."""
    classifier = checkpoints.load_classifier(name)
    sentences = hy.corpus_sentences()
    activations = hy.corpus_activations(classifier, sentences)
    ranking = hy.rank_units_by_hypothesis(activations, activations.mask(hy.negation_scope), top=15, boots=50)
    del activations
    gc.collect()
    before = resident_bytes()
    start = time.perf_counter()
    index = mt.build_index(classifier, corpus)
    build = time.perf_counter() - start
    gc.collect()
    grown = resident_bytes() - before
    best = ranking[0]
    key = (best.layer, best.direction, best.quantity)
    units = tuple(m.unit for m in ranking if (m.layer, m.direction, m.quantity) == key)[:3]
    cases = [("ranking's best units", mt.Query(key, units, best.threshold, best.higher))]
    for quantity in sorted({k[2] for k in index.values}):
        cases.append((f"unit 0 of {quantity}", mt.Query((0, "forward", quantity), (0,), 0.5, True)))
    config = classifier.config
    shape = f"{config.cell.upper()} {config.num_layers}x{config.hidden_size}"
    shape += " bidirectional" if config.bidirectional else ""
    print(f"\n{name} ({shape}): {len(index.sentences):,} sentences, {index.words:,} words")
    each = build / len(index.sentences) * 1000
    print(f"  index build          {build:8.1f} s   ({each:.2f} ms a sentence)")
    print(f"  index arrays         {index.nbytes / 2**20:8.1f} MB  (float16; {len(index.values)} arrays)")
    print(f"  resident growth      {grown / 2**20:8.1f} MB  (arrays, token strings, allocator)")
    times = []
    for label, query in cases:
        taken = repeat_seconds(lambda q=query: mt.top_phrases(classifier, [index], q), 5)
        found = len(mt.top_phrases(classifier, [index], query))
        median = statistics.median(taken)
        times.append(median)
        print(f"  top-20 query, {label:24} {median * 1000:7.0f} ms  ({found} phrases)")
    worst = max(times)
    print(f"  slowest query / {BUDGET:.0f} s budget: {worst / BUDGET:.3f}")


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    limit_torch_threads()
    names = sys.argv[1:] or ["lstm", "bilstm"]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), load average {load}")
    start = time.perf_counter()
    corpus = mt.builtin_corpus()
    sources = sorted({source for source, _ in corpus})
    print(
        f"built-in corpus: {len(corpus):,} sentences ({', '.join(sources)}), read in "
        f"{time.perf_counter() - start:.1f} s; human-rated corpora downloaded: {corpora.downloaded()}"
    )
    for name in names:
        measure(name, corpus)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nload average at the end {load}")


if __name__ == "__main__":
    main()
