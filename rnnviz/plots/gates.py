"""Figures, numbers and words for the Why-gates lesson: gradient flow against distance, and the
long-range experiment's accuracy against the number of filler words.

Pure functions, no Streamlit: GradientFlow / LongRangeResult in, plotly Figures or plain
sentences out (escape them for markdown). Tokens are escaped with plots.plotly_text; every
figure has a title, axis titles and, on the gradient chart, the sentence's tokens on the
distance axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.gradients import GradientFlow
from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.plots.base import FONT_SIZE, base_layout, chance_line, legend_below, plotly_text
from rnnviz.plots.colours import CELL_COLOURS, MUTED, cell_colour
from rnnviz.training.experiment import CELL_TITLES, CellResult, LongRangeConfig, LongRangeResult

# --------------------------------------------------------------------------- words

INTRO = (
    "A recurrent network reads one word at a time and has to carry what matters in its state. "
    "A plain RNN rewrites its whole state at every word, hₜ = tanh(W xₜ + U hₜ₋₁ + b); an LSTM "
    "*adds* to a separate memory, cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ, and its gates decide what to "
    "keep. This page shows what that changes, first in the gradients of the shipped models, then "
    "in an experiment you can run."
)
GRADIENT_LESSON = (
    "Learning works backwards: the error at the end is passed back one word at a time and "
    "multiplied by one factor per word. In the plain RNN that factor is Uᵀ·diag(1 − h²), a weight "
    "matrix times the slope of tanh, so the signal usually shrinks word after word and the first "
    "words hardly get any. Along the LSTM's cell state the factor is just the forget gate, "
    "cₜ = fₜ ⊙ cₜ₋₁ + …: where f stays near 1 the signal survives. The GRU's update gate z does "
    "the same for h. The chart measures this in the shipped models."
)
GRADIENT_CAPTION = N_(
    "A line that falls steeply to the left means the early words barely reach the prediction, "
    "so training can hardly teach the network to use them; log scale: each grid line is ten "
    "times smaller."
)
BIDIRECTIONAL_NOTE = (
    "is bidirectional: the answer also reads every word through the backward direction, so the "
    "gradient through one direction's hidden state is not the whole story; its line is left out "
    "here. Choose the input embedding to include it."
)
LONG_RANGE_INTRO = (
    "The task: one sentiment word (good, great, excellent / bad, awful, terrible) followed by N "
    "neutral filler words; the network must answer from its last state, after all the filler. "
    "Each cell type is trained briefly on sentences with 0 to N filler words (same data, settings "
    "and seed), then tested on new sentences with exactly 0 … N filler words."
)
LONG_RANGE_CAPTION = (
    "Each point: accuracy on new sentences with exactly N filler words; on the dotted line a cell "
    "is guessing, having never learned to carry the word that far. One run, one seed: another "
    "seed can give other numbers."
)
# The Why-gates page's long sentence (79 tokens): the verdict comes first, then a long neutral
# account, so the prediction has to carry an early word to the end.
LONG_SENTENCE = (
    "a wonderful film , i thought , although the story takes its time : a fisherman and his "
    "daughter repair an old boat , drive to the city to visit an uncle , sit through a wedding "
    "and then a long dinner , argue about money on the way home , and finally sail out past the "
    "lighthouse on a grey morning in late november while the radio plays the news and the dog "
    "sleeps under a bench ."
)

# --------------------------------------------------------------------------- gradient flow

GradientOf = Literal["hidden", "embedding"]
GRADIENT_OF: dict[str, str] = {
    "hidden": "hidden state hₜ",
    "embedding": "input embedding xₜ",
}
GRADIENT_TITLES = {  # the chart's title for each gradient, a msgid
    "hidden": N_("How much the prediction depends on each word's hidden state hₜ"),
    "embedding": N_("How much the prediction depends on each word's input embedding xₜ"),
}
_DASHES = {"rnn_tanh": "dot", "rnn_relu": "dot", "gru": "dash", "lstm": "solid"}
# Lines that coincide (GRU and LSTM both at 1.0) stay visible: wide open markers under narrow ones.
_MARKERS = {
    "rnn_tanh": dict(symbol="circle", size=9),
    "rnn_relu": dict(symbol="diamond", size=9),
    "gru": dict(symbol="square-open", size=15, line=dict(width=3)),
    "lstm": dict(symbol="circle", size=8),
}
_WIDTHS = {"rnn_tanh": 3, "rnn_relu": 3, "gru": 6, "lstm": 2.5}
MAX_TICKS = 12
TINY = 1e-30  # floor for log axes: a norm of exactly 0 is drawn at the bottom


def _layout(title: str, height: int, bottom: int) -> dict:
    """The project's base layout with a wider left margin for log-scale ticks, `bottom` pixels for
    the x-axis labels and the legend in a row under them (never over the title)."""
    layout = base_layout(title, height)
    layout.update(margin=dict(l=70, r=20, t=60, b=bottom))
    legend_below(layout)
    return layout


def norms(flow: GradientFlow, of: GradientOf) -> np.ndarray | None:
    """[steps] gradient norms of `flow` w.r.t. `of`, or None when undefined (hidden states of
    a bidirectional model)."""
    return flow.hidden_norm if of == "hidden" else flow.embedding_norm


def relative(values: np.ndarray) -> np.ndarray:
    """`values` [steps] divided by the last step's (raw values if the last one is 0)."""
    last = float(values[-1])
    return values / last if last > 0 else values


