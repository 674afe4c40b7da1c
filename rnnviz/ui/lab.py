"""The negation lab page's plumbing: the page's inputs turned into the numbers and words it shows.

No Streamlit here. Every function that costs real time takes a classifier first and then
only plain hashable values (strings, numbers, tuples), so the page can cache it per
(model, inputs) with `ui.cached`; the page itself never touches a tensor.

    variant_rows(classifier, text)           the contrast set of sentence A, each with its prediction
    pair_notes(trace_a, trace_b, alignment)  plain-language warnings about the pair (same, unknown, …)
    collect_pairs(builtin, typed, upload)    the pairs to score: built-in, typed, uploaded (rnnviz.data.pairs)
    unit_scores(classifier, pairs, …)        negation units over many pairs (rnnviz.analysis.negation_units)
    attributions(classifier, text, …)        why the model decided (rnnviz.analysis.attribution)
    saturation(classifier)                   gate saturation over a fixed sample of sentences
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from rnnviz.analysis.attribution import Attributions, Saturation, gate_saturation, word_attributions
from rnnviz.analysis.compare import (
    QuantityComparison,
    align,
)
from rnnviz.analysis.contrast import variants
from rnnviz.analysis.negation_units import UnitScores, negation_unit_scores
from rnnviz.core.models import Classifier
from rnnviz.core.text import tokenize
from rnnviz.core.trace import Direction, SentenceTrace
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.pairs import Pair, builtin_pairs, decode_pairs, parse_typed_pairs
from rnnviz.lessons import glossary
from rnnviz.plots.base import ColourRange, diverging_range

DEFAULT_PAIR = ("the movie was good", "the movie was not good")
# Pairs that each teach one thing, as (lesson, sentence A, sentence B).
PAIR_PRESETS = (
    ("negation", "the movie was good", "the movie was not good"),
    ("negated negative", "the movie was bad", "the movie was not bad"),
    ("at a distance", "i think this movie is good", "i do not think this movie is good"),
    ("n't", "the acting is great", "the acting isn't great"),
)
# One line under each chart or table, telling a student what to look at.
CAPTIONS = {
    "prediction": "What the model would answer if each sentence stopped at that word; yellow columns "
    "are where the sentences differ. Watch the word after “not”: the same word sends A's line and B's "
    "opposite ways.",
    "divergence": "Every state and gate of this layer: how different B is from A at each word "
    "(0 = the same); a word only one sentence has (like an inserted “not”) has no point, so look "
    "at the words after it.",
    "heatmaps": "Rows are the units that differ most, first; grey columns are words a sentence does "
    "not have.",
    "pairs": "Units that move the same way whenever a sentence gains a negator, over many minimal pairs.",
    "own pairs": "Type pairs as two lines “sentence | label”, or upload a file of “sentence<TAB>label” "
    "lines.",
    "scores": "Score = mean change with a negator ÷ its spread over the pairs: far from 0 = the unit "
    "reacts to negation reliably (teal up, brown down). Select a unit to see it on your pair below.",
    "attributions": "Each word's share in the predicted class's probability (integrated gradients "
    "from a sentence of padding): each word wears the colour of the class it pushes toward, "
    "the stronger the push the deeper the colour.",
}
MAX_PAIRS = 1000  # pairs scored at most (typed + uploaded + built-in); the rest are left out
MAX_UPLOAD_BYTES = 1_000_000
SATURATION_GRAMMAR_SENTENCES = 300  # grammar sentences in the saturation sample (with the pairs: ~470)
ATTRIBUTION_STEPS = (50, 200)  # integration steps tried in turn, until the delta is small enough
ATTRIBUTION_TOLERANCE = 0.02  # |convergence delta| accepted, in probability (2 percentage points)


# --------------------------------------------------------------------------- the pair


def variant_rows(classifier: Classifier, text: str, max_tokens: int) -> list[dict]:
    """The contrast set of `text` (rnnviz.analysis.contrast.variants) with the model's answer for each:
    rows {sentence, change, edit, prediction, probability}, in the generator's order."""
    found = variants(tokenize(text)[:max_tokens])
    if not found:
        return []
    probabilities = classifier.predict_proba([v.text for v in found])  # [variants, n_labels]
    rows = []
    for variant, p in zip(found, probabilities, strict=True):
        winner = int(p.argmax())
        rows.append(
            {
                "sentence": variant.text,
                "change": variant.kind,
                "edit": variant.operation,
                "prediction": classifier.labels[winner],
                "probability": float(p[winner]),
            }
        )
    return rows


