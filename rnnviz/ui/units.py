"""The Streamlit side of the Units page: its controls (state layer, link parameters), the cached
computations (corpus activations per model, rankings, means, the aggregate effect) and the
drawing of the intervention and the hypothesis ranking.

Widget keys start with "units_".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st

from rnnviz.analysis import hypotheses as hy
from rnnviz.analysis import interventions as iv
from rnnviz.analysis.negation_units import negation_unit_scores
from rnnviz.analysis.units import rank_units
from rnnviz.core.markup import md_escape, quote
from rnnviz.core.models import Classifier
from rnnviz.core.text import is_negator, tokenize
from rnnviz.core.trace import Trace, quantity_names
from rnnviz.data.pairs import builtin_pairs
from rnnviz.lessons import glossary
from rnnviz.plots import trace as trace_plots
from rnnviz.plots import units as unit_plots
from rnnviz.plots.base import diverging_range
from rnnviz.ui import cache, output, session, state, widgets

MAX_TOKENS = 40  # words of the typed sentences read; the rest is cut off
MAX_CHARS = 1000
MAX_UNITS = 32  # units chosen one by one (or "every unit")
TOP = 15  # units in the ranking
DRAWS = 20  # random unit sets for the aggregate effect
DEFAULT_SENTENCE = "the movie was not good"
DEFAULT_SOURCE = "the movie was good"

MODE_NAMES = {
    "zero": "set to 0",
    "constant": "set to a number",
    "mean": "set to the corpus mean",
    "patch": "patch from sentence B",
}
WHERE_NAMES = {"negator": "at each negator", "all": "at every word"}
KIND_NAMES = {"feature": "a built-in feature", "pattern": "a token pattern", "span": "words of the sentence"}


def _text(v: object) -> bool:
    return isinstance(v, str)


SENTENCE = state.Control("units_sentence", DEFAULT_SENTENCE, check=_text)
SOURCE = state.Control("units_source", DEFAULT_SOURCE, check=_text)
MODE = state.Control("units_mode", "zero", tuple(MODE_NAMES))
VALUE = state.Control("units_value", 1.0, check=lambda v: isinstance(v, int | float) and -100 <= v <= 100)
EVERY_UNIT = state.Control("units_every", False, (False, True))
WHERE = state.Control("units_where", "negator", tuple(WHERE_NAMES))
KIND = state.Control("units_kind", "feature", tuple(KIND_NAMES))
FEATURE = state.Control("units_feature", "negation_scope", tuple(hy.FEATURES))
NUMBER = state.Control("units_n", 3, check=lambda v: isinstance(v, int) and 1 <= v <= 50)
PATTERN = state.Control("units_pattern", r"not|n't|never|no", check=_text)


def _units_ok(hidden_size: int):
    def check(v: object) -> bool:
        return (
            isinstance(v, list)
            and 1 <= len(v) <= MAX_UNITS
            and all(isinstance(u, int) and 0 <= u < hidden_size for u in v)
        )

    return check


def word_control(key: str, length: int) -> state.Control:
    """One word of a sentence of `length` words, 0-based."""
    return state.Control(key, 0, check=lambda v: isinstance(v, int) and 0 <= v < length)


def word_range(key: str, tokens: Sequence[str], default: tuple[int, int], label: str) -> tuple[int, int]:
    """Two word pickers, `label` from … to …, with keys key_from and key_to; returns
    (start, end) in order, 0-based inclusive."""
    options = list(range(len(tokens)))
    start = state.widget(
        st.selectbox,
        word_control(f"{key}_from", len(tokens)),
        f"{label} from word",
        options,
        default=default[0],
        format_func=word_label(tokens),
        width=170,
    )
    end = state.widget(
        st.selectbox,
        word_control(f"{key}_to", len(tokens)),
        "to word",
        options,
        default=default[1],
        format_func=word_label(tokens),
        width=170,
    )
    return min(int(start), int(end)), max(int(start), int(end))


def units_control(hidden_size: int) -> state.Control:
    """The chosen units, a list of unit numbers below `hidden_size`."""
    return state.Control("units_units", [0], check=_units_ok(hidden_size))


def quantity_control(names: Sequence[str]) -> state.Control:
    """Which quantity is changed: 'hidden', 'cell_state' or a gate, among this model's `names`."""
    return state.Control("units_quantity", names[0], tuple(names))


def source_word_control(length: int) -> state.Control:
    """The word of sentence B whose values go into the first changed word (mode 'patch')."""
    return state.Control("units_source_word", 0, check=lambda v: isinstance(v, int) and 0 <= v < length)


