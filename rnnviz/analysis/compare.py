"""Two sentences side by side: their tokens aligned (LCS) and their traces compared column by column.

What lives here, in the order a student meets it:

  align(tokens_a, tokens_b)   longest-common-subsequence alignment, so "not" is an insertion
  compare(trace_a, trace_b)   both sentences' states and gates on aligned columns, their
                              difference, and the units that differ most

Contrast sets live in rnnviz.analysis.contrast, scores over many pairs in
rnnviz.analysis.negation_units, the minimal-pairs format in rnnviz.data.pairs, and what counts
as a negator in rnnviz.core.text.

Layouts. A trace holds [steps, units] arrays: row t belongs to token t (rnnviz.core.trace). The
comparison turns them into heatmap matrices [units, columns], one column per aligned
position, so that both sentences share the x axis:

    trace_a.hidden  [steps_a, units]          alignment columns:  the  movie  was   —   good
    trace_b.hidden  [steps_b, units]                              the  movie  was  not  good
          |  transpose + spread over columns
          v
    a, b            [units, columns]   NaN where that sentence has a gap ("—")
    difference      [units, columns]   b - a, NaN where either side has a gap
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnviz.analysis.units import rank_units
from rnnviz.core.models import Classifier
from rnnviz.core.text import is_negator, tokenize
from rnnviz.core.trace import (
    DIRECTIONS,
    STATE_QUANTITIES,
    Direction,
    LayerTrace,
    SentenceTrace,
    trace_sentence,
)

# The minimal-pairs file that ships with the repository (see read_pairs for the format).

GAP = "—"  # how a missing token is written in column labels

Side = Literal["a", "b"]
# How each state reads in a ranking's one-line basis ("|B - A| of the final hidden state").
_STATE_WORDS = {"hidden": "hidden state", "cell_state": "cell state"}


# --------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------

Column = tuple[int | None, int | None]


@dataclass(frozen=True)
class Alignment:
    """Two token lists laid out on shared columns. Each column is (index_a, index_b); None
    marks a gap: (None, 3) is a token only sentence B has (an insertion, e.g. "not"), (2, None)
    one only A has. Both indices are set for equal tokens and, inside a stretch between equal
    tokens, for tokens paired as substitutions ("everything" / "nothing")."""

    tokens_a: tuple[str, ...]
    tokens_b: tuple[str, ...]
    columns: tuple[Column, ...]

    def __len__(self) -> int:
        return len(self.columns)

    def index(self, side: Side) -> np.ndarray:
        """[columns] int: the token index of `side` in each column, -1 in gaps."""
        k = 0 if side == "a" else 1
        return np.array([-1 if c[k] is None else c[k] for c in self.columns], dtype=np.int64)

    def token(self, column: int, side: Side) -> str | None:
        """The token `side` has in `column`, None in a gap."""
        i = self.columns[column][0 if side == "a" else 1]
        return None if i is None else (self.tokens_a if side == "a" else self.tokens_b)[i]

    def kind(self, column: int) -> Literal["same", "substituted", "only_a", "only_b"]:
        """Whether `column` holds one token in both, a substitution, or a token of one side only."""
        i, j = self.columns[column]
        if i is None:
            return "only_b"
        if j is None:
            return "only_a"
        return "same" if self.tokens_a[i] == self.tokens_b[j] else "substituted"

    def labels(self) -> list[str]:
        """Tick labels per column: "good" where both have the same token, "— / not" for a
        token only B has, "not / —" for one only A has, "everything / nothing" otherwise."""
        labels = []
        for column in range(len(self.columns)):
            a, b = self.token(column, "a"), self.token(column, "b")
            labels.append(a if a == b else f"{a or GAP} / {b or GAP}")
        return labels


def _lcs_suffix_table(a: Sequence[str], b: Sequence[str]) -> list[list[int]]:
    """table[i][j] = length of the longest common subsequence of a[i:] and b[j:]."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        row, below = table[i], table[i + 1]
        for j in range(len(b) - 1, -1, -1):
            row[j] = below[j + 1] + 1 if a[i] == b[j] else max(below[j], row[j + 1])
    return table


