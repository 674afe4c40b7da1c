"""The built-in sentence grammar: labelled sentiment sentences whose labels follow documented
composition rules (negation, contrast, opinion frames), and the long-range memory sentences.

Sentences are generated from templates, a sentiment vocabulary (POSITIVE_WORDS,
NEGATIVE_WORDS; every one that appears in the VADER lexicon shipped with vaderSentiment has
the matching sign there, a test checks it) and neutral nouns and filler. Labels follow these
composition rules:

  1. A sentiment word has a polarity: +1 (positive) or -1 (negative). A clause with one
     sentiment word (or two of the same polarity) has that polarity: "the film was good".
  2. Intensifiers ("very", "really", "so" …), tense ("is", "has been", "won't be"), linking
     verbs ("tasted", "sounded") and neutral filler ("in my opinion", "last week", "which i
     saw last week", "to everyone", "since the update", a neutral sentence before or after)
     never change a polarity.
  3. One negator flips the polarity of what it governs, next to the word or at a distance:
     not, n't, never, no, nothing, none, nobody, no one, neither … nor, not … or, hardly,
     barely, far from, by no means; "i do not think the film is good" is negative, "not bad" and
     "there is nothing bad about it" are positive. There is never more than one negator per
     clause. "hardly", "barely" and negator + intensifier ("not very good") are combined only
     with positive words: "not very bad" does not clearly mean "good".
  4. Two clauses joined by "and" agree (either may be negated): "the food was great and the
     staff weren't rude" is positive. Contrast: the main clause wins. "A but B",
     "A; however, B", "although A, B", "B, although A", "B, even though A" and
     "despite <A's noun phrase>, B" all take B's label.
  5. Opinion frames keep the label of what they frame ("i think the film is good" is
     positive); negated frames flip it (rule 3).

The families of rnnviz.data.grammar_families add the ways people write negation:

  6. Trailing negation: an expectation or claim ("i expected the food to be great", "the
     hotel was supposed to be clean") followed by a bare negator at the end (", but it
     wasn't", ". not at all", ", but no", "but i didn't") takes the opposite polarity of the
     expectation; followed by a confirmation (", and it was") it keeps it.
  7. Question and answer: "was the hotel clean ? no" — "no", "nope", "not really" … flip the
     polarity asked about, "yes", "absolutely" … keep it. A negated question with no answer
     ("wasn't the view lovely ?", "…, isn't it ?") expects yes: the word's polarity.
  8. Negation across an inserted clause: a negator keeps its scope across a neutral aside
     ("the room was not , to be honest , clean" is negative), as in rule 3.
  9. "anything but X" means not X, for either polarity ("anything but boring" is positive);
     "far from", "hardly", "barely" only with positive X (rule 3); "nothing but X" keeps X.
 10. "not only X but (also) Y": X and Y share a polarity and the label is that polarity; the
     "not" negates nothing.
 11. Double negation: two negators on one clause cancel ("i didn't not like it", "there was
     nothing i didn't enjoy") — the one exception to rule 3's one negator per clause.
 12. Negated comparatives: "nothing could be better", "i couldn't be happier" mean the best,
     "it couldn't be worse" the worst (the comparative's polarity); "could have been better"
     says it was not (the opposite: negative), "could have been worse" positive.
 13. Concession: "no matter what the critics say , B", "say what you will , B": B decides.
 14. Idioms have their conventional polarity ("worth every penny", "never again", "a waste of
     money", "i couldn't wait to see it again"), also after a neutral "as for <subject> :".
 15. Faint praise: "not good , but not bad either", "okay , nothing special" describe
     something mediocre and are labelled negative, like "mediocre" itself; rule 3's "not bad"
     is positive only when nothing else hedges it.
 16. Hoped-for events and defects: an event a buyer hopes for ("it worked", "it arrived on
     time") is positive and its negation negative ("the charger never worked"); a defect
     ("scratches", "leaks") or a feared event ("it crashed", "it broke after a week") is
     negative and its absence positive ("there were no leaks", "it never crashed").
 17. Everyday review words have the polarity reviews give them: "stale", "overpriced",
     "laggy" are negative, "crispy", "spotless", "sturdy" positive (POSITIVE_WORDS and
     NEGATIVE_WORDS in rnnviz.data.grammar_words; none disagrees with VADER's sign), and
     follow rules 1-15 like any other sentiment word.

`long_range_dataset` makes sentences "<sentiment word> <n neutral filler words>", labelled
with the word's polarity, to measure how long each cell type remembers.
"""

