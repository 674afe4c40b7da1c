"""Words for people: what each traced quantity is called, its value range, and what to look for in it.

Pages and plots take every title, caption and range label from here, so a quantity is
explained the same way everywhere and a page never needs `if cell_type == "lstm"`.
Keys are the display keys of `LayerTrace.quantities()`: 'hidden', 'cell_state' and the
gate names PyTorch uses (LSTM input/forget/cell/output, GRU reset/update/new).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rnnviz.core.trace import SYMBOLS
from rnnviz.lessons.i18n import N_, Translate, english

# How a quantity's values are bounded, which decides its colour scale:
#   "sigmoid"    0..1      (gates: 0 = closed, 1 = open)
#   "tanh"       -1..1     (hidden states of tanh cells, candidates g and n)
#   "relu"       0..∞      (hidden state of a ReLU RNN)
#   "unbounded"  -∞..∞     (the LSTM cell state: a sum that can grow past ±1)
Kind = Literal["sigmoid", "tanh", "relu", "unbounded"]

NAMES = {
    "hidden": N_("Hidden state"),
    "cell_state": N_("Cell state"),
    "input": N_("Input gate"),
    "forget": N_("Forget gate"),
    "cell": N_("Candidate (cell gate)"),
    "output": N_("Output gate"),
    "reset": N_("Reset gate"),
    "update": N_("Update gate"),
    "new": N_("Candidate (new gate)"),
}

_KINDS: dict[str, Kind] = {
    "hidden": "tanh",
    "cell_state": "unbounded",
    "input": "sigmoid",
    "forget": "sigmoid",
    "cell": "tanh",
    "output": "sigmoid",
    "reset": "sigmoid",
    "update": "sigmoid",
    "new": "tanh",
}

# One line per quantity: what a student should look for in its chart.
CAPTIONS = {
    "hidden": "h is what the layer passes on to the next word and, at the end, to the classifier: "
    "look for units that change colour at “not”.",
    "cell_state": "c is the LSTM's memory. It can grow past ±1; a unit that keeps its colour over "
    "many words is remembering something.",
    "input": "i decides how much of the candidate g is written into memory: near 1 = write this "
    "word in, near 0 = ignore it.",
    "forget": "f decides how much old memory each unit keeps: near 1 = keep, near 0 = erase this unit.",
    "cell": "g is the new content proposed at each word (−1 to 1); it only reaches memory where "
    "the input gate is open.",
    "output": "o decides how much of the memory shows in h: near 0 = keep this unit's memory hidden for now.",
    "reset": "r decides how much of the previous state is used to propose new content: near 0 = "
    "propose as if the sentence had just started.",
    "update": "z decides how much of the old state is kept: near 1 = keep the old value, "
    "near 0 = replace it with the candidate n.",
    "new": "n is the candidate state proposed at each word (−1 to 1); it replaces the old state "
    "where the update gate z is low.",
}

# Cells whose only state is h get a caption that says so.
_HIDDEN_ONLY = (
    "h is the only memory a plain RNN has: it is rewritten at every word, so watch how quickly "
    "a unit's colour fades after “not”."
)

# Words for the two ends of a sigmoid gate's colour bar.
GATE_ENDS = {
    "input": (N_("ignore"), N_("write")),
    "forget": (N_("erase"), N_("keep")),
    "output": (N_("hide"), N_("show")),
    "reset": (N_("ignore past"), N_("use past")),
    "update": (N_("take new"), N_("keep old")),
}


def kind(quantity: str, cell_type: str) -> Kind:
    """The value range of `quantity` in a cell of `cell_type` (see `Kind`)."""
    if quantity == "hidden" and cell_type == "rnn_relu":
        return "relu"
    return _KINDS.get(quantity, "unbounded")


def symbol(quantity: str) -> str:
    """The quantity's symbol in the PyTorch docs: h, c, i, f, g, o, r, z, n."""
    return SYMBOLS.get(quantity, quantity)


def title(quantity: str, _: Translate = english) -> str:
    """E.g. 'Forget gate f' (in the language of `_`)."""
    return f"{_(NAMES[quantity]) if quantity in NAMES else quantity} {symbol(quantity)}"