def align(tokens_a: Sequence[str], tokens_b: Sequence[str], substitutions: bool = True) -> Alignment:
    """Longest-common-subsequence alignment of two token lists (see Alignment).

    Equal tokens are matched greedily from the left whenever that keeps the common
    subsequence longest. The unmatched tokens between two matches form a stretch; with
    `substitutions`, its last min(len_a, len_b) tokens are paired column by column (right
    aligned, because negation usually adds words before the word it changes: "loved" ->
    "did not love" pairs "loved" with "love"), and the rest are gaps, A's before B's.
    """
    a, b = tuple(tokens_a), tuple(tokens_b)
    table = _lcs_suffix_table(a, b)
    columns: list[Column] = []
    only_a: list[int] = []
    only_b: list[int] = []

    def flush() -> None:
        paired = min(len(only_a), len(only_b)) if substitutions else 0
        columns.extend((i, None) for i in only_a[: len(only_a) - paired])
        columns.extend((None, j) for j in only_b[: len(only_b) - paired])
        columns.extend(zip(only_a[len(only_a) - paired :], only_b[len(only_b) - paired :], strict=True))
        only_a.clear()
        only_b.clear()

    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i] == b[j]:
            flush()
            columns.append((i, j))
            i, j = i + 1, j + 1
        elif j == len(b) or (i < len(a) and table[i + 1][j] >= table[i][j + 1]):
            only_a.append(i)
            i += 1
        else:
            only_b.append(j)
            j += 1
    flush()
    return Alignment(a, b, tuple(columns))


def aligned_rows(values: np.ndarray, alignment: Alignment, side: Side) -> np.ndarray:
    """Spread [steps, k] rows of one sentence over the alignment: [columns, k] float32,
    NaN in the columns where that sentence has a gap."""
    index = alignment.index(side)
    out = np.full((len(index), values.shape[1]), np.nan, dtype=np.float32)
    present = index >= 0
    out[present] = values[index[present]]
    return out


