"""Small widgets that return plain values: layer, direction and unit pickers, example pills and
a selectable table, each with its value owned by an explicit key.

Each picker's value is a control of rnnviz.ui.state: it survives runs that do not draw the
picker (teacher mode, another page), falls back to a valid value when a new model has fewer
layers or units, and can come from an opened link (`view_from_query`, `numbers_from_query`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

from rnnviz.analysis import units as analysis
from rnnviz.core.models import ModelConfig
from rnnviz.core.trace import DIRECTIONS, Direction
from rnnviz.ui import session, state
from rnnviz.ui.teacher import teacher_mode

T = TypeVar("T")


def _layers(config: ModelConfig) -> list[int]:
    return list(range(config.num_layers))


def _directions(config: ModelConfig) -> list[Direction]:
    return list(DIRECTIONS[: config.num_directions])


def view_from_query(
    incoming: dict[str, str], config: ModelConfig, layer_key: str, direction_key: str
) -> None:
    """Apply an opened link's `layer` (counted from 1) and `direction` to the layer and
    direction controls, with a notice for values this model does not have. Call it near the
    top of a page, before the pickers are drawn."""
    layers, directions = _layers(config), _directions(config)
    layer = session.query_choice(incoming, "layer", layers, lambda v: int(v) - 1, "layer", "layer 1")
    direction = session.query_choice(incoming, "direction", directions, str, "the direction", "forward")
    if layer is not None:
        state.set_value(state.Control(layer_key, 0), layer)
    if direction is not None:
        state.set_value(state.Control(direction_key, "forward"), direction)


def numbers_from_query(incoming: dict[str, str], settings: dict[str, tuple[str, Sequence[int], int]]) -> None:
    """Before drawing number widgets: for each query parameter `name -> (control key, allowed
    values, default)`, make the opened link's value the control's value when it is allowed
    (a notice when it is not)."""
    for name, (key, options, default) in settings.items():
        wanted = session.query_choice(
            incoming,
            name,
            options,
            session.whole_number,
            f"{name} =",
            f"{default}",
            "which is not one of its choices",
        )
        if wanted is not None:
            state.set_value(state.Control(key, default), wanted)


def layer_picker(config: ModelConfig, key: str, top_first: bool = False) -> int:
    """Layer selector for stacked models: returns the 0-based layer (shown as 1, 2, …);
    draws nothing and returns 0 for a one-layer model. With `top_first`, the top layer (the
    one the classifier reads) is shown until the user picks one, whichever model is chosen."""
    layers = _layers(config)
    control = state.Control(key, 0)
    if len(layers) == 1:
        return 0
    chosen = state.widget(
        st.segmented_control,
        control,
        "Layer",
        layers,
        choices=layers,
        default=layers[-1] if top_first else None,
        remember=not top_first,
        required=True,
        format_func=lambda layer: f"{layer + 1}",
        help="Layer 1 reads the words; each layer above reads the hidden states of the one below.",
    )
    return int(chosen)


def direction_picker(config: ModelConfig, key: str) -> Direction:
    """Direction selector for bidirectional models: 'forward' or 'backward'; draws nothing
    and returns 'forward' for a one-directional model."""
    directions = _directions(config)
    if len(directions) == 1:
        return "forward"
    labels = {"forward": "forward →", "backward": "← backward"}
    return state.widget(
        st.segmented_control,
        state.Control(key, "forward"),
        "Direction",
        directions,
        choices=directions,
        required=True,
        format_func=labels.get,
        help="A bidirectional layer has a second RNN reading the sentence right to left, from the "
        "last word; in every chart, column t is still word t.",
    )


DEFAULT_ORDERING = "changed"  # heatmaps open on the units that react most to the sentence
DEFAULT_UNITS_SHOWN = 16  # rows a heatmap shows at first (teacher mode too): each tall enough to read


def unit_ordering_picker(key: str) -> str:
    """How to order units in heatmaps: 'index', 'active' or 'changed' (see rnnviz.analysis.units),
    DEFAULT_ORDERING at first; not drawn in teacher mode, where the value set before stays in force."""
    control = state.Control(key, DEFAULT_ORDERING, tuple(analysis.ORDERINGS))
    if teacher_mode():
        return state.value(control)
    return state.widget(
        st.segmented_control,
        control,
        "Order units by",
        list(analysis.ORDERINGS),
        required=True,
        format_func=analysis.ORDERINGS.get,
        help=analysis.ORDERING_HELP,
    )


def units_shown_picker(hidden_size: int, key: str, default: int | None = None) -> int:
    """How many units (rows) the heatmaps show, first ones under the chosen ordering (`default`,
    else DEFAULT_UNITS_SHOWN, at first: all of them when the model has no more); not drawn in
    teacher mode."""
    choices = [n for n in (8, 16, 32, 64) if n < hidden_size] + [hidden_size]
    wanted = min(DEFAULT_UNITS_SHOWN if default is None else default, hidden_size)
    control = state.Control(key, wanted if wanted in choices else hidden_size)
    if len(choices) == 1:
        return hidden_size
    if teacher_mode():
        return state.value(control, choices)
    return state.widget(
        st.selectbox,
        control,
        "Units shown",
        choices,
        choices=choices,
        width=160,
        format_func=lambda n: f"all {n}" if n == hidden_size else f"first {n}",
        help="With 'most changed' ordering, 'first 16' shows the 16 units that react most.",
    )


def unit_picker(hidden_size: int, key: str, default: int = 0, requested: int | None = None) -> int:
    """A unit number 0..hidden_size-1, kept valid when the model changes (`default` then);
    `requested` (e.g. from a link) wins when given."""
    control = state.Control(key, min(default, hidden_size - 1))
    if requested is not None:
        state.set_value(control, requested)
    units = range(hidden_size)
    return int(
        state.widget(
            st.number_input,
            control,
            "Unit",
            choices=units,
            default=min(default, hidden_size - 1),
            min_value=0,
            max_value=hidden_size - 1,
            step=1,
            width=150,
            help=f"Which of the layer's {hidden_size} units to follow (numbered from 0).",
        )
    )


def preset_pills(presets: Sequence[tuple[str, str]], target_key: str, key: str) -> None:
    """A row of example sentences as (lesson, sentence); clicking one makes it the value of the
    text control `target_key`."""

    def _use() -> None:
        sentence = st.session_state.get(key)
        if sentence:
            state.set_value(state.Control(target_key, ""), sentence)
        st.session_state[key] = None  # a pill is an action, not a setting: it never stays selected

    lessons = dict((sentence, lesson) for lesson, sentence in presets)
    st.pills(
        "Try an example",
        [sentence for _, sentence in presets],
        label_visibility="collapsed" if teacher_mode() else "visible",
        key=key,
        format_func=lambda s: f"{lessons[s]}: {s}",
        on_change=_use,
    )


def example_pills(examples: dict[str, dict[str, str]], key: str, label: str = "Try an example") -> None:
    """A row of examples that each fill several controls: {pill text: {control key: value}};
    clicking a pill makes those the controls' values (shown from the next run)."""

    def _use() -> None:
        for control_key, value in examples.get(st.session_state.get(key), {}).items():
            state.set_value(state.Control(control_key, ""), value)
        st.session_state[key] = None

    visibility = "collapsed" if teacher_mode() else "visible"  # a projector's first screen is short
    st.pills(label, list(examples), key=key, on_change=_use, label_visibility=visibility)


def table_picker(
    rows: Sequence[dict], key: str, mode: str = "single-row", version: object = None
) -> list[int]:
    """A table of `rows` (plain dicts, shown as text) whose rows can be selected; returns the
    selected row indices. `mode` is st.dataframe's selection_mode; a new `version` of the rows
    (e.g. the sentence they were made from) starts with nothing selected, or with the first
    row for "single-row-required"."""
    widget = key if version is None else f"{key}_{hashlib.blake2b(repr(version).encode()).hexdigest()[:12]}"
    event = st.dataframe(list(rows), key=widget, on_select="rerun", selection_mode=mode, hide_index=True)
    return [int(row) for row in event.selection.rows if 0 <= row < len(rows)]
