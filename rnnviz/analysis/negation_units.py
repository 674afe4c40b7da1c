"""Negation units: over many minimal pairs, the units that move consistently when a negator is present.

For each pair with exactly one negated sentence, d = negated - plain per unit (at the final
step, or averaged over the aligned columns read after the negator, as in
rnnviz.analysis.compare); a unit's score is mean(d) / (std(d) + eps), so a unit that moves
the same way in every pair ranks first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.analysis.compare import after_negator_columns, align, aligned_matrices, final_row
from rnnviz.analysis.units import rank_units
from rnnviz.core.models import Classifier
from rnnviz.core.text import PAD_ID, has_negator, tokenize
from rnnviz.core.trace import DIRECTIONS, STATE_QUANTITIES, Direction, embed_and_trace_batch, quantity_names
from rnnviz.data.pairs import Pair

Measure = Literal["auto", "final", "after_negator"]


@dataclass(frozen=True)
class UnitScores:
    """Per unit of one (layer, direction, quantity): how consistently negation moves it.

    For each usable pair, d = (negated sentence) - (plain sentence), per unit (see `measure`).
    score = mean(d) / (std(d) + eps): a standardised mean difference (Cohen's d for paired
    samples); large |score| means the unit moves the same way whenever a negator is present.
    """

    layer: int
    direction: Direction
    quantity: str
    measure: Literal["final", "after_negator"]  # what d is (see negation_unit_scores)
    differences: np.ndarray  # [pairs, units] d per usable pair (NaN: nothing to compare)
    mean_difference: np.ndarray  # [units]
    std_difference: np.ndarray  # [units] sample standard deviation (ddof=1)
    score: np.ndarray  # [units] mean / (std + eps)
    count: np.ndarray  # [units] int: pairs with a finite d
    ranked_units: np.ndarray  # [units] unit indices by decreasing |score|
    pairs_used: tuple[int, ...]  # indices into the pairs given, one per row of `differences`
    skipped: int  # pairs without exactly one negated side

    def table(self, top: int | None = None) -> list[dict]:
        """Ranked rows {rank, unit, score, mean_difference, std_difference, count} of plain
        Python values, ready for a dataframe."""
        rows = []
        for rank, unit in enumerate(self.ranked_units[:top], start=1):
            rows.append(
                {
                    "rank": rank,
                    "unit": int(unit),
                    "score": float(self.score[unit]),
                    "mean_difference": float(self.mean_difference[unit]),
                    "std_difference": float(self.std_difference[unit]),
                    "count": int(self.count[unit]),
                }
            )
        return rows


@torch.inference_mode()
def _final_states(
    classifier: Classifier, token_ids: list[list[int]], layer: int, direction: Direction, quantity: str
) -> np.ndarray:
    """[sentences, units]: final h (or LSTM c) of one layer/direction, in batches through the
    model's own fused recurrent module (its h_n / c_n: last token forward, token 0 backward)."""
    model = classifier.model
    device = next(model.parameters()).device
    row = layer * classifier.config.num_directions + DIRECTIONS.index(direction)
    out = []
    for start in range(0, len(token_ids), 256):
        chunk = token_ids[start : start + 256]
        lengths = torch.tensor([len(ids) for ids in chunk])
        batch = torch.full((len(chunk), int(lengths.max())), PAD_ID, dtype=torch.long)
        for r, ids in enumerate(chunk):
            batch[r, : len(ids)] = torch.tensor(ids)
        embedded = model.embedding(batch.to(device))  # [batch, steps, embedding_dim]
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, final = model.rnn(packed)  # h_n (and c_n): [layers * directions, batch, hidden]
        if isinstance(final, tuple):
            final = final[0] if quantity == "hidden" else final[1]
        out.append(final[row].float().cpu().numpy())
    return np.concatenate(out)


