"""Time the negation lab's work: what the page computes for two 30-token sentences (two traces,
the comparison, word attributions for both), negation-unit scores over 100 pairs, and gate
saturation over 500 sentences, all with a 128-unit LSTM on the CPU.

Run: python -m bench.negation
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable

import torch

from bench.common import repeat_seconds
from rnnviz.analysis.attribution import gate_saturation, word_attributions
from rnnviz.analysis.compare import compare, trace_pair
from rnnviz.analysis.negation_units import negation_unit_scores
from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
from rnnviz.core.text import Vocab, tokenize
from rnnviz.data.pairs import builtin_pairs

PLAIN = (
    "i read the whole series last summer and the final book was worth reading , "
    "the acting in this film was strong and the story kept me guessing until the end"
)
NEGATED = (
    "i read the whole series last summer and the final book was not worth reading , "
    "the acting in this film was not strong and the story never kept me guessing until the end"
)


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, fastest) seconds of `repeats` runs after one warm-up run. On a shared machine
    the fastest run is the cost of the work itself; the median includes the neighbours."""
    times = repeat_seconds(run, repeats)
    return statistics.median(times), min(times)


def make_classifier(num_layers: int = 1, bidirectional: bool = False) -> Classifier:
    """A seeded LSTM with random weights over the built-in pairs' words."""
    torch.manual_seed(0)
    pairs = builtin_pairs()
    vocab = Vocab.build([tokenize(t) for p in pairs for t in (p.text_a, p.text_b)] + [tokenize(NEGATED)])
    config = ModelConfig(
        vocab_size=len(vocab),
        labels=("negative", "positive"),
        cell="lstm",
        embedding_dim=64,
        hidden_size=128,
        num_layers=num_layers,
        bidirectional=bidirectional,
    )
    return Classifier(SentenceClassifier(config), vocab)


def measure(classifier: Classifier, text_a: str, text_b: str, pairs: list, sentences: list[str]) -> dict:
    """(median, fastest) seconds of each piece of the work, for one classifier."""
    traces = trace_pair(classifier, text_a, text_b)
    last = classifier.config.num_layers - 1
    timings = {
        "two traces": median_seconds(lambda: trace_pair(classifier, text_a, text_b), 15),
        "compare (one layer/direction)": median_seconds(lambda: compare(*traces, last, "forward"), 15),
        "attributions, both sentences (50 steps)": median_seconds(
            lambda: [word_attributions(classifier, t) for t in (text_a, text_b)], 7
        ),
    }
    timings["page total"] = tuple(sum(t[k] for t in timings.values()) for k in (0, 1))
    timings["unit scores, 100 pairs, hidden (final)"] = median_seconds(
        lambda: negation_unit_scores(classifier, pairs, last, "forward", "hidden"), 5
    )
    timings["unit scores, 100 pairs, forget (after negator)"] = median_seconds(
        lambda: negation_unit_scores(classifier, pairs, last, "forward", "forget"), 3
    )
    timings["gate saturation, 500 sentences"] = median_seconds(
        lambda: gate_saturation(classifier, sentences), 3
    )
    return timings


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load}")
    text_a = " ".join(tokenize(PLAIN)[:30])
    text_b = " ".join(tokenize(NEGATED)[:30])
    pairs = (builtin_pairs() * 2)[:100]
    sentences = [t for p in builtin_pairs() for t in (p.text_a, p.text_b)]
    sentences = (sentences * 4)[:500]
    for name, classifier in (
        ("LSTM 1×128", make_classifier()),
        ("LSTM 2×128 bidirectional", make_classifier(2, True)),
    ):
        timings = measure(classifier, text_a, text_b, pairs, sentences)
        print(f"\n{name}, two sentences of 30 tokens\n  {'':48} {'median':>10} {'fastest':>10}")
        for what, (median, fastest) in timings.items():
            print(f"  {what:48} {median * 1e3:8.1f}ms {fastest * 1e3:8.1f}ms")


if __name__ == "__main__":
    main()