def caption(quantity: str, cell_type: str) -> str:
    """One line saying what to look for in `quantity`'s chart."""
    if quantity == "hidden" and cell_type.startswith("rnn"):
        return _HIDDEN_ONLY
    return CAPTIONS.get(quantity, "")


# One line under each cell diagram: the path to follow.
_DIAGRAM_CAPTIONS = {
    "lstm": "Follow the thick black line along the top: the memory c is only multiplied by the forget gate f "
    "and added to (c = f·c + i·g), never pushed through a weight matrix and a squashing function, "
    "so what a unit stores can survive many words while f stays near 1.",
    "gru": "The thick black line along the top is h itself: the update gate z keeps that share of the old "
    "state and fills the rest with the candidate n, so where z is near 1 the state passes on "
    "almost unchanged.",
    "rnn": "A plain RNN has no gate: at every word the old state is multiplied by the weights and "
    "squashed again together with the new word, so what it knew fades (or blows up) within a few words.",
}


def diagram_caption(cell_type: str) -> str:
    """One line under a cell diagram: which path to follow and why it matters."""
    return _DIAGRAM_CAPTIONS["rnn" if cell_type.startswith("rnn") else cell_type]


# Sentences that each teach one thing about negation, as (lesson, sentence).
PRESETS = (
    ("negation", "the movie was not good"),
    ("negated negative", "the movie was not bad"),
    ("contrast", "the plot was dull but the acting was great"),
    ("distance", "i do not think this movie is good"),
)
DEFAULT_SENTENCE = PRESETS[0][1]
# Said wherever a sentence is traced and none of its words is in the model's vocabulary.
ALL_UNKNOWN = (
    "None of these words are in the model's vocabulary, so it reads every one of them as the same "
    "placeholder `<unk>`: its prediction says nothing about their meaning."
)


def prediction_caption(bidirectional: bool) -> str:
    """The caption under "prediction after each word": what a point means for this model."""
    if bidirectional:
        return (
            "Each point is what the model would answer if the sentence stopped at that word. A "
            "bidirectional model reads every such prefix again in both directions (its backward half "
            "needs the words after, which a cut-off sentence does not have), so a point is not one "
            f"running state. {_CHART_MARKS}"
        )
    return f"Each point is what the model would answer if the sentence stopped at that word. {_CHART_MARKS}"


# What the prediction chart's tint, lines and arrow mean (rnnviz.plots.trace.prediction_chart).
_CHART_MARKS = (
    "The tint shows which answer leads, a vertical line marks where the answer becomes clear (60% or "
    "more) or turns into the other, and the arrow the word that changed it most: after “not”, watch "
    "the sentiment word turn the answer the other way."
)


NEAR_CHANCE = 0.05  # a test accuracy this close to chance (1 / classes) earns a warning, not a check


def chance_warning(accuracy: float, classes: int) -> str | None:
    """A warning when `accuracy` (0..1) is within NEAR_CHANCE of guessing among `classes`, else None."""
    chance = 1.0 / max(1, classes)
    if abs(accuracy - chance) > NEAR_CHANCE:
        return None
    return (
        f"Test accuracy {accuracy:.1%} is within {NEAR_CHANCE * 100:.0f} points of chance ({chance:.0%} for "
        f"{classes} classes): this model has learned little or nothing yet. Train longer, with more "
        "data, or try another cell."
    )


MANY_UNKNOWN_SHARE = 0.3  # from this share of unknown tokens on, a verdict is shown as less certain


def many_unknown(unknown: Sequence[bool]) -> bool:
    """Whether at least MANY_UNKNOWN_SHARE of the tokens are unknown to the model."""
    return bool(unknown) and sum(map(bool, unknown)) >= MANY_UNKNOWN_SHARE * len(unknown)


def unknown_notice(unknown: Sequence[bool]) -> str | None:
    """What to say about a sentence's unknown words: ALL_UNKNOWN, a many-unknown warning when at
    least MANY_UNKNOWN_SHARE of them are unknown, or None."""
    if unknown and all(unknown):
        return ALL_UNKNOWN
    if not many_unknown(unknown):
        return None
    count = sum(map(bool, unknown))
    return (
        f"{count} of the {len(unknown)} words are not in the model's vocabulary (it reads them as "
        "`<unk>`): treat the verdict with care."
    )
