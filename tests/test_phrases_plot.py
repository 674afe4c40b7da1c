"""Proves the match view's phrase list: every word is escaped (a hostile upload shows as typed),
the match is outlined, "…" marks where the sentence goes on, and the legend names the value."""

from __future__ import annotations

import numpy as np

from rnnviz.analysis.matches import Phrase
from rnnviz.plots.base import colour_range
from rnnviz.plots.phrases import phrase_list


def test_words_are_escaped_the_match_outlined_and_cuts_marked():
    sentence = ("a", "<script>alert(1)</script>", "not", "good", "&amp;", "b", "c")
    phrase = Phrase(
        source="your <file>",
        sentence=sentence,
        offset=1,
        tokens=sentence[1:5],
        values=np.array([0.1, 0.9, 0.8, 0.2], np.float32),
        match=(1, 2),
        score=0.85,
    )
    body = phrase_list([phrase], colour_range("forget", "lstm"), "mean f of unit 3")
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&amp;amp;" in body and "your &lt;file&gt;" in body
    assert body.count("outline:3px") == 2  # "not" and "good"
    assert body.count(">…</span>") == 2  # words before and after the window
    assert "+0.850 over 2 words" in body and "Colour = mean f of unit 3" in body
    assert 'title="word 3: not · mean f of unit 3 = 0.900"' in body
