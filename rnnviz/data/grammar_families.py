"""The grammar's families for negation the way people write it — trailing negation, question and
answer, negation across an inserted clause, "anything but", "not only … but also", double
negation, negated comparatives, concession, faint praise and idioms — labelled by rules 6-16 in
rnnviz.data.grammar's docstring.

Each family is a function (rng, polarity) -> sentence whose label is `polarity` (+1/-1). They vary
subjects, pronouns, tense, contractions, punctuation and word order, so that a network learns the
construction rather than one frame.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from rnnviz.core.text import tokenize
from rnnviz.data.grammar_words import (
    CONTEXTS,
    INTENSIFIERS,
    REVIEW_NEGATIVE,
    REVIEW_POSITIVE,
    SUBJECTS,
    GrammarRandom,
)

# Neutral asides that can sit between a negator and what it governs (rule 8).
ASIDES = (
    "to be honest",
    "in all honesty",
    "if i am being fair",
    "as far as i could tell",
    "at least in my view",
    "and i have thought about this a lot",
    "after two visits",
    "whatever my friends may think",
    "looking back on it now",
    "for what it is worth",
    "if we are talking about the first half",
    "at any point",
    "even on a second try",
    "and i mean this",
    "on balance",
    "for most of the evening",
)
# Answers to a yes/no question (rule 7): (answer, says yes).
ANSWERS = (
    ("no", False),
    ("no .", False),
    ("nope", False),
    ("not at all", False),
    ("not really", False),
    ("no way", False),
    ("absolutely not", False),
    ("definitely not", False),
    ("no , not at all", False),
    ("sadly no", False),
    ("not one bit", False),
    ("yes", True),
    ("yes !", True),
    ("yes , very", True),
    ("absolutely", True),
    ("definitely", True),
    ("very much so", True),
    ("oh yes", True),
)
# Comparatives by polarity (rule 12): "nothing could be better" is +1, "it couldn't be worse" -1.
COMPARATIVES = {
    1: ("better", "happier", "nicer", "more fun", "more enjoyable", "more perfect", "more pleasant"),
    -1: ("worse", "more boring", "duller", "more annoying", "more disappointing", "sadder", "more painful"),
}
# Fixed expressions with their conventional polarity (rule 14).
IDIOMS = {
    1: (
        "i couldn't wait to see it again",
        "i can't wait to go back",
        "i could not wait to read the next one",
        "i can't stop listening to it",
        "it was worth every penny",
        "worth every minute",
        "money well spent",
        "it blew me away",
        "it hit the spot",
        "two thumbs up",
        "it kept me on the edge of my seat",
        "i would go back in a heartbeat",
        "no complaints at all",
        "i have no regrets",
        "a must see",
        "it exceeded my expectations",
        "i was pleasantly surprised",
        "it did not disappoint",
        "it was to die for",
        "nothing beats it",
        "it was nothing short of brilliant",
        "a real page turner",
        "i couldn't put it down",
        "it doesn't get any better than this",
        "it was second to none",
        "it knocked my socks off",
        "i can't complain",
        "it is the best thing since sliced bread",
        "it was a breath of fresh air",
        "it was the icing on the cake",
        "it is a hidden gem",
        "it was out of this world",
        "i would do it all over again",
        "it works like a charm",
        "it's a keeper",
        "i would recommend it in a heartbeat",
        "it was a home run",
        "it ticks all the boxes",
        "it was a steal",
        "it is head and shoulders above the rest",
        "i'm hooked",
        "it stole the show",
        "i was on cloud nine",
        "it was a dream come true",
        "it had me in stitches",
        "it was a feast for the eyes",
        "they went above and beyond",
        "it was spot on",
    ),
    -1: (
        "never again",
        "i will never go back",
        "i won't be buying it again",
        "what a waste of time",
        "a total waste of money",
        "it was not worth the money",
        "not worth the wait",
        "it fell flat",
        "it left a lot to be desired",
        "i want my money back",
        "thumbs down",
        "i fell asleep halfway through",
        "i walked out after an hour",
        "save your money",
        "it did not live up to the hype",
        "stay away",
        "it was a letdown",
        "i wouldn't wish it on anyone",
        "it was a rip-off",
        "it's a joke",
        "it doesn't hold a candle to the first one",
        "it was nothing to write home about",
        "it was a total flop",
        "it missed the mark",
        "it went downhill fast",
        "it was a let-down",
        "it put me to sleep",
        "it was a nightmare",
        "it was a train wreck",
        "it fell apart after a week",
        "it was a far cry from the trailer",
        "i've had better",
        "it was way past its prime",
        "it drove me up the wall",
        "it was a slog",
        "it is a money pit",
        "it was a dud",
        "i regret every minute",
        "it was all hype",
        "it overstayed its welcome",
        "it was a bust",
        "it gets old fast",
        "it was dead on arrival",
        "i couldn't wait for it to end",
        "it was painful to sit through",
        "it left a bad taste in my mouth",
        "it was a swing and a miss",
        "it was not my cup of tea",
    ),
}
WISHES = (
    "i expected",
    "i thought",
    "i was hoping",
    "everyone told me",
    "the reviews said",
    "i assumed",
    "i was sure",
)
FEARS = (
    "i worried",
    "i was afraid",
    "my friends warned me",
    "i feared",
    "we were worried",
)  # of a feared event


def _subject(rng: GrammarRandom) -> tuple[str, str, str]:
    """(noun phrase, its pronoun, a past 'be' that agrees with it)."""
    subject, plural = rng.choice(SUBJECTS)
    return subject, "they" if plural else "it", "were" if plural else "was"


def _verb(rng: GrammarRandom, polarity: int) -> tuple[str, str]:
    return rng.choice(rng.verbs[1 if polarity > 0 else -1])


def _nt(rng: GrammarRandom, be: str) -> str:
    return rng.choice((f"{be} not", f"{be}n't"))


def trailing_negation(rng: GrammarRandom, polarity: int) -> str:
    """Rule 6: an expectation or claim, then a bare negator at the end takes it back."""
    keep = rng.random() < 0.35  # "…, and it was" confirms instead
    claimed = polarity if keep else -polarity
    subject, pronoun, be = _subject(rng)
    word = rng.polar_word(claimed)
    if rng.random() < 0.3:  # about the writer's own verb: "i thought i would love it, but i didn't"
        base, _ = _verb(rng, claimed)
        hope = rng.choice(("i thought i would", "i expected to", "i wanted to", "i was sure i would"))
        start = f"{hope} {base} {subject}"
        end = (
            rng.choice((", and i did", "and i really did"))
            if keep
            else rng.choice((", but i didn't", "but i did not", ". i didn't", ", but no"))
        )
        return f"{start} {end}"
    wish = rng.choice(WISHES)
    if rng.random() < 0.25:  # an event hoped for or feared (rule 16): "i feared it would break. it didn't."
        base = rng.choice(rng.few(HOPED_EVENTS if claimed > 0 else FEARED_EVENTS))[0]
        if claimed < 0:
            wish = rng.choice((wish, *FEARS))
        start = rng.choice((f"{wish} {subject} would {base}", f"{subject} {be} supposed to {base}"))
        if keep:
            end = rng.choice((f", and {pronoun} did", f". {pronoun} did", f"and sure enough {pronoun} did"))
        else:
            denials = (f", but {pronoun} didn't", f". {pronoun} didn't", f". {pronoun} did not", ", but no")
            end = rng.choice((*denials, f"but {pronoun} never did"))
        return f"{start} {end}"
    start = rng.choice(
        (
            f"{wish} {subject} would be {word}",
            f"{wish} {subject} {be} going to be {word}",
            f"{subject} {be} supposed to be {word}",
            f"{subject} looked {word} at first",
            f"{wish} that {subject} {be} {rng.choice(INTENSIFIERS)} {word}",
        )
    )
    if keep:
        end = rng.choice(
            (
                f", and {pronoun} {be}",
                f"and {pronoun} really {be}",
                f". {pronoun} {be} !",
                ", and yes , it was",
            )
        )
    else:
        end = rng.choice(
            (
                f", but {pronoun} {_nt(rng, be)}",
                f"but {pronoun} {_nt(rng, be)}",
                f". {pronoun} {_nt(rng, be)}",
                f", but {pronoun} {_nt(rng, be)} at all",
                ". not at all",
                ". nope",
                ", but no",
                f", but {pronoun} turned out not to be",
                f". well , {pronoun} {_nt(rng, be)}",
            )
        )
    return f"{start} {end}"


def question_answer(rng: GrammarRandom, polarity: int) -> str:
    """Rule 7: a yes/no question about a polarity, then a short answer; "no" flips it, "yes"
    keeps it. A negated question with no answer ("wasn't it lovely?") expects yes."""
    subject, pronoun, be = _subject(rng)
    if rng.random() < 0.2:
        word = rng.polar_word(polarity)
        return rng.choice(
            (
                f"{be}n't {subject} {word} ?",
                f"isn't {pronoun} {word} ?",
                f"{subject} {be} {word} , {be}n't {pronoun} ?",
            )
        )
    answer, yes = rng.choice(ANSWERS)
    asked = polarity if yes else -polarity
    kind = rng.randrange(4)
    if kind == 0:
        question = f"{be} {subject} {rng.polar_word(asked)} ?"
    elif kind == 1:
        base, _ = _verb(rng, asked)
        question = f"did {rng.choice(('i', 'we', 'you', 'anyone'))} {base} {subject} ?"
    elif kind == 2:
        question = f"would i call {subject} {rng.polar_word(asked)} ?"
    else:
        question = f"is {pronoun} {rng.choice(('really', 'actually', ''))} {rng.polar_word(asked)} ?".replace(
            "  ", " "
        )
    return f"{question} {answer}"


def across_clause(rng: GrammarRandom, polarity: int) -> str:
    """Rule 8: a negator keeps its scope across an inserted neutral phrase."""
    subject, _, be = _subject(rng)
    aside = rng.choice(ASIDES)
    if rng.random() < 0.4:  # a long aside: a whole neutral clause ("even though we went there …")
        opener = rng.choice(("even though", "although", "and i say this because", "considering that"))
        aside = f"{opener} {rng.choice(CONTEXTS)}"
    word = rng.polar_word(-polarity)
    base, past = _verb(rng, -polarity)
    return rng.choice(
        (
            f"{subject} {_nt(rng, be)} , {aside} , {word}",
            f"i would not say , {aside} , that {subject} {be} {word}",
            f"i can't say , {aside} , that {subject} {be} {word}",
            f"i do not think , {aside} , that {subject} {be} {word}",
            f"i didn't , {aside} , {base} {subject}",
            f"we never , {aside} , {past} {subject}",
            f"nobody , {aside} , {past} {subject}",
            f"{subject} never , {aside} , felt {word}",
            f"i wouldn't call {subject} , {aside} , {word}",
        )
    )


def anything_but(rng: GrammarRandom, polarity: int) -> str:
    """Rule 9: "anything but X" means not X, for either polarity; "far from", "hardly", "barely"
    with positive X only; "nothing but X" keeps X's polarity."""
    subject, _, be = _subject(rng)
    if rng.random() < 0.25:
        word = rng.polar_word(polarity)
        return rng.choice(
            (f"{subject} {be} nothing but {word}", f"i have nothing but {word} things to say about {subject}")
        )
    if polarity > 0:
        word = rng.polar_word(-1)
        return f"{subject} {be} anything but {word}"
    word = rng.polar_word(1)
    negator = rng.choice(("anything but", "far from", "hardly", "barely", "anything but"))
    return rng.choice((f"{subject} {be} {negator} {word}", f"i found {subject} {negator} {word}"))


