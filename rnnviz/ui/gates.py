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
from rnnviz.ui import output, player, session, widgets
from rnnviz.ui import teacher as ui_teacher
from rnnviz.ui.train import session_alive

SESSION_KEY = "gates_session"
REFUSED_KEY = "gates_refused"


def experiment_controls() -> LongRangeConfig:
    """N, and in a popover the training size, epochs and seed; a link's values come first."""
    default = LongRangeConfig()
    settings = {  # query parameter -> (widget key, allowed values, default): links carry the settings
        "filler": ("gates_filler", PAGE_CHOICES["max_filler"], default.max_filler),
        "train": ("gates_train", PAGE_CHOICES["train_size"], default.train_size),
        "epochs": ("gates_epochs", PAGE_CHOICES["epochs"], default.epochs),
        "seed": ("gates_seed", PAGE_CHOICES["seed"], default.seed),
    }
    widgets.numbers_from_query(session.incoming_query(list(settings)), settings)
    fillers = PAGE_CHOICES["max_filler"]
    with st.container(horizontal=True, gap="large", vertical_alignment="bottom"):
        filler = st.slider(
            "N: the longest filler", fillers[0], fillers[-1], step=fillers[1] - fillers[0], key="gates_filler"
        )
        if ui_teacher.teacher_mode():  # a link's settings still apply
            train_size = ui_teacher.hidden_value("gates_train", default.train_size)
            epochs = ui_teacher.hidden_value("gates_epochs", default.epochs)
            seed = ui_teacher.hidden_value("gates_seed", default.seed)
        else:
            with st.popover("Experiment settings", icon=":material/tune:"):
                train_size = st.select_slider(
                    "Training sentences", PAGE_CHOICES["train_size"], key="gates_train"
                )
                epochs = st.slider("Epochs", 1, PAGE_CHOICES["epochs"][-1], key="gates_epochs")
                seed = int(st.number_input("Seed", 0, PAGE_CHOICES["seed"][-1], key="gates_seed"))
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
        state = current.state() if current is not None else None
        player.sync_timer("gates_job", state is not None and state.active)
        board.poll(token)
        if state is None:
            return
        if state.active:
            st.progress(state.fraction, text=md_escape(state.message))
            if board.requested(config, token):  # withdraws this session's request
                st.button("Stop", icon=":material/stop:", on_click=board.stop, args=(config, token))
        elif state.status == "failed":
            st.error(md_escape(state.message))
        if state.cells:
            output.chart(gate_plots.long_range_chart(config, state.cells), key="gates_long_range")
            st.caption(gate_plots.LONG_RANGE_CAPTION)
        if state.result is not None:
            st.success(md_escape(state.result.summary()), icon=":material/science:")
            st.caption(md_escape(gate_plots.long_range_details(state.result)))

    experiment()