from __future__ import annotations

from rnnviz.data.dataset import LABELS, NEGATIVE, POSITIVE, TextDataset
from rnnviz.data.grammar_families import FAMILIES, FEARED_EVENTS
from rnnviz.data.grammar_words import (
    BE,
    CONTEXTS,
    DISTANT_BE,
    FILLER_WORDS,
    FRAMES,
    INTENSIFIERS,
    LINKING,
    NEGATED_BE,
    NEGATIVE_AGENT_VERBS,
    NEGATIVE_FEELINGS,
    NEGATIVE_NOUNS,
    NEGATIVE_REACTIONS,
    NEGATIVE_VERBS,
    NEGATIVE_WORDS,
    NOUNS,
    POSITIVE_AGENT_VERBS,
    POSITIVE_FEELINGS,
    POSITIVE_NOUNS,
    POSITIVE_REACTIONS,
    POSITIVE_VERBS,
    POSITIVE_WORDS,
    PREFIXES,
    RELATIVES,
    SOFT_NEGATORS,
    SUBJECTS,
    SUFFIXES,
    GrammarRandom,
    article,
)


def _clause(rng: GrammarRandom, polarity: int, negate: bool) -> str:
    """A clause with final polarity `polarity`, negated (at most once) when `negate`."""
    subject, plural = rng.choice(SUBJECTS)
    word_polarity = -polarity if negate else polarity
    word = rng.polar_word(word_polarity)
    if not negate:
        kind = rng.randrange(4)
        if kind == 0:
            return f"{subject} {rng.choice(BE[plural])} {word}"
        if kind == 1:
            return f"{subject} {rng.choice(BE[plural])} {rng.choice(INTENSIFIERS)} {word}"
        if kind == 2:
            verb = rng.choice(LINKING)
            if plural and verb.endswith("s") and not verb.endswith("ss"):
                verb = verb[:-1]  # "the songs seem", "the rooms feel"
            return f"{subject} {verb} {word}"
        return f"{subject} , {rng.choice(RELATIVES)} , {rng.choice(BE[plural])} {word}"
    kind = rng.randrange(5)
    if kind == 0:
        return f"{subject} {rng.choice(NEGATED_BE[plural])} {word}"
    if kind == 1:
        return f"{subject} {rng.choice(DISTANT_BE[plural])} {word}"
    if kind == 2 and word_polarity > 0:  # rule 3: soft negators and not + intensifier only with positive
        negator = rng.choice((*SOFT_NEGATORS, f"not {rng.choice(INTENSIFIERS)}"))
        return f"{subject} {rng.choice(BE[plural])} {negator} {word}"
    if kind == 3:
        other = rng.polar_word(word_polarity)
        if other != word and rng.random() < 0.5:
            return f"{subject} {rng.choice(BE[plural])} neither {word} nor {other}"
        if other != word:  # "not A or B" means "neither A nor B"
            return f"{subject} {rng.choice(NEGATED_BE[plural])} {word} or {other}"
    return f"{subject} , {rng.choice(RELATIVES)} , {rng.choice(NEGATED_BE[plural])} {word}"