def not_only(rng: GrammarRandom, polarity: int) -> str:
    """Rule 10: "not only X but (also) Y": X and Y share a polarity and the "not" negates nothing."""
    subject, pronoun, be = _subject(rng)
    first, second = rng.polar_word(polarity), rng.polar_word(polarity)
    base, past = _verb(rng, polarity)
    other, _ = rng.choice(SUBJECTS)
    return rng.choice(
        (
            f"{subject} {be} not only {first} but also {second}",
            f"not only {be} {subject} {first} , {pronoun} {be} also {second}",
            f"not only {be} {subject} {first} , but {other} {be} {second} too",
            f"not only did i {base} {subject} , but my friends {past} it as well",
            f"{subject} {be} not just {first} , {pronoun} {be} {second}",
            f"not only {first} but {second}",
        )
    )


def double_negation(rng: GrammarRandom, polarity: int) -> str:
    """Rule 11: two negators on one clause cancel: "i didn't not like it" is positive."""
    subject, _, be = _subject(rng)
    base, _ = _verb(rng, polarity)
    word = rng.polar_word(polarity)
    return rng.choice(
        (
            f"i didn't not {base} {subject}",
            f"i did not not {base} it",
            f"i can't say i didn't {base} {subject}",
            f"there was nothing i didn't {base} about {subject}",
            f"it is not true that {subject} {be} not {word}",
            f"nobody could say {subject} {be}n't {word}",
            f"not one part of {subject} {be} not {word}",
        )
    )


