"""Interventions: change chosen units of one quantity over a range of words, re-run the rest of
the network from there and read the prediction again — the causal test of a unit.

An Intervention names (layer, direction, quantity, units, words start..end) and what the units
become there:

    zero      0
    constant  a number
    mean      a given vector [hidden_size] (e.g. `corpus_means`: the unit's mean over a corpus)
    patch     the same quantity of another sentence's clean trace (activation patching), its
              word t + (source_start - start) standing in for word t

The equations stay in rnnviz.core.trace: the interventions run as its step hook, so a changed
gate feeds c_t and h_t, and a changed c_t or h_t feeds the next word and the layer above.

    before  = intervene(classifier, ids, [])        the clean run, on the same (stepwise) path
    after   = intervene(classifier, ids, [Intervention(...)])

The prediction after each word is the readout of the changed top layer; a bidirectional
network reads each prefix afresh (with the interventions that fall inside it), as the model
itself would — a patch then still takes its values from the other sentence's whole-sentence
trace, so patching a bidirectional sentence with its own trace is the identity for the
whole-sentence prediction and the trace, not for every prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import torch

from rnnviz.core.models import Classifier, prefix_vectors, sentence_vectors
from rnnviz.core.text import is_negator, tokenize
from rnnviz.core.trace import DIRECTIONS, SYMBOLS, Direction, Trace, quantity_names, trace_module
from rnnviz.data.pairs import Pair

Mode = Literal["zero", "constant", "mean", "patch"]
MODES: tuple[Mode, ...] = ("zero", "constant", "mean", "patch")
_BY_SYMBOL = {symbol: name for name, symbol in SYMBOLS.items()}


def quantity_key(quantity: str) -> str:
    """The display key of a quantity given by key ('cell_state', 'forget') or by its symbol in
    the PyTorch docs ('c', 'f')."""
    return _BY_SYMBOL.get(quantity, quantity)


@dataclass(frozen=True, eq=False)
class Intervention:
    """Set `units` of one quantity of one layer/direction, at words start..end (inclusive)."""

    quantity: str  # 'hidden', 'cell_state', a gate name, or a symbol: h, c, i, f, g, o, r, z, n
    units: tuple[int, ...]  # unit indices, 0-based
    start: int  # first word changed, 0-based
    end: int  # last word changed (inclusive)
    mode: Mode = "zero"
    layer: int = 0  # 0-based
    direction: Direction = "forward"
    value: float = 0.0  # for mode 'constant'
    mean: np.ndarray | None = None  # [hidden_size] for mode 'mean'
    source: Trace | None = None  # the other sentence's clean trace, for mode 'patch'
    source_start: int | None = None  # its word that stands in for `start` (default: start)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", quantity_key(self.quantity))
        object.__setattr__(self, "units", tuple(int(u) for u in self.units))
        problems = []
        if self.mode not in MODES:
            problems.append(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        if self.direction not in DIRECTIONS:
            problems.append(f"direction must be forward or backward; got {self.direction!r}")
        if not 0 <= self.start <= self.end:
            problems.append(f"the words must satisfy 0 <= start <= end; got {self.start}..{self.end}")
        if not self.units:
            problems.append("choose at least one unit")
        if self.mode == "mean" and self.mean is None:
            problems.append("mode 'mean' needs the mean vector")
        if self.mode == "patch" and self.source is None:
            problems.append("mode 'patch' needs the other sentence's trace")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def offset(self) -> int:
        """source word = target word + offset (mode 'patch')."""
        return 0 if self.source_start is None else self.source_start - self.start


def check_interventions(classifier: Classifier, interventions: Sequence[Intervention]) -> None:
    """Raise ValueError, saying what is wrong, for an intervention this model cannot take
    (units, layer, direction or quantity it does not have; a patch source outside its sentence)."""
    config = classifier.config
    names = quantity_names(config.cell)
    for k in interventions:
        if k.quantity not in names:
            raise ValueError(f"this model has no quantity {k.quantity!r}; it has {', '.join(names)}")
        if not 0 <= k.layer < config.num_layers or k.direction not in DIRECTIONS[: config.num_directions]:
            raise ValueError(f"this model has no layer {k.layer + 1} {k.direction}")
        if min(k.units) < 0 or max(k.units) >= config.hidden_size:
            raise ValueError(f"units must be 0..{config.hidden_size - 1}; got {list(k.units)}")
        if k.mode == "mean" and np.shape(k.mean) != (config.hidden_size,):
            raise ValueError(f"the mean vector must have {config.hidden_size} values")
        if k.mode == "patch":
            steps = k.source.steps
            if k.start + k.offset < 0 or k.end + k.offset >= steps:
                raise ValueError(f"the other sentence has words 0..{steps - 1}: it cannot fill these words")
            if k.source.hidden_size != config.hidden_size or k.source.cell_type != config.cell:
                raise ValueError("the other sentence's trace comes from another kind of model")


def _hook(interventions: Sequence[Intervention], steps: int):
    """The trace's StepHook that applies `interventions` to a sentence of `steps` words."""
    table: dict[tuple[int, str, str], list[Intervention]] = {}
    for k in interventions:
        table.setdefault((k.layer, k.direction, k.quantity), []).append(k)

    def hook(layer: int, direction: Direction, step: int, name: str, values: np.ndarray) -> None:
        for k in table.get((layer, direction, name), ()):
            if not k.start <= step <= k.end:
                continue
            units = list(k.units)
            if k.mode == "zero":
                values[units] = 0.0
            elif k.mode == "constant":
                values[units] = k.value
            elif k.mode == "mean":
                values[units] = np.asarray(k.mean, np.float32)[units]
            else:
                source = k.source.state(layer, direction).quantities()[name]
                values[units] = source[step + k.offset, units]

    return hook