def first_negator(tokens: Sequence[str]) -> int | None:
    """The position of the first negator in `tokens`, or None."""
    return next((t for t, token in enumerate(tokens) if is_negator(token)), None)


# --------------------------------------------------------------------------- cached work
def _negation_top_units(classifier: Classifier, quantity: str, count: int) -> list[int]:
    scores = negation_unit_scores(classifier, builtin_pairs(), quantity=quantity)
    return [int(u) for u in scores.ranked_units[:count]]


def negation_top_units(classifier: Classifier, quantity: str, count: int = 3) -> list[int]:
    """The `count` units of layer 1 forward whose `quantity` moves most consistently with a
    negator over the built-in pairs (rnnviz.analysis.negation_units), once per model."""
    return cache.cached(_negation_top_units, classifier, quantity, count)


def _corpus_means(classifier: Classifier) -> dict:
    return iv.corpus_means(classifier, hy.corpus_sentences())


def corpus_mean(classifier: Classifier, layer: int, direction: str, quantity: str) -> np.ndarray:
    """[hidden_size]: the quantity's mean over every word of the corpus, once per model."""
    return cache.cached(_corpus_means, classifier)[(layer, direction, quantity)]


@st.cache_resource(max_entries=8, show_spinner="Reading the corpus with this model (once per model)…")
def _activations(fingerprint: str, _classifier: Classifier) -> hy.Activations:
    """Every quantity over the corpus's words, once per model (by content); shared, read-only."""
    return hy.corpus_activations(_classifier, hy.corpus_sentences())


def corpus_activations(classifier: Classifier) -> hy.Activations:
    """Every quantity over the corpus's words (rnnviz.analysis.hypotheses.corpus_activations),
    computed once per model and shared by every session: read it, never change it."""
    return _activations(cache.model_fingerprint(classifier), classifier)


def _ranking(
    classifier: Classifier,
    kind: str,
    feature: str,
    n: int,
    pattern: str,
    sentence: tuple[str, ...],
    span: tuple[int, int],
):
    """(the ranked UnitMatch list, the best unit's values [words], the mask [words], how many
    words and sentences) for a hypothesis. Raises ValueError for a bad pattern or a mask that
    holds everywhere or nowhere."""
    if kind == "span":
        activations = hy.corpus_activations(classifier, [list(sentence)])
        mask = np.asarray(hy.span_mask(len(sentence), *span))
    else:
        activations = corpus_activations(classifier)
        of_tokens = (
            hy.pattern_mask(pattern)
            if kind == "pattern"
            else (lambda tokens: hy.feature_mask(feature, tokens, n))
        )
        mask = activations.mask(of_tokens)
    matches = hy.rank_units_by_hypothesis(activations, mask, top=TOP, boots=200)
    best = matches[0]
    column = activations.values[(best.layer, best.direction, best.quantity)][:, best.unit]
    return matches, column, mask, len(activations.sentences)


def ranking(
    classifier: Classifier,
    kind: str,
    feature: str,
    n: int,
    pattern: str,
    sentence: tuple[str, ...],
    span: tuple[int, int],
) -> tuple[list[hy.UnitMatch], np.ndarray, np.ndarray, int]:
    """`_ranking` once per model and hypothesis (see there); arguments the hypothesis does not
    use are dropped from the key, so typing a sentence does not rank a corpus feature again."""
    if kind != "span":
        sentence, span = (), (0, 0)
    if kind != "pattern":
        pattern = ""
    if kind != "feature":
        feature = ""
    if feature not in ("position", "since_negator"):
        n = 0
    typed = kind in ("span", "pattern")  # a span reads a typed sentence, a pattern is typed
    store = cache.per_sentence if typed else cache.cached
    return store(_ranking, classifier, kind, feature, n, pattern, sentence, span)


def aggregate(
    classifier: Classifier,
    quantity: str,
    units: tuple[int, ...],
    mode: str,
    value: float,
    layer: int,
    direction: str,
    where: str,
):
    """The aggregate effect (rnnviz.analysis.interventions.aggregate_effect) on the built-in pairs."""
    mean = corpus_mean(classifier, layer, direction, quantity) if mode == "mean" else None
    template = iv.Intervention(quantity, units, 0, 0, mode, layer, direction, value=value, mean=mean)
    return iv.aggregate_effect(classifier, builtin_pairs(), template, where, draws=DRAWS)


