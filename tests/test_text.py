"""Proves the tokenizer's documented rules, detokenize's round trip, the one negator list, and the
vocabulary's build/encode/JSON round trip."""

import pytest

from rnnviz.core.text import (
    NEGATORS,
    PAD,
    PAD_ID,
    UNK,
    UNK_ID,
    Vocab,
    detokenize,
    has_negator,
    is_negator,
    normalize,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("The movie was GOOD.", ["the", "movie", "was", "good", "."]),
        ("isn't", ["is", "n't"]),
        ("didn't", ["did", "n't"]),
        ("can't", ["can", "n't"]),
        ("won't", ["will", "n't"]),
        ("shan't", ["shall", "n't"]),
        ("cannot", ["can", "not"]),
        ("dont", ["do", "n't"]),
        ("wont", ["wont"]),
        ("it’s", ["it", "'s"]),  # curly apostrophe
        ("we're they've i'll she'd i'm", ["we", "'re", "they", "'ve", "i", "'ll", "she", "'d", "i", "'m"]),
        ("o'clock", ["o'clock"]),
        ("students' work", ["students", "'", "work"]),
        ("wow!!!!!!", ["wow", "!!!"]),
        ("well...", ["well", "..."]),
        ("great?!", ["great", "?", "!"]),
        ("😀😀 👍🏽", ["😀", "😀", "👍🏽"]),
        ("❤️", ["❤"]),  # variation selector dropped
        ("ｆｕｌｌ width", ["full", "width"]),  # NFKC
        ("zero\u200bwidth\u200d", ["zerowidth"]),
        ("tab\tnew\nline\x07bell", ["tab", "new", "linebell"]),  # controls vanish
        ("\u202eevil\u202c", ["evil"]),  # direction overrides are dropped
        ("<b>hi</b>", ["<", "b", ">", "hi", "<", "/", "b", ">"]),
        ("שלום עולם", ["שלום", "עולם"]),
        ("हिन्दी", ["हिन्दी"]),  # combining marks stay inside the word
        ("10/10", ["10", "/", "10"]),
        ("", []),
        ("   \n\t ", []),
    ],
)
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_normalize_drops_invisible_characters():
    assert normalize("A\u200bB\ufeffC\u00a0D") == "abc d"


def test_tokenize_large_text_is_linear():
    text = "not good at all! " * 6000  # ~100 KB
    assert len(tokenize(text)) == 5 * 6000


def test_detokenize_round_trips():
    cases = {
        ("the", "movie", "was", "n't", "good", "."): "the movie wasn't good.",
        ("i", "will", "n't", "go", "!"): "i won't go!",
        ("i", "can", "n't", "say"): "i can't say",
        ("it", "'s", "fine", ",", "really"): "it's fine, really",
        ("😀", "good"): "😀 good",
    }
    for tokens, text in cases.items():
        assert detokenize(tokens) == text
        assert tuple(tokenize(text)) == tokens


def test_negators_are_defined_once():
    assert {"not", "n't", "never", "no", "nothing", "hardly", "neither", "nor", "nobody", "none"} <= NEGATORS
    assert {"nowhere", "without", "cannot"} <= NEGATORS
    assert is_negator("n't") and not is_negator("good")
    assert has_negator(tokenize("it isn't good")) and not has_negator(tokenize("it is good"))


def test_vocab_build_orders_by_count_then_alphabet():
    vocab = Vocab.build([["b", "a", "b"], ["c", "a", "b"]], min_count=1)
    assert vocab.tokens == (PAD, UNK, "b", "a", "c")
    assert Vocab.build([["b", "a", "b"], ["c"]], min_count=2).tokens == (PAD, UNK, "b")
    assert Vocab.build([["b", "a", "b", "a", "c"]], max_size=3).tokens == (PAD, UNK, "a")


def test_vocab_encode_unknown_and_round_trip():
    vocab = Vocab.build([["good", "movie"]])
    assert vocab.encode(["good", "zebra"]) == [vocab.id("good"), UNK_ID]
    assert vocab.id(PAD) == PAD_ID
    assert "good" in vocab and "zebra" not in vocab
    assert Vocab.from_json(vocab.to_json()) == vocab


def test_vocab_never_counts_special_tokens():
    assert Vocab.build([[PAD, UNK, "x"]]).tokens == (PAD, UNK, "x")


@pytest.mark.parametrize("bad", ['{"a": 1}', '["x", "y"]', '["<pad>", "<unk>", "x", "x"]', "[1, 2]"])
def test_vocab_from_bad_json(bad):
    with pytest.raises(ValueError):
        Vocab.from_json(bad)
