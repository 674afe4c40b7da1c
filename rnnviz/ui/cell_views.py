"""The views Inside the cell shows under its diagram, one at a time: the step's equations, the
unrolled network, the current word's embedding and the classifier head. Each is a function of
(classifier, sentence, step, …) that draws itself, so another page (a lesson) can reuse it.

The choice is the control VIEW (key "cell_view", in the URL as `view`).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnviz.analysis import embeddings, head
from rnnviz.core import markup
from rnnviz.core.models import Classifier
from rnnviz.core.trace import LayerTrace, SentenceTrace, classifier_step_detail
from rnnviz.lessons import cell_views as words
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots import diagrams, equations, numbers, unrolled
from rnnviz.plots import embeddings as embedding_plots
from rnnviz.plots import head as head_plots
from rnnviz.ui import output, state

VIEW = state.Control("cell_view", words.DEFAULT_VIEW, words.VIEWS)
HEAD_CLASS = state.Control("cell_head_class", 0)  # whose logit the head view takes apart


def view_picker() -> str:
    """Which view to show under the cell diagram (a segmented control, always drawn)."""
    return state.widget(
        st.segmented_control,
        VIEW,
        "Show under the cell",
        list(words.VIEWS),
        required=True,
        format_func=words.VIEW_NAMES.get,
        help=words.VIEW_HELP,
    )


def equations_view(
    classifier: Classifier, sentence: SentenceTrace, step: int, layer_state: LayerTrace, unit: int, where: str
) -> None:
    """The cell's equations with unit `unit`'s numbers at `step`, and every unit of the layer there."""
    detail = classifier_step_detail(classifier, layer_state, step, unit)
    st.subheader(f"The arithmetic of unit {unit}, {where}")
    for equation in equations.equations(detail):
        st.latex(equation.latex)
    st.caption(
        "The PyTorch documentation's equations with this unit's numbers: W x is the unit's row of "
        "the weight matrix times the input vector, already added up; ⊙ is an ordinary × for one "
        f"unit; rounded to {equations.DECIMALS} decimals, so the last digit may differ by one."
    )
    token = sentence.tokens[step]
    output.chart(diagrams.step_vectors(layer_state, step, token, unit=unit), key="cell_vectors")
    st.caption(
        f"Every unit of {where} at this word, one row per quantity (unit {unit} is outlined): "
        "teal is positive, brown negative; gates run from 0 (white) to 1 (dark teal)."
    )


def unrolled_view(
    classifier: Classifier, sentence: SentenceTrace, step: int, layer_state: LayerTrace, unit: int
) -> None:
    """The folded cell and the same cell once per word around `step`, unit `unit`'s h_t above each."""
    figure = unrolled.unrolled_diagram(classifier.config, layer_state, sentence.tokens, step, unit)
    output.chart(figure, key="cell_unrolled")
    shown = unrolled.window(len(sentence.tokens), step)
    left_out = len(sentence.tokens) - len(shown)
    more = f" {left_out} words are left out at “…”: step to move the window." if left_out else ""
    below = words.upper_layer_input(layer_state.layer) if layer_state.layer else ""
    st.caption(words.UNROLLED_CAPTION + below + more)


def embedding_strip(
    classifier: Classifier, token: str, key: str = "cell", height: int | None = None, _: Translate = english
) -> embeddings.WordEmbedding:
    """`token`'s row of the embedding table as a strip (`height` px: the figure's own by default),
    captioned in the language of `_`; returns the row and its neighbours."""
    found = embeddings.word_embedding(classifier, token)
    if found.unknown:
        st.info(
            words.unknown_explanation(markup.quote(token), classifier.config.vocab_size),
            icon=":material/help:",
        )
    figure = embedding_plots.embedding_strip(found, _)
    if height is not None:  # a short strip's colour bar has room for its two ends only
        bar = figure.data[0].colorbar
        figure.update_traces(colorbar=dict(tickvals=bar.tickvals[::2], ticktext=bar.ticktext[::2]))
        figure.update_layout(height=height)
    output.chart(output.translated_axes(figure, _), key=f"{key}_embedding")
    st.caption(_(words.EMBEDDING_CAPTION))
    return found


