"""Proves the reader of plain-text sentence files: good lines are kept in order; a file too large,
binary or not UTF-8 is refused with the reason (and the line); empty lines, control characters
and huge lines are skipped and counted; only the first `max_lines` sentences are read."""

from __future__ import annotations

import pytest

from rnnviz.data.text_lines import MAX_LINE_CHARS, TextFileError, read_sentence_lines


def test_good_lines_are_kept_in_order_and_blank_ones_skipped():
    data = "\ufeffthe movie was good\r\n\r\n  not bad at all  \n\tindented\n".encode()
    lines = read_sentence_lines(data, 1000, 10)
    assert lines.sentences == ("the movie was good", "not bad at all", "indented")
    assert lines.notes() == []


def test_bad_files_are_refused_with_the_reason():
    with pytest.raises(TextFileError, match=r"1\.0 MB; at most 0 MB"):
        read_sentence_lines(b"x" * 2**20, 2**19, 10)
    with pytest.raises(TextFileError, match="binary"):
        read_sentence_lines(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1000, 10)
    with pytest.raises(TextFileError, match=r"line 3: not UTF-8 text \(byte 0xe9\)"):
        read_sentence_lines(b"one\ntwo\nthr\xe9e\n", 1000, 10)
    with pytest.raises(TextFileError, match="no sentence"):
        read_sentence_lines(b"\n \n\r\n", 1000, 10)
    with pytest.raises(TextFileError, match="no sentence"):
        read_sentence_lines(("y" * (MAX_LINE_CHARS + 1)).encode(), 10**6, 10)


def test_control_characters_huge_lines_and_extra_lines_are_counted():
    data = "\n".join(["good one", "bell\x07here", "x" * (MAX_LINE_CHARS + 5), "esc\x1b[31m", "a", "b", "c"])
    lines = read_sentence_lines(data.encode(), 10**6, 3)
    assert lines.sentences == ("good one", "a", "b")
    assert (lines.with_controls, lines.too_long, lines.cut) == ((2, 4), (3,), 1)
    assert lines.notes() == [
        "Skipped line 2 and 1 more: with control characters.",
        f"Skipped line 3: longer than {MAX_LINE_CHARS:,} characters.",
        "Only the first 3 sentences are read; 1 more are left out.",
    ]