def comparative(rng: GrammarRandom, polarity: int) -> str:
    """Rule 12: a negated "could be + comparative" means the superlative (polarity of the
    comparative); "could have been + comparative" says it was not (the opposite)."""
    subject, pronoun, _ = _subject(rng)
    if rng.random() < 0.6:
        more = rng.choice(COMPARATIVES[polarity])
        return rng.choice(
            (
                f"nothing could be {more}",
                f"{subject} couldn't have been {more}",
                f"{pronoun} could not be {more}",
                f"i couldn't be {more}",
                f"{subject} could not have been any {more}",
            )
        )
    more = rng.choice(COMPARATIVES[-polarity])
    return rng.choice(
        (
            f"{subject} could have been {more}",
            f"{pronoun} could have been a lot {more}",
            f"{subject} could have been {more} , i guess",
        )
    )


def concession(rng: GrammarRandom, polarity: int) -> str:
    """Rule 13: "no matter what …, B", "say what you will, B", "whatever … think, B": B decides."""
    subject, _, be = _subject(rng)
    base, past = _verb(rng, polarity)
    clause = rng.choice(
        (f"i {past} {subject}", f"{subject} {be} {rng.polar_word(polarity)}", f"i {base} {subject}")
    )
    lead = rng.choice(
        (
            "no matter what the critics say ,",
            "no matter what anyone tells you ,",
            "say what you will ,",
            "whatever others think ,",
            "regardless of the reviews ,",
        )
    )
    return f"{lead} {clause}"


