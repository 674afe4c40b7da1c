"""The Layers & directions charts: one direction's hidden state with its reading order marked, a
layer's input x_t split into the two halves it is made of, and the sentence vector the head reads.

Pure functions in the manner of rnnviz.plots.base: arrays in, plotly Figure out. Every time axis
keeps column t = word t, for the backward direction too; its reading order is drawn, not its columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.stacking import Handoff, Readout
from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.plots.base import (
    FONT_SIZE,
    HEATMAP_MARGINS,
    MIN_HEATMAP_WIDTH,
    base_layout,
    colour_range,
    new_figure,
    plotly_text,
    token_positions,
    word_axis,
)
from rnnviz.plots.colours import INK
from rnnviz.plots.trace import state_heatmap

ARROWS = {"forward": "→", "backward": "←"}
READS = {  # how each direction reads, for axis titles
    "forward": N_("word  →  read left to right, from the first word"),
    "backward": N_("word  ←  read right to left, from the last word"),
}
HEADINGS = {"forward": N_("Forward"), "backward": N_("Backward")}


def direction_heatmap(
    hidden: np.ndarray,
    tokens: Sequence[str],
    cell_type: str,
    direction: str,
    layer: int,
    units: Sequence[int],
    read_by_head: int | None = None,
    _: Translate = english,
) -> go.Figure:
    """Hidden state h [steps, hidden_size] of one layer (0-based) and direction, rows `units`,
    with the reading order in its title and x-axis title (in the language of `_`); column
    `read_by_head`, if given, is outlined: the state the classifier reads."""
    arrow = ARROWS[direction]
    title = _("{arrow} {direction} h · layer {layer}").format(
        arrow=arrow, direction=_(HEADINGS[direction]), layer=layer + 1
    )
    figure = state_heatmap(
        hidden, tokens, "hidden", cell_type, units=units, title=title, unit_title=_("unit"), _=_
    )
    layout: dict = dict(xaxis_title_text=_(READS[direction]), margin_r=90)
    if read_by_head is not None:
        layout["shapes"] = [
            dict(
                type="rect",
                xref="x",
                yref="paper",
                x0=read_by_head - 0.5,
                x1=read_by_head + 0.5,
                y0=0,
                y1=1,
                line=dict(color=INK, width=4),
            )
        ]
    figure.update_layout(**layout)
    figure.update_traces(colorbar_x=1.01)
    return figure


def layer_input_heatmap(
    handoff: Handoff, tokens: Sequence[str], cell_type: str, height: int = 380
) -> go.Figure:
    """Layer k's input x_t [steps, dirs * hidden_size], drawn as [features, steps]: the top rows
    are layer k-1's forward h, the rows under the line its backward h."""
    inputs = np.asarray(handoff.inputs, dtype=np.float32)  # [steps, dirs * hidden_size]
    size = next(iter(handoff.below.values())).shape[1]
    features = inputs.shape[1]
    scale = colour_range("hidden", cell_type, inputs)
    below, here = handoff.layer, handoff.layer + 1
    heatmap = dict(
        type="heatmap",
        z=np.ascontiguousarray(inputs.T),  # [features, steps]
        x=token_positions(tokens),
        y=list(range(features)),
        zmin=scale.zmin,
        zmax=scale.zmax,
        colorscale=scale.colorscale,
        colorbar=dict(
            title=dict(text="x", side="top"), tickvals=list(scale.tickvals), ticktext=list(scale.ticktext)
        ),
        hovertemplate="word %{x}<br>x[%{y}] = %{z:.3f}<extra></extra>",
    )
    halves = list(handoff.below)
    ticks = [size * (k + 0.5) for k in range(len(halves))]
    names = [f"{ARROWS[d]} h, layer {below}" for d in halves]
    shapes = [
        dict(
            type="line",
            xref="paper",
            x0=0,
            x1=1,
            y0=size * k - 0.5,
            y1=size * k - 0.5,
            line=dict(color=INK, width=3),
        )
        for k in range(1, len(halves))
    ]
    title = f"Layer {here}'s input x_t: [{'; '.join(names)}] at each word"
    words = word_axis(tokens)  # every word labelled, as under every heatmap (wide: scrolled)
    layout = base_layout(title, height + words.label_depth)
    layout["margin"].update(l=130, r=HEATMAP_MARGINS["r"], b=40 + words.label_depth)
    layout["width"] = max(MIN_HEATMAP_WIDTH, 130 + words.plot_width + HEATMAP_MARGINS["r"])
    layout.update(
        shapes=shapes,
        xaxis=dict(title=dict(text="word"), **words.axis),
        yaxis=dict(
            title=dict(text=f"x_t: {features} numbers"),
            autorange="reversed",
            tickmode="array",
            tickvals=ticks,
            ticktext=names,
            showgrid=False,
            zeroline=False,
        ),
    )
    return new_figure([heatmap], layout)


def readout_chart(
    result: Readout, tokens: Sequence[str], cell_type: str, height: int = 240, _: Translate = english
) -> go.Figure:
    """The sentence vector as one row per direction's part ([hidden_size] each), units across:
    concatenated, the rows are what the head reads (words in the language of `_`)."""
    rows = [_part_label(part.direction, part.step, tokens, result.kind, _) for part in result.parts]
    z = np.stack([part.values for part in result.parts]).astype(np.float32)  # [dirs, hidden_size]
    scale = colour_range("hidden", cell_type, z)
    heatmap = dict(
        type="heatmap",
        z=z,
        x=list(range(z.shape[1])),
        y=rows,
        zmin=scale.zmin,
        zmax=scale.zmax,
        colorscale=scale.colorscale,
        xgap=1,
        colorbar=dict(
            title=dict(text="h", side="top"), tickvals=list(scale.tickvals), ticktext=list(scale.ticktext)
        ),
        hovertemplate=f"%{{y}}<br>{_('unit')} %{{x}}: %{{z:.3f}}<extra></extra>",
    )
    pieces = " ⊕ ".join(f"[{len(part.values)}]" for part in result.parts)
    whole = f"{pieces} = [{z.size}]" if len(rows) > 1 else f"[{z.size}]"
    title = _("What the classifier reads: {shape} numbers").format(shape=whole)
    layout = base_layout(title, height)
    layout["margin"]["l"] = 20
    layout.update(
        xaxis=dict(title=dict(text="unit"), showgrid=False),
        yaxis=dict(title=dict(text=""), autorange="reversed", automargin=True, tickfont=dict(size=FONT_SIZE)),
    )
    return new_figure([heatmap], layout)


def _part_label(
    direction: str, step: int | None, tokens: Sequence[str], kind: str, _: Translate = english
) -> str:
    """'→ forward h at “good” (word 5)' or '← backward h, mean over the words'."""
    arrow = ARROWS[direction]
    if step is None:
        return _("{arrow} {direction} h, {kind} over the words").format(
            arrow=arrow, direction=_(direction), kind=_(kind)
        )
    word = plotly_text(tokens[step], 16)
    return _("{arrow} {direction} h at “{word}” (word {number})").format(
        arrow=arrow, direction=_(direction), word=word, number=step + 1
    )
