"""Words for the Padding & packing page: why a batch is padded, what packing does, and what the
page's checks found, in one line each.

Functions take numbers and markdown-safe names and return markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.lessons.stacking import number

INTRO = (
    "A network learns from batches: several sentences at once, as one tensor. Sentences differ in "
    "length, so the shorter ones are **padded** with `<pad>` (id 0) to the longest, and the batch is "
    "**packed** so that the recurrent layer stops reading each sentence at its own end."
)
IDS_CAPTION = N_(
    "Each row is one sentence as ids, tinted by sentence; white cells are padding. The mask is 1 where "
    "there is a word, and its row sums are the lengths."
)
PACKED_CAPTION = (
    "`pack_padded_sequence` sorts the sentences longest first and keeps only real words: each cell is a "
    "token, its row [r] in `data` and the id there; `data` is read column by column, and `batch_sizes[t]` "
    "(under each column) says how many sentences are still running at step t. No `<pad>` is left to read."
)
RUN_CAPTION = (
    "Bars: the largest difference of each sentence's final state (h_n, and c_n for an LSTM, every layer "
    "and direction) from that sentence run alone. Packed, they agree to float rounding; padded without "
    "packing, every sentence shorter than the longest is off."
)


def summary(packed: float, padded: Sequence[float], names: Sequence[str], _: Translate = english) -> str:
    """The page's answer in two sentences: packed equals alone; which sentences go wrong unpacked."""
    text = _(
        "**Packed**, every sentence's final state equals the sentence run alone (max |difference| {packed})."
    ).format(packed=number(packed))
    wrong = [(name, value) for name, value in zip(names, padded, strict=True) if value > 1e-4]
    if not wrong:
        return text + " " + _("All sentences have the same length here, so no padding is read either way.")
    numbers = [name.removeprefix("sentence ") for name, _value in wrong]
    worst = number(max(value for _name, value in wrong))
    if len(numbers) == 1:
        rest = _(
            "**Padded but not packed**, sentence {which} reads `<pad>` after its end and finishes off by up "
            "to {worst}."
        ).format(which=numbers[0], worst=worst)
    else:
        rest = _(
            "**Padded but not packed**, sentences {which} and {last} read `<pad>` after their end and finish "
            "off by up to {worst}."
        ).format(which=", ".join(numbers[:-1]), last=numbers[-1], worst=worst)
    return text + " " + rest


def why_padding_matters(cell: str) -> str:
    """Why reading <pad> changes the state even though its embedding is all zeros."""
    return (
        f"Why reading `<pad>` matters: its embedding is all zeros, but the {cell} still adds its biases and "
        "its recurrent weights times the state at every extra step, so the state keeps moving after the "
        "sentence has ended (and a backward direction starts on the padding instead of the last word)."
    )
