"""Why gates: the vanishing gradient in the shipped RNN, GRU and LSTM, and a memory experiment
that trains all three cells on the same task.

Reads widgets -> computes gradient norms (ui.cached: per model and text) or starts/joins a
long-range experiment on the server's job board (rnnviz.training.experiment, a background job
in a worker process that never calls Streamlit) -> draws; a fragment polls the running
experiment once a second.
"""

import streamlit as st

from rnnviz.analysis.gradients import gradient_flow
from rnnviz.plots import gates as gate_plots
from rnnviz.training.experiment import PAGE_CHOICES, LongRangeConfig, make_sentences
from rnnviz.ui import session as ui
from rnnviz.ui import teacher as ui_teacher

ui.ensure_routed()  # a link straight to this page runs app.py first

MAX_TOKENS = 150  # the gradient chart's sentence is cut here
MAX_CHARS = 3000

st.title("Why gates? Carrying a word across many others")
st.markdown(gate_plots.INTRO)

st.header("1. How far back does the learning signal reach?")
st.markdown(gate_plots.GRADIENT_LESSON)


models, problems = ui.shipped_models()
if problems:
    missing = "; ".join(f"{ui.model_title(name)}: {reason}" for name, reason in problems.items())
    st.warning(f"Not shown, not installed on this server: {ui.md_escape(missing)}.", icon=":material/info:")
st.session_state.setdefault("gates_sentence", gate_plots.LONG_SENTENCE)
text = st.text_area("A long sentence (edit it if you like)", key="gates_sentence", max_chars=MAX_CHARS)
if ui.teacher_mode():  # the lesson is about the hidden state
    of = ui.hidden_value("gates_of", "hidden")
else:
    of = st.segmented_control(
        "Gradient with respect to", list(gate_plots.GRADIENT_OF), key="gates_of", required=True,
        default="hidden", format_func=gate_plots.GRADIENT_OF.get,
    )  # fmt: skip
scaled = st.toggle("Scale each line to 1 at the last word", value=True, key="gates_scaled")
if not models:
    st.info("No shipped model is installed on this server, so there is nothing to compare here.")
elif not text.strip() or not any(c.tokens_and_ids(text)[0] for c in models.values()):
    st.info("Type a sentence above: the longer, the clearer the picture (the example has 79 words).")
else:
    flows = {  # computed once per server for each model and text, shared by every session
        ui.model_title(name): (model.config.cell, ui.cached(gradient_flow, model, text, MAX_TOKENS))
        for name, model in models.items()
    }
    if len(next(iter(flows.values()))[1].tokens) >= MAX_TOKENS:
        st.warning(f"Only the first {MAX_TOKENS} tokens are used.", icon=":material/content_cut:")
    ui.chart(gate_plots.gradient_chart(flows, of, scaled), key="gates_gradients")
    st.caption(gate_plots.GRADIENT_CAPTION)
    for title, (_, flow) in flows.items():
        st.markdown("- " + ui.md_escape(gate_plots.gradient_summary(title, flow, of)))

st.header("2. The long-range experiment")
st.markdown(gate_plots.LONG_RANGE_INTRO)
default = LongRangeConfig()
settings = {  # query parameter -> (widget key, allowed values, default): links carry the settings
    "filler": ("gates_filler", PAGE_CHOICES["max_filler"], default.max_filler),
    "train": ("gates_train", PAGE_CHOICES["train_size"], default.train_size),
    "epochs": ("gates_epochs", PAGE_CHOICES["epochs"], default.epochs),
    "seed": ("gates_seed", PAGE_CHOICES["seed"], default.seed),
}
ui.numbers_from_query(ui.incoming_query(list(settings)), settings)
with st.container(horizontal=True, gap="large", vertical_alignment="bottom"):
    fillers = settings["filler"][1]
    filler = st.slider(
        "N: the longest filler", fillers[0], fillers[-1], step=fillers[1] - fillers[0], key="gates_filler"
    )
    if ui.teacher_mode():  # a link's settings still apply
        train_size = ui.hidden_value("gates_train", default.train_size)
        epochs = ui.hidden_value("gates_epochs", default.epochs)
        seed = ui.hidden_value("gates_seed", default.seed)
    else:
        with st.popover("Experiment settings", icon=":material/tune:"):
            train_size = st.select_slider("Training sentences", settings["train"][1], key="gates_train")
            epochs = st.slider("Epochs", 1, settings["epochs"][1][-1], key="gates_epochs")
            seed = int(st.number_input("Seed", 0, settings["seed"][1][-1], key="gates_seed"))
config = LongRangeConfig(max_filler=filler, train_size=train_size, epochs=epochs, seed=seed)
ui.set_query(filler=str(filler), train=str(train_size), epochs=str(epochs), seed=str(seed))
example = make_sentences(1, 6, 6, "example")
answer = example.label_names[example.labels[0]]
st.caption(f"For example, with 6 filler words: “{ui.md_escape(example.texts[0])}” (answer: {answer}).")
board = ui.experiment_board()
board.warm_up()  # start the training worker now, so the first run does not wait for PyTorch
mine = st.session_state.setdefault("gates_started", set())  # configs this session started


def _start() -> None:
    board.start(config)
    mine.add(config)


job = board.get(config)
if job is None or job.status == "failed":  # a failed run can be tried again
    st.button("Train the three cells", icon=":material/play_arrow:", type="primary", on_click=_start)
    st.caption(
        "The plain RNN, the GRU and the LSTM are trained one after another with the same data, "
        "settings and seed; the default run takes well under a minute (BENCHMARKS.md)."
    )


@st.fragment(run_every=ui.timer("gates_job", job is not None and job.state().active))
def experiment() -> None:
    """Progress while the experiment runs (polled), then its chart and what it measured."""
    current = board.get(config)
    snapshot = current.state() if current is not None else None
    ui.sync_timer("gates_job", snapshot is not None and snapshot.active)
    if snapshot is None:
        return
    if snapshot.active:
        st.progress(snapshot.fraction, text=ui.md_escape(snapshot.message))
        if config in mine:
            st.button("Stop", icon=":material/stop:", on_click=board.stop, args=(config,))
    elif snapshot.status == "failed":
        st.error(ui.md_escape(snapshot.message))
    if snapshot.cells:
        ui.chart(gate_plots.long_range_chart(config, snapshot.cells), key="gates_long_range")
        st.caption(gate_plots.LONG_RANGE_CAPTION)
    if snapshot.result is not None:
        st.success(ui.md_escape(snapshot.result.summary()), icon=":material/science:")
        st.caption(ui.md_escape(gate_plots.long_range_details(snapshot.result)))


experiment()
ui_teacher.link_box()