def aggregate_effect(classifier: Classifier, *args) -> iv.AggregateEffect:
    """`aggregate(classifier, *args)`, once per model and arguments."""
    return cache.cached(aggregate, classifier, *args)


# --------------------------------------------------------------------------- drawing
def word_label(tokens: Sequence[str]):
    """format_func for word positions: '4: not'."""
    return lambda t: f"{t + 1}: {tokens[t]}" if 0 <= t < len(tokens) else str(t)


def verdict(labels: Sequence[str], before: np.ndarray, after: np.ndarray) -> str:
    """One line of markdown: the whole sentence's prediction untouched and changed."""
    target = unit_plots.target_class(labels)
    name = md_escape(labels[target])
    b, a = float(before[-1, target]), float(after[-1, target])
    winners = md_escape(labels[int(before[-1].argmax())]), md_escape(labels[int(after[-1].argmax())])
    flipped = "**the answer flips**" if winners[0] != winners[1] else "the answer stays"
    return (
        f"After the last word: P({name}) = {b:.3f} untouched → **{a:.3f}** changed "
        f"({winners[0]} → {winners[1]}: {flipped})."
    )


def aggregate_line(effect: iv.AggregateEffect, count: int) -> str:
    """One line of markdown: the change in both-right accuracy beside random units'."""
    return (
        f"On all {effect.n_pairs} built-in negation pairs, both sentences right: "
        f"{effect.before:.1%} untouched → **{effect.after:.1%}** with these units changed "
        f"({effect.change:+.1%}); with {count} random units instead: "
        f"{effect.random_change_mean:+.1%} ± {effect.random_change_sd:.1%} "
        f"(mean ± sd of {len(effect.random_after)} draws)."
    )


def ranking_rows(matches: Sequence[hy.UnitMatch]) -> list[dict]:
    """The ranking table's rows, plain values."""
    return [
        {
            "rank": rank,
            "layer": m.layer + 1,
            "direction": m.direction,
            "quantity": glossary.title(m.quantity),
            "unit": m.unit,
            "AUC": round(m.separation, 3),
            "95% interval": f"{m.ci_low:.3f}–{m.ci_high:.3f}",
            "on the hypothesis": "higher" if m.higher else "lower",
            "threshold": round(m.threshold, 4),
            "Youden's J": round(m.youden_j, 3),
        }
        for rank, m in enumerate(matches, start=1)
    ]


def choose_units(
    layer: int, direction: str, quantity: str, units: Sequence[int], names: Sequence[str]
) -> None:
    """Make `units` (up to MAX_UNITS) of `quantity` at `layer`/`direction` the intervention's
    (an on_click of another section; `names` are the model's quantities)."""
    state.set_value(quantity_control(names), quantity)
    state.set_value(state.Control("units_layer", 0), layer)
    state.set_value(state.Control("units_direction", "forward"), direction)
    state.set_value(units_control(10**9), [int(u) for u in units[:MAX_UNITS]])
    state.set_value(EVERY_UNIT, False)


def use_units(matches: Sequence[hy.UnitMatch], names: Sequence[str]) -> None:
    """on_click: make the best unit's layer, direction and quantity, and up to three of its
    best units there, the intervention's."""
    best = matches[0]
    same = [
        m.unit
        for m in matches
        if (m.layer, m.direction, m.quantity) == (best.layer, best.direction, best.quantity)
    ]
    choose_units(best.layer, best.direction, best.quantity, same[:3], names)


def tokens_of(text: str) -> tuple[list[str], int]:
    """(the first MAX_TOKENS tokens of `text`, how many were cut off)."""
    tokens = tokenize(text)
    return tokens[:MAX_TOKENS], max(0, len(tokens) - MAX_TOKENS)


def draw_prediction(result_before, result_after, tokens, labels, words) -> None:
    """The verdict line and the before/after chart (first screen), with its caption."""
    st.markdown(verdict(labels, result_before.prefix_probabilities, result_after.prefix_probabilities))
    figure = unit_plots.before_after_chart(
        tokens, result_before.prefix_probabilities, result_after.prefix_probabilities, labels, words
    )
    output.chart(figure, "units_prediction", first_screen=True)
    st.caption(unit_plots.PREDICTION_CAPTION)


def quantity_names_of(classifier: Classifier) -> list[str]:
    """The quantities this model's units have."""
    return list(quantity_names(classifier.config.cell))


