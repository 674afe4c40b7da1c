"""The built-in sentence grammar: labelled sentiment sentences whose labels follow documented
composition rules (negation, contrast, opinion frames), and the long-range memory sentences.

Sentences are generated from templates, a sentiment vocabulary (POSITIVE_WORDS,
NEGATIVE_WORDS; every one that appears in the VADER lexicon shipped with vaderSentiment has
the matching sign there, a test checks it) and neutral nouns and filler. Labels follow these
composition rules:

  1. A sentiment word has a polarity: +1 (positive) or -1 (negative). A clause with one
     sentiment word (or two of the same polarity) has that polarity: "the film was good".
  2. Intensifiers ("very", "really", "so" …) and neutral filler ("in my opinion", "last
     week", "which i saw last week", a neutral sentence before or after) never change a
     polarity.
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

`long_range_dataset` makes sentences "<sentiment word> <n neutral filler words>", labelled
with the word's polarity, to measure how long each cell type remembers.
"""

from __future__ import annotations

import random

from rnnviz.data.dataset import LABELS, NEGATIVE, POSITIVE, TextDataset

POSITIVE_WORDS = tuple(
    """good great excellent wonderful fantastic brilliant amazing enjoyable delightful superb lovely
    charming beautiful pleasant fun funny clever impressive smart satisfying entertaining perfect nice
    awesome terrific marvelous outstanding remarkable gorgeous thoughtful inspiring elegant powerful
    exciting interesting fascinating friendly helpful comfortable delicious worthwhile pleasing stunning
    sweet cool splendid magnificent glorious hilarious heartwarming creative admirable adorable
    breathtaking cheerful convincing engaging fabulous flawless gracious humorous intelligent lively
    playful rewarding thrilling valuable vibrant worthy useful talented romantic joyful wise kind gentle
    calm peaceful honest brave generous safe clean healthy lucky proud happy glad grateful excited relaxing
    fine ideal super classy cute neat clear easy efficient effective sincere respectful hopeful optimistic
    positive successful welcome welcoming relaxed pleased satisfied thankful enthusiastic confident loyal
    trustworthy praiseworthy fair beloved blissful courteous graceful harmonious heroic jolly merry sunny
    superior""".split()
)
NEGATIVE_WORDS = tuple(
    """bad terrible awful horrible boring dull poor weak stupid disappointing annoying painful ugly lame
    pathetic dreadful messy unpleasant worthless useless irritating depressing ridiculous awkward
    confusing frustrating lousy crappy disgusting horrendous mindless tired rude dirty nasty miserable
    sad dumb careless clueless embarrassing idiotic incompetent insulting meaningless obnoxious offensive
    pitiful shameful sickening unacceptable uncomfortable upsetting woeful flawed hopeless horrific
    joyless ludicrous stressful cheerless disastrous unfriendly unhappy tedious mediocre bland pointless
    forgettable sloppy shallow unclear greedy jealous cruel harsh bitter angry scary broken fake wrong
    guilty lonely hostile dangerous damaged defective lazy selfish arrogant cowardly dishonest fearful grim
    hateful hurtful inferior inadequate negative nervous outrageous problematic regrettable rotten
    scandalous unfair unfortunate unhealthy unsatisfied unsuccessful unwelcome vicious worried gross
    dreary dismal feeble sucky tragic vile""".split()
)
# Sentiment verbs: (base form, past tense).
POSITIVE_VERBS = (
    ("like", "liked"),
    ("love", "loved"),
    ("enjoy", "enjoyed"),
    ("adore", "adored"),
    ("admire", "admired"),
    ("appreciate", "appreciated"),
    ("recommend", "recommended"),
    ("praise", "praised"),
)
NEGATIVE_VERBS = (
    ("hate", "hated"),
    ("dislike", "disliked"),
    ("despise", "despised"),
    ("loathe", "loathed"),
    ("detest", "detested"),
    ("regret", "regretted"),
)
# Verbs whose subject is the thing judged: (base, third person singular, past).
POSITIVE_AGENT_VERBS = (
    ("impress", "impresses", "impressed"),
    ("delight", "delights", "delighted"),
    ("satisfy", "satisfies", "satisfied"),
    ("inspire", "inspires", "inspired"),
    ("amaze", "amazes", "amazed"),
    ("charm", "charms", "charmed"),
    ("entertain", "entertains", "entertained"),
    ("please", "pleases", "pleased"),
    ("succeed", "succeeds", "succeeded"),
    ("help", "helps", "helped"),
)
NEGATIVE_AGENT_VERBS = (
    ("disappoint", "disappoints", "disappointed"),
    ("fail", "fails", "failed"),
    ("bore", "bores", "bored"),
    ("annoy", "annoys", "annoyed"),
    ("frustrate", "frustrates", "frustrated"),
    ("irritate", "irritates", "irritated"),
    ("upset", "upsets", "upset"),
    ("offend", "offends", "offended"),
    ("disgust", "disgusts", "disgusted"),
    ("depress", "depresses", "depressed"),
)
# How the thing judged left people: "the film kept me interested", "nobody laughed".
POSITIVE_FEELINGS = tuple("interested entertained satisfied impressed happy excited thrilled".split())
NEGATIVE_FEELINGS = tuple("bored annoyed confused disappointed angry frustrated".split())
POSITIVE_REACTIONS = ("laughed", "smiled", "cheered", "applauded", "giggled")
NEGATIVE_REACTIONS = ("complained",)
# Nouns that carry the judgement: "it is a masterpiece", "it was no disaster".
POSITIVE_NOUNS = tuple("masterpiece treat delight joy pleasure success triumph winner blessing".split())
NEGATIVE_NOUNS = tuple("disaster mess failure waste disappointment catastrophe tragedy problem".split())
INTENSIFIERS = tuple("very really so extremely truly quite incredibly absolutely totally especially".split())
# Neutral subjects from many domains, so that negation is not tied to films.
_PLURAL_SUBJECTS = frozenset(
    "the characters|the lyrics|the songs|the effects|the pictures|the headphones|the actors".split("|")
)
SUBJECTS: tuple[tuple[str, bool], ...] = tuple(  # (noun phrase, is plural)
    (phrase, phrase in _PLURAL_SUBJECTS)
    for phrase in (
        "the movie|this film|the film|the plot|the acting|the ending|the story|the soundtrack|the dialogue|"
        "the script|the book|this volume|the food|the service|the hotel|the room|this phone|the battery|"
        "the game|the show|this album|the concert|the restaurant|the staff|the camera|the trip|the class|"
        "the lecture|the weather|the meeting|her performance|his voice|the lead actor|the actress|"
        "the meal|the coffee|this laptop|the app|the update|the interview|the museum|the series|"
        "the director's new movie|the sequel|the first episode|the second half|the last chapter|the menu|"
        "the course|the team|this car|the tour|the hike|the speech|the ceremony|the wedding|"
        "the musical|" + "|".join(sorted(_PLURAL_SUBJECTS))
    ).split("|")
)
NOUNS = tuple(
    """movie film story book meal restaurant hotel phone game show album concert experience performance
    evening trip day class lecture product purchase episode series song record
    dinner vacation course app car""".split()
)
# Preposed filler: adds distance and noise, never sentiment.
PREFIXES = (
    "as i said before ,",
    "in my opinion ,",
    "as far as i can tell ,",
    "all in all ,",
    "for the record ,",
    "at the end of the day ,",
    "if you ask me ,",
    "on the whole ,",
    "after the second time ,",
    "in short ,",
    "overall ,",
    "so ,",
)
SUFFIXES = (
    "last night",
    "last week",
    "on tuesday",
    "this time",
    "for the most part",
    "from start to finish",
    "in the end",
    "as far as i remember",
    "in every way",
    "if you ask me",
    "at least for me",
)
RELATIVES = (
    "which i saw last week",
    "that my sister chose",
    "that we tried on saturday",
    "which came out in may",
    "that everyone was talking about",
    "which i read on the train",
    "that my parents picked",
    "which we watched at home",
)
# Neutral sentences that add length and context, never sentiment.
CONTEXTS = (
    "we went there last weekend",
    "i watched it with my parents",
    "we saw it on a sunday afternoon in march",
    "i read it on the train to work",
    "my sister bought it for my birthday",
    "we ordered it online last month",
    "it came out two years ago",
    "i finally tried it after waiting for weeks",
    "we booked it for the whole family",
    "i went in without knowing anything about it",
    "the tickets were sold out on the first day",
    "we had to wait twenty minutes for a table",
    "it is the third one in the series",
    "my neighbour told me about it",
)
# (frame before the clause, flips the clause's polarity)
FRAMES = (
    ("i think", False),
    ("i believe", False),
    ("i feel that", False),
    ("everyone agrees that", False),
    ("my friends said", False),
    ("it is true that", False),
    ("i would say", False),
    ("i do not think", True),
    ("i don't think", True),
    ("i did not feel that", True),
    ("i do not believe that", True),
    ("i can't say that", True),
    ("i wouldn't say", True),
    ("i would never say that", True),
    ("nobody thinks", True),
    ("no one would say that", True),
    ("it is not true that", True),
    ("none of us felt that", True),
)
_BE = {False: ("is", "was"), True: ("are", "were")}
_NEGATED_BE = {
    False: ("is not", "was not", "isn't", "wasn't", "is never", "was never"),
    True: ("are not", "were not", "aren't", "weren't", "are never", "were never"),
}
_DISTANT_BE = {
    False: ("does not seem", "did not seem", "doesn't look", "didn't feel", "never felt", "never seemed"),
    True: ("do not seem", "did not seem", "don't look", "didn't feel", "never felt", "never seemed"),
}
_SOFT_NEGATORS = ("hardly", "barely", "far from", "by no means", "not at all", "not exactly")
_FILLER_WORDS = tuple(
    """the a of and then we went home to it in on at with my this that last week tuesday after before
    they he she was had our there here into about from around during until again also just""".split()
)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


