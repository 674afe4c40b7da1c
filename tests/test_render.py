"""Proves the HTML built from user text is inert: every token, label and tooltip is escaped, and
right-to-left, emoji and markdown text come out as the same characters."""

import html
import re

import numpy as np
import pytest

from rnnviz.plots import base as plots
from rnnviz.plots import colours
from rnnviz.plots import html as render

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "**b** _i_ [l](x) $x$ :smile: #",
    "שלום",
    "مرحبا",
    "😀",
    "a&amp;b",
]


def _visible_text(markup: str) -> list[str]:
    """The text inside each <bdi>, unescaped: what a reader sees per token."""
    return [html.unescape(part) for part in re.findall(r"<bdi>(.*?)</bdi>", markup)]


@pytest.mark.parametrize("token", HOSTILE)
def test_token_chips_escape_everything(token):
    markup = render.token_chips([token, "good"], [True, False])
    assert _visible_text(markup) == [token, "good"]
    assert "<script" not in markup and "<img" not in markup
    assert 'onerror="' not in markup  # no attribute was opened by the token
    assert markup.count("<span") == markup.count("</span>") == 2


def test_unknown_tokens_are_marked_and_explained():
    markup = render.token_chips(["zebra", "good"], [True, False])
    assert "dashed" in markup and "<sup>?</sup>" in markup and "&lt;unk&gt;" in markup
    assert "dashed" not in render.token_chips(["good"], [False])


def test_long_tokens_are_cut_in_the_chip():
    markup = render.token_chips(["x" * 500], [True])
    assert _visible_text(markup) == ["x" * (render.MAX_TOKEN_CHARS - 1) + "…"]


def test_coloured_tokens():
    scale = plots.colour_range("hidden", "lstm")
    markup = render.coloured_tokens(["<b>", "not"], np.array([-1.0, 1.0]), scale, "h of unit <3>")
    assert _visible_text(markup) == ["<b>", "not"]
    assert plots.colour_of(-1.0, scale) in markup and plots.colour_of(1.0, scale) in markup
    assert "h of unit &lt;3&gt;" in markup and "<3>" not in markup


def test_ink_contrast():
    assert colours.ink_for("#ffffff") == "#000" and colours.ink_for("rgb(8, 48, 107)") == "#fff"


def test_verdict_escapes_the_label():
    markup = render.verdict("<i>neg</i>", 0.873, "#d62728")
    assert "&lt;i&gt;neg&lt;/i&gt;" in markup and "87.3%" in markup


def test_token_chips_highlight_the_current_token():
    markup = render.token_chips(["the", "<b>not</b>", "good"], [False, True, False], current=1)
    assert markup.count('class="rnnviz-current"') == 1
    current = re.search(r'class="rnnviz-current"[^>]*><bdi>(.*?)</bdi>', markup)
    assert current and html.unescape(current.group(1)) == "<b>not</b>"
    assert markup.count("opacity:0.75") == 2
    assert "rnnviz-current" not in render.token_chips(["the"], [False])