def _verb_sentence(rng: GrammarRandom, polarity: int, negate: bool) -> str:
    verb_polarity = -polarity if negate else polarity
    subject, plural = rng.choice(SUBJECTS)
    if rng.random() < 0.5:  # the thing judged is the subject: "the film impressed me"
        base, third, past = rng.choice(rng.agent_verbs[verb_polarity])
        present = base if plural else third
        do = "do" if plural else "does"
        if not negate:
            return rng.choice(
                (
                    f"{subject} {present}",
                    f"{subject} {past} me",
                    f"{subject} really {past} us",
                    f"{subject} always {present}",
                    f"{subject} {past} everyone",
                )
            )
        return rng.choice(
            (
                f"{subject} never {present}",
                f"{subject} {do} not {base}",
                f"{subject} {do}n't {base}",
                f"{subject} did not {base} me",
                f"{subject} didn't {base} anyone",
                f"{subject} never {past} us",
            )
        )
    base, past = rng.choice(rng.verbs[verb_polarity])
    if not negate:
        who = rng.choice(("i", "we", "everyone", "my friends", "my brother", "the critics", "we all"))
        return rng.choice(
            (f"{who} {past} {subject}", f"{who} really {past} {subject}", f"i {base} {subject}")
        )
    return rng.choice(
        (
            f"i did not {base} {subject}",
            f"i didn't {base} {subject}",
            f"we don't {base} {subject}",
            f"i never {past} {subject}",
            f"nobody {past} {subject}",
            f"no one {past} {subject}",
            f"i would not {base} {subject}",
            f"i can't say i {past} {subject}",
            f"none of my friends {past} {subject}",
        )
    )


def _noun_sentence(rng: GrammarRandom, polarity: int, negate: bool) -> str:
    word_polarity = -polarity if negate else polarity
    if rng.random() < 0.35:  # a noun carries the judgement
        return _judging_noun_sentence(rng, word_polarity, negate)
    word = rng.polar_word(word_polarity)
    noun = rng.choice(NOUNS)
    subject, _ = rng.choice(SUBJECTS)
    a_word = article(word)
    if not negate:
        intensifier = rng.choice(INTENSIFIERS)
        return rng.choice(
            (
                f"it was {a_word} {word} {noun}",
                f"what {a_word} {word} {noun}",
                f"this is {article(intensifier)} {intensifier} {word} {noun}",
                f"there is something {word} about {subject}",
                f"{subject} has some {word} moments",
                f"we had {a_word} {word} time",
            )
        )
    return rng.choice(
        (
            f"it was not {a_word} {word} {noun}",
            f"it wasn't {a_word} {word} {noun}",
            f"this is no {word} {noun}",
            f"there is nothing {word} about {subject}",
            f"nothing about {subject} was {word}",
            f"{subject} has no {word} moments",
            f"there were no {word} scenes in {subject}",
            f"none of the songs were {word}",
            f"it was never {a_word} {word} {noun}",
        )
    )


def _judging_noun_sentence(rng: GrammarRandom, noun_polarity: int, negate: bool) -> str:
    noun = rng.choice(rng.nouns[noun_polarity])
    subject, plural = rng.choice(SUBJECTS)
    be = rng.choice(BE[plural])
    a = "" if plural else f"{article(noun)} "
    if plural:
        noun = {"mess": "messes", "success": "successes", "catastrophe": "catastrophes"}.get(noun, noun + "s")
    if not negate:
        return rng.choice(
            (f"{subject} {be} {a}{noun}", f"{subject} {be} {'' if plural else 'a '}real {noun}")
        )
    choices = [
        f"{subject} {be} not {a}{noun}",
        f"{subject} {be} no {noun}",
        f"{subject} {be} never {a}{noun}",
    ]
    if noun_polarity > 0:  # rule 3: soft negators with positive words only
        choices.append(f"{subject} {be} hardly {a}{noun}")
    return rng.choice(choices)


