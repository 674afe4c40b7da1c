"""Proves the one minimal-pairs reader: the file form and the typed `sentence | label` form parse,
every problem names its line, files are read as UTF-8 with labels turned into indices, and the
built-in pairs ship inside the package."""

import pytest

from rnnviz.data.pairs import (
    BUILTIN_PAIRS_FILE,
    Pair,
    builtin_pairs,
    decode_pairs,
    parse_pairs,
    parse_typed_pairs,
    read_pairs,
)
from rnnviz.data.tables import TableError

PAIRS_TEXT = """# a comment
the movie was good\tpositive
the movie was not good\tnegative

i think it is great\tpositive
i do not think it is great\tpositive
"""


def test_parse_pairs():
    pairs = parse_pairs(PAIRS_TEXT)
    assert pairs == [
        Pair("the movie was good", "the movie was not good", "positive", "negative", line=2),
        Pair("i think it is great", "i do not think it is great", "positive", "positive", line=5),
    ]
    assert [p.same_label for p in pairs] == [False, True]
    assert [p.negated_side for p in pairs] == ["b", "b"]
    assert Pair("not bad", "bad").negated_side == "a"
    assert Pair("not bad", "never good").negated_side is None
    assert parse_pairs("\ufeffa\tx\r\nb\ty\r\n") == [Pair("a", "b", "x", "y", line=1)]


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
def test_parse_pairs_errors_name_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        parse_pairs(text, labels=("negative", "positive"))


def test_builtin_pairs(tmp_path):
    assert BUILTIN_PAIRS_FILE.is_file()
    pairs = builtin_pairs()
    assert len(pairs) >= 50
    assert all(p.negated_side is not None for p in pairs)
    with pytest.raises(FileNotFoundError, match="built-in negation pairs file is missing"):
        builtin_pairs(tmp_path / "missing.tsv")


def test_typed_pairs_accept_a_bar_for_the_tab():
    labels = ("negative", "positive")
    pairs = parse_typed_pairs(
        "a | positive\nnot a | negative\n# note | x\nb\tpositive\nnever b|negative", labels
    )
    assert [(p.text_a, p.text_b, p.label_b) for p in pairs] == [
        ("a", "not a", "negative"),
        ("b", "never b", "negative"),
    ]
    with pytest.raises(ValueError, match=r"line 2: expected 'sentence \| label', found no “\|”"):
        parse_typed_pairs("a | positive\nnot a\n", labels)
    with pytest.raises(ValueError, match="line 3: unknown label 'postive'"):
        parse_typed_pairs("a | positive\nnot a | negative\nb | postive\nnot b | negative", labels)


def test_pairs_file_reader(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\n\ngood\tpositive\nnot good\tnegative\n\nbad\tnegative\nnot bad\tpositive\n")
    assert read_pairs(path) == [(("good", 1), ("not good", 0)), (("bad", 0), ("not bad", 1))]
    path.write_text("good\tpositive\n")
    with pytest.raises(TableError, match="line 1: this sentence has no partner"):
        read_pairs(path)
    path.write_text("good\tpositive\nnot good\tmeh\n")
    with pytest.raises(TableError, match="line 2: unknown label 'meh'"):
        read_pairs(path)


def test_shared_negation_pairs_file_parses():
    pairs = read_pairs(BUILTIN_PAIRS_FILE)
    assert read_pairs("builtin") == pairs
    assert len(pairs) >= 60
    assert all(a[1] != b[1] for a, b in pairs)


def test_decoded_files_name_the_line_that_is_not_utf8(tmp_path):
    assert decode_pairs(b"\xef\xbb\xbfa\tpositive\nnot a\tnegative\n") == [
        Pair("a", "not a", "positive", "negative", line=1)
    ]
    with pytest.raises(ValueError, match="line 2: the file is not UTF-8 text"):
        decode_pairs(b"a\tpositive\n\xff\n")
    path = tmp_path / "latin1.tsv"
    path.write_bytes(b"a\tpositive\nnot \xe9\tnegative\n")
    not_utf8 = r"^cannot read the pairs file latin1\.tsv, line 2: the file is not UTF-8 text$"
    with pytest.raises(TableError, match=not_utf8):
        read_pairs(path)  # issue 13: the line, not Python's "'utf-8' codec can't decode byte 0xe9 …"
    with pytest.raises(TableError, match=r"cannot read the pairs file .*missing\.tsv: No such file"):
        read_pairs(tmp_path / "missing.tsv")