class _GrammarRandom(random.Random):
    """A seeded random source that also carries the sentiment words a grammar may use."""

    def __init__(self, seed: str, n_words: int | None = None) -> None:
        super().__init__(seed)
        self.words = {1: POSITIVE_WORDS[:n_words], -1: NEGATIVE_WORDS[:n_words]}
        self.verbs = {1: POSITIVE_VERBS[:n_words], -1: NEGATIVE_VERBS[:n_words]}
        self.agent_verbs = {1: POSITIVE_AGENT_VERBS[:n_words], -1: NEGATIVE_AGENT_VERBS[:n_words]}
        self.nouns = {1: POSITIVE_NOUNS[:n_words], -1: NEGATIVE_NOUNS[:n_words]}
        self.feelings = {1: POSITIVE_FEELINGS[:n_words], -1: NEGATIVE_FEELINGS[:n_words]}
        self.reactions = {1: POSITIVE_REACTIONS[:n_words], -1: NEGATIVE_REACTIONS[:n_words]}


def _polar_word(rng: _GrammarRandom, polarity: int) -> str:
    return rng.choice(rng.words[1 if polarity > 0 else -1])


def _clause(rng: _GrammarRandom, polarity: int, negate: bool) -> str:
    """A clause with final polarity `polarity`, negated (at most once) when `negate`."""
    subject, plural = rng.choice(SUBJECTS)
    word_polarity = -polarity if negate else polarity
    word = _polar_word(rng, word_polarity)
    if not negate:
        kind = rng.randrange(4)
        if kind == 0:
            return f"{subject} {rng.choice(_BE[plural])} {word}"
        if kind == 1:
            return f"{subject} {rng.choice(_BE[plural])} {rng.choice(INTENSIFIERS)} {word}"
        if kind == 2:
            verb = "seem" if plural else "seems"
            return f"{subject} {rng.choice((verb, 'looked', 'felt', 'turned out to be'))} {word}"
        return f"{subject} , {rng.choice(RELATIVES)} , {rng.choice(_BE[plural])} {word}"
    kind = rng.randrange(5)
    if kind == 0:
        return f"{subject} {rng.choice(_NEGATED_BE[plural])} {word}"
    if kind == 1:
        return f"{subject} {rng.choice(_DISTANT_BE[plural])} {word}"
    if kind == 2 and word_polarity > 0:  # rule 3: soft negators and not + intensifier only with positive
        negator = rng.choice((*_SOFT_NEGATORS, f"not {rng.choice(INTENSIFIERS)}"))
        return f"{subject} {rng.choice(_BE[plural])} {negator} {word}"
    if kind == 3:
        other = _polar_word(rng, word_polarity)
        if other != word and rng.random() < 0.5:
            return f"{subject} {rng.choice(_BE[plural])} neither {word} nor {other}"
        if other != word:  # "not A or B" means "neither A nor B"
            return f"{subject} {rng.choice(_NEGATED_BE[plural])} {word} or {other}"
    return f"{subject} , {rng.choice(RELATIVES)} , {rng.choice(_NEGATED_BE[plural])} {word}"


