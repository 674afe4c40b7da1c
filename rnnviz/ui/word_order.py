"""The Streamlit side of the Word order page: the shipped bag-of-embeddings baseline (loaded once
per server), the page's controls, and the drawing of both models' answers on the reorderings.

Widget keys start with "order_".
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from rnnviz.analysis import word_order
from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import CheckpointError
from rnnviz.core.markup import md_escape
from rnnviz.core.models import Classifier
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots import word_order as order_plots
from rnnviz.ui import models as ui_models
from rnnviz.ui import output, state

# The shipped LSTM, GRU and RNN all call it positive and its swapped clauses negative; the bag cannot.
DEFAULT_SENTENCE = "the start was dull but the end was great"
MAX_CHARS = 1000  # the text box and each typed reordering
MAX_TYPED = 5  # reorderings the student may add, one per line
SENTENCE = state.Control("order_sentence", DEFAULT_SENTENCE, check=lambda v: isinstance(v, str))
TYPED = state.Control("order_typed", "", check=lambda v: isinstance(v, str))
# The test split the accuracy line quotes from the model card (checkpoints.read_card).
CARD_SOURCE, CARD_SOURCE_TITLE = "movies", "movie snippets, test split"


@st.cache_resource(max_entries=4, show_spinner="Loading the bag of embeddings…")
def _load_bag(path: str, modified_ns: int, size: int) -> Classifier:
    """The baseline's file, loaded once per server and version of the file. Shared: read-only."""
    return checkpoints.load_bag(path)


def bag_model() -> tuple[Classifier | None, str]:
    """(the shipped bag of embeddings, "") or (None, why it is not available)."""
    path = Path(checkpoints.MODELS_DIR) / checkpoints.BASELINES["bag"]  # read now: tests point it elsewhere
    try:
        stat = path.stat()
    except OSError:
        return None, f"its file {path.name} is not installed on this server"
    try:
        return _load_bag(str(path), stat.st_mtime_ns, stat.st_size), ""
    except CheckpointError as error:
        return None, f"its file cannot be loaded: {error}"


def typed_variants(text: str) -> list[word_order.Variant]:
    """The student's own reorderings, one per non-empty line (the first MAX_TYPED)."""
    lines = [line for line in text.splitlines() if line.strip()][:MAX_TYPED]
    found = [word_order.typed_variant(line[:MAX_CHARS]) for line in lines]
    return [variant for variant in found if variant is not None]


def _winner(labels: tuple[str, ...], row) -> str:
    k = int(row.argmax())
    return f"{labels[k]} {float(row[k]):.3f}"


def verdict(answers: word_order.OrderAnswers, recurrent_title: str, _: Translate = english) -> str:
    """Two sentences of markdown: what the bag did across the reorderings, what the network did."""
    target = order_plots.target_class(answers)
    label = md_escape(answers.labels[target])
    same = [i for i, keep in enumerate(answers.same_words) if keep]
    bag_values = {float(answers.bag[i, target]) for i in same}
    rnn_values = [float(answers.recurrent[i, target]) for i in same]
    if len(same) < 2:
        return _("A single word has no other order: type a sentence of a few words to compare orders.")
    if word_order.reorderings_agree(answers.bag, answers.same_words):
        bag_text = _(
            "**The bag of embeddings gives all {count} orderings exactly the same answer**: "
            "P({label}) = {value:.6f} each time."
        ).format(count=len(same), label=label, value=next(iter(bag_values)))
    else:  # cannot happen for a bag (the unit tests prove it); said plainly if it ever did
        bag_text = _("The bag of embeddings' answers differ across the orderings ({count} values).").format(
            count=len(bag_values)
        )
    winners = {int(answers.recurrent[i].argmax()) for i in same}
    rnn_text = (
        _(
            "**{model}** reads the words in order: P({label}) from {low:.3f} to {high:.3f}, and its "
            "answer changes with the order."
        )
        if len(winners) > 1
        else _(
            "**{model}** reads the words in order: P({label}) from {low:.3f} to {high:.3f}, with the "
            "same winner each time."
        )
    ).format(model=md_escape(recurrent_title), label=label, low=min(rnn_values), high=max(rnn_values))
    return f"{bag_text} {rnn_text}"


def table_rows(answers: word_order.OrderAnswers, recurrent_title: str) -> list[dict]:
    """One row per variant with both models' answers, for st.dataframe."""
    return [
        {
            "variant": variant.name,
            "sentence": variant.text,
            "same words": "yes" if same else "no: other words",
            "bag of embeddings": _winner(answers.labels, bag),
            recurrent_title: _winner(answers.labels, recurrent),
        }
        for variant, same, bag, recurrent in zip(
            answers.variants, answers.same_words, answers.bag, answers.recurrent, strict=True
        )
    ]


def accuracy_line(recurrent_name: str, recurrent: Classifier) -> str:
    """Markdown: both models' test accuracy on the movie snippets, from the model card's data."""
    card = checkpoints.read_card()
    bag = card.get("bag", {}).get(CARD_SOURCE)
    rnn = card.get(recurrent_name, {}).get(CARD_SOURCE) if recurrent_name in checkpoints.SHIPPED else None
    title = md_escape(ui_models.model_title(recurrent_name))
    bag_text = (
        f"bag of embeddings **{bag:.1%}**" if bag is not None else "bag of embeddings: not in the model card"
    )
    rnn_text = f"{title} **{rnn:.1%}**" if rnn is not None else f"{title}: not in the model card"
    return f"Test accuracy ({CARD_SOURCE_TITLE}, from the model card): {bag_text} · {rnn_text}."


def show_answers(
    answers: word_order.OrderAnswers,
    recurrent_title: str,
    _: Translate = english,
    verdict_first: bool = False,
) -> None:
    """The chart (first screen), its caption and the verdict, in the language of `_`; with
    `verdict_first` the verdict comes before the caption (a projector's screen ends under it)."""
    output.chart(order_plots.order_chart(answers, recurrent_title, _), key="order_chart", first_screen=True)
    if verdict_first:
        st.markdown(verdict(answers, recurrent_title, _))
    st.caption(_(order_plots.CAPTION))
    if not verdict_first:
        st.markdown(verdict(answers, recurrent_title, _))
