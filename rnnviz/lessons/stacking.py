"""Words for the Layers & directions page: what a bidirectional or stacked network is, what each of
its charts shows, and what "prediction after each word" means for it.

Functions take plain numbers and names and return markdown-safe text (no user text goes in
unescaped: callers pass tokens through rnnviz.core.markup first).
"""

from __future__ import annotations

from rnnviz.core.models import CELL_NAMES, ModelConfig
from rnnviz.lessons.i18n import N_, Translate, english

INTRO = (
    "**Bidirectional**: two networks read the sentence, one left to right, one right to left, and at "
    "each word their states are put end to end. **Stacked**: layer 2 reads layer 1's states, not the words."
)
DIRECTIONS_CAPTION = N_(
    "Columns are words in sentence order for both directions; rows are the units that change most. "
    "The backward direction starts at the last word, so its state at the first word has read the "
    "whole sentence. Outlined: the state the classifier reads."
)
ONE_DIRECTION_CAPTION = N_(
    "Columns are words, rows the units that change most. One direction: the state at each word has "
    "read the words up to it and no further."
)


def describe(config: ModelConfig) -> str:
    """One line: what this network is made of, in the lesson's words."""
    cell = CELL_NAMES[config.cell]
    layers = f"{config.num_layers} layer{'s' if config.num_layers > 1 else ''}"
    if config.bidirectional:
        return (
            f"This model: {cell}, {layers} × {config.hidden_size} units per direction. Every layer "
            f"has a forward {cell} reading left to right and a backward one reading right to left."
        )
    if config.num_layers > 1:
        return f"This model: {cell}, {layers} × {config.hidden_size} units, all reading left to right."
    return f"This model: {cell}, one layer of {config.hidden_size} units reading left to right."


def simple_model(has_bilstm: bool) -> str:
    """The notice for a one-layer, one-direction model (and what to do instead)."""
    text = (
        "This model has **one layer that reads one way**, left to right: below is all there is, and "
        "the classifier reads its state at the last word."
    )
    if has_bilstm:
        return (
            text + " Switch to the shipped 2-layer bidirectional LSTM to see both directions and two layers."
        )
    return text + " Train one on the Train page with 2 layers and *Bidirectional* on to see more."


def handoff_text(config: ModelConfig, layer: int, weight_shape: tuple[int, int]) -> str:
    """How layer `layer` + 1 (1-based: `layer` is the 0-based reading layer) reads the one below."""
    size, directions = config.hidden_size, config.num_directions
    gates = {"lstm": 4, "gru": 3}.get(config.cell, 1)
    below, here = layer, layer + 1
    if directions == 2:
        x = (
            f"its input at word t is layer {below}'s forward h_t and backward h_t put end to end: "
            f"[{size}] ⊕ [{size}] = [{2 * size}]"
        )
    else:
        x = f"its input at word t is layer {below}'s h_t: [{size}]"
    rows, inputs = weight_shape
    return (
        f"Layer {here} never sees the words: {x}. So its `weight_ih_l{layer}` is "
        f"[{rows} × {inputs}] ({gates} gate{'s' if gates > 1 else ''} × {size} units, {inputs} inputs), "
        f"where layer 1's, reading the words, is [{rows} × {config.embedding_dim}] (the embedding size)."
    )


def handoff_check(layer: int, input_difference: float, alone_difference: float) -> str:
    """The numerical check of one handoff, in one line."""
    return (
        f"Checked with PyTorch: layer {layer + 1}'s traced x_t equals layer {layer}'s output as torch "
        f"computes it (max |difference| {number(input_difference)}), and torch running layer {layer + 1} "
        f"alone on it gives the traced states (max |difference| {number(alone_difference)})."
    )


def stack_check(module: str, difference: float) -> str:
    """The whole stack (torch module `module`, e.g. 'LSTM') against its layers run one by one."""
    return (
        f"The whole `nn.{module}`'s output and its layers run one after another agree to max |difference| "
        f"{number(difference)}."
    )


def readout_text(config: ModelConfig, first: str, last: str, head_shape: tuple[int, int]) -> str:
    """What the head reads, for this model's readout; `first` and `last` are quoted words."""
    top = f"layer {config.num_layers}" if config.num_layers > 1 else "the layer"
    size, labels = config.hidden_size, head_shape[0]
    width = size * config.num_directions
    if config.readout == "last" and config.bidirectional:
        vector = (
            f"the forward h at the last word {last} and the backward h at the first word {first} of {top}: "
            f"each direction's state after reading the whole sentence, put end to end, [{size}] ⊕ [{size}] "
            f"= [{width}]"
        )
    elif config.readout == "last":
        vector = f"h at the last word {last} of {top}, [{size}]"
    else:
        halves = "[h→; h←] at every word" if config.bidirectional else "h at every word"
        vector = f"the {config.readout} over the words of {top}'s {halves}, [{width}]"
    return (
        f"The classifier reads {vector}. Then logits = W v + b with W [{labels} × {width}], and "
        "softmax turns the logits into probabilities."
    )


def readout_check(
    vector_difference: float, logit_difference: float, label: str, probability: float, _: Translate = english
) -> str:
    """The readout's check against the model, in one line; `label` is already markdown-safe."""
    return _(
        "Built from the trace, this vector is the model's own (`rnnviz.core.models.sentence_vectors`, "
        "max |difference| {vector}) and W v + b gives its logits (max |difference| {logits}): "
        "{label}, {probability:.2%}."
    ).format(
        vector=number(vector_difference),
        logits=number(logit_difference),
        label=label,
        probability=probability,
    )


PREFIX_BIDIRECTIONAL = (
    "**For a model that reads both ways, this is *not* the model changing its mind as it reads**: the "
    "backward direction's state at every word has already read every word after it, so no state in the "
    "full reading belongs to the sentence so far (rnnviz refuses a running readout for such a model). "
    "Instead each point is the sentence **cut after that word and read again from scratch**, both ways: "
    "the answer the model would give if the sentence ended there."
)
PREFIX_FORWARD = (
    "**This model reads left to right only**: its state at word t has read exactly words 1 … t, so each "
    "point is the classifier applied to the running state at that word. Cutting the sentence there would "
    "change nothing before the cut."
)
REREADING_CAPTION = (
    "Cut the last word off and read again: how much each layer's h changes on the words that are left "
    "(max |difference|). Only what never saw the last word stays the same."
)


def rereading_reason(layer: int, direction: str, bidirectional: bool) -> str:
    """Why one (layer, direction) did or did not change when the last word was cut (0-based layer)."""
    if direction == "backward":
        return "it read the last word first"
    if layer == 0:
        return "it had not read the last word yet"
    if bidirectional:
        return f"its input holds layer {layer}'s backward states, which had read the last word"
    return "it reads the layer below, which had not read the last word yet"


def number(value: float) -> str:
    """A max |difference| as text: '0' or three significant digits ('2.38e-07', '0.851')."""
    return "0" if value == 0 else f"{value:.3g}"
