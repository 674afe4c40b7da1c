"""The negation lab's numbers: contrast sets, token alignment, pair comparison and "negation units".

What lives here, in the order a student meets it:

  variants(text)              a small contrast set: the sentence negated, un-negated, intensified
  align(tokens_a, tokens_b)   longest-common-subsequence alignment, so "not" is an insertion
  compare(trace_a, trace_b)   both sentences' states and gates on aligned columns, their
                              difference, and the units that differ most
  negation_unit_scores(...)   over many minimal pairs: units that move consistently with "not"

Layouts. A trace holds [steps, units] arrays: row t belongs to token t (rnnviz.core.trace). The
comparison turns them into heatmap matrices [units, columns], one column per aligned
position, so that both sentences share the x axis:

    trace_a.hidden  [steps_a, units]          alignment columns:  the  movie  was   —   good
    trace_b.hidden  [steps_b, units]                              the  movie  was  not  good
          |  transpose + spread over columns
          v
    a, b            [units, columns]   NaN where that sentence has a gap ("—")
    difference      [units, columns]   b - a, NaN where either side has a gap

NEGATORS (rnnviz.core.text) decides what counts as a negation everywhere in the lab; the
minimal-pairs format and `Pair` live in rnnviz.data.pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.core.models import Classifier
from rnnviz.core.text import NEGATION, NEGATORS, PAD_ID, has_negator, tokenize
from rnnviz.core.trace import (
    DIRECTIONS,
    GATE_NAMES,
    Direction,
    LayerTrace,
    SentenceTrace,
    trace_module,
    trace_sentence,
)
from rnnviz.data.pairs import Pair

GAP = "—"  # how a missing token is written in column labels

Operation = Literal["negate", "un-negate", "intensify"]
Side = Literal["a", "b"]
Measure = Literal["auto", "final", "after_negator"]
STATE_QUANTITIES = ("hidden", "cell_state")  # states: ranked by their final value
_STATE_NAMES = {"hidden": "hidden state", "cell_state": "cell state"}


# --------------------------------------------------------------------------------------------
# Turning tokens back into text
# --------------------------------------------------------------------------------------------

_CLITICS = frozenset({NEGATION, "'s", "'re", "'ve", "'ll", "'d", "'m"})
_NEGATED_STEMS = {"will": "wo", "can": "ca", "shall": "sha"}  # "won't", "can't", "shan't"
_CLOSING = set(".,!?;:)]}%…")


def detokenize(tokens: Sequence[str]) -> str:
    """Readable text whose tokenization is `tokens` again: "n't" and clitics join the word
    before them ("was" "n't" -> "wasn't", "will" "n't" -> "won't"), closing punctuation
    joins too; everything else is separated by spaces. Falls back to plain spaces when the
    readable form would not tokenize back to `tokens`."""
    words: list[str] = []
    for token in tokens:
        if words and token == NEGATION:
            words[-1] = _NEGATED_STEMS.get(words[-1], words[-1]) + token
        elif words and (token in _CLITICS or set(token) <= _CLOSING):
            words[-1] += token
        else:
            words.append(token)
    text = " ".join(words)
    return text if tokenize(text) == list(tokens) else " ".join(tokens)


# --------------------------------------------------------------------------------------------
# The contrast-set generator
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One sentence of a contrast set, derived from the user's sentence by one edit."""

    text: str  # readable sentence; tokenize(text) gives `tokens`
    tokens: tuple[str, ...]
    kind: str  # what changed, short: 'insert “not” after “was”', 'remove “never”'
    operation: Operation  # negate (adds a negation), un-negate (removes one), intensify


_BE = frozenset("is are was were am 're 'm".split())
_MODALS = frozenset("can could will would should shall may might must 'll".split())
_DO = frozenset("do does did".split())
_HAVE = frozenset("has have had".split())
_AUXILIARIES = _BE | _MODALS | _DO | _HAVE | {"'s"}
# "n't" reads naturally after these (written "wasn't", "won't", "can't", …).
_TAKES_NT = frozenset(
    "is are was were do does did can could will would should shall must has have had".split()
)
_SUBJECTS = frozenset("i you we they he she it".split())
_SINGULAR_SUBJECTS = frozenset("he she it".split())
_PLURAL_SUBJECTS = frozenset("i you we they".split())
_S_COPULA_HOSTS = frozenset("it he she that there what here who".split())  # "it's" = it is
_DETERMINERS = frozenset("the this that these those my your our their his her its".split())
_OBJECTS = frozenset("it this that them him her me us my your our their his its the a an".split())
# Adverbs that may sit between an auxiliary and its verb ("has always liked").
_AUX_ADVERBS = frozenset("always already just ever really actually truly also still".split())
_INTENSIFIERS = frozenset("very really extremely so too quite pretty most more less incredibly".split())
INTENSIFIER_WORDS = ("very", "really", "extremely")  # inserted before adjectives