def ratio_text(value: float) -> str:
    """A ratio for people: '0.42', '3.1 × 10⁻⁵'."""
    if not math.isfinite(value):
        return "undefined"
    if value == 0:
        return "0"
    if 0.01 <= abs(value) < 1000:
        return f"{value:.2g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, 1)
    if abs(mantissa) >= 10:  # 9.96e-7 rounds to 10.0 × 10⁻⁷: write 1.0 × 10⁻⁶
        mantissa, exponent = mantissa / 10, exponent + 1
    superscript = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa:.1f} × 10{superscript}"


def gradient_chart(
    flows: Mapping[str, tuple[str, GradientFlow]],
    of: GradientOf,
    scaled: bool = True,
    height: int = 460,
    _: Translate = english,
    max_ticks: int = MAX_TICKS,
) -> go.Figure:
    """One line per model: ‖∂ log p / ∂ (h_t or x_t)‖ against the distance of word t from
    the end of the sentence, log y axis; the title in the language of `_`; at most `max_ticks`
    labelled words (fewer for a narrow column, where more would be turned on their side and each
    word's two lines, distance and word, would read as two labels).

    `flows` maps a model's title to (cell type, its GradientFlow) for the same text; models
    without the chosen gradient (see `norms`) are left out. With `scaled`, each line is
    divided by its value at the last word, so every line starts at 1 there and the slopes
    compare directly. The x axis runs from the first word (left) to the last (right, 0).
    """
    data = []
    tokens: Sequence[str] = []
    for title, (cell, flow) in flows.items():
        values = norms(flow, of)
        if values is None:
            continue
        tokens = flow.tokens
        shown = relative(values) if scaled else values
        distance = flow.distance_from_end
        data.append(
            dict(
                type="scatter",
                mode="lines+markers",
                name=plotly_text(title),
                x=distance,
                y=np.maximum(shown.astype(np.float64), TINY),
                customdata=[plotly_text(token, 40) for token in flow.tokens],
                line=dict(color=cell_colour(cell), width=3, dash=_DASHES.get(cell, "solid")),
                marker=dict(size=4),
                hovertemplate=f"%{{customdata}} (%{{x}} {_('words before the end')}): %{{y:.3g}}<extra>"
                + plotly_text(title)
                + "</extra>",
            )
        )
    steps = len(tokens)
    every = max(1, math.ceil(steps / max_ticks))
    ticks = list(range(0, steps, every))  # distances from the end
    symbol = "hₜ" if of == "hidden" else "xₜ"
    y_title = f"‖∂ log p / ∂ {symbol}‖" + (" ÷ value at the end" if scaled else "")
    layout = _layout(_(GRADIENT_TITLES[of]), height, bottom=90)
    layout.update(
        xaxis=dict(
            title=dict(text="words before the end of the sentence (0 = the last word)"),
            autorange="reversed",
            tickmode="array",
            tickvals=ticks,
            ticktext=[f"{d}<br>{plotly_text(tokens[steps - 1 - d], 12)}" for d in ticks],
            zeroline=False,
        ),
        yaxis=dict(title=dict(text=y_title), type="log", exponentformat="power", dtick=1),
        hovermode="closest",
    )
    return go.Figure(dict(data=data, layout=layout))