def intervened_trace(
    classifier: Classifier, token_ids: Sequence[int], interventions: Sequence[Intervention]
) -> Trace:
    """The exact step trace of `token_ids` with `interventions` applied (none: the clean run,
    on the same path, so 'before' and 'after' differ only by the interventions)."""
    check_interventions(classifier, interventions)
    model = classifier.model
    with torch.no_grad():
        embedded = model.embedding(torch.tensor(list(token_ids), device=next(model.parameters()).device))
    return trace_module(model.rnn, embedded.float().cpu(), hook=_hook(interventions, len(token_ids)))


def _top_outputs(trace: Trace) -> torch.Tensor:
    """[steps, num_directions * hidden_size]: the top layer's h_t, directions concatenated."""
    top = trace.num_layers - 1
    return torch.from_numpy(np.concatenate([trace.state(top, d).hidden for d in trace.directions], axis=1))


@torch.no_grad()
def readout_probabilities(classifier: Classifier, trace: Trace) -> np.ndarray:
    """Class probabilities [n_labels] the classifier's head gives to a whole-sentence trace."""
    config, model = classifier.config, classifier.model
    outputs = _top_outputs(trace)  # [steps, dirs * H]
    # h_n per layer and direction: the last word forward, word 0 backward. [layers * dirs, 1, H]
    final = torch.stack(
        [torch.from_numpy(s.hidden[-1 if s.direction == "forward" else 0])[None] for s in trace.states]
    )
    device = next(model.parameters()).device
    vector = sentence_vectors(config, outputs[None], torch.tensor([trace.steps]), final)
    return torch.softmax(model.head(vector.to(device)).float(), -1)[0].cpu().numpy()


@dataclass(frozen=True)
class InterventionResult:
    """One sentence read with interventions: the changed trace and predictions."""

    token_ids: tuple[int, ...]
    trace: Trace  # the whole sentence, with the interventions
    prefix_probabilities: np.ndarray  # [steps, n_labels]: prediction after each word
    interventions: tuple[Intervention, ...] = field(default=())

    @property
    def probabilities(self) -> np.ndarray:
        """[n_labels]: the prediction for the whole sentence."""
        return self.prefix_probabilities[-1]


def _clipped(interventions: Sequence[Intervention], steps: int) -> list[Intervention]:
    """The interventions as they apply to the prefix of `steps` words (word range cut there)."""
    return [replace(k, end=min(k.end, steps - 1)) for k in interventions if k.start < steps]


@torch.no_grad()
def intervene(
    classifier: Classifier, token_ids: Sequence[int], interventions: Sequence[Intervention] = ()
) -> InterventionResult:
    """Read `token_ids` with `interventions` and predict after each word (see the module
    docstring). Raises ValueError for an empty sentence or an intervention the model cannot take."""
    ids = list(token_ids)
    if not ids:
        raise ValueError("the sentence has no words to read")
    trace = intervened_trace(classifier, ids, interventions)
    config, model = classifier.config, classifier.model
    if not config.bidirectional:
        top = torch.from_numpy(trace.state(trace.num_layers - 1, "forward").hidden)
        logits = model.head(prefix_vectors(config, top.to(next(model.parameters()).device)))
        prefix = torch.softmax(logits.float(), -1).cpu().numpy()
    else:  # the backward direction reads each prefix afresh
        rows = [readout_probabilities(classifier, trace)]
        for steps in range(len(ids) - 1, 0, -1):
            part = intervened_trace(classifier, ids[:steps], _clipped(interventions, steps))
            rows.append(readout_probabilities(classifier, part))
        prefix = np.stack(rows[::-1])
    return InterventionResult(tuple(ids), trace, prefix, tuple(interventions))


def predicted_probabilities(
    classifier: Classifier, token_ids: Sequence[int], interventions: Sequence[Intervention] = ()
) -> np.ndarray:
    """[n_labels]: only the whole-sentence prediction with `interventions` (cheaper than intervene)."""
    return readout_probabilities(classifier, intervened_trace(classifier, list(token_ids), interventions))


