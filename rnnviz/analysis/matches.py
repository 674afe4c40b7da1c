"""The match view's index and search: every quantity of one model over a corpus of at least
TARGET_SENTENCES sentences, stored once as float16 (`build_index`), and the phrases where
chosen units are on, best first (`top_phrases`), with exact values for what is shown.

A unit set is "on" at a word when the mean of its units' values is at or above the threshold
(at or below, for units that are lower on the hypothesis). A match is a run of consecutive
on-words in one sentence; runs are ranked by the units' mean value over the run (oriented:
further past the threshold first), then by length. The index finds the candidates; their
sentences are traced again exactly (float32, the values PyTorch computes), and the shown
phrases, values and order come from those exact traces.

    values   [words, units] float16   one (layer, direction, quantity); every word of every
                                      sentence stacked, sentence s in rows starts[s]:starts[s+1]
    signal   [words] float32          the chosen units' mean value at each word
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from rnnviz.core.models import Classifier, ModelConfig
from rnnviz.core.text import tokenize
from rnnviz.core.trace import DIRECTIONS, embed_and_trace, quantity_names
from rnnviz.data import corpora
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.pairs import builtin_pairs
from rnnviz.data.sources import GRAMMAR_TEST_SEED

TARGET_SENTENCES = 5_000  # the built-in index holds at least this many sentences
MIN_GRAMMAR = 2_000  # grammar sentences in it, however many corpus snippets there are
MAX_WORDS = 30  # words of each sentence indexed (the rest is not read, as on the other pages)
CONTEXT = 3  # words shown on each side of a match
TOP = 20  # phrases a search returns
# An index holds every quantity when they fit in this many bytes together (both shipped LSTMs
# do: 168 and 224 MB over the built-in corpus), else one quantity per index (bench/match_view.py).
INDEX_BUDGET_BYTES = 240 * 2**20

Key = tuple[int, str, str]  # (layer, direction, quantity)
Progress = Callable[[float, str], None]  # (fraction done, what is happening)


def builtin_corpus(target: int | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(source name, tokens) of the built-in index's sentences, each cut to MAX_WORDS, no
    repeats: both sides of every built-in negation pair; the fixed test split of the four
    human-rated corpora when they are downloaded (rnnviz.data.corpora; nothing is downloaded
    here); grammar sentences from the grammar's test seed up to `target` (None:
    TARGET_SENTENCES) sentences in all."""
    target = TARGET_SENTENCES if target is None else target
    found: list[tuple[str, str]] = [
        ("pairs", t) for pair in builtin_pairs() for t in (pair.text_a, pair.text_b)
    ]
    if corpora.downloaded():
        for name in corpora.CORPORA:
            found += [(name, text) for text in corpora.load_corpus(name, "test", neutral_band=0.0).texts]
    kept = sentence_list(found)
    size = max(MIN_GRAMMAR, target - len(kept))
    while True:  # a few snippets repeat one another or a grammar sentence: ask for more until enough
        grammar = [("grammar", text) for text in grammar_dataset(size, GRAMMAR_TEST_SEED).texts]
        corpus = sentence_list(found + grammar)
        if len(corpus) >= target:
            return corpus
        size += target - len(corpus)


def sentence_list(texts: Sequence[tuple[str, str]]) -> list[tuple[str, tuple[str, ...]]]:
    """(source name, text) -> (source name, its first MAX_WORDS tokens), dropping texts
    without tokens and repeats of a token list seen before."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for source, text in texts:
        tokens = tuple(tokenize(text)[:MAX_WORDS])
        if tokens and tokens not in seen:
            seen.add(tokens)
            kept.append((source, tokens))
    return kept


def index_keys(config: ModelConfig, quantities: Sequence[str]) -> set[Key]:
    """Every (layer, direction, quantity) of `quantities` in a model of `config`."""
    directions = DIRECTIONS[: config.num_directions]
    return {(layer, d, q) for layer in range(config.num_layers) for d in directions for q in quantities}


def index_quantities(config: ModelConfig, words: int, quantity: str) -> tuple[str, ...]:
    """The quantities one index of `words` words holds: all of the model's when their float16
    arrays fit INDEX_BUDGET_BYTES together, else only `quantity` (each then built on demand)."""
    every = quantity_names(config.cell)
    per_quantity = words * config.hidden_size * config.num_layers * config.num_directions * 2
    return every if per_quantity * len(every) <= INDEX_BUDGET_BYTES else (quantity,)


@dataclass(frozen=True)
class ActivationIndex:
    """Every quantity of one model over every word of a corpus, as float16."""

    sentences: tuple[tuple[str, ...], ...]
    source: np.ndarray  # [sentences] int16: index into `sources`
    sources: tuple[str, ...]  # source names ("pairs", "movies", "grammar", "your file", …)
    starts: np.ndarray  # [sentences + 1] int64: sentence s is rows starts[s]:starts[s + 1]
    values: dict[Key, np.ndarray]  # (layer, direction, quantity) -> [words, hidden_size] float16

    @property
    def words(self) -> int:
        """Rows of every values array."""
        return int(self.starts[-1])

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (the token strings not counted)."""
        return sum(v.nbytes for v in self.values.values()) + self.starts.nbytes + self.source.nbytes


