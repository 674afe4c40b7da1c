"""Hypotheses about words and the units that follow them: a per-word 0/1 mask over sentences, and
every (layer, direction, quantity, unit) ranked by how well its value separates mask-on words
from mask-off words (ROC-AUC, bootstrap confidence interval, Youden's-J threshold).

A mask comes from a built-in feature (FEATURES), a regular expression over tokens, or a span
of words in one typed sentence. The words are those of a corpus (`corpus_sentences`: the
built-in grammar and the negation pairs) traced once per model (`corpus_activations`).

    values   [words, units]   one quantity, every word of every sentence stacked
    mask     [words]          True where the hypothesis holds
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import rankdata

from rnnviz.analysis.interventions import intervened_trace
from rnnviz.core.models import Classifier
from rnnviz.core.text import is_negator, tokenize
from rnnviz.core.trace import Direction
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.lexicon import vader_lexicon
from rnnviz.data.pairs import builtin_pairs

# Tokens that end a negation's scope: punctuation and words that start a contrasting clause.
SCOPE_ENDS = frozenset(", . ; : ! ? but however although though yet".split())
CONTRAST = frozenset({"but"})

Feature = Literal["negation_scope", "after_but", "position", "since_negator", "sentiment_word"]
FEATURES: dict[str, str] = {  # key -> what the mask is on, for people
    "negation_scope": "inside a negation's scope (after a negator, up to punctuation or “but”)",
    "after_but": "after “but”",
    "position": "word number n or later in the sentence",
    "since_negator": "1 to n words after the last negator",
    "sentiment_word": "a sentiment word (in the VADER lexicon)",
}


def negation_scope(tokens: Sequence[str]) -> list[bool]:
    """True for each token after a negator, up to (not including) the next SCOPE_ENDS token;
    the negator itself is the scope's cue, not in it (unless an earlier negator's scope holds it)."""
    inside, found = False, []
    for token in tokens:
        if token in SCOPE_ENDS:
            inside = False
        found.append(inside)
        if is_negator(token):
            inside = True
    return found


def after_but(tokens: Sequence[str]) -> list[bool]:
    """True for every token after the first "but"."""
    seen, found = False, []
    for token in tokens:
        found.append(seen)
        seen = seen or token in CONTRAST
    return found


def since_negator(tokens: Sequence[str], n: int) -> list[bool]:
    """True for tokens 1..n words after the last negator before them."""
    last, found = None, []
    for t, token in enumerate(tokens):
        found.append(last is not None and 1 <= t - last <= n)
        if is_negator(token):
            last = t
    return found


def feature_mask(feature: str, tokens: Sequence[str], n: int = 3) -> list[bool]:
    """The mask of one built-in feature over one token list; `n` is the word number for
    'position' (counted from 1) and the distance for 'since_negator'."""
    if feature == "negation_scope":
        return negation_scope(tokens)
    if feature == "after_but":
        return after_but(tokens)
    if feature == "position":
        return [t + 1 >= n for t in range(len(tokens))]
    if feature == "since_negator":
        return since_negator(tokens, n)
    if feature == "sentiment_word":
        lexicon = vader_lexicon()
        return [token in lexicon for token in tokens]
    raise ValueError(f"feature must be one of {', '.join(FEATURES)}; got {feature!r}")


def pattern_mask(pattern: str) -> Callable[[Sequence[str]], list[bool]]:
    """A mask function: True where a token matches the regular expression `pattern` in full
    (case-insensitive). Raises ValueError with the reason for a bad pattern."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"the pattern is not a regular expression: {error}") from None
    return lambda tokens: [compiled.fullmatch(token) is not None for token in tokens]


def span_mask(length: int, start: int, end: int) -> list[bool]:
    """True for words start..end (0-based, inclusive) of a sentence of `length` words."""
    if not 0 <= start <= end < length:
        raise ValueError(f"the span must lie within words 1-{length}, start before end")
    return [start <= t <= end for t in range(length)]


# --------------------------------------------------------------------------- the corpus
def corpus_sentences(size: int = 300, seed: int = 0) -> list[list[str]]:
    """Token lists: `size` built-in grammar sentences and both sides of every built-in
    negation pair (rnnviz.data), the words a ranking is computed over."""
    texts = list(grammar_dataset(size=size, seed=seed).texts)
    for pair in builtin_pairs():
        texts += [pair.text_a, pair.text_b]
    return [tokens for tokens in (tokenize(text) for text in texts) if tokens]


Key = tuple[int, str, str]  # (layer, direction, quantity)


@dataclass(frozen=True)
class Activations:
    """Every quantity of every layer and direction over every word of a corpus."""

    sentences: tuple[tuple[str, ...], ...]
    sentence_index: np.ndarray  # [words] which sentence each row belongs to
    position: np.ndarray  # [words] its word number in that sentence, 0-based
    values: dict[Key, np.ndarray]  # (layer, direction, quantity) -> [words, hidden_size]

    def mask(self, of_tokens: Callable[[Sequence[str]], list[bool]]) -> np.ndarray:
        """[words] bool: `of_tokens` applied to each sentence, stacked."""
        return np.concatenate([np.asarray(of_tokens(s), dtype=bool) for s in self.sentences])


def corpus_activations(classifier: Classifier, sentences: Sequence[Sequence[str]]) -> Activations:
    """Trace each token list exactly (rnnviz.core.trace) and stack the rows."""
    rows: dict[Key, list[np.ndarray]] = {}
    index, position, kept = [], [], []
    for tokens in sentences:
        if not tokens:
            continue
        trace = intervened_trace(classifier, classifier.vocab.encode(list(tokens)), [])
        index.append(np.full(trace.steps, len(kept)))
        position.append(np.arange(trace.steps))
        kept.append(tuple(tokens))
        for s in trace.states:
            for name, values in s.quantities().items():
                rows.setdefault((s.layer, s.direction, name), []).append(values)
    if not kept:
        raise ValueError("the corpus has no words")
    return Activations(
        sentences=tuple(kept),
        sentence_index=np.concatenate(index),
        position=np.concatenate(position),
        values={key: np.concatenate(parts) for key, parts in rows.items()},
    )