def negation_unit_scores(
    classifier: Classifier,
    pairs: Sequence[Pair],
    layer: int = 0,
    direction: Direction = "forward",
    quantity: str = "hidden",
    measure: Measure = "auto",
    eps: float = 1e-3,
) -> UnitScores:
    """Find the units whose `quantity` changes consistently when a negator is present.

    Each pair needs exactly one sentence with a negator (rnnviz.core.text.NEGATORS); others
    are skipped and counted. Per usable pair, d = negated - plain per unit, where `measure` is
      'final'          the value at the final step (last token forward, token 0 backward),
                       what the readout sees; states use the model's own batched forward;
      'after_negator'  the mean over aligned columns (both sentences present) that this
                       direction reads after meeting the negator, as in `compare`;
      'auto'           'final' for hidden/cell_state, 'after_negator' for gates (the same
                       choice `compare` ranks by).
    `eps` (in activation units) keeps units that barely move from topping the ranking by
    dividing tiny numbers. Raises ValueError for an unknown quantity/layer/direction or
    fewer than two usable pairs. 100 pairs through a 128-unit LSTM take well under a second.
    """
    names = quantity_names(classifier.config.cell)
    if quantity not in names:
        raise ValueError(f"quantity must be one of {', '.join(names)} for this model; got {quantity!r}")
    config = classifier.config
    if direction not in DIRECTIONS[: config.num_directions] or not 0 <= layer < config.num_layers:
        raise ValueError(
            f"this model has no layer {layer} {direction}: it has layers 0-{config.num_layers - 1}, "
            f"directions {', '.join(DIRECTIONS[: config.num_directions])}"
        )
    if measure == "auto":
        measure = "final" if quantity in STATE_QUANTITIES else "after_negator"
    if measure not in ("final", "after_negator"):
        raise ValueError(f"measure must be 'auto', 'final' or 'after_negator'; got {measure!r}")

    used: list[int] = []
    negated: list[list[str]] = []
    plain: list[list[str]] = []
    for k, pair in enumerate(pairs):
        tokens_a, tokens_b = tokenize(pair.text_a), tokenize(pair.text_b)
        if not tokens_a or not tokens_b or has_negator(tokens_a) == has_negator(tokens_b):
            continue
        used.append(k)
        negated.append(tokens_a if has_negator(tokens_a) else tokens_b)
        plain.append(tokens_b if has_negator(tokens_a) else tokens_a)
    skipped = len(pairs) - len(used)
    if len(used) < 2:
        raise ValueError(
            f"need at least two pairs with exactly one negated sentence; found {len(used)} "
            f"({skipped} skipped: both or neither sentence has a negator)"
        )

    encode = classifier.vocab.encode
    if measure == "final" and quantity in STATE_QUANTITIES:
        states = _final_states(classifier, [encode(t) for t in negated + plain], layer, direction, quantity)
        differences = states[: len(used)] - states[len(used) :]  # [pairs, units]
    else:
        # every sentence traced exactly, negated ones first, as padded batches (rnnviz.core.trace)
        traces = embed_and_trace_batch(classifier, [encode(t) for t in negated + plain])
        values = [t.state(layer, direction).quantities()[quantity] for t in traces]  # [steps, units] each
        rows = []
        for k, (neg, pla) in enumerate(zip(negated, plain, strict=True)):
            values_neg, values_pla = values[k], values[len(used) + k]
            if measure == "final":
                final = final_row(direction)
                rows.append(values_neg[final] - values_pla[final])
                continue
            alignment = align(pla, neg)  # plain is A, negated is B: difference = B - A
            _, columns = after_negator_columns(alignment, direction)
            if not columns:
                rows.append(np.full(values_neg.shape[1], np.nan, dtype=np.float32))
                continue
            _, _, difference = aligned_matrices(values_pla, values_neg, alignment)
            rows.append(difference[:, list(columns)].mean(axis=1))
        differences = np.stack(rows).astype(np.float32)

    count = np.isfinite(differences).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        filled = np.where(np.isfinite(differences), differences, 0.0)
        mean = filled.sum(axis=0) / np.maximum(count, 1)
        squares = np.where(np.isfinite(differences), (differences - mean) ** 2, 0.0).sum(axis=0)
        std = np.sqrt(squares / np.maximum(count - 1, 1))
    mean = np.where(count > 0, mean, np.nan).astype(np.float32)
    std = np.where(count > 1, std, np.nan).astype(np.float32)
    score = (mean / (np.nan_to_num(std, nan=0.0) + eps)).astype(np.float32)
    score = np.where(count > 1, score, np.nan).astype(np.float32)
    return UnitScores(
        layer=layer,
        direction=direction,
        quantity=quantity,
        measure=measure,
        differences=differences,
        mean_difference=mean,
        std_difference=std,
        score=score,
        count=count.astype(np.int64),
        ranked_units=rank_units(np.abs(score)),
        pairs_used=tuple(used),
        skipped=skipped,
    )