# Sentiment adjectives a student is likely to type, every one an entry of the VADER
# lexicon (Hutto & Gilbert 2014; tests/test_negation.py checks that against the file).
ADJECTIVES: frozenset[str] = frozenset(
    """good great bad awful terrible boring funny nice excellent amazing wonderful fantastic
    brilliant perfect beautiful horrible poor weak strong clever smart happy sad disappointing
    disappointed satisfying interesting dull delicious fresh friendly helpful rude comfortable
    clean dirty noisy convincing impressed impressive enjoyable pleasant lovely annoying stupid
    silly dumb ugly cute sweet charming entertaining exciting thrilling scary weird strange
    original confusing confused fine solid fair useful useless worthless cool warm easy hard
    difficult gorgeous awesome outstanding superb lame dreadful glad proud upset angry""".split()
)

# Verbs whose forms we know for certain; only these get do-support ("i loved it" -> "i did not
# love it"), any other verb is left alone rather than guessed at. Irregular (and consonant-
# doubling) verbs as "base past participle"; the regular ones below get -(e)d / -ied.
_IRREGULAR_TABLE = """
    be was been   have had had   do did done   go went gone   think thought thought
    feel felt felt   buy bought bought   bring brought brought   get got got   see saw seen
    take took taken   make made made   give gave given   find found found   know knew known
    come came come   keep kept kept   leave left left   hold held held   eat ate eaten
    drink drank drunk   write wrote written   read read read   say said said   tell told told
    win won won   lose lost lost   pay paid paid   sell sold sold   spend spent spent
    understand understood understood   break broke broken   choose chose chosen
    forget forgot forgotten   fall fell fallen   run ran run   sleep slept slept   hurt hurt hurt
    let let let   put put put   meet met met   hear heard heard   mean meant meant
    teach taught taught   catch caught caught   wear wore worn   begin began begun
    stop stopped stopped   regret regretted regretted   prefer preferred preferred
    plan planned planned   fit fit fit
"""
_IRREGULAR = {
    base: (past, participle)
    for base, past, participle in zip(*[iter(_IRREGULAR_TABLE.split())] * 3, strict=True)
}
_REGULAR = """love like enjoy hate dislike recommend want need appreciate impress disappoint bother
    annoy please satisfy surprise help work improve deserve expect adore miss watch play last fail
    succeed care mind trust believe agree laugh cry suck deliver arrive taste smell look seem sound
    use order return try answer crash finish start happen manage learn listen open pick waste
    change fix solve excite bore entertain interest delight amaze worry scare matter live""".split()
_THIRD_PERSON = {"have": "has", "do": "does", "go": "goes", "be": "is"}


def _third_person(base: str) -> str:
    if base in _THIRD_PERSON:
        return _THIRD_PERSON[base]
    if base.endswith(("s", "x", "z", "ch", "sh")):
        return base + "es"
    if base.endswith("y") and base[-2] not in "aeiou":
        return base[:-1] + "ies"
    return base + "s"


def _regular_past(base: str) -> str:
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2] not in "aeiou":
        return base[:-1] + "ied"
    return base + "ed"


@dataclass(frozen=True)
class _Verb:
    base: str
    third: str  # he/she/it form
    past: str
    participle: str


_VERBS: dict[str, _Verb] = {}
for _base in sorted(set(_REGULAR) | set(_IRREGULAR)):
    _past, _participle = _IRREGULAR.get(_base, (_regular_past(_base),) * 2)
    _VERBS[_base] = _Verb(_base, _third_person(_base), _past, _participle)
# form -> verbs having it, per tense ("read" is a base and a past; "hurt" too).
_BY_BASE = {v.base: v for v in _VERBS.values() if v.base != "be"}
_BY_THIRD = {v.third: v for v in _VERBS.values() if v.base != "be"}
_BY_PAST = {v.past: v for v in _VERBS.values() if v.base != "be"}
_PARTICIPLES = frozenset(v.participle for v in _VERBS.values())


def _subject_before(tokens: Sequence[str], v: int) -> str | None:
    """'pronoun' subject word, 'singular'/'plural' noun phrase, or None when we cannot tell
    that tokens[v] is the main verb of a clause ("i loved", "the story held")."""
    if v >= 1 and tokens[v - 1] in _SUBJECTS:
        if v >= 2 and tokens[v - 2] in _AUXILIARIES:
            return None  # a question ("did you like it"): the verb is already supported
        return tokens[v - 1]
    for width in (1, 2):  # "the plot held", "the support team answers"
        d = v - width - 1
        if d < 0 or tokens[d] not in _DETERMINERS:
            continue
        between = tokens[d + 1 : v]
        if all(
            w.isalpha() and w not in _AUXILIARIES and w not in NEGATORS and w not in _VERBS for w in between
        ):
            head = between[-1]
            return "plural" if head.endswith("s") and not head.endswith("ss") else "singular"
    return None


def _do_support(tokens: Sequence[str], v: int) -> tuple[str, str] | None:
    """(do-form, base) to negate the main verb tokens[v], e.g. "loved" -> ("did", "love")."""
    word = tokens[v]
    subject = _subject_before(tokens, v)
    if subject is None:
        return None
    if word in _BY_PAST:
        return "did", _BY_PAST[word].base
    if word in _BY_THIRD and (subject in _SINGULAR_SUBJECTS or subject == "singular"):
        return "does", _BY_THIRD[word].base
    if word in _BY_BASE and (subject in _PLURAL_SUBJECTS or subject == "plural"):
        return "do", word
    return None


