"""The Streamlit side of the Why-gates page's long-range experiment: its controls (which return a
LongRangeConfig, mirrored in the URL) and the live view of the server's shared job for it. The
experiment itself lives in rnnviz.training.experiment, which never touches Streamlit.

Session state keys:
    gates_session    this session's token on the server's job board (its requests, cap and Stop)
    gates_refused    why the board turned down this session's last start, shown once
Widget keys start with "gates_".
"""

from __future__ import annotations

import uuid

import streamlit as st

from rnnviz.core.markup import md_escape
from rnnviz.plots import gates as gate_plots
from rnnviz.training.experiment import PAGE_CHOICES, ExperimentRefused, JobBoard, LongRangeConfig
from rnnviz.ui import output, player, session, state, widgets
from rnnviz.ui import teacher as ui_teacher
from rnnviz.ui.train import session_alive

SESSION_KEY = "gates_session"
REFUSED_KEY = "gates_refused"
_DEFAULT = LongRangeConfig()
FILLER = state.Control("gates_filler", _DEFAULT.max_filler, tuple(PAGE_CHOICES["max_filler"]))
TRAIN = state.Control("gates_train", _DEFAULT.train_size, tuple(PAGE_CHOICES["train_size"]))
EPOCHS = state.Control("gates_epochs", _DEFAULT.epochs, tuple(PAGE_CHOICES["epochs"]))
SEED = state.Control("gates_seed", _DEFAULT.seed, tuple(PAGE_CHOICES["seed"]))


def experiment_controls() -> LongRangeConfig:
    """N, and in a popover the training size, epochs and seed; a link's values come first."""
    settings = {  # query parameter -> (control key, allowed values, default): links carry the settings
        name: (control.key, control.choices, control.default)
        for name, control in (("filler", FILLER), ("train", TRAIN), ("epochs", EPOCHS), ("seed", SEED))
    }
    widgets.numbers_from_query(session.incoming_query(list(settings)), settings)
    fillers = PAGE_CHOICES["max_filler"]
    with st.container(horizontal=True, gap="large", vertical_alignment="bottom"):
        filler = state.widget(
            st.slider, FILLER, "N: the longest filler", fillers[0], fillers[-1], step=fillers[1] - fillers[0]
        )
        if ui_teacher.teacher_mode():  # the settings set before (or by a link) stay in force
            train_size, epochs, seed = state.value(TRAIN), state.value(EPOCHS), state.value(SEED)
        else:
            with st.popover("Experiment settings", icon=":material/tune:"):
                train_size = state.widget(
                    st.select_slider, TRAIN, "Training sentences", PAGE_CHOICES["train_size"]
                )
                epochs = state.widget(st.slider, EPOCHS, "Epochs", 1, PAGE_CHOICES["epochs"][-1])
                seed = int(state.widget(st.number_input, SEED, "Seed", 0, PAGE_CHOICES["seed"][-1]))
    session.set_query(filler=str(filler), train=str(train_size), epochs=str(epochs), seed=str(seed))
    return LongRangeConfig(max_filler=filler, train_size=train_size, epochs=epochs, seed=seed)


def show_experiment(board: JobBoard, config: LongRangeConfig) -> None:
    """The Train button (no job yet, or a failed one), then a fragment that polls the job once
    a second while it runs and draws its chart and what it measured."""
    token = st.session_state.setdefault(SESSION_KEY, uuid.uuid4().hex)
    board.poll(token)  # this session is here: its queued and running experiments are wanted

    def start() -> None:
        try:
            board.start(config, token, alive=session_alive())
        except ExperimentRefused as refused:  # this session's cap: shown under the button
            st.session_state[REFUSED_KEY] = str(refused)

    job = board.get(config)
    if job is None or job.status == "failed":  # a failed run can be tried again
        refused = st.session_state.pop(REFUSED_KEY, None) or board.why_not(config, token)
        go = "Train the three cells"
        st.button(go, icon=":material/play_arrow:", type="primary", on_click=start, disabled=bool(refused))
        if refused is not None:
            st.info(md_escape(refused), icon=":material/hourglass_top:")
            st.button("Stop my other experiment", on_click=board.withdraw, args=(token,))
        st.caption(
            "The plain RNN, the GRU and the LSTM are trained one after another with the same data, "
            "settings and seed; the default run takes well under a minute (BENCHMARKS.md)."
        )

    @st.fragment(run_every=player.timer("gates_job", job is not None and job.state().active))
    def experiment() -> None:
        current = board.get(config)
        job_state = current.state() if current is not None else None
        player.sync_timer("gates_job", job_state is not None and job_state.active)
        board.poll(token)
        if job_state is None:
            return
        if job_state.active:
            st.progress(job_state.fraction, text=md_escape(job_state.message))
            if board.requested(config, token):  # withdraws this session's request
                st.button("Stop", icon=":material/stop:", on_click=board.stop, args=(config, token))
        elif job_state.status == "failed":
            st.error(md_escape(job_state.message))
        if job_state.cells:
            output.chart(gate_plots.long_range_chart(config, job_state.cells), key="gates_long_range")
            st.caption(gate_plots.LONG_RANGE_CAPTION)
        if job_state.result is not None:
            st.success(md_escape(job_state.result.summary()), icon=":material/science:")
            st.caption(md_escape(gate_plots.long_range_details(job_state.result)))

    experiment()
