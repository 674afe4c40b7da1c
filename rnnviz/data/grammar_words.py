"""The built-in grammar's words: sentiment words, verbs and nouns by polarity, neutral subjects,
filler and frames, and the seeded random source that draws from them (rnnviz.data.grammar
composes them into labelled sentences).

Every sentiment word that appears in the VADER lexicon shipped with vaderSentiment has the
matching sign there (tests/test_grammar.py checks it).
"""

from __future__ import annotations

import random

# Rule 17: what reviews of food, places, gadgets and books praise (none is negative in VADER).
REVIEW_POSITIVE = tuple(
    """polite patient fresh crispy crunchy tender juicy flavorful tasty savory spotless tidy spacious roomy
    cozy sturdy durable reliable affordable fast quick smooth responsive intuitive attentive punctual bright
    crisp sharp comfy soothing refreshing mouthwatering hearty filling prompt speedy seamless snappy
    lightweight polished professional knowledgeable informative insightful gripping riveting touching
    moving memorable catchy immersive uplifting spectacular phenomenal exceptional dependable
    accurate""".split()
)
_COMMON_POSITIVE = tuple(
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
POSITIVE_WORDS = _COMMON_POSITIVE + REVIEW_POSITIVE
# Rule 17: what they complain about (none is positive in VADER).
REVIEW_NEGATIVE = tuple(
    """stale soggy greasy burnt overcooked undercooked tasteless lukewarm chewy rubbery salty watery mushy
    cramped crowded noisy smelly filthy sticky flimsy fragile overpriced slow laggy buggy glitchy
    unreliable unresponsive leaky moldy dusty rusty faulty outdated clunky sluggish late delayed
    cluttered grimy shabby rundown overcrowded stuffy itchy blurry grainy muffled tinny choppy
    predictable repetitive clumsy overlong overrated underwhelming unwatchable unreadable inedible
    unbearable tacky gimmicky cheesy corny pricey dated drafty""".split()
)
_COMMON_NEGATIVE = tuple(
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
NEGATIVE_WORDS = _COMMON_NEGATIVE + REVIEW_NEGATIVE
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
PLURAL_SUBJECTS = frozenset(
    "the characters|the lyrics|the songs|the effects|the pictures|the headphones|the actors".split("|")
)
SUBJECTS: tuple[tuple[str, bool], ...] = tuple(  # (noun phrase, is plural)
    (phrase, phrase in PLURAL_SUBJECTS)
    for phrase in (
        "the movie|this film|the film|the plot|the acting|the ending|the story|the soundtrack|the dialogue|"
        "the script|the book|this volume|the food|the service|the hotel|the room|this phone|the battery|"
        "the game|the show|this album|the concert|the restaurant|the staff|the camera|the trip|the class|"
        "the lecture|the weather|the meeting|her performance|his voice|the lead actor|the actress|"
        "the meal|the coffee|this laptop|the app|the update|the interview|the museum|the series|"
        "the director's new movie|the sequel|the first episode|the second half|the last chapter|the menu|"
        "the course|the team|this car|the tour|the hike|the speech|the ceremony|the wedding|"
        "the musical|" + "|".join(sorted(PLURAL_SUBJECTS))
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
    # rule 2 also after the verdict: a neutral tail never takes it back
    "to everyone",
    "at night",
    "so far",
    "since the update",
    "during the trip",
    "on my old laptop",
    "for a beginner",
    "in the morning",
    "all day long",
    "the whole time",
    "most of the time",
    "after a week",
    "for the price",
    "for a weekday",
    "on both visits",
    "from what i saw",
    "every single time",
    "as of today",
    "when we arrived",
    "after the first hour",
    "in the second half",
    "on the way home",
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
# Copulas in several tenses (rule 2: tense changes nothing); "is" and "was" twice as often.
BE = {
    False: ("is", "was", "is", "was", "has been", "had been", "will be", "has always been"),
    True: ("are", "were", "are", "were", "have been", "had been", "will be", "have always been"),
}
NEGATED_BE = {
    False: (
        *("is not", "was not", "isn't", "wasn't", "is never", "was never"),
        *("has not been", "hasn't been", "will not be", "won't be", "had not been", "has never been"),
    ),
    True: (
        *("are not", "were not", "aren't", "weren't", "are never", "were never"),
        *("have not been", "haven't been", "will not be", "won't be", "had not been", "have never been"),
    ),
}
DISTANT_BE = {
    False: (
        *("does not seem", "did not seem", "doesn't look", "didn't feel", "never felt", "never seemed"),
        *("didn't taste", "did not sound", "doesn't feel", "never looked", "didn't smell", "did not get"),
    ),
    True: (
        *("do not seem", "did not seem", "don't look", "didn't feel", "never felt", "never seemed"),
        *("didn't taste", "did not sound", "don't feel", "never looked", "didn't smell", "did not get"),
    ),
}
# Verbs that link a subject to a quality like "is" does ("the soup tasted bland").
LINKING = (
    "seems",
    "looked",
    "felt",
    "turned out to be",
    "tasted",
    "sounded",
    "smelled",
    "looks",
    "got",
    "became",
    "stayed",
    "feels",
    "proved",
)
SOFT_NEGATORS = ("hardly", "barely", "far from", "by no means", "not at all", "not exactly")
FILLER_WORDS = tuple(
    """the a of and then we went home to it in on at with my this that last week tuesday after before
    they he she was had our there here into about from around during until again also just""".split()
)


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


COMMONEST = 12  # the first words of each polarity list, drawn more often (GrammarRandom.polar_word)


class GrammarRandom(random.Random):
    """A seeded random source that also carries the sentiment words a grammar may use."""

    def __init__(self, seed: str, n_words: int | None = None) -> None:
        super().__init__(seed)
        self.n_words = n_words
        self.words = {1: POSITIVE_WORDS[:n_words], -1: NEGATIVE_WORDS[:n_words]}
        self.verbs = {1: POSITIVE_VERBS[:n_words], -1: NEGATIVE_VERBS[:n_words]}
        self.agent_verbs = {1: POSITIVE_AGENT_VERBS[:n_words], -1: NEGATIVE_AGENT_VERBS[:n_words]}
        self.nouns = {1: POSITIVE_NOUNS[:n_words], -1: NEGATIVE_NOUNS[:n_words]}
        self.feelings = {1: POSITIVE_FEELINGS[:n_words], -1: NEGATIVE_FEELINGS[:n_words]}
        self.reactions = {1: POSITIVE_REACTIONS[:n_words], -1: NEGATIVE_REACTIONS[:n_words]}

    def few(self, items: tuple) -> tuple:
        """The first n_words of a fixed list (idioms, events): all of them with no limit."""
        return items[: self.n_words]

    def polar_word(self, polarity: int) -> str:
        """A sentiment word of `polarity`: a quarter of the time one of the COMMONEST first words
        ("good", "bad" …), which the lesson's examples use, else any of them."""
        words = self.words[1 if polarity > 0 else -1]
        return self.choice(words[:COMMONEST] if self.random() < 0.25 else words)