def _inflect_like(do_form: str, base: str) -> str:
    """The verb form that replaces 'do/does/did + base' when the negation is removed."""
    verb = _VERBS[base]
    return {"did": verb.past, "does": verb.third, "do": verb.base}[do_form]


def _auxiliary_role(tokens: Sequence[str], i: int) -> str | None:
    """'aux' if a negation can be inserted right after tokens[i], 'main' if tokens[i] is
    have/do used as the main verb ("has real heart", "does its job"), else None."""
    word = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None or nxt in NEGATORS or not any(ch.isalnum() for ch in nxt):
        return None  # end of clause, or already negated
    if i >= 1 and tokens[i - 1] in NEGATORS:
        return None  # "does not do its job": the negation is there already
    if nxt in _SUBJECTS and word not in ("'s", "'re", "'m", "'ll"):
        return None  # a question ("did you like it"): inversion, leave alone
    if word == "'s" and (i == 0 or tokens[i - 1] not in _S_COPULA_HOSTS):
        return None  # possessive "'s"
    if i >= 1 and tokens[i - 1] == "there":
        return None  # "there were bugs": negated with "no" instead
    if i >= 1 and tokens[i - 1] in _MODALS and word in _HAVE:
        return None  # "would have": negate after the modal
    if word in _DO:
        if nxt in _BY_BASE or nxt in _AUX_ADVERBS:
            return "aux"
        return "main" if nxt in _OBJECTS else None
    if word in _HAVE:
        if (
            nxt in _PARTICIPLES
            or nxt in _AUX_ADVERBS
            or nxt in ("been", "got", "gotten")
            or nxt.endswith("ed")
        ):
            return "aux"
        # "has real heart", "had problems": a main verb (not "have to", not "had better")
        return "main" if nxt.isalpha() and nxt not in ("to", "better") else None
    return "aux"