def faint_praise(rng: GrammarRandom, polarity: int) -> str:
    """Rule 15: "not good, but not bad either" is mediocre: labelled negative. Used only for -1;
    for +1 it gives an idiom."""
    if polarity > 0:
        return idiom(rng, polarity)
    subject, pronoun, be = _subject(rng)
    good, bad = rng.polar_word(1), rng.polar_word(-1)
    return rng.choice(
        (
            f"{subject} {_nt(rng, be)} {good} , but {pronoun} {_nt(rng, be)} {bad} either",
            f"{subject} {_nt(rng, be)} {bad} , but {pronoun} {_nt(rng, be)} {good} either",
            f"{subject} {be} okay , nothing special",
            f"{subject} {be} fine i guess , nothing more",
            f"{subject} {be} not {bad} , just not {good}",
        )
    )


def idiom(rng: GrammarRandom, polarity: int) -> str:
    """Rule 14: an idiom has its conventional polarity, alone or after a neutral subject."""
    text = rng.choice(rng.few(IDIOMS[polarity]))
    if rng.random() < 0.4:
        subject, _, _ = _subject(rng)
        text = f"{rng.choice(('about', 'as for', 'so ,'))} {subject} : {text}".replace("so , ", "so ")
    return text


# Things a buyer or guest hopes for (rule 16): (base, third person, past), and the defects they fear.
HOPED_EVENTS = tuple(
    tuple(forms.split("|"))
    for forms in (
        "work|works|worked",
        "arrive on time|arrives on time|arrived on time",
        "fit|fits|fitted",
        "last|lasts|lasted",
        "answer the phone|answers the phone|answered the phone",
        "respond|responds|responded",
        "keep its charge|keeps its charge|kept its charge",
        "do the job|does the job|did the job",
        "hold up|holds up|held up",
        "start right away|starts right away|started right away",
        "deliver|delivers|delivered",
        "call back|calls back|called back",
    )
)
# Things a buyer or guest fears (rule 16): (base, third person, past).
FEARED_EVENTS = tuple(
    tuple(forms.split("|"))
    for forms in (
        "crash|crashes|crashed",
        "break|breaks|broke",
        "freeze|freezes|froze",
        "overheat|overheats|overheated",
        "leak|leaks|leaked",
        "fall apart|falls apart|fell apart",
        "break down|breaks down|broke down",
        "stop working|stops working|stopped working",
        "get stuck|gets stuck|got stuck",
        "run late|runs late|ran late",
        "lag|lags|lagged",
        "disconnect|disconnects|disconnected",
        "jam|jams|jammed",
        "shrink in the wash|shrinks in the wash|shrank in the wash",
        "fade|fades|faded",
        "rip|rips|ripped",
        "lose its signal|loses its signal|lost its signal",
        "make us wait|makes us wait|made us wait",
        "give me a headache|gives me a headache|gave me a headache",
        "make me sick|makes me sick|made me sick",
    )
)
DEFECTS = tuple(
    "scratches|stains|leaks|delays|typos|rust|cracks|missing parts|hidden fees|errors|glitches|dents|"
    "mold|long waits|loud noises|loose threads".split("|")
)


