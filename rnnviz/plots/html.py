"""Safe HTML snippets for text a user typed: token chips, sentences coloured by a value, a verdict.

Every piece of user-derived text (tokens, labels, names) passes through `html.escape`
here, and the markup around it is fixed tags with inline styles built from numbers, so
a sentence containing `<script>`, markdown, `$LaTeX$` or right-to-left text is shown
exactly as typed. Each token sits in its own <bdi> so right-to-left words do not reorder
their neighbours. The strings are meant for `st.html`, which never runs markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import numpy as np

from rnnviz.plots.base import ColourRange, colour_of

_CHIP = (
    "display:inline-block;margin:3px 4px;padding:2px 9px;border-radius:7px;font-size:1.25rem;line-height:1.6;"
)
_KNOWN = "background:#eef2f8;color:#111;border:1px solid #b8c4d6;"
_UNKNOWN = "background:#fff4e5;color:#7a3e00;border:2px dashed #d9822b;font-style:italic;"
_NOTE = "font-size:0.95rem;color:#666;margin-top:4px;"
_CURRENT = "background:#1f3b73;color:#fff;font-weight:700;outline:3px solid #f4a259;"
_DIMMED = "opacity:0.55;"
MAX_TOKEN_CHARS = 40  # a longer "word" is cut in the chips (the full token is in its tooltip)


def escape(text: str) -> str:
    """HTML-escape `text` (quotes too, so it is safe inside attributes)."""
    return html.escape(text, quote=True)


def _shown(token: str) -> str:
    return escape(token if len(token) <= MAX_TOKEN_CHARS else token[: MAX_TOKEN_CHARS - 1] + "…")


def token_chips(tokens: Sequence[str], unknown: Sequence[bool], current: int | None = None) -> str:
    """The tokens as the model sees them, one chip each; unknown ones dashed, italic and
    explained in a note below. Token `current` (0-based), if given, is highlighted (bold,
    dark background, class "rnnviz-current") and the others are dimmed."""
    chips = []
    for t, (token, missing) in enumerate(zip(tokens, unknown, strict=True)):
        tip = f"word {t + 1}: {token}" + (" (unknown: the model reads <unk>)" if missing else "")
        style = _CHIP + (_UNKNOWN if missing else _KNOWN)
        mark = "<sup>?</sup>" if missing else ""
        extra = ""
        if current is not None:
            style += _CURRENT if t == current else _DIMMED
            extra = ' class="rnnviz-current" aria-current="step"' if t == current else ""
        chips.append(
            f'<span style="{style}" title="{escape(tip)}"{extra}><bdi>{_shown(token)}</bdi>{mark}</span>'
        )
    note = ""
    if any(unknown):
        note = (
            f'<div style="{_NOTE}">Dashed words are not in the model\'s vocabulary: it reads each '
            "of them as the same placeholder token &lt;unk&gt;.</div>"
        )
    return f'<div class="rnnviz-tokens">{"".join(chips)}</div>{note}'


def ink_for(colour: str) -> str:
    """Black or white text, whichever reads better on the CSS colour 'rgb(r, g, b)' or '#rrggbb'."""
    if colour.startswith("#") and len(colour) == 7:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (int(float(x)) for x in re.findall(r"[\d.]+", colour)[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000" if luminance > 140 else "#fff"


def coloured_tokens(tokens: Sequence[str], values: np.ndarray, scale: ColourRange, what: str) -> str:
    """The sentence with each token's background coloured by its value [steps] on `scale`;
    `what` (e.g. 'h of unit 7') names the value in tooltips and the legend."""
    chips = []
    for t, (token, value) in enumerate(zip(tokens, np.asarray(values, dtype=float), strict=True)):
        colour = colour_of(float(value), scale)
        style = f"{_CHIP}background:{colour};color:{ink_for(colour)};border:1px solid #999;"
        tip = f"word {t + 1}: {token} · {what} = {value:.3f}"
        chips.append(f'<span style="{style}" title="{escape(tip)}"><bdi>{_shown(token)}</bdi></span>')
    low, high = colour_of(scale.zmin, scale), colour_of(scale.zmax, scale)
    legend = (
        f'<div style="{_NOTE}">Colour = {escape(what)}: '
        f'<span style="background:{low};color:{ink_for(low)};padding:0 6px">{scale.zmin:g}</span> … '
        f'<span style="background:{high};color:{ink_for(high)};padding:0 6px">{scale.zmax:g}</span>'
        "</div>"
    )
    return f'<div class="rnnviz-coloured">{"".join(chips)}</div>{legend}'


def verdict(label: str, probability: float, colour: str) -> str:
    """Big 'negative 87%' line for the final prediction."""
    return (
        '<div style="font-size:1rem;color:#444">Prediction for the whole sentence</div>'
        f'<div style="font-size:2rem;font-weight:700;color:{colour};line-height:1.2;white-space:nowrap">'
        f"<bdi>{escape(label)}</bdi> {probability:.1%}</div>"
    )