def aligned_matrices(
    values_a: np.ndarray, values_b: np.ndarray, alignment: Alignment
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heatmap matrices for one quantity of two sentences.

    values_a [steps_a, units], values_b [steps_b, units] (trace layout) ->
    (a, b, b - a), each [units, columns] (heatmap layout: y = unit, x = aligned column);
    a and b are NaN in their gap columns, the difference wherever either side is a gap.
    """
    a = aligned_rows(values_a, alignment, "a").T
    b = aligned_rows(values_b, alignment, "b").T
    return a, b, b - a


# --------------------------------------------------------------------------------------------
# Comparing two sentences
# --------------------------------------------------------------------------------------------


def _negator_column(alignment: Alignment, direction: Direction) -> int | None:
    """The first column, in this direction's reading order, where either sentence has a
    negator: the leftmost for the forward direction, the rightmost for the backward one."""
    hits = [
        c
        for c in range(len(alignment))
        if any((tok := alignment.token(c, side)) is not None and is_negator(tok) for side in ("a", "b"))
    ]
    if not hits:
        return None
    return hits[0] if direction == "forward" else hits[-1]


def after_negator_columns(alignment: Alignment, direction: Direction) -> tuple[int | None, tuple[int, ...]]:
    """(negator column, columns where both sentences have a token and this direction has
    already read the negator: at/after it for forward, at/before it for backward). Without a
    negator in either sentence: every column where both have a token."""
    negator = _negator_column(alignment, direction)
    both = [c for c, (i, j) in enumerate(alignment.columns) if i is not None and j is not None]
    if negator is None:
        return None, tuple(both)
    if direction == "forward":
        return negator, tuple(c for c in both if c >= negator)
    return negator, tuple(c for c in both if c <= negator)


def final_row(direction: Direction) -> int:
    """The step a direction ends on: the last token reading forward, token 0 backward."""
    return -1 if direction == "forward" else 0


@dataclass(frozen=True)
class QuantityComparison:
    """One quantity (hidden, cell_state or a gate) of two sentences on aligned columns."""

    name: str  # key of LayerTrace.quantities(): 'hidden', 'cell_state', 'forget', …
    a: np.ndarray  # [units, columns] sentence A, NaN in A's gaps
    b: np.ndarray  # [units, columns] sentence B, NaN in B's gaps
    difference: np.ndarray  # [units, columns] b - a, NaN where either side is a gap
    unit_scores: np.ndarray  # [units] how much each unit differs, >= 0 (see `basis`)
    ranked_units: np.ndarray  # [units] unit indices, most different first
    basis: str  # one line saying what unit_scores measure, for a caption

    def top(self, k: int = 5) -> list[int]:
        """The `k` most different units, as plain ints."""
        return [int(u) for u in self.ranked_units[:k]]


@dataclass(frozen=True)
class PairComparison:
    """Two traces of one classifier, one layer and direction, laid side by side."""

    alignment: Alignment
    layer: int
    direction: Direction
    labels: tuple[str, ...]  # the classifier's class names
    prefix_a: np.ndarray  # [columns, n_labels] prediction after each word of A, NaN in gaps
    prefix_b: np.ndarray  # [columns, n_labels] same for B
    negator_column: int | None  # first column this direction reads with a negator, if any
    scored_columns: tuple[int, ...]  # the columns gate scores average over
    quantities: dict[str, QuantityComparison]  # same keys, same order as LayerTrace.quantities()

    @property
    def column_labels(self) -> list[str]:
        """Tick labels per aligned column (see Alignment.labels)."""
        return self.alignment.labels()


def _check_same_model(trace_a: SentenceTrace, trace_b: SentenceTrace) -> None:
    for name, trace in (("A", trace_a), ("B", trace_b)):
        if len(trace.tokens) == 0:
            raise ValueError(f"sentence {name} is empty: type a sentence to compare")
    ta, tb = trace_a.trace, trace_b.trace
    if (ta.cell_type, ta.hidden_size, len(ta.states), trace_a.labels) != (
        tb.cell_type,
        tb.hidden_size,
        len(tb.states),
        trace_b.labels,
    ):
        raise ValueError("the two traces come from different models; trace both with the same classifier")


def _layer_state(trace: SentenceTrace, layer: int, direction: Direction) -> LayerTrace:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    try:
        return trace.trace.state(layer, direction)
    except KeyError:
        t = trace.trace
        raise ValueError(
            f"this model has no layer {layer} {direction}: it has layers 0-{t.num_layers - 1}, "
            f"directions {', '.join(t.directions)}"
        ) from None


def compare(
    trace_a: SentenceTrace, trace_b: SentenceTrace, layer: int = 0, direction: Direction = "forward"
) -> PairComparison:
    """Compare every quantity of one (layer, direction) between two sentences.

    Per quantity: aligned [units, columns] matrices, their difference (B - A) and units ranked
    by how much they differ. States (hidden, cell_state) are ranked by |final B - final A|,
    "final" being the last token reading forward and token 0 reading backward (what a 'last'
    readout sees). Gates are ranked by the mean |B - A| over the aligned columns where this
    direction has already read the first negator (columns present in both sentences: at/after
    it forward, at/before it backward); without a negator in either sentence, over all
    columns present in both. Raises ValueError for an empty side, traces of different models,
    or a layer/direction the model does not have.
    """
    _check_same_model(trace_a, trace_b)
    state_a = _layer_state(trace_a, layer, direction)
    state_b = _layer_state(trace_b, layer, direction)
    alignment = align(trace_a.tokens, trace_b.tokens)
    negator, scored = after_negator_columns(alignment, direction)
    final = final_row(direction)
    where = "token 0, where the backward direction ends" if direction == "backward" else "the last token"
    if negator is None:
        start = ""
    else:
        found = (alignment.token(negator, side) for side in ("a", "b"))
        word = next(w for w in found if w is not None and is_negator(w))
        start = (
            f" from the negator “{word}” on" if direction == "forward" else f" back from the negator “{word}”"
        )
    quantities_b = state_b.quantities()
    quantities: dict[str, QuantityComparison] = {}
    for name, values_a in state_a.quantities().items():
        values_b = quantities_b[name]
        a, b, difference = aligned_matrices(values_a, values_b, alignment)
        if name in STATE_QUANTITIES:
            scores = np.abs(values_b[final] - values_a[final])
            basis = f"|B - A| of the final {_STATE_WORDS[name]} ({where})"
        elif scored:
            scores = np.abs(difference[:, list(scored)]).mean(axis=1)
            basis = f"mean |B - A| over {len(scored)} aligned columns{start}"
        else:
            scores = np.full(values_a.shape[1], np.nan, dtype=np.float32)
            basis = "no aligned columns after the negator to compare"
        quantities[name] = QuantityComparison(
            name=name,
            a=a,
            b=b,
            difference=difference,
            unit_scores=scores.astype(np.float32),
            ranked_units=rank_units(scores),
            basis=basis,
        )
    return PairComparison(
        alignment=alignment,
        layer=layer,
        direction=direction,
        labels=trace_a.labels,
        prefix_a=aligned_rows(trace_a.prefix_probabilities, alignment, "a"),
        prefix_b=aligned_rows(trace_b.prefix_probabilities, alignment, "b"),
        negator_column=negator,
        scored_columns=scored,
        quantities=quantities,
    )


def trace_pair(
    classifier: Classifier, text_a: str, text_b: str, max_tokens: int | None = None
) -> tuple[SentenceTrace, SentenceTrace]:
    """Trace both sentences; a ValueError names the side that has no tokens."""
    traces = []
    for name, text in (("first", text_a), ("second", text_b)):
        if not tokenize(text):
            raise ValueError(f"the {name} sentence is empty: type a sentence to compare")
        traces.append(trace_sentence(classifier, text, max_tokens=max_tokens))
    return traces[0], traces[1]


# --------------------------------------------------------------------------------------------
# Minimal pairs
# --------------------------------------------------------------------------------------------
