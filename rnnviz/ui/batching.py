"""The Padding & packing page's sections: the padded batch and its mask, the packed order, and the
recurrent layer run on the batch against each sentence alone.

Numbers from rnnviz.analysis.batching, figures from rnnviz.plots.batching, words from
rnnviz.lessons.batching.
"""

from __future__ import annotations

import streamlit as st

from rnnviz.analysis.batching import BatchRun, PackedBatch
from rnnviz.core.markup import clip
from rnnviz.core.models import CELL_NAMES, Classifier
from rnnviz.lessons import batching as words
from rnnviz.lessons.i18n import Translate, english
from rnnviz.lessons.stacking import number
from rnnviz.plots import batching as plots
from rnnviz.ui import output

SIDE_BY_SIDE_STEPS = 8  # up to this many words, the id matrix and the mask share a row
NARROW_CELL_FONT = 11  # px (x1.35 on a projector) of the id matrix's cells in a narrow column
NARROW_HEIGHT = 240  # px of the id matrix and the mask in a narrow column (not scaled on a projector)
SENTENCE_CHARS = 40  # sentences are cut to this in the table


def summary(batch: PackedBatch, run: BatchRun, _: Translate = english) -> None:
    """The answer in one box: packed equals alone, unpacked does not (for which sentences)."""
    names = [f"sentence {b + 1}" for b in range(len(batch.tokens))]
    text = words.summary(float(run.packed_difference.max()), run.padded_difference.tolist(), names, _)
    st.success(text, icon=":material/check_circle:")


def padded(batch: PackedBatch, _: Translate = english, narrow: bool = False) -> None:
    """The padded id matrix beside its mask and lengths (one under the other for long sentences);
    `narrow`: in two thirds of the page (the Lesson's), the matrix gets more of the row, smaller
    cell text (so that "<pad>" and four-digit ids fit their cells), shorter titles (the caption
    says what <pad> is), no axis title under the numbered columns and NARROW_HEIGHT px, so that
    the caption stays on a projector's screen."""
    if batch.ids.shape[1] <= SIDE_BY_SIDE_STEPS:
        ids, mask = st.columns([2, 1] if narrow else [3, 2])
    else:
        ids = mask = st.container()
    shape = dict(rows=batch.ids.shape[0], steps=batch.ids.shape[1])
    for column, figure, key, short in (
        (ids, plots.id_matrix_chart(batch, _), "batch_ids", _("Padded ids [{rows} × {steps}]")),
        (mask, plots.mask_chart(batch, _), "batch_mask", _("Mask [{rows} × {steps}]")),
    ):
        if narrow:
            figure.update_traces(textfont_size=NARROW_CELL_FONT)
            figure.update_layout(title_text=short.format(**shape), height=NARROW_HEIGHT, margin_b=30)
            figure.update_xaxes(title_text=None)  # the columns are numbered: positions t
        with column:
            output.chart(figure, key=key, first_screen=not narrow, keep_height=narrow)
    st.caption(_(words.IDS_CAPTION))


def packed(batch: PackedBatch) -> None:
    """PackedSequence.data in torch's order, and its batch_sizes and sorted_indices."""
    output.chart(plots.packed_chart(batch), key="batch_packed")
    order = ", ".join(str(int(b)) for b in batch.sorted_indices)
    st.caption(f"{words.PACKED_CAPTION} `sorted_indices` = [{order}] (sentences counted from 0).")


def run(classifier: Classifier, batch: PackedBatch, result: BatchRun) -> None:
    """The final states of the packed and the unpacked run against each sentence alone, and what
    the classifier answers from each."""
    st.subheader("Run the recurrent layer on the batch")
    names = [f"sentence {b + 1}" for b in range(len(batch.tokens))]
    output.chart(plots.final_state_chart(result, names), key="batch_final")
    st.caption(words.RUN_CAPTION)
    labels = classifier.labels

    def answer(probabilities) -> str:
        winner = int(probabilities.argmax())
        return f"{labels[winner]} {probabilities[winner]:.4f}"

    rows = [
        {
            "sentence": f"{b + 1}: {clip(' '.join(tokens), SENTENCE_CHARS)}",
            "length": int(batch.lengths[b]),
            "max |Δ| packed": number(float(result.packed_difference[b])),
            "max |Δ| not packed": number(float(result.padded_difference[b])),
            "answer: alone": answer(result.probabilities_alone[b]),
            "answer: packed": answer(result.probabilities_packed[b]),
            "answer: not packed": answer(result.probabilities_padded[b]),
        }
        for b, tokens in enumerate(batch.tokens)
    ]
    st.dataframe(rows, hide_index=True)
    st.caption(
        "Answer: the class the classifier picks from each run's final states, and its probability. "
        + words.why_padding_matters(CELL_NAMES[classifier.config.cell])
    )
