"""Why gates: the vanishing gradient in the shipped RNN, GRU and LSTM, and a memory experiment
that trains all three cells on the same task.

Reads widgets -> computes gradient norms (cache.cached: per model and text) or starts/joins a
long-range experiment on the server's job board (rnnviz.training.experiment, a background job
in a worker process that never calls Streamlit; its controls and live view are rnnviz.ui.gates)
-> draws; a fragment polls the running experiment once a second.
"""

import contextlib

import streamlit as st

from rnnviz.analysis.gradients import gradient_flow
from rnnviz.core.markup import md_escape
from rnnviz.plots import gates as gate_plots
from rnnviz.training.experiment import make_sentences
from rnnviz.ui import cache, output, session, state
from rnnviz.ui import gates as ui_gates
from rnnviz.ui import models as ui_models
from rnnviz.ui import teacher as ui_teacher

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = 150  # the gradient chart's sentence is cut here
MAX_CHARS = 3000
PROJECTOR_CHART_HEIGHT = 440  # px: with the title, the folded texts and the controls, 720 px

st.title("Why gates? Carrying a word across many others")
# On a projector the chart is the first screen: the lesson's words fold away under it.
teaching = ui_teacher.teacher_mode()
if teaching:
    with st.expander("The idea, in words: why the signal fades"):
        st.markdown(gate_plots.INTRO)
        st.markdown(gate_plots.GRADIENT_LESSON)
    st.header("1. How far back does the learning signal reach?")
else:
    st.markdown(gate_plots.INTRO)
    st.header("1. How far back does the learning signal reach?")
    st.markdown(gate_plots.GRADIENT_LESSON)


models, problems = ui_models.shipped_models()
if problems:
    missing = "; ".join(f"{ui_models.model_title(name)}: {reason}" for name, reason in problems.items())
    st.warning(f"Not shown, not installed on this server: {md_escape(missing)}.", icon=":material/info:")
SENTENCE = state.Control("gates_sentence", gate_plots.LONG_SENTENCE, check=lambda v: isinstance(v, str))
OF = state.Control("gates_of", "hidden", tuple(gate_plots.GRADIENT_OF))
SCALED = state.Control("gates_scaled", True, (True, False))
sentence_box = toggle_box = contextlib.nullcontext()
if teaching:  # the sentence folded away, the toggle beside it: one row
    sentence_column, toggle_box = st.columns([2, 1], vertical_alignment="center")
    sentence_box = sentence_column.expander("The long sentence (edit it if you like)")
with sentence_box:
    text = state.widget(st.text_area, SENTENCE, "A long sentence (edit it if you like)", max_chars=MAX_CHARS)
if teaching:  # the lesson is about the hidden state; a choice made before stays
    of = state.value(OF)
else:
    of = state.widget(
        st.segmented_control, OF, "Gradient with respect to", list(gate_plots.GRADIENT_OF), required=True,
        format_func=gate_plots.GRADIENT_OF.get,
    )  # fmt: skip
with toggle_box:
    scaled = state.widget(st.toggle, SCALED, "Scale each line to 1 at the last word")
if not models:
    st.info("No shipped model is installed on this server, so there is nothing to compare here.")
elif not text.strip() or not any(c.tokens_and_ids(text)[0] for c in models.values()):
    st.info("Type a sentence above: the longer, the clearer the picture (the example has 79 words).")
else:
    flows = {  # computed once per server for each model and text, shared by every session
        ui_models.model_title(name): (
            model.config.cell,
            cache.per_sentence(gradient_flow, model, text, MAX_TOKENS),
        )
        for name, model in models.items()
    }
    if len(next(iter(flows.values()))[1].tokens) >= MAX_TOKENS:
        st.warning(f"Only the first {MAX_TOKENS} tokens are used.", icon=":material/content_cut:")
    figure = gate_plots.gradient_chart(flows, of, scaled)
    if teaching:  # the whole chart on the projector's first screen, under the compact controls
        figure.update_layout(height=PROJECTOR_CHART_HEIGHT)
    output.chart(figure, key="gates_gradients", keep_height=teaching)
    st.caption(gate_plots.GRADIENT_CAPTION)
    for title, (_, flow) in flows.items():
        st.markdown("- " + md_escape(gate_plots.gradient_summary(title, flow, of)))

st.header("2. The long-range experiment")
st.markdown(gate_plots.LONG_RANGE_INTRO)
config = ui_gates.experiment_controls()
example = make_sentences(1, 6, 6, "example")
answer = example.label_names[example.labels[0]]
st.caption(f"For example, with 6 filler words: “{md_escape(example.texts[0])}” (answer: {answer}).")
board = cache.experiment_board()
board.warm_up()  # start the training worker now, so the first run does not wait for PyTorch
ui_gates.show_experiment(board, config)
ui_teacher.link_box()