def presets(classifier: Classifier, names: Sequence[str]) -> dict[str, dict]:
    """The issue's three examples as {pill text: {control key: value}}."""
    memory = "cell_state" if "cell_state" in names else "hidden"
    return {
        "forget gate 0 at “not”": {
            SENTENCE.key: DEFAULT_SENTENCE,
            "units_quantity": "forget",
            EVERY_UNIT.key: True,
            "units_words_from": 3,
            "units_words_to": 3,
            MODE.key: "zero",
        },
        "zero the top-3 negation units": {
            SENTENCE.key: DEFAULT_SENTENCE,
            "units_quantity": "hidden",
            EVERY_UNIT.key: False,
            "units_units": negation_top_units(classifier, "hidden"),
            "units_words_from": 0,
            "units_words_to": 4,
            MODE.key: "zero",
        },
        "A's memory at “not” into B": {
            SENTENCE.key: DEFAULT_SOURCE,
            SOURCE.key: DEFAULT_SENTENCE,
            "units_quantity": memory,
            EVERY_UNIT.key: True,
            "units_words_from": 2,
            "units_words_to": 2,
            MODE.key: "patch",
            "units_source_word": 3,
        },
    }


@dataclass(frozen=True)
class ChangeChoice:
    """What the intervention controls say."""

    layer: int
    direction: str
    quantity: str
    mode: str
    units: tuple[int, ...]
    words: tuple[int, int]
    value: float


def which_units(
    classifier: Classifier, layer_key: str, direction_key: str, quantity: state.Control
) -> tuple[int, str, str]:
    """Draw the layer and direction pickers (for models that have more than one) and the
    `quantity` selector (h, c or a gate) in the current row; return (layer, direction, quantity)."""
    names = quantity_names_of(classifier)
    layer = widgets.layer_picker(classifier.config, key=layer_key)
    direction = widgets.direction_picker(classifier.config, key=direction_key)
    chosen = state.widget(
        st.selectbox, quantity, "Quantity", names, choices=names, format_func=glossary.title
    )
    return layer, direction, chosen


def change_controls(classifier: Classifier, tokens: Sequence[str]) -> ChangeChoice:
    """Draw the intervention's controls (two rows) and return their values."""
    config = classifier.config
    names = quantity_names_of(classifier)
    with st.container(horizontal=True, gap="medium"):
        layer, direction, quantity = which_units(
            classifier, "units_layer", "units_direction", quantity_control(names)
        )
        mode = state.widget(st.selectbox, MODE, "Change", list(MODE_NAMES), format_func=MODE_NAMES.get)
        every = state.widget(st.toggle, EVERY_UNIT, "every unit")
    with st.container(horizontal=True, gap="medium"):
        units = list(range(config.hidden_size))
        if not every:
            units = state.widget(
                st.multiselect,
                units_control(config.hidden_size),
                f"Units (0–{config.hidden_size - 1}, up to {MAX_UNITS})",
                units,
                default=negation_top_units(classifier, quantity),
                max_selections=MAX_UNITS,
            )
        words = (0, 0)
        if tokens:
            negator = first_negator(tokens)
            default = (negator, negator) if negator is not None else (0, len(tokens) - 1)
            words = word_range("units_words", tokens, default, "Change")
        if mode == "constant":
            state.widget(
                st.number_input, VALUE, "Number", min_value=-100.0, max_value=100.0, step=0.1, width=140
            )
    return ChangeChoice(
        layer=layer,
        direction=direction,
        quantity=quantity,
        mode=mode,
        units=tuple(int(u) for u in units),
        words=(int(words[0]), int(words[1])),
        value=float(state.value(VALUE)),
    )


def patch_source(classifier: Classifier) -> tuple[Trace | None, int]:
    """Draw sentence B and its word (mode 'patch'); return B's clean trace (None without words)
    and the chosen word."""
    text = state.widget(
        st.text_input, SOURCE, "Sentence B: the values come from here (press Enter)", max_chars=MAX_CHARS
    )
    tokens, _ = tokens_of(text)
    if not tokens:
        return None, 0
    word = state.widget(
        st.select_slider,
        source_word_control(len(tokens)),
        "Its word that goes into the first changed word",
        list(range(len(tokens))),
        format_func=word_label(tokens),
    )
    return iv.intervene(classifier, classifier.vocab.encode(tokens)).trace, int(word)