def embedding_view(classifier: Classifier, sentence: SentenceTrace, step: int) -> None:
    """The current word's embedding strip, its nearest vocabulary words and every weight's shape."""
    found = embedding_strip(classifier, sentence.tokens[step])
    output.chart(embedding_plots.neighbour_bars(found), key="cell_neighbours")
    st.caption(words.NEIGHBOURS_CAPTION)
    rows = [
        {
            "parameter": f"`{w.name}`",
            "shape": " × ".join(map(str, w.shape)),
            "symbol": w.symbol,
            "in the lesson": w.meaning,
        }
        for w in embeddings.weight_shapes(classifier)
    ]
    st.table(rows, hide_index=True)
    st.caption(words.SHAPES_CAPTION)


def head_view(classifier: Classifier, sentence: SentenceTrace, step: int) -> None:
    """The head after word `step`: readout vector × weights + bias -> logits -> softmax, the units
    that contribute most, and the check that they add up to the logits."""
    found = head.head_breakdown(classifier, sentence.token_ids, step + 1)
    steps = len(sentence.tokens)
    features = len(found.vector)
    reads = words.readout_text(found.readout, found.bidirectional)
    read = "word 1" if step == 0 else f"words 1–{step + 1}"
    when = (
        "the whole sentence"
        if step + 1 == steps
        else f"{read} of {steps}, as if the sentence stopped there (the prediction after word {step + 1})"
    )
    st.markdown(
        f"**v** = {reads}, {features} numbers, for {when}.  \n"
        f"**logits** = v · head.weightᵀ + head.bias  (weight [{len(found.labels)} × {features}], "
        f"bias [{len(found.labels)}]) → **softmax**: probability = e^logit ÷ the sum of e^logit "
        "over the classes."
    )
    rows = []
    for c, label in enumerate(found.labels):
        rows.append(
            {
                "class": markup.md_escape(label),  # st.table draws cells as markdown
                "Σ unit × weight": numbers.fixed(float(found.contributions[c].sum())),
                "bias": numbers.fixed(float(found.bias[c])),
                "sum = logit": numbers.fixed(float(found.recomputed[c])),
                "model's logit": numbers.fixed(float(found.logits[c])),
                "e^logit": f"{np.exp(float(found.logits[c])):.3f}",
                "probability": f"{found.probabilities[c]:.3f}",
            }
        )
    st.table(rows, hide_index=True)
    gap = float(abs(found.recomputed - found.logits).max())
    if gap <= head.CHECK_TOLERANCE:
        st.success(
            f"Check: for every class the contributions plus the bias equal the model's logit "
            f"(largest difference {gap:.1e}, within {head.CHECK_TOLERANCE:g}).",
            icon=":material/check_circle:",
        )
    else:
        st.error(
            f"The contributions and the bias miss the model's logit by {gap:.4f}.", icon=":material/error:"
        )
    classes = list(range(len(found.labels)))
    target = state.widget(
        st.segmented_control,
        HEAD_CLASS,
        "Class",
        classes,
        choices=classes,
        default=found.predicted,
        remember=False,  # follows the prediction until the student picks a class
        required=True,
        format_func=lambda c: found.labels[c] + (" (predicted)" if c == found.predicted else ""),
        help="Whose logit to take apart; it starts on the predicted class.",
    )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        output.chart(head_plots.contributions_waterfall(found, target), key="cell_head_waterfall")
    with right:
        top = [
            {
                "unit": found.feature_name(j),
                "value v": numbers.fixed(float(found.vector[j])),
                "weight W": numbers.fixed(float(found.weight[target, j])),
                "v × W": numbers.fixed(float(found.contributions[target, j]), signed=True),
            }
            for j in found.top_units(target)
        ]
        st.table(top, hide_index=True)
    st.caption(words.HEAD_CAPTION)


def show_view(
    view: str,
    classifier: Classifier,
    sentence: SentenceTrace,
    step: int,
    layer_state: LayerTrace,
    unit: int,
    where: str,
) -> None:
    """Draw the chosen view."""
    if view == "unrolled":
        unrolled_view(classifier, sentence, step, layer_state, unit)
    elif view == "embedding":
        embedding_view(classifier, sentence, step)
    elif view == "head":
        head_view(classifier, sentence, step)
    else:
        equations_view(classifier, sentence, step, layer_state, unit, where)