def pair_notes(trace_a: SentenceTrace, trace_b: SentenceTrace) -> list[str]:
    """Plain-text warnings about a pair, in the order a student should read them (may be empty):
    cut sentences; identical sentences, very different lengths or little in common; unknown words."""
    alignment = align(trace_a.tokens, trace_b.tokens)
    notes = []
    for name, trace in (("A", trace_a), ("B", trace_b)):
        if trace.dropped_tokens:
            notes.append(
                f"Sentence {name} was cut after {len(trace.tokens)} tokens "
                f"({trace.dropped_tokens} more were left out)."
            )
    same = sum(1 for column in range(len(alignment)) if alignment.kind(column) == "same")
    shorter, longer = sorted((len(trace_a.tokens), len(trace_b.tokens)))
    if trace_a.tokens == trace_b.tokens:
        notes.append(
            "The two sentences are the same to the model, so every difference below is 0. "
            "Change sentence B, or pick one of the variants of A."
        )
    elif longer > 2 * shorter and longer - shorter >= 5:
        notes.append(
            f"The sentences have very different lengths ({len(trace_a.tokens)} and "
            f"{len(trace_b.tokens)} tokens). The lab lines up the {same} words they share; every "
            "other word is a column only one sentence has (grey in the other's heatmap)."
        )
    elif same < shorter / 2:
        notes.append(
            f"The two sentences share only {same} of their words ({len(trace_a.tokens)} and "
            f"{len(trace_b.tokens)} tokens), so most columns compare different words. The lab "
            "works best on minimal pairs: the same sentence with and without a negation."
        )
    for name, trace in (("A", trace_a), ("B", trace_b)):
        if all(trace.unknown):
            notes.append(
                f"None of the words of sentence {name} are in the model's vocabulary: it reads "
                "every one of them as the same placeholder <unk>."
            )
    return notes


def difference_rows(compared: QuantityComparison, top: int) -> list[dict]:
    """The `top` units that differ most between A and B in one quantity, as table rows
    {rank, unit, difference} (what the difference measures is `compared.basis`)."""
    return [
        {"rank": rank, "unit": unit, "difference": round(float(compared.unit_scores[unit]), 4)}
        for rank, unit in enumerate(compared.top(top), start=1)
    ]


# --------------------------------------------------------------------------- many pairs


def read_uploaded_pairs(data: bytes, labels: Sequence[str]) -> list[Pair]:
    """Pairs from an uploaded file (UTF-8 text, `sentence<TAB>label` lines), at most
    MAX_UPLOAD_BYTES of it. Raises ValueError for a file that is too large, not UTF-8, or
    malformed (naming the line)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
    return decode_pairs(data, labels)


def collect_pairs(
    builtin: bool, typed: str, upload: bytes | None, labels: Sequence[str]
) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The pairs to score, as (sentence A, sentence B) texts: the built-in ones if `builtin`,
    then the typed ones, then the uploaded file's; and a message per source that could not be
    read (naming the line), whose pairs are then left out."""
    pairs = list(builtin_pair_texts()) if builtin else []
    problems = []
    for source, read in (
        ("Your typed pairs", lambda: parse_typed_pairs(typed, labels)),
        ("The uploaded file", lambda: read_uploaded_pairs(upload or b"", labels)),
    ):
        try:
            pairs += [(p.text_a, p.text_b) for p in read()]
        except ValueError as error:
            problems.append(f"{source}, {error}.")
    if len(pairs) > MAX_PAIRS:
        problems.append(f"Only the first {MAX_PAIRS} of {len(pairs)} pairs are scored.")
    return tuple(pairs[:MAX_PAIRS]), problems


@functools.lru_cache(maxsize=1)
def builtin_pair_texts() -> tuple[tuple[str, str], ...]:
    """The shipped minimal pairs (rnnviz.data.pairs.builtin_pairs) as (sentence A, sentence B),
    read once per process."""
    return tuple((p.text_a, p.text_b) for p in builtin_pairs())


def unit_scores(
    classifier: Classifier,
    pairs: tuple[tuple[str, str], ...],
    layer: int,
    direction: Direction,
    quantity: str,
) -> UnitScores:
    """negation_unit_scores over `pairs` given as (sentence A, sentence B) texts, the first
    MAX_PAIRS of them. Raises ValueError when fewer than two pairs have one negated side."""
    return negation_unit_scores(
        classifier, [Pair(a, b) for a, b in pairs[:MAX_PAIRS]], layer, direction, quantity
    )


