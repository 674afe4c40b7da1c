"""Proves user tables load from CSV and TSV (paths and upload bytes) and that every problem is a
TableError naming the first bad line, within the size limits."""

import re

import pytest

from rnnviz.data import tables as data
from rnnviz.data.tables import TableError, load_table


def test_csv_and_tsv_tables_load(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('text,label\n"great, really",pos\nawful,neg\n"multi\nline",pos\n', encoding="utf-8")
    table = load_table(path)
    assert table.label_names == ("neg", "pos")
    assert table.texts == ("great, really", "awful", "multi\nline")
    assert table.labels == (1, 0, 1)
    tsv = load_table(b"\xef\xbb\xbfSentence\tSentiment\tid\nnice\t1\t7\nbad\t-1\t8\nok\t0\t9\n")
    assert tsv.label_names == ("-1", "0", "1")  # numbers in numeric order
    assert tsv.labels == (2, 0, 1)
    chosen = load_table(b"a,b\nnice,x\nbad,y\n", text_column="a", label_column="b")
    assert chosen.texts == ("nice", "bad")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"words,label\nhi,a\n", "line 1: no text column"),
        (b"text,tag\nhi,a\n", "line 1: no label column"),
        (b"text,label\ngood,a\n   ,b\n", "line 3: the text is empty"),
        (b"text,label\ngood,a\n\xe2\x80\x8b,b\n", "line 3: the text is empty"),
        (b"text,label\ngood,a\nbad,\n", "line 3: the label is empty"),
        (b"text,label\ngood,a\nbad,b,extra\n", "line 3: 3 fields but the header has 2"),
        (b"text,label\ngood,a\nfine,a\n", "every row has the label 'a'"),
        (b"text,label\n" + b"".join(b"t%d,c%d\n" % (i, i) for i in range(11)), "line 12: an 11th label"),
        (b"text,label\ngood,a\n\nbad \xe9t\xe9,b\n", "line 4: not UTF-8 text (byte 0xe9)"),
        (b"text,label\n", "has a header but no rows"),
        (b"", "is empty"),
    ],
)
def test_bad_tables_name_the_first_bad_line(content, message):
    with pytest.raises(TableError, match=re.escape(message)) as caught:
        load_table(content, name="upload.csv")
    assert str(caught.value).startswith("upload.csv")
    assert "\n" not in str(caught.value)


def test_table_size_limits(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MAX_TABLE_ROWS", 3)
    rows = b"text,label\n" + b"".join(b"t%d,%d\n" % (i, i % 2) for i in range(5))
    with pytest.raises(TableError, match="line 5: more than 3 rows"):
        load_table(rows)
    monkeypatch.setattr(data, "MAX_TABLE_BYTES", 10)
    with pytest.raises(TableError, match="larger than"):
        load_table(rows)
    big = tmp_path / "big.csv"
    big.write_bytes(rows)
    with pytest.raises(TableError, match=r"big\.csv is larger than"):
        load_table(big)
    with pytest.raises(TableError, match="no such file"):
        load_table(tmp_path / "missing.csv")