def hypothesis_controls(tokens: Sequence[str]) -> tuple[str, str, int, str, tuple[int, int]]:
    """Draw the hypothesis's controls; return (kind, feature, n, pattern, span)."""
    kind = state.widget(
        st.segmented_control,
        KIND,
        "The hypothesis is",
        list(KIND_NAMES),
        format_func=KIND_NAMES.get,
        required=True,
    )
    feature, n, pattern, span = state.value(FEATURE), state.value(NUMBER), state.value(PATTERN), (0, 0)
    if kind == "feature":
        with st.container(horizontal=True):
            feature = state.widget(
                st.selectbox, FEATURE, "Words", list(hy.FEATURES), format_func=hy.FEATURES.get
            )
            if feature in ("position", "since_negator"):
                n = state.widget(st.number_input, NUMBER, "n", min_value=1, max_value=50, step=1, width=120)
    elif kind == "pattern":
        pattern = state.widget(
            st.text_input, PATTERN, "Tokens matching (a regular expression; press Enter)", max_chars=200
        )
    elif tokens:
        with st.container(horizontal=True):
            span = word_range("units_span", tokens, (0, 0), "The hypothesis holds")
    return kind, feature, int(n), pattern, span


def draw_ranking(
    classifier: Classifier, matches, column: np.ndarray, mask: np.ndarray, sentences: int
) -> None:
    """The button that takes the best units, the AUC chart, the threshold chart and the table."""
    config = classifier.config
    st.button(
        "Change these units above",
        on_click=use_units,
        args=(matches, quantity_names_of(classifier)),
        help="Puts the best unit's layer, quantity and up to three of its best units into the controls above",
    )
    left, right = st.columns(2)
    with left:
        output.chart(unit_plots.auc_chart(matches, config.num_layers, config.bidirectional), "units_auc")
        st.caption(f"{unit_plots.AUC_CAPTION} Over {mask.size} words of {sentences} sentences.")
    with right:
        label = unit_plots.unit_label(matches[0], config.num_layers, config.bidirectional)
        output.chart(
            unit_plots.threshold_chart(column, mask, matches[0], f"Best: {label}"), "units_threshold"
        )
        st.caption(unit_plots.THRESHOLD_CAPTION)
    st.dataframe(ranking_rows(matches), hide_index=True, width="stretch")


SHOWN_UNITS = 16  # rows of each heatmap after the change


def draw_inside(
    before: iv.InterventionResult, after: iv.InterventionResult, choice: ChangeChoice, tokens: Sequence[str]
) -> None:
    """Two heatmaps after the change: the changed quantity's chosen units, and how the top
    layer's h moved (changed - untouched) in the units that moved most."""
    cell = before.trace.cell_type
    changed = after.trace.state(choice.layer, choice.direction).quantities()[choice.quantity]
    shown = list(choice.units[:SHOWN_UNITS])
    top = before.trace.num_layers - 1
    moved = after.trace.state(top, "forward").hidden - before.trace.state(top, "forward").hidden
    most = rank_units(np.abs(moved).max(axis=0))[:SHOWN_UNITS]
    left, right = st.columns(2)
    with left:
        title = f"{glossary.title(choice.quantity)} after the change (chosen units)"
        output.chart(
            trace_plots.state_heatmap(changed, tokens, choice.quantity, cell, shown, title=title),
            "units_after",
        )
    with right:
        scale = diverging_range(moved)
        title = "How h moved: changed − untouched"
        figure = trace_plots.state_heatmap(moved, tokens, "hidden", cell, most, scale=scale, title=title)
        output.chart(figure, "units_moved")
    st.caption(
        "Left: the changed quantity, with the new values at the changed words. Right: how far the change "
        "carried into the top layer's forward hidden state (the units that moved most); nothing moves "
        "before the first changed word."
    )


# --------------------------------------------------------------------------- links
LINK_PARAMETERS = (
    "sentence",
    "layer",
    "direction",
    "quantity",
    "change",
    "units",
    "from",
    "to",
    "b",
    "bword",
)


def _unit_list(raw: str, hidden_size: int) -> list[int]:
    """'3,17,40' -> [3, 17, 40]: whole numbers below `hidden_size`, at most MAX_UNITS, no repeats."""
    units = [session.whole_number(part) for part in raw.split(",")]
    if not 1 <= len(units) <= MAX_UNITS or len(set(units)) != len(units) or max(units) >= hidden_size:
        raise ValueError(f"not a list of units: {raw!r}")
    return units