def unit_score_rows(scores: UnitScores, top: int) -> list[dict]:
    """The `top` units of a ranking as table rows {rank, unit, score, mean change, spread, pairs}
    (the mean and spread of d = negated - plain over the pairs, see negation_units.UnitScores)."""
    return [
        {
            "rank": row["rank"],
            "unit": row["unit"],
            "score": round(row["score"], 3),
            "mean change": round(row["mean_difference"], 4),
            "spread": round(row["std_difference"], 4),
            "pairs": row["count"],
        }
        for row in scores.table(top)
    ]


# --------------------------------------------------------------------------- why the model decided


def attributions(classifier: Classifier, text: str, max_tokens: int) -> Attributions:
    """Integrated-gradients attributions of the predicted class's probability to each token:
    50 integration steps, or 200 when 50 leave a convergence delta above ATTRIBUTION_TOLERANCE
    (a confident, saturated model bends the path sharply; more steps follow it)."""
    for n_steps in ATTRIBUTION_STEPS:
        result = word_attributions(classifier, text, n_steps=n_steps, max_tokens=max_tokens)
        if abs(result.delta) <= ATTRIBUTION_TOLERANCE:
            break
    return result


def attribution_scale(results: Sequence[Attributions]) -> ColourRange:
    """One scale, centred on 0, that fits the attributions of every sentence."""
    return diverging_range(np.concatenate([r.values for r in results]), floor=0.1)


def attribution_note(name: str, result: Attributions) -> str:
    """One plain line that reports what was explained and how exactly, e.g.
    'A: explains P(positive) = 0.93, against 0.50 for a sentence of padding; the words add up
    to +0.43 (convergence delta +0.002 with 50 integration steps: …).'"""
    return (
        f"{name}: explains P({result.target}) = {result.score:.2f}, against "
        f"{result.baseline_score:.2f} for a sentence of padding; the words add up to "
        f"{result.total:+.2f} (convergence delta {result.delta:+.3f} with {result.n_steps} integration "
        "steps: the closer to 0, the more exact)."
    ) + (
        " The model is so sure here that the shares are only approximate."
        if abs(result.delta) > ATTRIBUTION_TOLERANCE
        else ""
    )


def saturation_sentences() -> tuple[str, ...]:
    """The sample gate saturation is measured on: every sentence of the built-in minimal
    pairs, the app's example sentences and SATURATION_GRAMMAR_SENTENCES sentences of the
    built-in grammar (rnnviz.data.grammar); fixed, so one result serves every visitor."""
    texts = [t for pair in builtin_pair_texts() for t in pair]
    texts += grammar_dataset(SATURATION_GRAMMAR_SENTENCES, seed=0).texts
    texts += [sentence for _, sentence in glossary.PRESETS]
    texts += [t for _, a, b in PAIR_PRESETS for t in (a, b)]
    return tuple(dict.fromkeys(texts))


def saturation(classifier: Classifier) -> Saturation:
    """Gate saturation of every layer, direction and sigmoid gate over `saturation_sentences()`."""
    return gate_saturation(classifier, saturation_sentences())


# What the right end of each sigmoid gate means; one of these goes into the scatter's caption.
_RIGHT_SATURATED = {
    "forget": "A right-saturated forget gate (a dot high up: f > 0.9 at most words) keeps its "
    "unit's memory almost untouched from word to word: a long-term memory that can carry a "
    "“not” to the end of the sentence.",
    "update": "A right-saturated update gate (a dot high up: z > 0.9 at most words) keeps its "
    "unit's old value almost untouched, like an LSTM's forget gate near 1: a long-term memory "
    "that can carry a “not” to the end of the sentence.",
}


def saturation_caption(result: Saturation) -> str:
    """The scatter's caption: how to read it, and what a right-saturated keep-gate means."""
    gates = dict.fromkeys(g.gate for g in result.gates)
    special = " ".join(_RIGHT_SATURATED[g] for g in gates if g in _RIGHT_SATURATED)
    return (
        "Each dot is one unit: how often its gate is nearly shut (< 0.1, x) and nearly open "
        "(> 0.9, y) over the sample; dots near (0, 0) act gradually, like a dimmer. " + special
    )
