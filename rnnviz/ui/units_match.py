"""The Units page's match view: where the chosen units are on in 5,000+ sentences, as the top
phrases with their words coloured by the units. Owns its controls, the built-in index (built once
per model, shared by every session, a bounded cache) and the uploaded sentences' index (per
session, never shared).

Widget keys start with "units_match_".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from rnnviz.analysis import hypotheses as hy
from rnnviz.analysis import matches as mt
from rnnviz.core.markup import md_escape, quote
from rnnviz.core.models import Classifier
from rnnviz.data.text_lines import SentenceLines, TextFileError, read_sentence_lines
from rnnviz.lessons import glossary
from rnnviz.plots.base import colour_range
from rnnviz.plots.phrases import phrase_list
from rnnviz.ui import cache, state
from rnnviz.ui.units import quantity_names_of, which_units

MAX_UPLOAD_SENTENCES = 1_000  # lines of an uploaded file read (each traced for this session)
MAX_UNITS = 8  # units whose mean is matched
UPLOAD_KEY = "units_match_upload"  # session_state: {file_id: SentenceLines or the error message}
UPLOAD_INDEX_KEY = "units_match_upload_index"  # session_state: ((file_id, model, key), index)
FROM_NAMES = {"ranking": "the ranking's best units", "mine": "units I choose"}
ON_NAMES = {True: "at or above", False: "at or below"}
YOUR_FILE = "your file"


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and -100 <= v <= 100


SHOW = state.Control("units_match_on", False, (False, True))
FROM = state.Control("units_match_from", "ranking", tuple(FROM_NAMES))
HIGHER = state.Control("units_match_higher", True, (True, False))
THRESHOLD = state.Control("units_match_threshold", 0.5, check=_number)


def units_control(hidden_size: int) -> state.Control:
    """The units chosen by hand: 1 to MAX_UNITS unit numbers below `hidden_size`."""
    return state.Control(
        "units_match_units",
        [0],
        check=lambda v: (
            isinstance(v, list)
            and 1 <= len(v) <= MAX_UNITS
            and all(isinstance(u, int) and 0 <= u < hidden_size for u in v)
        ),
    )


def quantity_control(names: Sequence[str]) -> state.Control:
    """The quantity of the units chosen by hand, among this model's `names`."""
    return state.Control("units_match_quantity", names[0], tuple(names))


# --------------------------------------------------------------------------- the indexes
@st.cache_resource(max_entries=1, show_spinner=False)
def _builtin_corpus() -> list[tuple[str, tuple[str, ...]]]:
    """The built-in corpus's (source, tokens), read once per server (a few MB)."""
    return mt.builtin_corpus()


# At most two indexes of at most mt.INDEX_BUDGET_BYTES each (168 and 224 MB for the shipped LSTMs).
@st.cache_resource(max_entries=2, show_spinner=False)
def _builtin_index(
    fingerprint: str, quantities: tuple[str, ...], _classifier: Classifier
) -> mt.ActivationIndex:
    """`quantities` over the built-in corpus, once per model (by content); shared, read-only."""
    keys = mt.index_keys(_classifier.config, quantities)
    return mt.build_index(_classifier, _builtin_corpus(), keys=keys)


def builtin_index(classifier: Classifier, quantity: str) -> mt.ActivationIndex:
    """The built-in index of this model holding `quantity` (every quantity when they fit the
    budget together), built on first use with a spinner."""
    with st.spinner(
        f"Reading {mt.TARGET_SENTENCES:,} sentences with this model, once per model (10–30 s)…",
        show_time=True,
    ):
        corpus = _builtin_corpus()
        words = sum(len(tokens) for _, tokens in corpus)
        quantities = mt.index_quantities(classifier.config, words, quantity)
        return _builtin_index(cache.model_fingerprint(classifier), quantities, classifier)


def _max_upload_bytes() -> int:
    return int(st.get_option("server.maxUploadSize")) * 2**20  # .streamlit/config.toml, in MB