class _Builder:
    """Collects variants in order, dropping duplicates and the input itself."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.source = tuple(tokens)
        self.seen = {self.source}
        self.variants: list[Variant] = []

    def add(self, tokens: Sequence[str], kind: str, operation: Operation) -> None:
        tokens = tuple(tokens)
        if tokens in self.seen or not tokens:
            return
        self.seen.add(tokens)
        self.variants.append(Variant(detokenize(tokens), tokens, kind, operation))


_TO_NO = {"a": "no", "an": "no", "some": "no", "any": "no"}
_TO_NEGATIVE_PRONOUN = {
    "everything": "nothing",
    "something": "nothing",
    "everyone": "nobody",
    "everybody": "nobody",
    "someone": "nobody",
    "somebody": "nobody",
    "everywhere": "nowhere",
    "somewhere": "nowhere",
    "always": "never",
}
_FROM_NEGATIVE = {
    "nothing": ("something", "everything"),
    "nobody": ("somebody", "everyone"),
    "nowhere": ("somewhere", "everywhere"),
    "none": ("some", "all"),
}
_WEAK_NEGATORS = ("hardly", "barely", "scarcely")


def _is_word(token: str | None) -> bool:
    return token is not None and token.isalpha() and token not in NEGATORS


def _at(tokens: Sequence[str], k: int) -> str | None:
    return tokens[k] if 0 <= k < len(tokens) else None


def _negations(b: _Builder) -> None:
    t = list(b.source)
    for i, word in enumerate(t):
        before, after = t[:i], t[i + 1 :]
        nxt = after[0] if after else None
        if word in _AUXILIARIES:
            role = _auxiliary_role(t, i)
            if role == "aux":
                for negator in ("not", NEGATION, "never", "hardly"):
                    if negator == NEGATION and word not in _TAKES_NT:
                        continue
                    if negator in ("never", "hardly") and word in _DO:
                        continue  # "did never like" is not English
                    b.add([*before, word, negator, *after], f"insert “{negator}” after “{word}”", "negate")
                if word in _BE and _is_word(nxt) and _at(after, 1) == "and" and _is_word(_at(after, 2)):
                    # "was tasty and fresh" -> "was neither tasty nor fresh"
                    b.add(
                        [*before, word, "neither", nxt, "nor", *after[2:]],
                        "“… and” → “neither … nor”",
                        "negate",
                    )
            elif role == "main":
                verb = _BY_BASE.get(word) or _BY_THIRD.get(word) or _BY_PAST.get(word)
                do_form = "did" if word == verb.past else "does" if word == verb.third else "do"
                for negator in ("not", NEGATION):
                    b.add(
                        [*before, do_form, negator, verb.base, *after],
                        f"“{word}” → “{detokenize([do_form, negator, verb.base])}”",
                        "negate",
                    )
                if word in _HAVE and nxt not in _OBJECTS and nxt not in _TO_NO:
                    b.add([*before, word, "no", *after], f"insert “no” after “{word}”", "negate")
        elif word in _BY_BASE or word in _BY_THIRD or word in _BY_PAST:
            support = _do_support(t, i)
            if support is not None:
                do_form, base = support
                for negator in ("not", NEGATION):
                    b.add(
                        [*before, do_form, negator, base, *after],
                        f"“{word}” → “{detokenize([do_form, negator, base])}”",
                        "negate",
                    )
                for negator in ("never", "hardly"):
                    b.add([*before, negator, word, *after], f"insert “{negator}” before “{word}”", "negate")
        elif word in _TO_NO and _is_word(nxt):
            b.add([*before, "no", *after], f"“{word}” → “no”", "negate")
        elif word in _TO_NEGATIVE_PRONOUN:
            replacement = _TO_NEGATIVE_PRONOUN[word]
            b.add([*before, replacement, *after], f"“{word}” → “{replacement}”", "negate")
        if (
            word == "there"
            and nxt in ("is", "are", "was", "were", "'s")
            and _is_word(_at(after, 1))
            and after[1] not in _TO_NO
        ):  # "there were bugs" -> "there were no bugs"
            b.add([*before, word, nxt, "no", *after[1:]], f"insert “no” after “there {nxt}”", "negate")


def _un_negations(b: _Builder) -> None:
    t = list(b.source)
    for i, word in enumerate(t):
        before, after = t[:i], t[i + 1 :]
        prev = before[-1] if before else None
        nxt = after[0] if after else None
        if word in ("not", NEGATION, "never"):
            if word != "never" and prev in _DO and nxt in _BY_BASE:
                # "i did not love it" -> "i loved it"
                b.add([*before[:-1], _inflect_like(prev, nxt), *after[1:]], f"remove “{word}”", "un-negate")
            else:
                b.add([*before, *after], f"remove “{word}”", "un-negate")
            if word == "never":
                b.add([*before, "always", *after], "“never” → “always”", "un-negate")
        elif word == "cannot":
            b.add([*before, "can", *after], "“cannot” → “can”", "un-negate")
        elif word == "no" and nxt == "one":
            b.add([*before, "someone", *after[1:]], "“no one” → “someone”", "un-negate")
        elif word == "no" and _is_word(nxt):
            plural = nxt.endswith("s") and not nxt.endswith("ss")
            if prev in ("is", "was", "'s") and not plural:
                article = "an" if nxt[0] in "aeiou" else "a"
            else:
                article = "some"
            b.add([*before, article, *after], f"“no” → “{article}”", "un-negate")
            if plural:  # "there were no bugs" -> "there were bugs"
                b.add([*before, *after], "remove “no”", "un-negate")
        elif word in _FROM_NEGATIVE:
            for replacement in _FROM_NEGATIVE[word]:
                b.add([*before, replacement, *after], f"“{word}” → “{replacement}”", "un-negate")
        elif word in _WEAK_NEGATORS:
            b.add([*before, *after], f"remove “{word}”", "un-negate")
        elif word == "without":
            b.add([*before, "with", *after], "“without” → “with”", "un-negate")
        elif word == "neither" and "nor" in after:
            k = after.index("nor")
            b.add([*before, *after[:k], "and", *after[k + 1 :]], "“neither … nor” → “… and”", "un-negate")


def _intensifications(b: _Builder) -> None:
    t = list(b.source)
    for i, word in enumerate(t):
        if word in ADJECTIVES and (i == 0 or t[i - 1] not in _INTENSIFIERS):
            for intensifier in INTENSIFIER_WORDS:
                before = t[:i]
                if before and before[-1] in ("a", "an"):  # "a great" -> "an extremely great"
                    before[-1] = "an" if intensifier[0] in "aeiou" else "a"
                b.add([*before, intensifier, *t[i:]], f"intensify “{word}” with “{intensifier}”", "intensify")


def variants(text: str | Sequence[str]) -> list[Variant]:
    """The contrast set of a sentence (text, or tokens from `tokenize`): its negated forms,
    its forms with one negation removed, and its intensified forms, in that order and left
    to right within each. Deterministic; no duplicates; never the input itself; an empty
    list when nothing applies (empty text, one word with no rule, …).

    Negating: "not"/"n't"/"never"/"hardly" after an auxiliary or copula ("was" -> "was not");
    do-support for verbs whose forms are known ("i loved it" -> "i did not love it", and
    "i never loved it"); have/do as main verbs ("has real heart" -> "does not have real
    heart", "has no real heart"); a/an/some/any -> "no"; "there were bugs" -> "there were
    no bugs"; "was X and Y" -> "was neither X nor Y"; everything/someone/always … ->
    nothing/nobody/never.
    Un-negating: remove not/n't/never/hardly/barely (undoing do-support when it can),
    "no" -> "a"/"some", nothing -> something, without -> with, neither … nor -> … and.
    Intensifying: very/really/extremely before a sentiment adjective (ADJECTIVES).
    """
    tokens = tokenize(text) if isinstance(text, str) else list(text)
    builder = _Builder(tokens)
    _negations(builder)
    _un_negations(builder)
    _intensifications(builder)
    return builder.variants


# --------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------

Column = tuple[int | None, int | None]


@dataclass(frozen=True)
class Alignment:
    """Two token lists laid out on shared columns. Each column is (index_a, index_b); None
    marks a gap: (None, 3) is a token only sentence B has (an insertion, e.g. "not"), (2, None)
    one only A has. Both indices are set for equal tokens and, inside a stretch between equal
    tokens, for tokens paired as substitutions ("everything" / "nothing")."""

    tokens_a: tuple[str, ...]
    tokens_b: tuple[str, ...]
    columns: tuple[Column, ...]

    def __len__(self) -> int:
        return len(self.columns)

    def index(self, side: Side) -> np.ndarray:
        """[columns] int: the token index of `side` in each column, -1 in gaps."""
        k = 0 if side == "a" else 1
        return np.array([-1 if c[k] is None else c[k] for c in self.columns], dtype=np.int64)

    def token(self, column: int, side: Side) -> str | None:
        i = self.columns[column][0 if side == "a" else 1]
        return None if i is None else (self.tokens_a if side == "a" else self.tokens_b)[i]

    def kind(self, column: int) -> Literal["same", "substituted", "only_a", "only_b"]:
        i, j = self.columns[column]
        if i is None:
            return "only_b"
        if j is None:
            return "only_a"
        return "same" if self.tokens_a[i] == self.tokens_b[j] else "substituted"

    def labels(self) -> list[str]:
        """Tick labels per column: "good" where both have the same token, "— / not" for a
        token only B has, "not / —" for one only A has, "everything / nothing" otherwise."""
        labels = []
        for column in range(len(self.columns)):
            a, b = self.token(column, "a"), self.token(column, "b")
            labels.append(a if a == b else f"{a or GAP} / {b or GAP}")
        return labels


def _lcs_suffix_table(a: Sequence[str], b: Sequence[str]) -> list[list[int]]:
    """table[i][j] = length of the longest common subsequence of a[i:] and b[j:]."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        row, below = table[i], table[i + 1]
        for j in range(len(b) - 1, -1, -1):
            row[j] = below[j + 1] + 1 if a[i] == b[j] else max(below[j], row[j + 1])
    return table


def align(tokens_a: Sequence[str], tokens_b: Sequence[str], substitutions: bool = True) -> Alignment:
    """Longest-common-subsequence alignment of two token lists (see Alignment).

    Equal tokens are matched greedily from the left whenever that keeps the common
    subsequence longest. The unmatched tokens between two matches form a stretch; with
    `substitutions`, its last min(len_a, len_b) tokens are paired column by column (right
    aligned, because negation usually adds words before the word it changes: "loved" ->
    "did not love" pairs "loved" with "love"), and the rest are gaps, A's before B's.
    """
    a, b = tuple(tokens_a), tuple(tokens_b)
    table = _lcs_suffix_table(a, b)
    columns: list[Column] = []
    only_a: list[int] = []
    only_b: list[int] = []

    def flush() -> None:
        paired = min(len(only_a), len(only_b)) if substitutions else 0
        columns.extend((i, None) for i in only_a[: len(only_a) - paired])
        columns.extend((None, j) for j in only_b[: len(only_b) - paired])
        columns.extend(zip(only_a[len(only_a) - paired :], only_b[len(only_b) - paired :], strict=True))
        only_a.clear()
        only_b.clear()

    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i] == b[j]:
            flush()
            columns.append((i, j))
            i, j = i + 1, j + 1
        elif j == len(b) or (i < len(a) and table[i + 1][j] >= table[i][j + 1]):
            only_a.append(i)
            i += 1
        else:
            only_b.append(j)
            j += 1
    flush()
    return Alignment(a, b, tuple(columns))


