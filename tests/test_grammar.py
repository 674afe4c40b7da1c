"""Proves the built-in grammar is right: labels follow the documented rules (1-5 by an oracle, the
families of rules 6-13 by checks of their own), every construction appears, sentences are seeded,
balanced and distinct, the sentiment words agree with the VADER lexicon, and long-range sentences
have the exact length with the first word deciding."""

import pytest

from rnnviz.core.text import tokenize
from rnnviz.data import grammar_families
from rnnviz.data import grammar_words as grammar
from rnnviz.data.dataset import POSITIVE
from rnnviz.data.grammar import grammar_dataset, long_range_dataset
from rnnviz.data.lexicon import vader_lexicon

NEGATORS = {
    "not",
    "n't",
    "never",
    "no",
    "nothing",
    "none",
    "nobody",
    "neither",
    "hardly",
    "barely",
    "far from",
}
CONTRAST = {"but", "although", "though", "however", "despite"}
POLARITY = {
    **{w: 1 for w in grammar.POSITIVE_WORDS},
    **{w: -1 for w in grammar.NEGATIVE_WORDS},
    **{form: 1 for forms in grammar.POSITIVE_VERBS for form in forms},
    **{form: -1 for forms in grammar.NEGATIVE_VERBS for form in forms},
    **{form: 1 for forms in grammar.POSITIVE_AGENT_VERBS for form in forms},
    **{form: -1 for forms in grammar.NEGATIVE_AGENT_VERBS for form in forms},
    **{word: 1 for word in grammar.POSITIVE_FEELINGS + grammar.POSITIVE_REACTIONS},
    **{word: -1 for word in grammar.NEGATIVE_FEELINGS + grammar.NEGATIVE_REACTIONS},
    **{form: 1 for noun in grammar.POSITIVE_NOUNS for form in (noun, noun + "s", noun + "es")},
    **{form: -1 for noun in grammar.NEGATIVE_NOUNS for form in (noun, noun + "s", noun + "es")},
}


def oracle(tokens: list[str]) -> int | None:
    """An independent reading of rules 1-3 and 5: per clause (split at "and", ".", ";"), the
    sentiment words' polarity, flipped once if the clause has a negator ("neither … nor" counts
    once); all clauses must agree. None for contrast sentences."""
    if CONTRAST & set(tokens):
        return None
    clauses, current = [], []
    for token in [*tokens, "."]:
        if token in ("and", ".", ";", "!"):
            clauses.append(current)
            current = []
        else:
            current.append(token)
    labels = set()
    for clause in clauses:
        polarities = {POLARITY[t] for t in clause if t in POLARITY}
        if not polarities:
            continue
        assert len(polarities) == 1, tokens
        negations = sum(
            t in NEGATORS or f"{t} {after}" in NEGATORS
            for t, after in zip(clause, [*clause[1:], ""], strict=True)
        )
        assert negations <= 1, tokens
        labels.add(polarities.pop() * (-1 if negations else 1))
    assert len(labels) == 1, tokens
    return labels.pop()


@pytest.fixture(scope="module")
def sentences():
    return grammar_dataset(6000, seed=3)


def test_grammar_labels_follow_the_rules():
    checked = 0
    rules_one_to_five = grammar_dataset(6000, seed=3, families=False)
    for text, label in zip(rules_one_to_five.texts, rules_one_to_five.labels, strict=True):
        tokens = tokenize(text)
        if "but" in tokens:  # rule 4: the clause after "but" decides
            tokens = tokens[tokens.index("but") + 1 :]
            if CONTRAST & set(tokens):
                continue
        expected = oracle(tokens)
        if expected is not None:
            assert (1 if label == POSITIVE else -1) == expected, text
            checked += 1
    assert checked > 4000


def test_grammar_covers_every_construction(sentences):
    tokens = [set(tokenize(text)) for text in sentences.texts]
    cues = ("not", "n't", "never", "no", "nothing", "neither", "hardly", "but", "although", "think")
    for cue in (*cues, "?", "anything", "only", "nope", "matter", "could"):
        assert sum(cue in t for t in tokens) >= 20, cue
    assert any("not" in t and "bad" in t for t, y in zip(tokens, sentences.labels, strict=True) if y == 1)


def test_grammar_is_seeded_balanced_and_distinct(sentences):
    assert grammar_dataset(6000, seed=3) == sentences
    assert grammar_dataset(6000, seed=4).texts != sentences.texts
    assert len(set(sentences.texts)) == 6000
    assert sentences.class_counts() == {"negative": 3000, "positive": 3000}


def test_grammar_has_tens_of_thousands_of_sentences():
    assert len(set(grammar_dataset(40_000, seed=0).texts)) == 40_000


def test_sentiment_words_agree_with_the_vader_lexicon_and_filler_is_neutral():
    lexicon = vader_lexicon()
    assert all(lexicon[w] > 0 for w in grammar.POSITIVE_WORDS if w in lexicon)
    assert all(lexicon[w] < 0 for w in grammar.NEGATIVE_WORDS if w in lexicon)
    assert sum(w in lexicon for w in grammar.POSITIVE_WORDS + grammar.NEGATIVE_WORDS) > 130
    neutral = [*grammar.PREFIXES, *grammar.SUFFIXES, *grammar.RELATIVES, *grammar.CONTEXTS, *grammar.NOUNS]
    neutral += [subject for subject, _ in grammar.SUBJECTS]
    assert not {t for phrase in neutral for t in tokenize(phrase)} & set(lexicon)