def build_index(
    classifier: Classifier,
    corpus: Sequence[tuple[str, Sequence[str]]],
    keys: Collection[Key] | None = None,
    progress: Progress | None = None,
) -> ActivationIndex:
    """Trace every (source name, tokens) of `corpus` exactly (rnnviz.core.trace) and store every
    quantity (only `keys`, if given) as float16, written straight into arrays sized for the
    whole corpus."""
    kept = [(source, tuple(tokens)) for source, tokens in corpus if tokens]
    if not kept:
        raise ValueError("the corpus has no words")
    starts = np.concatenate([[0], np.cumsum([len(tokens) for _, tokens in kept])]).astype(np.int64)
    sources = tuple(dict.fromkeys(source for source, _ in kept))
    values: dict[Key, np.ndarray] = {}
    for s, (_, tokens) in enumerate(kept):
        _, trace = embed_and_trace(classifier, classifier.vocab.encode(list(tokens)))
        for state in trace.states:
            for name, array in state.quantities().items():
                key = (state.layer, state.direction, name)
                if keys is not None and key not in keys:
                    continue
                if key not in values:
                    values[key] = np.empty((starts[-1], array.shape[1]), np.float16)
                values[key][starts[s] : starts[s + 1]] = array
        if progress is not None and s % 250 == 0:
            progress(s / len(kept), f"sentence {s + 1:,} of {len(kept):,}")
    return ActivationIndex(
        sentences=tuple(tokens for _, tokens in kept),
        source=np.array([sources.index(source) for source, _ in kept], np.int16),
        sources=sources,
        starts=starts,
        values=values,
    )


# --------------------------------------------------------------------------- search
@dataclass(frozen=True)
class Query:
    """Which units, and when they count as on."""

    key: Key  # (layer, direction, quantity)
    units: tuple[int, ...]
    threshold: float
    higher: bool  # on when the units' mean is >= threshold (True) or <= threshold (False)

    def __post_init__(self) -> None:
        if not self.units:
            raise ValueError("choose at least one unit")


def unit_signal(values: np.ndarray, units: Sequence[int]) -> np.ndarray:
    """[words] float32: the mean of `units`' columns of values [words, hidden_size]."""
    return values[:, list(units)].astype(np.float32).mean(axis=1)


def on_runs(signal: np.ndarray, starts: np.ndarray, threshold: float, higher: bool) -> np.ndarray:
    """[runs, 2] (first row, last row + 1) of each run of consecutive on-rows of signal [words];
    a run never crosses a sentence boundary (`starts`, [sentences + 1])."""
    on = signal >= threshold if higher else signal <= threshold
    first = np.zeros(len(signal), bool)
    first[starts[:-1][starts[:-1] < len(signal)]] = True
    last = np.zeros(len(signal), bool)
    last[starts[1:][starts[1:] > 0] - 1] = True
    before = np.r_[False, on[:-1]]
    after = np.r_[on[1:], False]
    begins = np.flatnonzero(on & (~before | first))
    ends = np.flatnonzero(on & (~after | last)) + 1
    return np.stack([begins, ends], axis=1)


def ranked_runs(signal: np.ndarray, runs: np.ndarray, higher: bool) -> tuple[np.ndarray, np.ndarray]:
    """(runs [n, 2] best first, their oriented mean value [n]): the units' mean value over the
    run (negated for `higher=False`, so larger is always further past the threshold), longer runs
    first on a tie, then corpus order."""
    total = np.r_[0.0, np.cumsum(signal, dtype=np.float64)]
    length = runs[:, 1] - runs[:, 0]
    mean = (total[runs[:, 1]] - total[runs[:, 0]]) / np.maximum(length, 1)
    score = mean if higher else -mean
    order = np.lexsort((runs[:, 0], -length, -score))
    return runs[order], score[order]


