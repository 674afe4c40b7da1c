"""What a "word" is: the project's one tokenizer and the vocabulary that maps tokens to ids.

Every model, dataset, page and CLI command goes through `tokenize`, so a sentence is
split the same way when a model is trained, traced and explained.

Rules, in order:
  1. Unicode NFKC, then lower-case.
  2. Tabs, newlines and other white space become spaces; control characters (Cc),
     format characters (Cf: zero-width spaces and joiners, direction marks, BOM) and
     emoji variation selectors are dropped.
  3. Words are runs of letters, combining marks and digits; an apostrophe between two
     word characters stays inside the word ("o'clock"). Curly apostrophes count as "'".
  4. Negation becomes a token of its own, Penn-Treebank style: "isn't" -> "is" "n't",
     "didn't" -> "did" "n't". Irregular stems are spelled out so students can read them:
     "can't" -> "can" "n't", "won't" -> "will" "n't", "shan't" -> "shall" "n't"
     ("ain't" stays "ai" "n't"). "cannot" -> "can" "not". Common forms typed without the
     apostrophe ("dont", "isnt", "cant" …; not "wont", which is a word) split the same way.
  5. Other clitics split off with their apostrophe: "it's" -> "it" "'s" ('s 're 've 'll 'd 'm).
  6. Every other visible character is a token on its own: punctuation ("," "!"), symbols
     and emoji ("😀"). A run of one repeated punctuation mark is one token, capped at
     three marks ("!!!!!" -> "!!!", "..." stays "..."). Skin-tone modifiers stay with
     the emoji they modify.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PAD = "<pad>"
UNK = "<unk>"
PAD_ID = 0
UNK_ID = 1

NEGATION = "n't"
_CLITICS = ("'s", "'re", "'ve", "'ll", "'d", "'m")
_IRREGULAR_STEMS = {"ca": "can", "wo": "will", "sha": "shall"}
# Negated auxiliaries often typed without an apostrophe. "wont" is left alone: it is a word.
_BARE_NEGATIONS = {
    bare: (stem, NEGATION)
    for bare, stem in {
        "dont": "do",
        "doesnt": "does",
        "didnt": "did",
        "isnt": "is",
        "arent": "are",
        "wasnt": "was",
        "werent": "were",
        "cant": "can",
        "couldnt": "could",
        "wouldnt": "would",
        "shouldnt": "should",
        "hasnt": "has",
        "havent": "have",
        "hadnt": "had",
        "aint": "ai",
    }.items()
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_MAX_REPEAT = 3


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _is_dropped(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") or "\ufe00" <= ch <= "\ufe0f"


def normalize(text: str) -> str:
    """NFKC, lower-case, white space to single spaces, invisible characters removed."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    chars = []
    for ch in text:
        if ch.isspace():
            chars.append(" ")
        elif not _is_dropped(ch):
            chars.append(ch)
    return "".join(chars)


def _split_word(word: str) -> list[str]:
    """Split clitics and negation off one scanned word."""
    if word in _BARE_NEGATIONS:
        return list(_BARE_NEGATIONS[word])
    if word == "cannot":
        return ["can", "not"]
    if word.endswith(NEGATION) and len(word) > len(NEGATION):
        stem = word[: -len(NEGATION)]
        return [_IRREGULAR_STEMS.get(stem, stem), NEGATION]
    for clitic in _CLITICS:
        if word.endswith(clitic) and len(word) > len(clitic):
            return [word[: -len(clitic)], clitic]
    return [word]


def tokenize(text: str) -> list[str]:
    """Split `text` into the tokens a model sees (see the module docstring for the rules)."""
    text = normalize(text)
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
        elif _is_word_char(ch):
            start = i
            while i < n and (
                _is_word_char(text[i])
                or (text[i] == "'" and i + 1 < n and _is_word_char(text[i + 1]) and i > start)
            ):
                i += 1
            tokens.extend(_split_word(text[start:i]))
        elif ord(ch) in _SKIN_TONES and tokens and not _is_word_char(tokens[-1][-1]):
            tokens[-1] += ch
            i += 1
        else:
            start = i
            while i < n and text[i] == ch:
                i += 1
            run = i - start
            kind = unicodedata.category(ch)
            if kind.startswith("P"):
                tokens.append(ch * min(run, _MAX_REPEAT))
            else:
                tokens.extend([ch] * run)
    return tokens


# Tokens that negate what follows (after `tokenize`, so "isn't" has given "n't" and "cannot"
# has given "can" "not"; "cannot" stays listed for token lists typed by hand).
NEGATORS: frozenset[str] = frozenset(
    "not n't never no nothing nobody none nowhere neither nor hardly barely scarcely without cannot".split()
)


def is_negator(token: str) -> bool:
    """Flag: `token` is one of NEGATORS."""
    return token in NEGATORS


def has_negator(tokens: Iterable[str]) -> bool:
    """Flag: any of `tokens` is one of NEGATORS."""
    return any(token in NEGATORS for token in tokens)


@dataclass(frozen=True)
class Vocab:
    """Token <-> id map. Id 0 is `<pad>`, id 1 is `<unk>`; the rest by falling frequency."""

    tokens: tuple[str, ...]  # tokens[i] is the token with id i
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.tokens) < 2 or self.tokens[PAD_ID] != PAD or self.tokens[UNK_ID] != UNK:
            raise ValueError(f"a vocabulary starts with {PAD!r} and {UNK!r}")
        index = {token: i for i, token in enumerate(self.tokens)}
        if len(index) != len(self.tokens):
            repeated = [t for t, c in Counter(self.tokens).items() if c > 1][:5]
            raise ValueError(f"the vocabulary repeats tokens: {repeated}")
        object.__setattr__(self, "_index", index)

    @classmethod
    def build(cls, texts: Iterable[Sequence[str]], min_count: int = 1, max_size: int | None = None) -> Vocab:
        """Vocabulary of tokens seen at least `min_count` times, at most `max_size` entries
        (including `<pad>` and `<unk>`); ties in frequency are broken alphabetically."""
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}")
        if max_size is not None and max_size < 2:
            raise ValueError(f"max_size must be at least 2 (for {PAD} and {UNK}), got {max_size}")
        counts = Counter(token for tokens in texts for token in tokens)
        for special in (PAD, UNK):
            counts.pop(special, None)
        kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            kept = kept[: max_size - 2]
        return cls((PAD, UNK, *kept))

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def id(self, token: str) -> int:
        return self._index.get(token, UNK_ID)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self._index.get(token, UNK_ID) for token in tokens]

    def to_json(self) -> str:
        return json.dumps(list(self.tokens), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> Vocab:
        tokens = json.loads(data)
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ValueError("a vocabulary is stored as a JSON list of strings")
        return cls(tuple(tokens))