def _feeling_sentence(rng: GrammarRandom, polarity: int, negate: bool) -> str:
    word_polarity = -polarity if negate else polarity
    subject, _ = rng.choice(SUBJECTS)
    if rng.random() < 0.3:  # a reaction; the negation sits in the subject: "nobody laughed"
        reaction = rng.choice(rng.reactions[word_polarity])
        if not negate:
            return rng.choice(
                (
                    f"everyone {reaction}",
                    f"the whole audience {reaction}",
                    f"we all {reaction} during {subject}",
                )
            )
        return rng.choice(
            (
                f"nobody {reaction}",
                f"no one {reaction} during {subject}",
                f"not a single person {reaction}",
                f"we never {reaction} during {subject}",
            )
        )
    feeling = rng.choice(rng.feelings[word_polarity])
    if not negate:
        return rng.choice(
            (
                f"{subject} kept me {feeling}",
                f"{subject} left me {feeling}",
                f"{subject} made us {feeling}",
                f"i felt {feeling} after {subject}",
                f"we were {feeling} by {subject}",
            )
        )
    return rng.choice(
        (
            f"{subject} did not keep me {feeling}",
            f"{subject} didn't leave me {feeling}",
            f"{subject} never made us {feeling}",
            f"i did not feel {feeling} after {subject}",
            f"we weren't {feeling} by {subject}",
            f"at no point during {subject} was i {feeling}",
        )
    )


def _simple(rng: GrammarRandom, polarity: int, negate: bool) -> str:
    maker = rng.choices((_clause, _verb_sentence, _noun_sentence, _feeling_sentence), weights=(5, 2, 2, 2))[0]
    return maker(rng, polarity, negate)


# Families whose last words are their point ("…, but it wasn't", "…? no"): no tail after them.
END_FAMILIES = frozenset(("trailing", "question", "concession", "faint", "idiom"))


def _sentence(rng: GrammarRandom, polarity: int, families: bool = True) -> str:
    """One grammar sentence with label `polarity` (+1/-1); see the module docstring's rules."""
    extra = FAMILIES if families else {}
    kinds = ("plain", "negated", "contrast", "frame", "and", *extra)
    weights = (4, 5, 2, 2, 1, *(weight for _, weight in extra.values()))
    kind = rng.choices(kinds, weights=weights)[0]
    if kind in FAMILIES:  # rules 6-16, rnnviz.data.grammar_families
        text = FAMILIES[kind][0](rng, polarity)
    elif kind in ("plain", "negated"):
        text = _simple(rng, polarity, negate=kind == "negated")
    elif kind == "and":  # rule 1: two clauses that agree, either of them negated
        first = _simple(rng, polarity, negate=rng.random() < 0.5)
        second = _simple(rng, polarity, negate=rng.random() < 0.5)
        text = f"{first} {rng.choice(('and', ', and', 'and also'))} {second}"
    elif kind == "frame":
        frame, flips = rng.choice(FRAMES)
        inner = -polarity if flips else polarity
        text = f"{frame} {_clause(rng, inner, negate=False)}"
    else:
        # Rule 4: the main clause B decides; A usually disagrees with it.
        a_polarity = -polarity if rng.random() < 0.8 else polarity
        a = _simple(rng, a_polarity, negate=rng.random() < 0.4)
        b = _simple(rng, polarity, negate=rng.random() < 0.4)
        form = rng.randrange(6)
        if form == 0:
            text = f"{a} , but {b}"
        elif form == 1:
            text = f"{a} but {b}"
        elif form == 2:
            text = f"{a} ; however , {b}"
        elif form == 3:
            text = f"although {a} , {b}"
        elif form == 4:
            text = f"{b} , {rng.choice(('although', 'even though', 'though'))} {a}"
        else:
            noun = rng.choice(NOUNS)
            text = f"despite the {rng.polar_word(a_polarity)} {noun} , {b}"
    if rng.random() < 0.2:
        text = f"{rng.choice(PREFIXES)} {text}"
    if rng.random() < 0.2 and kind not in END_FAMILIES:  # a tail never takes the verdict back
        text = f"{text} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.2:  # rule 2: a neutral sentence around it makes it longer, not different
        context = rng.choice(CONTEXTS)
        form = rng.randrange(3)
        if form == 0:
            text = f"{context} , and {text}"
        elif form == 1:
            text = f"{context} . {text}"
        else:
            text = f"{text} . {context}"
    return text + rng.choice(("", "", "", " .", " .", " !"))


