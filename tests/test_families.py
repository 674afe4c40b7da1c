"""Proves the families reader returns each family's sentences and labels in file order, skips comments and
blank lines, refuses malformed lines with their line number, and reads the held-out negation families."""

from pathlib import Path

import pytest

from rnnviz.data.families import FamiliesError, parse_families, read_families

FAMILIES_FILE = Path(__file__).parent / "data" / "negation_families.tsv"


def test_families_keep_file_order_and_skip_comments():
    text = "# header\n\nplain\tit rained\tnegative\nidioms\ta b\tpositive\nplain\tsun\tpositive\n"
    families = parse_families(text)
    assert list(families) == ["plain", "idioms"]
    assert families["plain"].texts == ("it rained", "sun")
    assert families["plain"].labels == (0, 1)
    assert families["idioms"].label_names == ("negative", "positive")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plain\tonly two\n", "line 1: expected family"),
        ("# c\nplain\tok\tmaybe\n", "line 2: the label must be one of negative, positive"),
        ("plain\t\tpositive\n", "line 1: expected family"),
        ("# only comments\n", "no sentences"),
    ],
)
def test_malformed_files_are_refused_with_the_line(text, message):
    with pytest.raises(FamiliesError, match=message):
        parse_families(text)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FamiliesError, match="cannot read the families file"):
        read_families(tmp_path / "missing.tsv")


def test_the_held_out_negation_families_are_read():
    families = read_families(FAMILIES_FILE)
    assert len(families) == 10 and all(len(data) >= 30 for data in families.values())
