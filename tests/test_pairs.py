"""Proves the minimal-pairs format: comments and blank lines skipped, consecutive lines paired, errors that
name the line, which side is negated, and the built-in pairs file."""

import pytest

from rnnviz.analysis.compare import BUILTIN_PAIRS_PATH, Pair, builtin_pairs, read_pairs

PAIRS_TEXT = """# a comment
the movie was good\tpositive
the movie was not good\tnegative

i think it is great\tpositive
i do not think it is great\tpositive
"""


def test_read_pairs():
    pairs = read_pairs(PAIRS_TEXT)
    assert pairs == [
        Pair("the movie was good", "the movie was not good", "positive", "negative", line=2),
        Pair("i think it is great", "i do not think it is great", "positive", "positive", line=5),
    ]
    assert [p.same_label for p in pairs] == [False, True]
    assert [p.negated_side for p in pairs] == ["b", "b"]
    assert Pair("not bad", "bad").negated_side == "a"
    assert Pair("not bad", "never good").negated_side is None
    assert read_pairs("\ufeffa\tx\r\nb\ty\r\n") == [Pair("a", "b", "x", "y", line=1)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("good\tpositive\nbad positive\n", "line 2: expected 'sentence<TAB>label', found no tab"),
        ("good\tpositive\tx\nbad\tnegative\n", "line 1: expected 'sentence<TAB>label', found 2 tabs"),
        ("# c\n\ngood\tpositive\n", "line 3: this sentence has no partner"),
        ("good\tpositive\n \tnegative\n", "line 2: the sentence is empty"),
        ("good\t \nbad\tnegative\n", "line 1: the label is empty"),
        ("good\tpositive\nbad\tmeh\n", "line 2: unknown label 'meh'"),
    ],
)
def test_read_pairs_errors_name_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        read_pairs(text, labels=("negative", "positive"))


def test_builtin_pairs(tmp_path):
    if not BUILTIN_PAIRS_PATH.is_file():
        pytest.skip("tests/data/negation_pairs.tsv is not in this checkout")
    pairs = builtin_pairs()
    assert len(pairs) >= 50
    assert all(p.negated_side is not None for p in pairs)
    with pytest.raises(FileNotFoundError, match="built-in negation pairs file is missing"):
        builtin_pairs(tmp_path / "missing.tsv")
