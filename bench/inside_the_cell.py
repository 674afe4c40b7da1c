"""Server-side work of one step on the Inside-the-cell page (what every Next click and every
tick of Play recomputes): the unit's terms, the cell diagram, the vector strip, the LaTeX
equations and the figures' JSON.

Run: python -m bench.inside_the_cell [--rounds 15]

Uses the shipped LSTM when it exists, else the stand-in of bench.explore (1 layer × 128
units, random weights), on a 30-token sentence, with one torch thread as the app runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import plotly.io as pio

from bench.explore import SENTENCES, models_dir
from rnnviz.core import checkpoints
from rnnviz.core.threads import limit_torch_threads
from rnnviz.core.trace import classifier_step_detail, trace_sentence
from rnnviz.plots import diagrams, equations


def one_step(classifier, sentence, step: int, unit: int) -> int:
    """Everything the page's step fragment computes; returns the figures' JSON size."""
    state = sentence.trace.state(0, "forward")
    detail = classifier_step_detail(classifier, state, step, unit)
    token = sentence.tokens[step]
    figures = [diagrams.cell_diagram(detail, token), diagrams.step_vectors(state, step, token, unit)]
    latex = [equation.latex for equation in equations.equations(detail)]
    return sum(len(pio.to_json(figure)) for figure in figures) + sum(map(len, latex))


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    limit_torch_threads()  # as app.py does
    folder, what = models_dir()
    classifier = checkpoints.load((folder or checkpoints.MODELS_DIR) / checkpoints.SHIPPED["lstm"])
    sentence = trace_sentence(classifier, SENTENCES[0])
    steps = len(sentence.tokens)
    one_step(classifier, sentence, 0, 0)  # warm up
    times, size = [], 0
    for round_ in range(args.rounds):
        started = time.perf_counter()
        for step in range(steps):
            size = one_step(classifier, sentence, step, round_ % classifier.config.hidden_size)
        times.append((time.perf_counter() - started) / steps)
    print(f"model: {what}; {steps} steps per round, {args.rounds} rounds")
    print(f"one step: median {statistics.median(times) * 1000:.1f} ms, fastest {min(times) * 1000:.1f} ms")
    print(f"sent per step: {size / 1024:.1f} KB (two figures and the LaTeX)")


if __name__ == "__main__":
    main()
