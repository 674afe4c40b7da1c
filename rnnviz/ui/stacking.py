"""The Layers & directions page's sections: both directions side by side, how each layer reads
the one below, what the classifier reads, and what "prediction after each word" means here.

Each function draws one section from a traced sentence; the numbers come from
rnnviz.analysis.stacking, the figures from rnnviz.plots.stacking, the words from
rnnviz.lessons.stacking.
"""

from __future__ import annotations

import streamlit as st

from rnnviz.analysis import stacking
from rnnviz.analysis import units as analysis
from rnnviz.core.markup import md_escape, quote
from rnnviz.core.models import Classifier
from rnnviz.core.trace import SentenceTrace
from rnnviz.lessons import glossary
from rnnviz.lessons import stacking as words
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots import stacking as plots
from rnnviz.plots import trace as trace_plots
from rnnviz.ui import models, output

BILSTM = "bilstm"  # the shipped stacked, bidirectional model offered to a student on a simple one
FIRST_SCREEN_ROWS = 10  # heatmaps with at most this many units fit the first screen (output.chart)


def offer_bilstm(classifier: Classifier) -> None:
    """For a one-layer, one-direction model: what it is, and a button to the shipped BiLSTM."""
    config = classifier.config
    if config.num_layers > 1 or config.bidirectional:
        return
    has_bilstm = BILSTM in models.shipped_models()[0]
    if not has_bilstm:
        st.info(words.simple_model(has_bilstm), icon=":material/info:")
        return
    notice, action = st.columns([3, 1], vertical_alignment="center")
    notice.info(words.simple_model(has_bilstm), icon=":material/info:")
    with action:
        st.button(
            "Switch to the BiLSTM",
            key="layers_switch",
            on_click=models.request_model,
            args=(BILSTM,),
            type="primary",
            width="stretch",
            help=f"Picks “{models.model_title(BILSTM)}” in the sidebar's model picker.",
        )


def directions(
    sentence: SentenceTrace, layer: int, shown: int, _: Translate = english, upright_words: bool = False
) -> None:
    """The chosen layer's hidden state, one heatmap per direction, side by side; `upright_words`
    stands the word labels on end, for columns too narrow to hold them flat (the Lesson's)."""
    trace, tokens = sentence.trace, sentence.tokens
    top = layer == trace.num_layers - 1
    for column, direction in zip(st.columns(len(trace.directions)), trace.directions, strict=True):
        hidden = trace.state(layer, direction).hidden
        read = (len(tokens) - 1 if direction == "forward" else 0) if top else None
        with column:
            figure = plots.direction_heatmap(
                hidden,
                tokens,
                trace.cell_type,
                direction,
                layer,
                analysis.top_units(hidden, "changed", shown),
                read_by_head=read,
                _=_,
            )
            if upright_words:
                figure.update_xaxes(tickangle=-90)
            output.chart(figure, key=f"layers_{direction}", first_screen=shown <= FIRST_SCREEN_ROWS)
    two = len(trace.directions) == 2
    st.caption(_(words.DIRECTIONS_CAPTION if two else words.ONE_DIRECTION_CAPTION))


def handoffs(classifier: Classifier, sentence: SentenceTrace) -> None:
    """How each layer above the first reads the one below, with the check against torch."""
    check = stacking.stack_check(classifier, sentence)
    config = classifier.config
    for handoff in check.handoffs:
        st.subheader(f"How layer {handoff.layer + 1} reads layer {handoff.layer}")
        st.markdown(words.handoff_text(config, handoff.layer, handoff.weight_ih_shape))
        figure = plots.layer_input_heatmap(handoff, sentence.tokens, sentence.trace.cell_type)
        output.chart(figure, key=f"layers_input_{handoff.layer}")
        st.caption(words.handoff_check(handoff.layer, handoff.input_difference, handoff.alone_difference))
    if check.handoffs:
        st.caption(words.stack_check(type(classifier.model.rnn).__name__, check.stack_difference))


def classifier_reads(classifier: Classifier, sentence: SentenceTrace) -> None:
    """The sentence vector the head reads, its parts, and the check against the model."""
    result = stacking.readout(classifier, sentence)
    tokens = sentence.tokens
    st.subheader("What the classifier reads")
    st.markdown(words.readout_text(classifier.config, quote(tokens[0]), quote(tokens[-1]), result.head_shape))
    output.chart(plots.readout_chart(result, tokens, sentence.trace.cell_type), key="layers_readout")
    readout_caption(result, sentence)


def prefix_meaning(classifier: Classifier, sentence: SentenceTrace) -> None:
    """The prediction after each word, what it means for this model, and the re-reading check."""
    bidirectional = classifier.config.bidirectional
    st.subheader("Prediction after each word")
    st.markdown(words.PREFIX_BIDIRECTIONAL if bidirectional else words.PREFIX_FORWARD)
    chart = trace_plots.prediction_chart(sentence.tokens, sentence.prefix_probabilities, sentence.labels)
    output.chart(chart, key="layers_prefix")
    st.caption(glossary.prediction_caption(bidirectional))
    result = stacking.rereading(classifier, sentence)
    if result is None:
        return
    cut = quote(sentence.tokens[-1])
    rows = [
        {
            "layer": layer + 1,
            "direction": f"{plots.ARROWS[direction]} {direction}",
            "max |change| of h": words.number(difference),
            "why": words.rereading_reason(layer, direction, bidirectional),
        }
        for (layer, direction), difference in result.differences.items()
    ]
    st.markdown(f"**Read again without the last word {cut}:**")
    st.dataframe(rows, hide_index=True)
    st.caption(words.REREADING_CAPTION)


def readout_caption(result: stacking.Readout, sentence: SentenceTrace, _: Translate = english) -> None:
    """The check under a readout chart: the vector and the logits equal the model's own."""
    winner = int(result.probabilities.argmax())
    st.caption(
        words.readout_check(
            result.vector_difference,
            result.logit_difference,
            md_escape(sentence.labels[winner]),
            float(result.probabilities[winner]),
            _,
        )
    )