def aligned_rows(values: np.ndarray, alignment: Alignment, side: Side) -> np.ndarray:
    """Spread [steps, k] rows of one sentence over the alignment: [columns, k] float32,
    NaN in the columns where that sentence has a gap."""
    index = alignment.index(side)
    out = np.full((len(index), values.shape[1]), np.nan, dtype=np.float32)
    present = index >= 0
    out[present] = values[index[present]]
    return out


def aligned_matrices(
    values_a: np.ndarray, values_b: np.ndarray, alignment: Alignment
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heatmap matrices for one quantity of two sentences.

    values_a [steps_a, units], values_b [steps_b, units] (trace layout) ->
    (a, b, b - a), each [units, columns] (heatmap layout: y = unit, x = aligned column);
    a and b are NaN in their gap columns, the difference wherever either side is a gap.
    """
    a = aligned_rows(values_a, alignment, "a").T
    b = aligned_rows(values_b, alignment, "b").T
    return a, b, b - a


# --------------------------------------------------------------------------------------------
# Comparing two sentences
# --------------------------------------------------------------------------------------------


def _negator_column(alignment: Alignment, direction: Direction) -> int | None:
    """The first column, in this direction's reading order, where either sentence has a
    negator: the leftmost for the forward direction, the rightmost for the backward one."""
    hits = [
        c
        for c in range(len(alignment))
        if any((tok := alignment.token(c, side)) is not None and tok in NEGATORS for side in ("a", "b"))
    ]
    if not hits:
        return None
    return hits[0] if direction == "forward" else hits[-1]


def _after_negator_columns(alignment: Alignment, direction: Direction) -> tuple[int | None, tuple[int, ...]]:
    """(negator column, columns where both sentences have a token and this direction has
    already read the negator: at/after it for forward, at/before it for backward). Without a
    negator in either sentence: every column where both have a token."""
    negator = _negator_column(alignment, direction)
    both = [c for c, (i, j) in enumerate(alignment.columns) if i is not None and j is not None]
    if negator is None:
        return None, tuple(both)
    if direction == "forward":
        return negator, tuple(c for c in both if c >= negator)
    return negator, tuple(c for c in both if c <= negator)


def _final_row(direction: Direction) -> int:
    """The step a direction ends on: the last token reading forward, token 0 backward."""
    return -1 if direction == "forward" else 0


def _ranking(scores: np.ndarray) -> np.ndarray:
    """Unit indices by decreasing score, NaN last, ties by unit index."""
    key = np.where(np.isnan(scores), -np.inf, scores)
    return np.argsort(-key, kind="stable")


@dataclass(frozen=True)
class QuantityComparison:
    """One quantity (hidden, cell_state or a gate) of two sentences on aligned columns."""

    name: str  # key of LayerTrace.quantities(): 'hidden', 'cell_state', 'forget', …
    a: np.ndarray  # [units, columns] sentence A, NaN in A's gaps
    b: np.ndarray  # [units, columns] sentence B, NaN in B's gaps
    difference: np.ndarray  # [units, columns] b - a, NaN where either side is a gap
    unit_scores: np.ndarray  # [units] how much each unit differs, >= 0 (see `basis`)
    ranked_units: np.ndarray  # [units] unit indices, most different first
    basis: str  # one line saying what unit_scores measure, for a caption

    def top(self, k: int = 5) -> list[int]:
        return [int(u) for u in self.ranked_units[:k]]


@dataclass(frozen=True)
class PairComparison:
    """Two traces of one classifier, one layer and direction, laid side by side."""

    alignment: Alignment
    layer: int
    direction: Direction
    labels: tuple[str, ...]  # the classifier's class names
    prefix_a: np.ndarray  # [columns, n_labels] prediction after each word of A, NaN in gaps
    prefix_b: np.ndarray  # [columns, n_labels] same for B
    negator_column: int | None  # first column this direction reads with a negator, if any
    scored_columns: tuple[int, ...]  # the columns gate scores average over
    quantities: dict[str, QuantityComparison]  # same keys, same order as LayerTrace.quantities()

    @property
    def column_labels(self) -> list[str]:
        return self.alignment.labels()


def _check_same_model(trace_a: SentenceTrace, trace_b: SentenceTrace) -> None:
    for name, trace in (("A", trace_a), ("B", trace_b)):
        if len(trace.tokens) == 0:
            raise ValueError(f"sentence {name} is empty: type a sentence to compare")
    ta, tb = trace_a.trace, trace_b.trace
    if (ta.cell_type, ta.hidden_size, len(ta.states), trace_a.labels) != (
        tb.cell_type,
        tb.hidden_size,
        len(tb.states),
        trace_b.labels,
    ):
        raise ValueError("the two traces come from different models; trace both with the same classifier")


def _layer_state(trace: SentenceTrace, layer: int, direction: Direction) -> LayerTrace:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    try:
        return trace.trace.state(layer, direction)
    except KeyError:
        t = trace.trace
        raise ValueError(
            f"this model has no layer {layer} {direction}: it has layers 0-{t.num_layers - 1}, "
            f"directions {', '.join(t.directions)}"
        ) from None


def compare(
    trace_a: SentenceTrace, trace_b: SentenceTrace, layer: int = 0, direction: Direction = "forward"
) -> PairComparison:
    """Compare every quantity of one (layer, direction) between two sentences.

    Per quantity: aligned [units, columns] matrices, their difference (B - A) and units ranked
    by how much they differ. States (hidden, cell_state) are ranked by |final B - final A|,
    "final" being the last token reading forward and token 0 reading backward (what a 'last'
    readout sees). Gates are ranked by the mean |B - A| over the aligned columns where this
    direction has already read the first negator (columns present in both sentences: at/after
    it forward, at/before it backward); without a negator in either sentence, over all
    columns present in both. Raises ValueError for an empty side, traces of different models,
    or a layer/direction the model does not have.
    """
    _check_same_model(trace_a, trace_b)
    state_a = _layer_state(trace_a, layer, direction)
    state_b = _layer_state(trace_b, layer, direction)
    alignment = align(trace_a.tokens, trace_b.tokens)
    negator, scored = _after_negator_columns(alignment, direction)
    final = _final_row(direction)
    where = "token 0, where the backward direction ends" if direction == "backward" else "the last token"
    if negator is None:
        start = ""
    else:
        word = next(w for side in ("a", "b") if (w := alignment.token(negator, side)) in NEGATORS)
        start = (
            f" from the negator “{word}” on" if direction == "forward" else f" back from the negator “{word}”"
        )
    quantities_b = state_b.quantities()
    quantities: dict[str, QuantityComparison] = {}
    for name, values_a in state_a.quantities().items():
        values_b = quantities_b[name]
        a, b, difference = aligned_matrices(values_a, values_b, alignment)
        if name in STATE_QUANTITIES:
            scores = np.abs(values_b[final] - values_a[final])
            basis = f"|B - A| of the final {_STATE_NAMES[name]} ({where})"
        elif scored:
            scores = np.abs(difference[:, list(scored)]).mean(axis=1)
            basis = f"mean |B - A| over {len(scored)} aligned columns{start}"
        else:
            scores = np.full(values_a.shape[1], np.nan, dtype=np.float32)
            basis = "no aligned columns after the negator to compare"
        quantities[name] = QuantityComparison(
            name=name,
            a=a,
            b=b,
            difference=difference,
            unit_scores=scores.astype(np.float32),
            ranked_units=_ranking(scores),
            basis=basis,
        )
    return PairComparison(
        alignment=alignment,
        layer=layer,
        direction=direction,
        labels=trace_a.labels,
        prefix_a=aligned_rows(trace_a.prefix_probabilities, alignment, "a"),
        prefix_b=aligned_rows(trace_b.prefix_probabilities, alignment, "b"),
        negator_column=negator,
        scored_columns=scored,
        quantities=quantities,
    )


def trace_pair(
    classifier: Classifier, text_a: str, text_b: str, max_tokens: int | None = None
) -> tuple[SentenceTrace, SentenceTrace]:
    """Trace both sentences; a ValueError names the side that has no tokens."""
    traces = []
    for name, text in (("first", text_a), ("second", text_b)):
        if not tokenize(text):
            raise ValueError(f"the {name} sentence is empty: type a sentence to compare")
        traces.append(trace_sentence(classifier, text, max_tokens=max_tokens))
    return traces[0], traces[1]


# --------------------------------------------------------------------------------------------
# Negation units across many pairs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitScores:
    """Per unit of one (layer, direction, quantity): how consistently negation moves it.

    For each usable pair, d = (negated sentence) - (plain sentence), per unit (see `measure`).
    score = mean(d) / (std(d) + eps): a standardised mean difference (Cohen's d for paired
    samples); large |score| means the unit moves the same way whenever a negator is present.
    """

    layer: int
    direction: Direction
    quantity: str
    measure: Literal["final", "after_negator"]  # what d is (see negation_unit_scores)
    differences: np.ndarray  # [pairs, units] d per usable pair (NaN: nothing to compare)
    mean_difference: np.ndarray  # [units]
    std_difference: np.ndarray  # [units] sample standard deviation (ddof=1)
    score: np.ndarray  # [units] mean / (std + eps)
    count: np.ndarray  # [units] int: pairs with a finite d
    ranked_units: np.ndarray  # [units] unit indices by decreasing |score|
    pairs_used: tuple[int, ...]  # indices into the pairs given, one per row of `differences`
    skipped: int  # pairs without exactly one negated side

    def table(self, top: int | None = None) -> list[dict]:
        """Ranked rows {rank, unit, score, mean_difference, std_difference, count} of plain
        Python values, ready for a dataframe."""
        rows = []
        for rank, unit in enumerate(self.ranked_units[:top], start=1):
            rows.append(
                {
                    "rank": rank,
                    "unit": int(unit),
                    "score": float(self.score[unit]),
                    "mean_difference": float(self.mean_difference[unit]),
                    "std_difference": float(self.std_difference[unit]),
                    "count": int(self.count[unit]),
                }
            )
        return rows


def _quantity_names(classifier: Classifier) -> tuple[str, ...]:
    cell = classifier.config.cell
    return ("hidden", *(("cell_state",) if cell == "lstm" else ()), *GATE_NAMES[cell])


@torch.inference_mode()
def _final_states(
    classifier: Classifier, token_ids: list[list[int]], layer: int, direction: Direction, quantity: str
) -> np.ndarray:
    """[sentences, units]: final h (or LSTM c) of one layer/direction, in batches through the
    model's own fused recurrent module (its h_n / c_n: last token forward, token 0 backward)."""
    model = classifier.model
    device = next(model.parameters()).device
    row = layer * classifier.config.num_directions + DIRECTIONS.index(direction)
    out = []
    for start in range(0, len(token_ids), 256):
        chunk = token_ids[start : start + 256]
        lengths = torch.tensor([len(ids) for ids in chunk])
        batch = torch.full((len(chunk), int(lengths.max())), PAD_ID, dtype=torch.long)
        for r, ids in enumerate(chunk):
            batch[r, : len(ids)] = torch.tensor(ids)
        embedded = model.embedding(batch.to(device))  # [batch, steps, embedding_dim]
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, final = model.rnn(packed)  # h_n (and c_n): [layers * directions, batch, hidden]
        if isinstance(final, tuple):
            final = final[0] if quantity == "hidden" else final[1]
        out.append(final[row].float().cpu().numpy())
    return np.concatenate(out)


def _trace_quantity(
    classifier: Classifier, ids: list[int], layer: int, direction: Direction, quantity: str
) -> np.ndarray:
    """[steps, units] one quantity of one sentence (exact trace, rnnviz.core.trace)."""
    model = classifier.model
    with torch.inference_mode():
        embedded = model.embedding(torch.tensor(ids, device=next(model.parameters()).device))
        return trace_module(model.rnn, embedded).state(layer, direction).quantities()[quantity]


def negation_unit_scores(
    classifier: Classifier,
    pairs: Sequence[Pair],
    layer: int = 0,
    direction: Direction = "forward",
    quantity: str = "hidden",
    measure: Measure = "auto",
    eps: float = 1e-3,
) -> UnitScores:
    """Find the units whose `quantity` changes consistently when a negator is present.

    Each pair needs exactly one sentence with a negator (NEGATORS); others are skipped and
    counted. Per usable pair, d = negated - plain per unit, where `measure` is
      'final'          the value at the final step (last token forward, token 0 backward),
                       what the readout sees; states use the model's own batched forward;
      'after_negator'  the mean over aligned columns (both sentences present) that this
                       direction reads after meeting the negator, as in `compare`;
      'auto'           'final' for hidden/cell_state, 'after_negator' for gates (the same
                       choice `compare` ranks by).
    `eps` (in activation units) keeps units that barely move from topping the ranking by
    dividing tiny numbers. Raises ValueError for an unknown quantity/layer/direction or
    fewer than two usable pairs. 100 pairs through a 128-unit LSTM take well under a second.
    """
    names = _quantity_names(classifier)
    if quantity not in names:
        raise ValueError(f"quantity must be one of {', '.join(names)} for this model; got {quantity!r}")
    config = classifier.config
    if direction not in DIRECTIONS[: config.num_directions] or not 0 <= layer < config.num_layers:
        raise ValueError(
            f"this model has no layer {layer} {direction}: it has layers 0-{config.num_layers - 1}, "
            f"directions {', '.join(DIRECTIONS[: config.num_directions])}"
        )
    if measure == "auto":
        measure = "final" if quantity in STATE_QUANTITIES else "after_negator"
    if measure not in ("final", "after_negator"):
        raise ValueError(f"measure must be 'auto', 'final' or 'after_negator'; got {measure!r}")

    used: list[int] = []
    negated: list[list[str]] = []
    plain: list[list[str]] = []
    for k, pair in enumerate(pairs):
        tokens_a, tokens_b = tokenize(pair.text_a), tokenize(pair.text_b)
        if not tokens_a or not tokens_b or has_negator(tokens_a) == has_negator(tokens_b):
            continue
        used.append(k)
        negated.append(tokens_a if has_negator(tokens_a) else tokens_b)
        plain.append(tokens_b if has_negator(tokens_a) else tokens_a)
    skipped = len(pairs) - len(used)
    if len(used) < 2:
        raise ValueError(
            f"need at least two pairs with exactly one negated sentence; found {len(used)} "
            f"({skipped} skipped: both or neither sentence has a negator)"
        )

    encode = classifier.vocab.encode
    if measure == "final" and quantity in STATE_QUANTITIES:
        states = _final_states(classifier, [encode(t) for t in negated + plain], layer, direction, quantity)
        differences = states[: len(used)] - states[len(used) :]  # [pairs, units]
    else:
        rows = []
        for neg, pla in zip(negated, plain, strict=True):
            values_neg = _trace_quantity(classifier, encode(neg), layer, direction, quantity)
            values_pla = _trace_quantity(classifier, encode(pla), layer, direction, quantity)
            if measure == "final":
                final = _final_row(direction)
                rows.append(values_neg[final] - values_pla[final])
                continue
            alignment = align(pla, neg)  # plain is A, negated is B: difference = B - A
            _, columns = _after_negator_columns(alignment, direction)
            if not columns:
                rows.append(np.full(values_neg.shape[1], np.nan, dtype=np.float32))
                continue
            _, _, difference = aligned_matrices(values_pla, values_neg, alignment)
            rows.append(difference[:, list(columns)].mean(axis=1))
        differences = np.stack(rows).astype(np.float32)

    count = np.isfinite(differences).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        filled = np.where(np.isfinite(differences), differences, 0.0)
        mean = filled.sum(axis=0) / np.maximum(count, 1)
        squares = np.where(np.isfinite(differences), (differences - mean) ** 2, 0.0).sum(axis=0)
        std = np.sqrt(squares / np.maximum(count - 1, 1))
    mean = np.where(count > 0, mean, np.nan).astype(np.float32)
    std = np.where(count > 1, std, np.nan).astype(np.float32)
    score = (mean / (np.nan_to_num(std, nan=0.0) + eps)).astype(np.float32)
    score = np.where(count > 1, score, np.nan).astype(np.float32)
    return UnitScores(
        layer=layer,
        direction=direction,
        quantity=quantity,
        measure=measure,
        differences=differences,
        mean_difference=mean,
        std_difference=std,
        score=score,
        count=count.astype(np.int64),
        ranked_units=_ranking(np.abs(score)),
        pairs_used=tuple(used),
        skipped=skipped,
    )