def uploaded_lines() -> SentenceLines | None:
    """Draw the uploader for the session's own sentences; return the file's sentences, or None
    (no file, or a file that cannot be used: then a message says why)."""
    file = st.file_uploader(
        "Add your own sentences: a plain-text file, one sentence a line",
        type=["txt"],
        key="units_match_file",
        help=f"UTF-8 text; the first {MAX_UPLOAD_SENTENCES:,} sentences are read, the first "
        f"{mt.MAX_WORDS} words of each. Only this browser session sees them.",
    )
    if file is None:
        return None
    seen = st.session_state.setdefault(UPLOAD_KEY, {})
    if file.file_id not in seen:
        seen.clear()  # one file per session
        try:
            seen[file.file_id] = read_sentence_lines(
                file.getvalue(), _max_upload_bytes(), MAX_UPLOAD_SENTENCES
            )
        except TextFileError as error:
            seen[file.file_id] = str(error)
    lines = seen[file.file_id]
    if isinstance(lines, str):
        st.error(f"{quote(file.name)} cannot be used: {md_escape(lines)}.", icon=":material/error:")
        return None
    for note in lines.notes():
        st.caption(md_escape(note))
    return lines


def upload_index(classifier: Classifier, lines: SentenceLines, key: mt.Key) -> mt.ActivationIndex | None:
    """The uploaded sentences' index for one (layer, direction, quantity): kept in this session
    only (one at a time), rebuilt when the file, the model or the quantity changes."""
    file_id = next(iter(st.session_state.get(UPLOAD_KEY, {})), None)
    wanted = (file_id, cache.model_fingerprint(classifier), key)
    kept = st.session_state.get(UPLOAD_INDEX_KEY)
    if kept is None or kept[0] != wanted:
        corpus = mt.sentence_list([(YOUR_FILE, line) for line in lines.sentences])
        if not corpus:
            st.info("Your file's lines have no words the tokenizer keeps.", icon=":material/edit:")
            return None
        with st.spinner(f"Reading your {len(corpus):,} sentences…"):
            kept = (wanted, mt.build_index(classifier, corpus, keys={key}))
        st.session_state[UPLOAD_INDEX_KEY] = kept
    return kept[1]


# --------------------------------------------------------------------------- the view
def best_units(ranking: Sequence[hy.UnitMatch]) -> tuple[mt.Key, tuple[int, ...]]:
    """The ranking's best unit's (layer, direction, quantity) and up to three of the best units
    that share it."""
    best = ranking[0]
    key = (best.layer, best.direction, best.quantity)
    return key, tuple(m.unit for m in ranking if (m.layer, m.direction, m.quantity) == key)[:3]


def start_from(ranking: Sequence[hy.UnitMatch], names: Sequence[str], hidden_size: int) -> None:
    """Put the ranking's best units (their layer, direction and quantity) into the hand-chosen
    controls, so choosing units by hand starts from them."""
    (layer, direction, quantity), units = best_units(ranking)
    state.set_value(state.Control("units_match_layer", 0), layer)
    state.set_value(state.Control("units_match_direction", "forward"), direction)
    state.set_value(quantity_control(names), quantity)
    state.set_value(units_control(hidden_size), list(units))