def view_from_query(incoming: dict[str, str], classifier: Classifier) -> None:
    """Apply an opened link's quantity (key or symbol), change (mode), units ('all' or
    '3,17,40'), from/to (words counted from 1 in the link's sentence), and sentence B with its
    word `bword` (counted from 1) for a patch to the controls, with
    a notice for each value this page cannot take. Call after the sentence is taken from the link."""
    names = quantity_names_of(classifier)
    quantity = session.query_choice(incoming, "quantity", names, iv.quantity_key, "the quantity", names[0])
    if quantity is not None:
        state.set_value(quantity_control(names), quantity)
    mode = session.query_choice(incoming, "change", list(MODE_NAMES), str, "the change", "set to 0")
    if mode is not None:
        state.set_value(MODE, mode)
    if "units" in incoming and incoming["units"] == "all":
        state.set_value(EVERY_UNIT, True)
    elif "units" in incoming:
        size = classifier.config.hidden_size
        try:
            state.set_value(units_control(size), _unit_list(incoming["units"], size))
            state.set_value(EVERY_UNIT, False)
        except ValueError:
            session.notice(
                f"The link asks for units {quote(incoming['units'])}, which this model does not have "
                f"(up to {MAX_UNITS} of 0–{size - 1}, or all); showing the default units."
            )
    session.text_from_query(incoming, "b", SOURCE.key, MAX_CHARS)
    source_length = len(tokens_of(state.value(SOURCE))[0])
    word = session.query_choice(
        incoming,
        "bword",
        list(range(1, source_length + 1)),
        session.whole_number,
        "word",
        "word 1 of sentence B",
        "which sentence B does not have",
    )
    if word is not None:
        state.set_value(source_word_control(source_length), word - 1)
    length = len(tokens_of(state.value(SENTENCE))[0])
    for name in ("from", "to"):
        word = session.query_choice(
            incoming,
            name,
            list(range(1, length + 1)),
            session.whole_number,
            f"word {name}",
            "the default words",
            "which the sentence does not have",
        )
        if word is not None:
            state.set_value(word_control(f"units_words_{name}", length), word - 1)


def link(text: str, choice: ChangeChoice) -> dict[str, str | None]:
    """The page's URL parameters for the current view (set_query's keywords)."""
    every = state.value(EVERY_UNIT)
    patch = choice.mode == "patch"
    source = state.value(SOURCE)
    source_length = len(tokens_of(source)[0])
    return {
        "sentence": text if len(text) <= MAX_CHARS else None,
        "layer": str(choice.layer + 1),
        "direction": choice.direction,
        "quantity": choice.quantity,
        "change": choice.mode,
        "units": "all" if every else ",".join(str(u) for u in choice.units),
        "from": str(choice.words[0] + 1),
        "to": str(choice.words[1] + 1),
        "b": source if patch and len(source) <= MAX_CHARS else None,
        "bword": str(state.value(source_word_control(source_length)) + 1)
        if patch and source_length
        else None,
    }


def off_query(tokens: Sequence[str], unit: int, layer: int, direction: str, quantity: str) -> dict[str, str]:
    """This page's link parameters (without the sentence) for "what if `unit` were off?": that
    unit's `quantity` set to 0 at the first negator of `tokens` (or at every word without one)."""
    at = first_negator(tokens)
    start, end = (at, at) if at is not None else (0, len(tokens) - 1)
    return {
        "layer": str(layer + 1),
        "direction": direction,
        "quantity": quantity,
        "change": "zero",
        "units": str(unit),
        "from": str(start + 1),
        "to": str(end + 1),
    }


def what_if_off(
    text: str,
    tokens: Sequence[str],
    unit: int,
    layer: int,
    direction: str,
    quantity: str,
    sentence_name: str = "this sentence",
) -> None:
    """A link to this page that switches `unit` off in sentence `text` (whose tokens are
    `tokens`): "What if unit 7 were off at “not”?" (or "… off in `sentence_name`?" without a
    negator); a note instead when the sentence is longer than this page reads."""
    if not tokens or len(tokens) > MAX_TOKENS or len(text) > MAX_CHARS:
        st.caption(f"The Units page switches units off in sentences of up to {MAX_TOKENS} words.")
        return
    query = off_query(tokens, unit, layer, direction, quantity)
    word = tokens[int(query["from"]) - 1]
    where = f"at “{word}”" if query["from"] == query["to"] else f"in {sentence_name}"
    st.page_link(
        "pages/units.py",
        label=md_escape(f"What if unit {unit} were off {where}? Switch it off on the Units page"),
        icon=":material/tune:",
        query_params={"sentence": text, **query},
    )
