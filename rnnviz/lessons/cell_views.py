"""The words of Inside the cell's views under the diagram: their names and the one line each says
about what to look for (the lesson's order: the step's equations, the unrolled network, the
embedding the network reads, the head that turns the final state into the answer)."""

from __future__ import annotations

from typing import Literal, get_args

from rnnviz.core.text import UNK
from rnnviz.lessons.i18n import N_

View = Literal["equations", "unrolled", "embedding", "head"]
VIEWS: tuple[str, ...] = get_args(View)
DEFAULT_VIEW: View = "equations"
VIEW_NAMES = {
    "equations": "Cell equations",
    "unrolled": "Unrolled",
    "embedding": "Embedding",
    "head": "Classifier head",
}
VIEW_HELP = (
    "What to show under the cell: the step's equations with this unit's numbers, the network "
    "unrolled over the words, the current word's embedding, or the classifier head."
)

UNROLLED_CAPTION = (
    "Look for the same W_ih, W_hh and b at every word: the unrolled network is one cell used again "
    "and again, each copy handing its state (thick black arrow) to the next; the numbers above are "
    "the unit's h_t."
)
EMBEDDING_CAPTION = N_(
    "Look at which words sit near this one: the embedding table places words the model treats "
    "alike in similar directions, and this row is the x_t that layer 1 multiplies by W_ih."
)
NEIGHBOURS_CAPTION = (
    "Cosine similarity of the two embedding rows: 1 points the same way, 0 unrelated, −1 opposite "
    "(`<pad>` and `<unk>` are left out)."
)
SHAPES_CAPTION = (
    "Every tensor of the model as model.named_parameters() names it. The lesson writes x_t W with W "
    "[inputs × hidden]; PyTorch stores the transpose and stacks the gates' rows, so an LSTM's "
    "weight_ih is [4·hidden × inputs]."
)
HEAD_CAPTION = (
    "Look at which units push the answer: the head multiplies the sentence vector by one row of "
    "weights per class and adds a bias; the tallest bars decide, and they add up to the logit."
)
READOUTS = {
    "last": "the last hidden state h_t of the top layer",
    "mean": "the mean of the top layer's h over the words read",
    "max": "each unit's largest h over the words read (max over steps)",
}


def upper_layer_input(layer: int) -> str:
    """For layer `layer` (0-based, above the first): what its x_t is."""
    return (
        f" In layer {layer + 1}, x_t is layer {layer}'s output at word t "
        "(both directions of a bidirectional one)."
    )


def unknown_explanation(token: str, vocab_size: int) -> str:
    """Why an unknown word shows <unk>'s embedding. `token` must already be escaped for markdown."""
    return (
        f"{token} is not among the model's {vocab_size} vocabulary entries, so the network reads it as "
        f"`{UNK}`: the one row of the embedding table every unknown word shares. Below are `{UNK}`'s "
        "numbers and neighbours."
    )


def readout_text(readout: str, bidirectional: bool) -> str:
    """What the head reads, in words."""
    text = READOUTS.get(readout, readout)
    if bidirectional:
        text += ", forward and backward directions side by side (concatenated)"
    return text