def grammar_dataset(
    size: int = 20_000, seed: int = 0, n_words: int | None = None, families: bool = True
) -> TextDataset:
    """`size` distinct grammar sentences, half negative and half positive, in random order.

    Deterministic for given arguments. Tens of thousands of distinct sentences exist.
    n_words: use only the first n_words positive and negative words and verbs (the commonest,
    "good", "bad" …): a smaller grammar that a small network learns in seconds.
    families: also the families of rules 6-16 (rnnviz.data.grammar_families); False gives only
    rules 1-5.
    """
    if not isinstance(size, int) or not 2 <= size <= 200_000:
        raise ValueError(f"the grammar dataset size must be a whole number from 2 to 200000; got {size!r}")
    if n_words is not None and (not isinstance(n_words, int) or n_words < 2):
        raise ValueError(f"n_words must be a whole number of at least 2, or None for all; got {n_words!r}")
    rng = GrammarRandom(f"rnnviz-grammar-{seed}", n_words)
    wanted = {NEGATIVE: size // 2, POSITIVE: size - size // 2}
    seen: set[str] = set()
    texts: list[str] = []
    labels: list[int] = []
    attempts = 0
    while wanted[NEGATIVE] or wanted[POSITIVE]:
        attempts += 1
        if attempts > 20 * size + 1000:
            raise ValueError(f"the grammar cannot make {size} distinct sentences")
        label = NEGATIVE if wanted[POSITIVE] == 0 or (wanted[NEGATIVE] and rng.random() < 0.5) else POSITIVE
        text = _sentence(rng, 1 if label == POSITIVE else -1, families)
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
        labels.append(label)
        wanted[label] -= 1
    words = "" if n_words is None else f", {n_words} words per polarity"
    return TextDataset(tuple(texts), tuple(labels), LABELS, f"builtin grammar (seed {seed}{words})")


def polar_words() -> frozenset[str]:
    """Every token to which the grammar gives a polarity of its own: its sentiment words (rule
    17's among them), the forms of its verbs, feelings, reactions, judging nouns and one-word
    feared events. The calm-prefix loss (rnnviz.training.trainer.neutral_token_ids) does not call
    a prefix with one of them undecided, whether or not VADER knows the word."""
    verbs = POSITIVE_VERBS + NEGATIVE_VERBS + POSITIVE_AGENT_VERBS + NEGATIVE_AGENT_VERBS
    nouns = POSITIVE_NOUNS + NEGATIVE_NOUNS
    return frozenset(
        (
            *POSITIVE_WORDS,
            *NEGATIVE_WORDS,
            *(form for forms in verbs for form in forms),
            *POSITIVE_FEELINGS,
            *NEGATIVE_FEELINGS,
            *POSITIVE_REACTIONS,
            *NEGATIVE_REACTIONS,
            *(form for noun in nouns for form in (noun, noun + "s", noun + "es")),
            *(form for forms in FEARED_EVENTS for form in forms if " " not in form),
        )
    )


def long_range_dataset(n_filler: int, size: int = 2_000, seed: int = 0) -> TextDataset:
    """Sentences "<sentiment word> <n_filler neutral words>", labelled with the word's polarity.

    Every sentence has exactly 1 + n_filler tokens; the answer sits at the very start, so a
    model reading left to right must carry it across all the filler.
    """
    if not isinstance(n_filler, int) or not 0 <= n_filler <= 1000:
        raise ValueError(f"n_filler must be a whole number from 0 to 1000; got {n_filler!r}")
    if not isinstance(size, int) or not 2 <= size <= 200_000:
        raise ValueError(f"size must be a whole number from 2 to 200000; got {size!r}")
    rng = GrammarRandom(f"rnnviz-long-range-{n_filler}-{seed}")
    texts, labels = [], []
    for i in range(size):
        label = i % 2
        filler = " ".join(rng.choice(FILLER_WORDS) for _ in range(n_filler))
        texts.append(f"{rng.polar_word(1 if label else -1)} {filler}".strip())
        labels.append(label)
    order = list(range(size))
    rng.shuffle(order)
    return TextDataset(
        tuple(texts[i] for i in order),
        tuple(labels[i] for i in order),
        LABELS,
        f"long range, {n_filler} filler words",
    )