def _verb_sentence(rng: _GrammarRandom, polarity: int, negate: bool) -> str:
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


def _noun_sentence(rng: _GrammarRandom, polarity: int, negate: bool) -> str:
    word_polarity = -polarity if negate else polarity
    if rng.random() < 0.35:  # a noun carries the judgement
        return _judging_noun_sentence(rng, word_polarity, negate)
    word = _polar_word(rng, word_polarity)
    noun = rng.choice(NOUNS)
    subject, _ = rng.choice(SUBJECTS)
    article = _article(word)
    if not negate:
        intensifier = rng.choice(INTENSIFIERS)
        return rng.choice(
            (
                f"it was {article} {word} {noun}",
                f"what {article} {word} {noun}",
                f"this is {_article(intensifier)} {intensifier} {word} {noun}",
                f"there is something {word} about {subject}",
                f"{subject} has some {word} moments",
                f"we had {article} {word} time",
            )
        )
    return rng.choice(
        (
            f"it was not {article} {word} {noun}",
            f"it wasn't {article} {word} {noun}",
            f"this is no {word} {noun}",
            f"there is nothing {word} about {subject}",
            f"nothing about {subject} was {word}",
            f"{subject} has no {word} moments",
            f"there were no {word} scenes in {subject}",
            f"none of the songs were {word}",
            f"it was never {article} {word} {noun}",
        )
    )


