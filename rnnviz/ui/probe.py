"""The Train page's probe sentence: how one sentence reads to the network after every epoch
of its training, as a prediction curve, an epoch-by-word heatmap and one gate across epochs."""

from __future__ import annotations

import streamlit as st

from rnnviz.analysis.probe import DEFAULT_PROBE, MAX_PROBE_TOKENS, ProbeHistory
from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.plots import trace as trace_plots
from rnnviz.plots import training as train_plots
from rnnviz.training.history import RunState
from rnnviz.training.training_job import TrainingJob, TrainingState
from rnnviz.ui import output
from rnnviz.ui import state as ui_state

EPOCHS_CAPTION = N_(
    "One row per epoch, untrained at the top: watch the row where the last words change colour."
)
MEAN = -1  # the "unit" that stands for the mean over all units

PROBE = ui_state.Control("train_probe", DEFAULT_PROBE, check=lambda v: isinstance(v, str))


def probe_controls(state: TrainingState) -> tuple[str, int]:
    """The probe sentence and, in a race, which network reads it."""
    left, right = st.columns([3, 1])
    text = ui_state.widget(
        left.text_input,
        PROBE,
        "Probe sentence (press Enter)",
        max_chars=500,
        help=f"Any sentence; the first {MAX_PROBE_TOKENS} words are read by every snapshot of the network.",
    )
    run = 0
    if len(state.runs) > 1:
        titles = [run_state.title for run_state in state.runs]
        runs = range(len(titles))
        with right:
            run = ui_state.widget(
                st.segmented_control,
                ui_state.Control("train_probe_run", len(titles) - 1),
                "Network",
                runs,
                choices=runs,
                format_func=titles.__getitem__,
                required=True,
            )
    return text, run or 0


def show_probe(job: TrainingJob, state: TrainingState) -> None:
    """The probe sentence read by the latest snapshot, and by every snapshot (epoch by epoch)."""
    st.subheader("The probe sentence, as the network learns")
    text, run = probe_controls(state)
    if not text.strip():
        st.info("Type a sentence to follow, e.g. “the movie was not good”.")
        return
    try:
        history = job.probe(text, run)
    except LookupError:
        st.caption("The probe appears as soon as training starts.")
        return
    except ValueError:
        st.info("That text has no words the network could read.")
        return
    _draw_probe(history, state.runs[run])


def _draw_probe(history: ProbeHistory, run: RunState) -> None:
    tokens, epochs = history.tokens, history.epochs
    if history.dropped_tokens:
        st.caption(
            f"Only the first {MAX_PROBE_TOKENS} tokens are read; {history.dropped_tokens} were cut off."
        )
    output.show_unknown_notice(history.unknown)
    latest = train_plots.epoch_labels(epochs[-1:])[0]
    left, right = st.columns(2)
    with left:
        figure = trace_plots.prediction_chart(
            tokens, history.latest, history.labels, title=f"Prediction after each word · {latest}"
        )
        output.chart(figure, key="train_probe_now")
        st.caption(
            "What the network would answer if the sentence stopped at each word, with its newest weights."
        )
    with right:
        epoch_by_epoch(history, "train_probe_epochs")
    names = list(history.quantities)
    pick, unit_pick = st.columns([1, 1])
    with pick:
        quantity = ui_state.widget(
            st.selectbox,
            ui_state.Control(f"train_gate_{history.cell_type}", history.default_quantity()),
            "Quantity across epochs",
            names,
            choices=names,
            format_func=glossary.title,
        )
    changing = ", ".join(str(u) for u in history.units_by_change(quantity)[:3])
    choices = [MEAN, *range(history.quantities[quantity].shape[-1])]  # a smaller network: back to the mean
    with unit_pick:
        unit = ui_state.widget(
            st.selectbox,
            ui_state.Control("train_gate_unit", MEAN),
            "Unit",
            choices,
            choices=choices,
            format_func=lambda u: "mean of all units" if u == MEAN else f"unit {u}",
            help=f"The units whose value changes most over the epochs and words: {changing}.",
        )
    unit = None if unit == MEAN else unit
    which = "mean of all units" if unit is None else f"unit {unit}"
    where = f"layer {history.layer + 1}" + (f" of the {run.title}" if run.title else "")
    figure = train_plots.probe_gate_heatmap(
        history.view(quantity, unit), tokens, epochs, quantity, history.cell_type, f"{which}, {where}"
    )
    output.chart(figure, key="train_probe_gate")
    st.caption(glossary.caption(quantity, history.cell_type))


def epoch_by_epoch(
    history: ProbeHistory, key: str, _: Translate = english, height: int | None = None
) -> None:
    """The probe's prediction after each word, one row per epoch (where it flips), and its caption;
    `height` in px (before teacher mode's scaling) where a page has less room than the chart wants."""
    figure = train_plots.probe_probability_heatmap(
        history.prefix_probabilities, history.tokens, history.epochs, history.labels, _
    )
    if height is not None:
        figure.update_layout(height=height)
    output.chart(output.translated_axes(figure, _), key=key)
    st.caption(_(EPOCHS_CAPTION))


# --------------------------------------------------------------------------- results