# --------------------------------------------------------------------------- ranking
def roc_auc(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """ROC-AUC per column of values [words, units] for telling mask-on rows from mask-off rows:
    the probability that a random on-word has a higher value than a random off-word (ties
    count half; Mann-Whitney U / (n_on * n_off)). Returns [units]."""
    on = int(mask.sum())
    off = len(mask) - on
    if on == 0 or off == 0:
        raise ValueError("the hypothesis must hold for some words and not for others")
    ranks = rankdata(values, axis=0)  # average ranks for ties
    return (ranks[mask].sum(axis=0) - on * (on + 1) / 2) / (on * off)


def resample_counts(words: int, boots: int, rng: np.random.Generator) -> np.ndarray:
    """[boots, words]: how often each word is drawn in each of `boots` resamples with replacement."""
    draws = rng.integers(0, words, size=(boots, words))
    return np.stack([np.bincount(row, minlength=words) for row in draws]).astype(np.float32)


def bootstrap_auc(values: np.ndarray, mask: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """ROC-AUC of one unit's values [words] on each resample of the words given as counts
    [boots, words] (`resample_counts`), all at once: the AUC of counted words is the sum over
    on-words of count * (off-count below + half the off-count equal) / (on-total * off-total).
    Resamples without both kinds of word are dropped."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])  # tie groups
    sorted_counts, sorted_mask = counts[:, order], mask[order]
    on = np.add.reduceat(sorted_counts * sorted_mask, starts, axis=1)  # [boots, groups]
    off = np.add.reduceat(sorted_counts * ~sorted_mask, starts, axis=1)
    below = np.cumsum(off, axis=1) - off  # off-words strictly below each group
    on_total, off_total = on.sum(axis=1), off.sum(axis=1)
    keep = (on_total > 0) & (off_total > 0)
    wins = (on * (below + 0.5 * off)).sum(axis=1, dtype=np.float64)
    return wins[keep] / (on_total[keep].astype(np.float64) * off_total[keep])


def youden_threshold(values: np.ndarray, mask: np.ndarray, higher: bool = True) -> tuple[float, float]:
    """(threshold, J) maximising J = TPR - FPR for 'value >= threshold is on' (or <= when not
    `higher`), over the observed values of one unit [words]."""
    v = values if higher else -values
    order = np.argsort(-v, kind="stable")
    sorted_v, sorted_mask = v[order], mask[order]
    tp = np.cumsum(sorted_mask) / max(int(mask.sum()), 1)
    fp = np.cumsum(~sorted_mask) / max(int((~mask).sum()), 1)
    last_of_value = np.r_[sorted_v[1:] != sorted_v[:-1], True]  # cut only between distinct values
    j = np.where(last_of_value, tp - fp, -np.inf)
    best = int(np.argmax(j))
    threshold = float(sorted_v[best])
    return (threshold if higher else -threshold), float(j[best])


@dataclass(frozen=True)
class UnitMatch:
    """One unit's separation of a hypothesis's words."""

    layer: int
    direction: Direction
    quantity: str
    unit: int
    auc: float  # ROC-AUC of the raw value (0.5: no better than chance)
    higher: bool  # True when the unit is higher on mask-on words (auc >= 0.5)
    ci_low: float  # 95% bootstrap interval of the oriented AUC (auc, or 1 - auc when lower)
    ci_high: float
    threshold: float  # Youden's-J cut: on when value >= threshold (<= when not higher)
    youden_j: float

    @property
    def separation(self) -> float:
        """The oriented AUC, max(auc, 1 - auc): 1 separates perfectly either way."""
        return max(self.auc, 1.0 - self.auc)


def rank_units_by_hypothesis(
    activations: Activations, mask: np.ndarray, top: int = 20, boots: int = 200, seed: int = 0
) -> list[UnitMatch]:
    """The `top` (layer, direction, quantity, unit) by oriented ROC-AUC over all words, best
    first, each with a 95% bootstrap CI (words resampled `boots` times) and a Youden threshold."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != activations.sentence_index.shape:
        raise ValueError("the mask must have one entry per word of the corpus")
    scored = []
    for key, values in activations.values.items():
        auc = roc_auc(values, mask)
        scored.extend((max(a, 1 - a), key, unit, a) for unit, a in enumerate(auc))
    scored.sort(key=lambda row: -row[0])  # stable: ties keep layer, direction, quantity, unit order
    counts = resample_counts(
        len(mask), boots, np.random.default_rng(seed)
    )  # the same resamples for every unit
    found = []
    for _, (layer, direction, quantity), unit, auc in scored[:top]:
        column = activations.values[(layer, direction, quantity)][:, unit]
        higher = bool(auc >= 0.5)
        boot = bootstrap_auc(column, mask, counts)
        boot = (boot if higher else 1 - boot) if len(boot) else np.array([max(auc, 1 - auc)])
        threshold, j = youden_threshold(column, mask, higher)
        found.append(
            UnitMatch(
                layer=layer,
                direction=direction,
                quantity=quantity,
                unit=unit,
                auc=float(auc),
                higher=higher,
                ci_low=float(np.percentile(boot, 2.5)),
                ci_high=float(np.percentile(boot, 97.5)),
                threshold=threshold,
                youden_j=j,
            )
        )
    return found
