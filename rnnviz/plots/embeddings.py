"""The embedding figures of Inside the cell: the current word's embedding vector as a strip, and its
nearest vocabulary words by cosine similarity.

Pure functions following rnnviz.plots.base: a WordEmbedding (rnnviz.analysis.embeddings) in, a
Figure out; tokens are escaped with `plotly_text`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.embeddings import WordEmbedding
from rnnviz.lessons.i18n import Translate, english
from rnnviz.plots.base import base_layout, diverging_range, new_figure, plotly_text
from rnnviz.plots.colours import DIVERGING

TOKEN_CHARS = 24  # a token in a title or a tick label is cut to this many characters
MAX_DIM_TICKS = 32  # past this many dimensions, every k-th is labelled


def embedding_strip(found: WordEmbedding, _: Translate = english) -> go.Figure:
    """The word's embedding row [embedding_dim] as one row of coloured cells, dimension d in
    column d, on a brown-white-teal scale centred on 0 that fits the values (words in the
    language of `_`)."""
    vector = np.asarray(found.vector, dtype=np.float32)  # [embedding_dim]
    dims = len(vector)
    scale = diverging_range(vector)
    label = plotly_text(found.read_as, TOKEN_CHARS)
    heatmap = dict(
        type="heatmap",
        z=vector[None, :],  # [1, embedding_dim]
        x=list(range(dims)),
        y=[label],
        zmin=scale.zmin,
        zmax=scale.zmax,
        colorscale=scale.colorscale,
        colorbar=dict(
            title=dict(text=_("value")), tickvals=list(scale.tickvals), ticktext=list(scale.ticktext), len=1.2
        ),
        hovertemplate=f"{_('dimension')} %{{x}}: %{{z:.4f}}<extra></extra>",
        xgap=1,
    )
    title = _("The embedding of “{word}”: row {row} of the table, {size} numbers").format(
        word=label, row=found.token_id, size=dims
    )
    layout = base_layout(title, 210)
    step = max(1, int(np.ceil(dims / MAX_DIM_TICKS)))
    layout["xaxis"] = dict(title=dict(text="dimension"), tickmode="linear", tick0=0, dtick=step)
    layout["yaxis"] = dict(title=dict(text="word"), type="category")
    layout["margin"] = dict(l=10, r=10, t=60, b=50)
    return new_figure([heatmap], layout)


def neighbour_bars(found: WordEmbedding) -> go.Figure:
    """The nearest vocabulary words, most similar on top, as bars of cosine similarity (−1..1),
    each labelled with its value to 3 decimals."""
    neighbours = found.neighbours
    similarities = np.array([n.similarity for n in neighbours], dtype=np.float32)
    names = [plotly_text(n.token, TOKEN_CHARS) for n in neighbours]
    colours = [DIVERGING[-1][1] if s >= 0 else DIVERGING[0][1] for s in similarities]
    bars = dict(
        type="bar",
        orientation="h",
        x=similarities,
        y=names,
        marker=dict(color=colours),
        text=[f"{s:.3f}".replace("-", "−") for s in similarities],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: cosine similarity %{x:.4f}<extra></extra>",
    )
    label = plotly_text(found.read_as, TOKEN_CHARS)
    layout = base_layout(
        f"The {len(neighbours)} words nearest to “{label}”", 120 + 34 * max(1, len(neighbours))
    )
    layout["xaxis"] = dict(
        title=dict(text="cosine similarity of the embeddings"), range=[-1.25, 1.25], zeroline=True
    )
    layout["yaxis"] = dict(
        title=dict(text="word"),
        type="category",
        categoryorder="array",
        categoryarray=names,
        autorange="reversed",
    )
    layout["margin"] = dict(l=10, r=20, t=60, b=50)
    return new_figure([bars], layout)