def corpus_means(
    classifier: Classifier, sentences: Sequence[Sequence[str]]
) -> dict[tuple[int, str, str], np.ndarray]:
    """{(layer, direction, quantity): [hidden_size] mean over every word of `sentences` (token
    lists)}: what mode 'mean' sets a unit to."""
    sums: dict[tuple[int, str, str], np.ndarray] = {}
    count = 0
    for tokens in sentences:
        if not tokens:
            continue
        trace = intervened_trace(classifier, classifier.vocab.encode(list(tokens)), [])
        count += trace.steps
        for s in trace.states:
            for name, values in s.quantities().items():
                key = (s.layer, s.direction, name)
                sums[key] = sums.get(key, 0.0) + values.astype(np.float64).sum(axis=0)
    if not count:
        raise ValueError("no words to average over")
    return {key: (total / count).astype(np.float32) for key, total in sums.items()}


# --------------------------------------------------------------------------- aggregate effect
Where = Literal["negator", "all"]


@dataclass(frozen=True)
class AggregateEffect:
    """An intervention on every pair: both-right accuracy before and after, beside the same
    intervention on `draws` random sets of as many units."""

    n_pairs: int
    before: float  # share of pairs with both sentences right, untouched
    after: float  # ... with the chosen units changed
    random_after: np.ndarray  # [draws]: ... with random units changed

    @property
    def change(self) -> float:
        """after - before."""
        return self.after - self.before

    @property
    def random_change_mean(self) -> float:
        """Mean over the random draws of (after - before)."""
        return float(self.random_after.mean() - self.before)

    @property
    def random_change_sd(self) -> float:
        """Sample standard deviation (ddof=1) of the random draws' change."""
        return float(self.random_after.std(ddof=1)) if len(self.random_after) > 1 else 0.0


def _positions(tokens: Sequence[str], where: Where) -> list[int]:
    return (
        list(range(len(tokens))) if where == "all" else [t for t, tok in enumerate(tokens) if is_negator(tok)]
    )


def _runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted positions as runs of consecutive words: [2, 3, 4, 7] -> [(2, 4), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for t in positions:
        if runs and t == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def _right(
    classifier: Classifier,
    sentences: list[tuple[list[int], list[int], int]],
    template: Intervention | None,
    untouched: list[bool] | None = None,
) -> list[bool]:
    """Per sentence (ids, positions, label): whether the classifier is right with the
    template's units/quantity/mode applied at each of its positions. A sentence with no
    position is not changed: its `untouched` answer is reused when given."""
    right = []
    for k, (ids, positions, label) in enumerate(sentences):
        if untouched is not None and (template is None or not positions):
            right.append(untouched[k])
            continue
        interventions = []
        if template is not None:
            interventions = [replace(template, start=a, end=b) for a, b in _runs(positions)]
        right.append(int(np.argmax(predicted_probabilities(classifier, ids, interventions))) == label)
    return right


def _both_right(right: list[bool]) -> float:
    """Share of pairs (consecutive sentences) right on both sides."""
    return float(np.asarray(right).reshape(-1, 2).all(axis=1).mean())


def aggregate_effect(
    classifier: Classifier,
    pairs: Sequence[Pair],
    template: Intervention,
    where: Where = "negator",
    draws: int = 20,
    seed: int = 0,
) -> AggregateEffect:
    """Apply `template` (its quantity, units, mode, layer, direction; not its words) to every
    labelled pair at the words `where` says ('negator': each negator token; 'all': every word),
    and to `draws` random sets of len(template.units) units of the same quantity.

    Mode 'patch' is not available here (a pair has no single other sentence to patch from).
    Raises ValueError without labelled pairs whose labels the model knows."""
    if template.mode == "patch":
        raise ValueError("the aggregate effect takes zero, constant or mean, not patch")
    if draws < 2:
        raise ValueError("draws must be at least 2")
    check_interventions(classifier, [template])
    labels = classifier.labels
    sentences = []
    for pair in pairs:
        if pair.label_a not in labels or pair.label_b not in labels:
            continue
        for text, label in ((pair.text_a, pair.label_a), (pair.text_b, pair.label_b)):
            tokens = tokenize(text)
            sentences.append(
                (classifier.vocab.encode(tokens), _positions(tokens, where), labels.index(label))
            )
    if not sentences or any(not ids for ids, _, _ in sentences):
        raise ValueError("need labelled pairs, with words, whose labels this model knows")
    untouched = _right(classifier, sentences, None)
    rng = np.random.default_rng(seed)
    size = classifier.config.hidden_size
    random_after = []
    for _ in range(draws):
        units = tuple(int(u) for u in rng.choice(size, size=len(template.units), replace=False))
        random_after.append(
            _both_right(_right(classifier, sentences, replace(template, units=units), untouched))
        )
    return AggregateEffect(
        n_pairs=len(sentences) // 2,
        before=_both_right(untouched),
        after=_both_right(_right(classifier, sentences, template, untouched)),
        random_after=np.asarray(random_after),
    )