def query_controls(classifier: Classifier, ranking: Sequence[hy.UnitMatch]) -> mt.Query:
    """Draw the match view's controls; return the query they say. The ranking's best unit
    gives the defaults: its layer, direction and quantity, its Youden threshold and side."""
    best = ranking[0]
    config = classifier.config
    source = state.widget(
        st.segmented_control, FROM, "Units", list(FROM_NAMES), format_func=FROM_NAMES.get, required=True
    )
    with st.container(horizontal=True, gap="medium", vertical_alignment="bottom"):
        if source == "ranking":
            key, units = best_units(ranking)
            higher = best.higher
            what = describe(mt.Query(key, units, best.threshold, higher), classifier)
            st.markdown(md_escape(f"The {what}, on {ON_NAMES[higher]}"), width="content")
        else:
            names = quantity_names_of(classifier)
            if not state.has_value(quantity_control(names)):  # the first time: start from the ranking's
                start_from(ranking, names, config.hidden_size)
            key = which_units(
                classifier, "units_match_layer", "units_match_direction", quantity_control(names)
            )
            units = tuple(
                state.widget(
                    st.multiselect,
                    units_control(config.hidden_size),
                    f"Units (up to {MAX_UNITS}; their mean is matched)",
                    list(range(config.hidden_size)),
                    default=list(best_units(ranking)[1]),
                    max_selections=MAX_UNITS,
                )
            )
            higher = state.widget(
                st.segmented_control,
                HIGHER,
                "On when the mean is",
                list(ON_NAMES),
                format_func=ON_NAMES.get,
                default=best.higher,
                remember=False,
                required=True,
            )
        threshold = state.widget(
            st.number_input,
            THRESHOLD,
            "Threshold",
            min_value=-100.0,
            max_value=100.0,
            step=0.01,
            format="%.4f",
            default=round(best.threshold, 4),
            remember=False,
            width=200,
            help="Youden's J threshold of the ranking's best unit until you change it",
        )
        st.button("Youden's threshold", key="units_match_youden", on_click=state.forget, args=(THRESHOLD,))
    return mt.Query(key, tuple(int(u) for u in units), float(threshold), bool(higher))


def describe(query: mt.Query, classifier: Classifier) -> str:
    """E.g. 'mean h of units 3, 17 (layer 1 forward)' (plain text)."""
    layer, direction, quantity = query.key
    where = ""
    if classifier.config.num_layers > 1 or classifier.config.bidirectional:
        where = f" (layer {layer + 1} {direction})"
    units = ", ".join(str(u) for u in query.units)
    plural = "s" if len(query.units) > 1 else ""
    name = glossary.title(quantity)
    return f"mean {name[0].lower()}{name[1:]} of unit{plural} {units}{where}"


def match_view(classifier: Classifier, ranking: Sequence[hy.UnitMatch]) -> None:
    """The match view under the hypothesis ranking: a toggle, then (when on) the controls, the
    uploader and the top phrases with their legend and caption."""
    st.markdown("**Where else are these units on?**")
    shown = state.widget(
        st.toggle,
        SHOW,
        f"Find the phrases in {mt.TARGET_SENTENCES:,}+ sentences where they are on (the first time "
        "for a model, reading them takes 10–30 s)",
    )
    if not shown:
        return
    query = query_controls(classifier, ranking)
    answer = st.container()  # the phrases go above the uploader, which is read first
    with st.expander("Add your own sentences"):
        lines = uploaded_lines()
    with answer:
        draw_phrases(classifier, query, lines)


def draw_phrases(classifier: Classifier, query: mt.Query, lines: SentenceLines | None) -> None:
    """Search the built-in index (and the uploaded sentences') and draw the phrases, their
    legend and caption, or say why there are none."""
    index = builtin_index(classifier, query.key[2])
    indexes = [index]
    if lines is not None:
        extra = upload_index(classifier, lines, query.key)
        indexes += [extra] if extra is not None else []
    try:
        phrases = mt.top_phrases(classifier, indexes, query)
    except ValueError as error:
        st.info(md_escape(f"{error}.".capitalize()), icon=":material/edit:")
        return
    what = describe(query, classifier)
    sentences = sum(len(i.sentences) for i in indexes)
    side = ON_NAMES[query.higher]
    if not phrases:
        st.info(
            md_escape(f"The {what} is never {side} {query.threshold:g} in these {sentences:,} sentences."),
            icon=":material/search_off:",
        )
        return
    values = np.concatenate([p.values for p in phrases])
    scale = colour_range(query.key[2], classifier.config.cell, values)
    st.html(phrase_list(phrases, scale, what))
    names = ", ".join(dict.fromkeys(name for i in indexes for name in i.sources))
    st.caption(
        md_escape(
            f"The {len(phrases)} phrases where the {what} is {side} {query.threshold:.4g}, in "
            f"{sentences:,} sentences ({names}), with {mt.CONTEXT} words either side. Outlined: the "
            "match; ranked by the mean value over the match, then its length; the number is that mean, "
            "exact. Does every match fit the hypothesis, or do the units fire for something else too?"
        )
    )
