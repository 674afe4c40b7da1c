"""Proves rnnviz.core.markup: markdown neutralised in user text, quotes shortened, outside text cleaned."""

import pytest

from rnnviz.core.markup import clean_text, md_escape, quote


@pytest.mark.parametrize(
    "text",
    ["**bold**", "_x_", "# head", "[a](b)", "$x$", "<b>", "1. item", "`code`", "a|b", "~~s~~", "&amp;"],
)
def test_md_escape_escapes_every_markdown_special(text):
    escaped = md_escape(text)
    for ch in "*_#[]()$<>.`|~&":
        assert ch not in escaped.replace("\\" + ch, "")


def test_md_escape_breaks_shortcodes_and_lines():
    assert md_escape(":smile:") == ":\u200bsmile:\u200b"
    assert md_escape(":red[x]") == ":\u200bred\\[x\\]"
    assert md_escape("a\nb\x00c") == "a b c"


def test_quote_and_clean_text():
    assert quote("x" * 100, limit=10) == "“" + "x" * 9 + "…”"
    assert clean_text("ab\ud800c", 10) == ("ab?c", False)
    assert clean_text("abcdef", 3) == ("abc", True)