def _judging_noun_sentence(rng: _GrammarRandom, noun_polarity: int, negate: bool) -> str:
    noun = rng.choice(rng.nouns[noun_polarity])
    subject, plural = rng.choice(SUBJECTS)
    be = rng.choice(_BE[plural])
    a = "" if plural else f"{_article(noun)} "
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


def _feeling_sentence(rng: _GrammarRandom, polarity: int, negate: bool) -> str:
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


def _simple(rng: _GrammarRandom, polarity: int, negate: bool) -> str:
    maker = rng.choices((_clause, _verb_sentence, _noun_sentence, _feeling_sentence), weights=(5, 2, 2, 2))[0]
    return maker(rng, polarity, negate)


def _sentence(rng: _GrammarRandom, polarity: int) -> str:
    """One grammar sentence with label `polarity` (+1/-1); see the module docstring's rules."""
    kind = rng.choices(("plain", "negated", "contrast", "frame", "and"), weights=(3, 4, 2, 2, 1))[0]
    if kind in ("plain", "negated"):
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
            text = f"despite the {_polar_word(rng, a_polarity)} {noun} , {b}"
    if rng.random() < 0.2:
        text = f"{rng.choice(PREFIXES)} {text}"
    if rng.random() < 0.15:
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


def grammar_dataset(size: int = 20_000, seed: int = 0, n_words: int | None = None) -> TextDataset:
    """`size` distinct grammar sentences, half negative and half positive, in random order.

    Deterministic for given arguments. Tens of thousands of distinct sentences exist.
    n_words: use only the first n_words positive and negative words and verbs (the commonest,
    "good", "bad" …): a smaller grammar that a small network learns in seconds.
    """
    if not isinstance(size, int) or not 2 <= size <= 200_000:
        raise ValueError(f"the grammar dataset size must be a whole number from 2 to 200000; got {size!r}")
    if n_words is not None and (not isinstance(n_words, int) or n_words < 2):
        raise ValueError(f"n_words must be a whole number of at least 2, or None for all; got {n_words!r}")
    rng = _GrammarRandom(f"rnnviz-grammar-{seed}", n_words)
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
        text = _sentence(rng, 1 if label == POSITIVE else -1)
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
        labels.append(label)
        wanted[label] -= 1
    words = "" if n_words is None else f", {n_words} words per polarity"
    return TextDataset(tuple(texts), tuple(labels), LABELS, f"builtin grammar (seed {seed}{words})")


def long_range_dataset(n_filler: int, size: int = 2_000, seed: int = 0) -> TextDataset:
    """Sentences "<sentiment word> <n_filler neutral words>", labelled with the word's polarity.

    Every sentence has exactly 1 + n_filler tokens; the answer sits at the very start, so a
    model reading left to right must carry it across all the filler.
    """
    if not isinstance(n_filler, int) or not 0 <= n_filler <= 1000:
        raise ValueError(f"n_filler must be a whole number from 0 to 1000; got {n_filler!r}")
    if not isinstance(size, int) or not 2 <= size <= 200_000:
        raise ValueError(f"size must be a whole number from 2 to 200000; got {size!r}")
    rng = _GrammarRandom(f"rnnviz-long-range-{n_filler}-{seed}")
    texts, labels = [], []
    for i in range(size):
        label = i % 2
        filler = " ".join(rng.choice(_FILLER_WORDS) for _ in range(n_filler))
        texts.append(f"{_polar_word(rng, 1 if label else -1)} {filler}".strip())
        labels.append(label)
    order = list(range(size))
    rng.shuffle(order)
    return TextDataset(
        tuple(texts[i] for i in order),
        tuple(labels[i] for i in order),
        LABELS,
        f"long range, {n_filler} filler words",
    )
