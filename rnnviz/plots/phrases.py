"""The match view's list: the phrases where chosen units are on, best first, each word coloured by
the units' value, the match outlined, as safe HTML for `st.html` (every word goes through
rnnviz.plots.html's escaping chips; the markup around them is fixed).
"""

from __future__ import annotations

from collections.abc import Sequence

from rnnviz.analysis.matches import Phrase
from rnnviz.plots.base import ColourRange
from rnnviz.plots.colours import INK, MUTED
from rnnviz.plots.html import escape, value_chip, value_legend

_SMALL = "font-size:1.05rem;margin:2px 2px;padding:0 7px;"  # 20 rows must fit a scroll or two
_MATCH = f"outline:3px solid {INK};outline-offset:1px;font-weight:700;"
_ROW = "margin:2px 0;line-height:2.1;"
_TAG = f"color:{MUTED};font-size:0.9rem;margin-left:8px;white-space:nowrap;"
_MORE = f"color:{MUTED};margin:0 3px;"


def phrase_list(phrases: Sequence[Phrase], scale: ColourRange, what: str) -> str:
    """An ordered list of `phrases` (rnnviz.analysis.matches.top_phrases): the words with their
    context, coloured by the units' mean value on `scale`, the match outlined and bold, "…"
    where the sentence goes on, then the match's mean value and its corpus; a colour legend under it.
    `what` names the value ('mean h of units 3, 17')."""
    rows = []
    for phrase in phrases:
        chips = []
        if phrase.offset > 0:
            chips.append(f'<span style="{_MORE}">…</span>')
        first, last = phrase.match
        for t, (token, value) in enumerate(zip(phrase.tokens, phrase.values.tolist(), strict=True)):
            tip = f"word {phrase.offset + t + 1}: {token} · {what} = {value:.3f}"
            chips.append(
                value_chip(token, value, scale, tip, _SMALL + (_MATCH if first <= t <= last else ""))
            )
        if phrase.offset + len(phrase.tokens) < len(phrase.sentence):
            chips.append(f'<span style="{_MORE}">…</span>')
        words = f"{phrase.length} word{'s' if phrase.length > 1 else ''}"
        tag = f"{phrase.score:+.3f} over {words} · {phrase.source}"
        rows.append(f'<li style="{_ROW}">{"".join(chips)}<span style="{_TAG}">{escape(tag)}</span></li>')
    return (
        f'<ol class="rnnviz-matches" style="margin:0;padding-left:2.2em">{"".join(rows)}</ol>'
        f"{value_legend(scale, what)}"
    )
