"""The one colour system: every colour a chart, a verdict or an HTML snippet uses is named here.

Meanings never overlap: the classes own red (negative, label 0) and blue (positive, label 1)
and a fixed palette beyond; the cell types own four other hues; value scales are
brown-white-teal (diverging) or white-black (sequential), so a coloured heatmap cell never
reads as "this is the positive class". Attributions are coloured by the class a word pushes toward.
"""

from __future__ import annotations

import re

# Colour per class, by label index: red for the usual first label ("negative"), blue for the
# second ("positive"), then a fixed colour-blind-safe palette for models with more classes.
CLASS_COLOURS = (
    "#d62728",
    "#1f77b4",
    "#17becf",
    "#bcbd22",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#393b79",
    "#ad494a",
    "#637939",
)
# One colour per cell type on every page (none of them red or blue, the class colours).
CELL_COLOURS = {"rnn_tanh": "#e69f00", "rnn_relu": "#cc79a7", "gru": "#009e73", "lstm": "#6a3d9a"}
# Value scales. 0 white -> 1 black: gates (closed -> open) and ReLU states.
SEQUENTIAL = [[0.0, "#f7f7f7"], [0.25, "#cccccc"], [0.5, "#969696"], [0.75, "#525252"], [1.0, "#1a1a1a"]]
# brown (negative) -> white (0) -> teal (positive): tanh quantities, the cell state, differences.
DIVERGING = [[0.0, "#8c510a"], [0.25, "#d8b365"], [0.5, "#f5f5f5"], [0.75, "#5ab4ac"], [1.0, "#01665e"]]
WHITE = "#ffffff"  # the middle of class scales (no push, or probability 1/2)
INK = "#111111"  # dark text
MUTED = "#555555"  # secondary text on white (7.5:1)
AXIS_TEXT = "#444444"  # chart axis labels, axis titles and colour-bar text (9.7:1 on white)
UNCERTAIN = "#767676"  # a verdict the model is unsure of (4.5:1 on white)
GRID = "#888888"  # reference lines: chance, 0.5
GAP_GREY = "#d0d0d0"  # heatmap columns where a sentence has no word
HIGHLIGHT = "#ffd54f"  # bands marking the words that differ between two sentences
# Sentences A and B of a pair: black solid and magenta dashed, so neither reads as a class.
SIDE_COLOURS = {"a": "#333333", "b": "#c51b7d"}
# Lines that are neither classes nor cells (units, training vs validation): no class or cell hue.
SERIES_COLOURS = ("#333333", "#c51b7d", "#8c510a", "#999933", "#882255", "#44aa99", "#aa4499")
# The sentences of a batch (Padding & packing), as light tints under dark text: grey, magenta,
# brown, after the first three SERIES_COLOURS; padding stays white.
SENTENCE_TINTS = ("#e0e0e0", "#f6d2e6", "#f0dfbf")
# Chips: known words, unknown words (dashed, orange-brown), the word being read.
CHIP_KNOWN = {"background": "#eef2f8", "color": INK, "border": "#b8c4d6"}
CHIP_UNKNOWN = {"background": "#fff4e5", "color": "#7a3e00", "border": "#d9822b"}
CHIP_CURRENT = {"background": "#1a1a1a", "color": WHITE, "outline": "#f4a259"}
CHIP_BORDER = "#999999"
# The cell diagrams (Inside the cell): gate boxes by activation, wires, the state path on top,
# the numbers along the wires, box borders, the other boxes and the colour legend's text.
DIAGRAM_GATES = {"sigmoid": "#f4a259", "tanh": "#8cb369", "relu": "#8cb369"}
DIAGRAM_WIRE = "#555555"
DIAGRAM_STATE_PATH = "#1a1a1a"  # thick black: not a class colour
DIAGRAM_STATE = DIAGRAM_STATE_PATH  # the unrolled network's state arrows
DIAGRAM_CELL = CHIP_KNOWN["background"]  # one copy of the cell in the unrolled network
DIAGRAM_VALUE = INK
DIAGRAM_BORDER = "#333333"
DIAGRAM_SQUASH_BOX = "#d0e6c8"  # tanh(c_t)
DIAGRAM_TERMS_BOX = "#e8e8e8"  # the plain RNN's sum of terms
DIAGRAM_NOTE = "#444444"
# Page CSS (rnnviz.ui.teacher): text a shade darker than Streamlit's greys, for contrast.
PAGE_CAPTION = "#4a4a4a"  # captions on a laptop (8.9:1 on white)
PAGE_HINT = "#333333"  # key hints
PROJECTOR_TEXT = "#222222"  # captions, hints and widget labels on a projector (15.9:1)
PROJECTOR_ALERT = INK  # text in notices on a projector


def class_colour(index: int) -> str:
    """The colour of class `index` (0-based label index) on every chart and verdict."""
    return CLASS_COLOURS[index % len(CLASS_COLOURS)]


def cell_colour(name: str) -> str:
    """The colour of a cell type, given its key ('lstm') or a title naming it ('LSTM', 'plain
    RNN', 'RNN (tanh)'); a name naming no cell gets the neutral GRID grey."""
    if name in CELL_COLOURS:
        return CELL_COLOURS[name]
    key = cell_of(name)
    return CELL_COLOURS[key] if key else GRID


def cell_of(name: str) -> str | None:
    """The cell-type key a chart name refers to ('RNN (ReLU)' -> 'rnn_relu'), or None."""
    lowered = name.lower()
    if "lstm" in lowered:
        return "lstm"
    if "gru" in lowered:
        return "gru"
    if "rnn" in lowered:
        return "rnn_relu" if "relu" in lowered else "rnn_tanh"
    return None


def class_scale(low: str, high: str) -> list:
    """A colour scale from the colour `low` through white to the colour `high`: probabilities
    between two classes, or attributions from 'against' to 'toward' a class."""
    return [[0.0, low], [0.5, WHITE], [1.0, high]]


def rgb(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of a CSS colour '#rrggbb', '#rgb' or 'rgb(r, g, b)'."""
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    r, g, b = (int(float(x)) for x in re.findall(r"[\d.]+", colour)[:3])
    return r, g, b


def luminance(colour: str) -> float:
    """WCAG relative luminance of a CSS colour, 0 (black) .. 1 (white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS colours, 1 .. 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_for(background: str) -> str:
    """Black or white text, whichever contrasts more with `background` (always >= 4.5:1)."""
    black, white = "#000", "#fff"
    return black if contrast(black, background) >= contrast(white, background) else white
