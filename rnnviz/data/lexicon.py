"""The VADER sentiment lexicon (token -> human-rated valence) that ships inside vaderSentiment."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def vader_lexicon() -> dict[str, float]:
    """token -> mean valence (-4..4) from vader_lexicon.txt inside the installed vaderSentiment."""
    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    lexicon = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1])
    return lexicon