def test_long_range_sentences_have_exact_length_and_the_word_decides():
    dataset = long_range_dataset(12, size=200, seed=1)
    lexicon = vader_lexicon()
    for text, label in zip(dataset.texts, dataset.labels, strict=True):
        tokens = tokenize(text)
        assert len(tokens) == 13
        assert (label == POSITIVE) == (tokens[0] in grammar.POSITIVE_WORDS)
        assert not set(tokens[1:]) & set(lexicon)
    assert dataset.class_counts() == {"negative": 100, "positive": 100}
    assert long_range_dataset(12, size=200, seed=1) == dataset
    with pytest.raises(ValueError, match="n_filler"):
        long_range_dataset(-1)


def _word_polarities(tokens: list[str]) -> set[int]:
    return {POLARITY[t] for t in tokens if t in POLARITY}


def _family_sentences(maker, n: int = 300):
    rng = grammar.GrammarRandom("test-families")
    for i in range(n):
        polarity = 1 if i % 2 else -1
        yield maker(rng, polarity), polarity


def _event_polarities(text: str) -> set[int]:
    """+1 for a hoped-for event named in `text` ("would arrive on time"), -1 for a feared one."""
    found = set()
    for polarity, events in ((1, grammar_families.HOPED_EVENTS), (-1, grammar_families.FEARED_EVENTS)):
        if any(f"would {base}" in text or f"supposed to {base}" in text for base, *_ in events):
            found.add(polarity)
    return found


def test_trailing_negation_takes_back_the_expectation():
    for text, label in _family_sentences(grammar_families.trailing_negation, n=600):
        tokens = tokenize(text)
        words = _word_polarities(tokens) or _event_polarities(text)
        assert len(words) == 1, text
        cut = max(i for i, t in enumerate(tokens) if t in {",", ".", "but", "and"})
        negated = bool({"not", "n't", "no", "nope", "never"} & set(tokens[cut:]))
        assert label == words.pop() * (-1 if negated else 1), text


def test_question_answers_flip_on_no_and_keep_on_yes():
    for text, label in _family_sentences(grammar_families.question_answer):
        tokens = tokenize(text)
        asked = _word_polarities(tokens[: tokens.index("?")])
        answer = set(tokens[tokens.index("?") + 1 :])
        assert len(asked) == 1, text
        if "n't" in tokens[:2] or tokens[-1] == "?":  # a negated question expects yes
            assert label == asked.pop(), text
        else:
            assert label == asked.pop() * (-1 if answer & {"no", "nope", "not"} else 1), text


@pytest.mark.parametrize(
    ("maker", "flips"),
    [
        (grammar_families.across_clause, True),
        (grammar_families.not_only, False),
        (grammar_families.double_negation, False),
    ],
)
def test_scope_across_an_aside_not_only_and_double_negation(maker, flips):
    for text, label in _family_sentences(maker):
        for aside in grammar_families.ASIDES:  # "to be honest" is a discourse marker, not praise
            text = text.replace(f", {aside} ,", ",")
        words = _word_polarities(tokenize(text))
        assert len(words) == 1, text
        assert label == words.pop() * (-1 if flips else 1), text


def test_anything_but_means_not_and_nothing_but_keeps():
    for text, label in _family_sentences(grammar_families.anything_but):
        words = _word_polarities(tokenize(text))
        assert len(words) == 1, text
        assert label == words.pop() * (1 if "nothing but" in text else -1), text


def test_comparatives_and_idioms_have_their_documented_polarity():
    for text, label in _family_sentences(grammar_families.comparative):
        tokens = tokenize(text)
        said = {p for p, words in grammar_families.COMPARATIVES.items() for w in words if w in text}
        negated = bool({"not", "n't", "nothing"} & set(tokens))
        assert len(said) == 1 and negated != ("have" in tokens and not negated), text
        assert label == said.pop() * (1 if negated else -1), text
    for text, label in _family_sentences(grammar_families.idiom):
        assert any(text.endswith(idiom) for idiom in grammar_families.IDIOMS[label]), text


def test_feared_events_are_negative_and_their_absence_positive():
    feared = {form: base for base, *forms in grammar_families.FEARED_EVENTS for form in (base, *forms)}
    seen = 0
    for text, label in _family_sentences(grammar_families.expected_event, n=600):
        found = [form for form in feared if f" {form}" in f" {text}"]
        if not found:
            continue
        seen += 1
        negated = bool({"never", "n't", "not", "nothing", "no", "nobody"} & set(tokenize(text)))
        assert label == (1 if negated else -1), text
    assert seen > 50


def test_shares_taught_phrase_finds_review_words_events_and_idioms_only():
    shares = grammar_families.shares_taught_phrase
    assert shares("the fries were soggy")  # rule 17
    assert shares("my old printer broke down again")  # rule 16
    assert shares("the cake at this bakery is to die for")  # rule 14 without "it was"
    assert not shares("the movie was good")
    assert not shares("i could not stop laughing at the jokes")
    words, phrases = grammar_families.taught_phrases()
    assert words <= set(grammar.POSITIVE_WORDS + grammar.NEGATIVE_WORDS)
    assert all(" " in phrase for phrase in phrases)