def gradient_summary(title: str, flow: GradientFlow, of: GradientOf) -> str:
    """One sentence: how strong the gradient at the first word is, compared with the last word's.
    Plain text (the title is the model's name; escape it for markdown)."""
    values = norms(flow, of)
    if values is None:
        return f"{title} {BIDIRECTIONAL_NOTE}"
    if len(values) < 2:
        return f"{title}: the sentence has one word; there is nothing to compare."
    last, first = float(values[-1]), float(values[0])
    ratio = first / last if last > 0 else float("nan")
    return (
        f"{title}: at the first word, {len(values) - 1} words before the end, the gradient is "
        f"{ratio_text(ratio)} of its size at the last word."
    )


# --------------------------------------------------------------------------- long-range experiment


def long_range_details(result: LongRangeResult) -> str:
    """How the result was obtained, in one line: data, training, kept epochs, time."""
    config = result.config
    epochs = f"{config.epochs} epoch{'s' if config.epochs != 1 else ''}"
    kept = ", ".join(f"{CELL_TITLES[r.cell]} {r.best_epoch}" for r in result.cells)
    return (
        f"Measured on this server: {config.train_size} training sentences with 0–{config.max_filler} "
        f"filler words, {epochs}, {config.hidden_size} units, Adam with learning rate {config.lr:g}, "
        f"seed {config.seed}; weights kept from the best validation epoch ({kept}; 0 means no epoch "
        f"beat the untrained weights); {result.seconds:.0f} s of training and testing."
    )


def long_range_chart(config: LongRangeConfig, cells: Sequence[CellResult], height: int = 420) -> go.Figure:
    """Test accuracy against the number of filler words, one line per cell type (the cells
    finished so far), with chance (0.5) marked."""
    grid = list(config.filler_grid())
    data = [
        dict(
            type="scatter",
            mode="lines+markers",
            name=CELL_TITLES[result.cell],
            x=grid,
            y=[result.accuracy[n] for n in grid],
            line=dict(color=CELL_COLOURS[result.cell], width=_WIDTHS[result.cell], dash=_DASHES[result.cell]),
            marker=_MARKERS[result.cell],
            hovertemplate=f"{CELL_TITLES[result.cell]}, %{{x}} filler words: "
            "accuracy %{y:.2f}<extra></extra>",
        )
        for result in cells
    ]
    title = f"Remembering one word across N filler words (trained on N = 0 … {config.max_filler})"
    layout = _layout(title, height, bottom=60)
    layout.update(
        xaxis=dict(
            title=dict(text="N: filler words between the sentiment word and the end"),
            tickmode="array",
            tickvals=grid,
            range=[-0.5, config.max_filler + 0.5],
        ),
        yaxis=dict(title=dict(text="test accuracy"), range=[0.0, 1.05], tickformat=".1f"),
        shapes=[chance_line(0.5, width=2)],
        annotations=[
            dict(
                xref="paper",
                x=0.0,
                y=0.5,
                yanchor="bottom",
                xanchor="left",
                showarrow=False,
                text="chance (a coin toss)",
                font=dict(size=FONT_SIZE - 2, color=MUTED),
            )
        ],
    )
    return go.Figure(dict(data=data, layout=layout))
