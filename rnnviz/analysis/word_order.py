"""Word-order variants of a sentence, and two models' answers on them, for the Word order page.

`variants(text)` rearranges the sentence's own tokens — the clauses around "but" swapped, the
first and last sentiment words swapped, "not" moved, the words reversed, shuffled — so every
variant has exactly the same words in another order. A bag of embeddings (the mean of the word
vectors) cannot tell them apart; a recurrent network reads them in order and can. Sentences the
user types are added as they are (`typed_variant`) and may use other words; `same_words` says so.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnviz.core.models import Classifier
from rnnviz.core.text import NEGATORS, detokenize, tokenize
from rnnviz.data.lexicon import vader_lexicon

MAX_TOKENS = 40  # a longer sentence is cut here: its variants are chart labels
MOVABLE_NEGATORS = ("not", "n't", "never")
SHUFFLE_SEED = 0


@dataclass(frozen=True)
class Variant:
    """One ordering of a sentence: what was done, the readable text and its tokens."""

    name: str  # short: 'as typed', 'clauses swapped around “but”', 'reversed', …
    text: str  # readable sentence; tokenize(text) gives `tokens`
    tokens: tuple[str, ...]
    how: str = ""  # `name` with its words as {0}, {1} (for a translation): how.format(*words) == name
    words: tuple[str, ...] = ()


def _variant(name: str, tokens: Sequence[str], how: str = "", words: Sequence[str] = ()) -> Variant:
    return Variant(name, detokenize(tokens), tuple(tokens), how or name, tuple(words))


SWAPPED = "“{0}” and “{1}” swapped"  # the names of the reorderings that name the words they move
MOVED = "“{0}” moved before “{1}”"


def _swap_clauses(tokens: list[str]) -> list[str] | None:
    """A but B -> B but A (at the first "but" with words on both sides)."""
    for k, token in enumerate(tokens):
        if token == "but" and 0 < k < len(tokens) - 1:
            before = tokens[:k]
            comma = [","] if before[-1] == "," else []  # "A, but B" -> "B, but A"
            return tokens[k + 1 :] + comma + ["but"] + before[: len(before) - len(comma)]
    return None


def _sentiment_positions(tokens: Sequence[str]) -> list[int]:
    lexicon = vader_lexicon()
    return [i for i, t in enumerate(tokens) if lexicon.get(t, 0.0) != 0.0 and t not in NEGATORS]


def _swap_sentiment(tokens: list[str]) -> tuple[list[str], str, tuple[str, str]] | None:
    """The first and the last sentiment words (by the VADER lexicon) trade places."""
    found = _sentiment_positions(tokens)
    if len(found) < 2 or tokens[found[0]] == tokens[found[-1]]:
        return None
    first, last = found[0], found[-1]
    swapped = list(tokens)
    swapped[first], swapped[last] = tokens[last], tokens[first]
    return swapped, SWAPPED, (tokens[first], tokens[last])


def _move_negator(tokens: list[str]) -> tuple[list[str], str, tuple[str, str]] | None:
    """The first "not" (n't, never) moved before the last word of the other clause around
    "but", or before the sentence's last word when there is no "but"."""
    where = next((i for i, t in enumerate(tokens) if t in MOVABLE_NEGATORS), None)
    if where is None:
        return None
    negator, rest = tokens[where], tokens[:where] + tokens[where + 1 :]
    words = [i for i, t in enumerate(rest) if any(ch.isalnum() for ch in t)]
    if not words:
        return None
    cut = next((i for i, t in enumerate(rest) if t == "but"), None)
    if cut is not None and where <= cut:  # in the first clause: to the second clause's last word
        target = words[-1]
    elif cut is not None:  # in the second clause: to the first clause's last word
        target = max((i for i in words if i < cut), default=words[-1])
    else:
        target = words[-1]
    moved = [*rest[:target], negator, *rest[target:]]
    if moved == tokens:
        return None
    return moved, MOVED, (negator, rest[target])


def variants(text: str) -> list[Variant]:
    """The sentence as typed (cut at MAX_TOKENS tokens), then its reorderings: clauses swapped
    around "but", sentiment words swapped, "not" moved, reversed, shuffled (seed SHUFFLE_SEED).
    A reordering that gives a token sequence already listed is left out. [] for no tokens."""
    tokens = tokenize(text)[:MAX_TOKENS]
    if not tokens:
        return []
    found = [_variant("as typed", tokens)]
    candidates: list[tuple[str, list[str], str, Sequence[str]] | None] = []  # name, tokens, how, words
    swapped = _swap_clauses(tokens)
    candidates.append(("clauses swapped around “but”", swapped, "", ()) if swapped else None)
    for made in (_swap_sentiment(tokens), _move_negator(tokens)):
        candidates.append((made[1].format(*made[2]), made[0], made[1], made[2]) if made else None)
    candidates.append(("words reversed", tokens[::-1], "", ()))
    shuffled = list(tokens)
    random.Random(SHUFFLE_SEED).shuffle(shuffled)
    candidates.append(("words shuffled", shuffled, "", ()))
    seen = {tuple(tokens)}
    for candidate in candidates:
        if candidate is None or tuple(candidate[1]) in seen:
            continue
        seen.add(tuple(candidate[1]))
        found.append(_variant(*candidate))
    return found


def dropped_tokens(text: str) -> int:
    """How many tokens of `text` lie past MAX_TOKENS (cut from every variant)."""
    return max(0, len(tokenize(text)) - MAX_TOKENS)


def typed_variant(text: str) -> Variant | None:
    """A sentence the user typed as a variant of their own (cut at MAX_TOKENS), or None if empty."""
    tokens = tokenize(text)[:MAX_TOKENS]
    return _variant("typed", tokens) if tokens else None


def same_words(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two token sequences hold the same words, each as often (order aside)."""
    return Counter(a) == Counter(b)


@dataclass(frozen=True)
class OrderAnswers:
    """Two models' answers to the same variants."""

    variants: tuple[Variant, ...]
    labels: tuple[str, ...]
    bag: np.ndarray  # [variants, n_labels] the bag of embeddings' probabilities
    recurrent: np.ndarray  # [variants, n_labels] the recurrent model's probabilities
    same_words: tuple[bool, ...]  # per variant: the first variant's words, reordered


def order_answers(recurrent: Classifier, bag: Classifier, found: Sequence[Variant]) -> OrderAnswers:
    """Both models' probabilities for every variant (each model reads its own vocabulary).
    The labels must agree: they are the columns of both arrays."""
    if tuple(recurrent.labels) != tuple(bag.labels):
        raise ValueError(
            f"the models have different labels ({', '.join(recurrent.labels)} / {', '.join(bag.labels)})"
        )
    texts = [variant.text for variant in found]
    return OrderAnswers(
        variants=tuple(found),
        labels=tuple(recurrent.labels),
        bag=bag.predict_proba(texts),
        recurrent=recurrent.predict_proba(texts),
        same_words=tuple(same_words(found[0].tokens, v.tokens) for v in found),
    )


def reorderings_agree(probabilities: np.ndarray, same: Sequence[bool]) -> bool:
    """Whether every same-words variant gets exactly (bit for bit) the first variant's answer."""
    rows = [row for row, keep in zip(probabilities, same, strict=True) if keep]
    return all(np.array_equal(rows[0], row) for row in rows)