@dataclass(frozen=True)
class Phrase:
    """One match with its context: the words shown and the units' exact mean value at each."""

    source: str  # the corpus it comes from
    sentence: tuple[str, ...]  # the whole sentence (as indexed)
    offset: int  # the first shown word's position in the sentence (0-based)
    tokens: tuple[str, ...]  # the shown words: up to CONTEXT before, the match, up to CONTEXT after
    values: np.ndarray  # [shown words] float32: the units' mean value, exact
    match: tuple[int, int]  # the match's first and last position within `tokens` (inclusive)
    score: float  # the units' mean value over the match (exact)

    @property
    def length(self) -> int:
        """Words in the match."""
        return self.match[1] - self.match[0] + 1


def _window(begin: int, end: int, length: int) -> tuple[int, int]:
    return max(0, begin - CONTEXT), min(length, end + CONTEXT)


def _candidates(index: ActivationIndex, query: Query, wanted: int) -> list[int]:
    """Up to `wanted` sentences of `index` holding the best runs by the float16 values, a shown
    window (match and context) counted once however often it repeats. The threshold is widened
    by float16's spacing there, so no word that is on exactly is off in the index."""
    signal = unit_signal(index.values[query.key], query.units)
    slack = float(np.spacing(np.float16(abs(query.threshold))))
    threshold = query.threshold - slack if query.higher else query.threshold + slack
    runs, _ = ranked_runs(signal, on_runs(signal, index.starts, threshold, query.higher), query.higher)
    sentence_of = np.searchsorted(index.starts, runs[:, 0], side="right") - 1
    seen, chosen = set(), []
    for (begin, end), s in zip(runs.tolist(), sentence_of.tolist(), strict=True):
        start = int(index.starts[s])
        low, high = _window(begin - start, end - start, len(index.sentences[s]))
        shown = (index.sentences[s][low:high], begin - start - low, end - begin)
        if shown in seen:
            continue
        seen.add(shown)
        if s not in chosen:
            chosen.append(s)
        if len(seen) >= wanted:
            break
    return chosen


def _exact_phrases(classifier: Classifier, index: ActivationIndex, sentences: list[int], query: Query):
    """(score, Phrase) of every run in `sentences`, from exact traces of them."""
    layer, direction, quantity = query.key
    found = []
    for s in sentences:
        tokens = index.sentences[s]
        _, trace = embed_and_trace(classifier, classifier.vocab.encode(list(tokens)))
        signal = unit_signal(trace.state(layer, direction).quantities()[quantity], query.units)
        runs = on_runs(signal, np.array([0, len(tokens)]), query.threshold, query.higher)
        for (begin, end), score in zip(*ranked_runs(signal, runs, query.higher), strict=True):
            low, high = _window(int(begin), int(end), len(tokens))
            phrase = Phrase(
                source=index.sources[int(index.source[s])],
                sentence=tokens,
                offset=low,
                tokens=tokens[low:high],
                values=signal[low:high],
                match=(int(begin) - low, int(end) - 1 - low),
                score=float(signal[begin:end].mean()),
            )
            found.append((float(score), phrase))
    return found


def top_phrases(
    classifier: Classifier, indexes: Sequence[ActivationIndex], query: Query, top: int = TOP
) -> list[Phrase]:
    """The `top` phrases where the query's units are on, over every index, best first (see the
    module docstring); a phrase shown once however often it occurs. Raises ValueError for a
    quantity, layer or unit the model does not have."""
    for index in indexes:
        if query.key not in index.values:
            raise ValueError(f"this model has no {query.key[2]} in layer {query.key[0] + 1} {query.key[1]}")
        hidden_size = index.values[query.key].shape[1]
        if not all(0 <= u < hidden_size for u in query.units):
            raise ValueError(f"the units must be between 0 and {hidden_size - 1}")
    scored = []
    for index in indexes:
        sentences = _candidates(index, query, 2 * top)  # float16 may reorder near-ties: look wider
        scored += _exact_phrases(classifier, index, sentences, query)
    scored.sort(key=lambda pair: (-pair[0], -pair[1].length))
    seen, phrases = set(), []
    for _, phrase in scored:
        shown = (phrase.tokens, phrase.match)
        if shown not in seen:
            seen.add(shown)
            phrases.append(phrase)
    return phrases[:top]