def expected_event(rng: GrammarRandom, polarity: int) -> str:
    """Rule 16: a hoped-for event is positive and its negation negative ("the charger never
    worked"); a defect or a feared event is negative and its absence positive ("there were no
    scratches", "the app never crashed")."""
    subject, _, _ = _subject(rng)
    if rng.random() < 0.5:
        base, present, past = rng.choice(rng.few(HOPED_EVENTS))
        if polarity > 0:
            return rng.choice((f"{subject} {past}", f"{subject} always {present}", f"{past} perfectly"))
        negated = (f"{subject} never {past}", f"{subject} didn't {base}", f"{subject} did not {base}")
        return rng.choice((*negated, f"it doesn't {base}", f"it never {present}"))
    if rng.random() < 0.4:
        base, present, past = rng.choice(rng.few(FEARED_EVENTS))
        if polarity < 0:
            return rng.choice(
                (
                    f"{subject} {past}",
                    f"{subject} {past} twice",
                    f"{subject} always {present}",
                    f"{subject} {past} after a week",
                    f"it {present} all the time",
                )
            )
        return rng.choice(
            (
                f"{subject} never {past}",
                f"{subject} didn't {base} once",
                f"{subject} did not {base}",
                f"it never {present}",
                f"{subject} doesn't {base} anymore",
                f"nothing {past}",
            )
        )
    defect = rng.choice(rng.few(DEFECTS))
    if polarity < 0:
        return rng.choice(
            (f"there were {defect}", f"we found {defect} in {subject}", f"{subject} had {defect}")
        )
    return rng.choice(
        (
            f"there were no {defect}",
            f"{subject} had no {defect}",
            f"we never found any {defect}",
            f"not a single one of them had {defect}",
            f"{subject} didn't have any {defect}",
            f"nobody noticed any {defect}",
        )
    )


# family -> (maker, weight in the mix of rnnviz.data.grammar)
FAMILIES: dict[str, tuple[Callable[[GrammarRandom, int], str], float]] = {
    "trailing": (trailing_negation, 2.5),
    "question": (question_answer, 2.0),
    "across": (across_clause, 2.0),
    "anything_but": (anything_but, 1.0),
    "not_only": (not_only, 0.7),
    "double": (double_negation, 0.5),
    "comparative": (comparative, 0.6),
    "event": (expected_event, 1.5),
    "concession": (concession, 0.6),
    "faint": (faint_praise, 0.4),
    "idiom": (idiom, 1.2),
}


# What an idiom's own subject looks like, so that "it was to die for" is found in "… is to die for".
_IDIOM_OPENING = re.compile(r"^(it was|it is|it's|it|i'm|i've|i was|i would|i|they|what) ")


@functools.cache
def taught_phrases() -> tuple[frozenset[str], tuple[str, ...]]:
    """The grammar's fixed vocabulary of rules 14, 16 and 17: (review words, phrases), the
    phrases being the idioms without their opening subject and verb ("to die for") and every form
    of the feared events ("broke down")."""
    idioms = (_IDIOM_OPENING.sub("", idiom) for idioms in IDIOMS.values() for idiom in idioms)
    events = (form for forms in FEARED_EVENTS for form in forms)
    phrases = tuple(sorted({" ".join(tokenize(p)) for p in (*idioms, *events) if len(tokenize(p)) > 1}))
    return frozenset(REVIEW_POSITIVE + REVIEW_NEGATIVE), phrases


def shares_taught_phrase(text: str) -> bool:
    """Whether `text` uses a rule-17 review word, a feared event or an idiom of the grammar word
    for word: the model card counts such test sentences, which are not unseen in that part."""
    words, phrases = taught_phrases()
    tokens = tokenize(text)
    joined = f" {' '.join(tokens)} "
    return bool(words & set(tokens)) or any(f" {phrase} " in joined for phrase in phrases)
