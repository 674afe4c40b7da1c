"""Contrast sets: a sentence negated, un-negated and intensified by one edit each, for the Negation lab.

`variants(text)` is a teaching aid, not a parser: small word tables (auxiliaries, subjects,
verbs whose forms are known for certain, sentiment adjectives) decide where an edit reads
naturally, and anything the tables do not cover is left alone rather than guessed at.
What counts as a negator is rnnviz.core.text.NEGATORS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rnnviz.core.text import NEGATION, NEGATORS, detokenize, tokenize

Operation = Literal["negate", "un-negate", "intensify"]


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
# lexicon (Hutto & Gilbert 2014; tests/test_contrast.py checks that against the file).
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
        """Keep `tokens` as a variant unless it is empty, the input, or already kept."""
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
