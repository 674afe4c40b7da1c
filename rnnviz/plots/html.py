"""Safe HTML snippets for text a user typed: token chips, sentences coloured by a value, a verdict.

Every piece of user-derived text (tokens, labels, names) passes through `html.escape`
here, and the markup around it is fixed tags with inline styles built from numbers, so
a sentence containing `<script>`, markdown, `$LaTeX$` or right-to-left text is shown
exactly as typed. Each token sits in its own <bdi> so right-to-left words do not reorder
their neighbours. The strings are meant for `st.html`, which never runs markdown.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from rnnviz.plots import colours
from rnnviz.plots.base import ColourRange, colour_of
from rnnviz.plots.colours import CHIP_BORDER, CHIP_CURRENT, CHIP_KNOWN, CHIP_UNKNOWN, MUTED, UNCERTAIN

_CHIP = (
    "display:inline-block;margin:3px 4px;padding:2px 9px;border-radius:7px;font-size:1.25rem;line-height:1.6;"
)
_KNOWN = (
    f"background:{CHIP_KNOWN['background']};color:{CHIP_KNOWN['color']};"
    f"border:1px solid {CHIP_KNOWN['border']};"
)
_UNKNOWN = (
    f"background:{CHIP_UNKNOWN['background']};color:{CHIP_UNKNOWN['color']};"
    f"border:2px dashed {CHIP_UNKNOWN['border']};font-style:italic;"
)
_NOTE = f"font-size:0.95rem;color:{MUTED};margin-top:4px;"
_CURRENT = (
    f"background:{CHIP_CURRENT['background']};color:{CHIP_CURRENT['color']};font-weight:700;"
    f"outline:3px solid {CHIP_CURRENT['outline']};"
)
_DIMMED = "opacity:0.75;"  # still 7:1 text on the chip (projector contrast)
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


def value_chip(token: str, value: float, scale: ColourRange, tip: str, extra_style: str = "") -> str:
    """One token on a background coloured by `value` on `scale` (ink chosen for contrast), with
    the tooltip `tip`; `extra_style` adds fixed CSS (e.g. an outline)."""
    colour = colour_of(float(value), scale)
    style = f"{_CHIP}background:{colour};color:{colours.ink_for(colour)};border:1px solid {CHIP_BORDER};"
    return f'<span style="{style}{extra_style}" title="{escape(tip)}"><bdi>{_shown(token)}</bdi></span>'


def value_legend(scale: ColourRange, what: str) -> str:
    """The one-line colour legend of value chips: 'Colour = what: low … high'."""
    low, high = colour_of(scale.zmin, scale), colour_of(scale.zmax, scale)
    return (
        f'<div style="{_NOTE}">Colour = {escape(what)}: '
        f'<span style="background:{low};color:{colours.ink_for(low)};padding:0 6px">{scale.zmin:g}</span> … '
        f'<span style="background:{high};color:{colours.ink_for(high)};padding:0 6px">{scale.zmax:g}</span>'
        "</div>"
    )


def coloured_tokens(tokens: Sequence[str], values: np.ndarray, scale: ColourRange, what: str) -> str:
    """The sentence with each token's background coloured by its value [steps] on `scale`;
    `what` (e.g. 'h of unit 7') names the value in tooltips and the legend."""
    chips = [
        value_chip(token, value, scale, f"word {t + 1}: {token} · {what} = {value:.3f}")
        for t, (token, value) in enumerate(zip(tokens, np.asarray(values, dtype=float), strict=True))
    ]
    return f'<div class="rnnviz-coloured">{"".join(chips)}</div>{value_legend(scale, what)}'


def verdict(
    label: str,
    probability: float,
    colour: str,
    uncertain: bool = False,
    title: str = "Prediction for the whole sentence",
) -> str:
    """Big 'negative 87%' line for the final prediction under a small `title` (fixed text, never
    the user's); an `uncertain` one (many unknown words) is greyed, with '(many unknown words)'
    under it."""
    if uncertain:
        colour = UNCERTAIN
    note = f'<div style="{_NOTE}">(many unknown words)</div>' if uncertain else ""
    return (
        f'<div style="font-size:1rem;line-height:1.3;color:{MUTED}">{escape(title)}</div>'
        f'<div style="font-size:2rem;font-weight:700;color:{colour};line-height:1.2;white-space:nowrap">'
        f"<bdi>{escape(label)}</bdi> {probability:.1%}</div>{note}"
    )
