"""The Padding & packing charts: the padded id matrix, its mask, the packed order of
pack_padded_sequence, and each sentence's final state in the batch against the sentence alone.

Pure functions in the manner of rnnviz.plots.base. Matrices are drawn as grids of labelled cells,
[batch, steps] as rows × columns; each sentence keeps its tint (colours.SENTENCE_TINTS) on every
chart, padding is white.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.batching import BatchRun, PackedBatch
from rnnviz.lessons.i18n import Translate, english
from rnnviz.lessons.stacking import number
from rnnviz.plots.base import FONT_SIZE, base_layout, legend_below, new_figure, plotly_text
from rnnviz.plots.colours import INK, SENTENCE_TINTS, SERIES_COLOURS, WHITE

TOKEN_CHARS = 10  # tokens are cut to this in a cell (hover shows up to 40)
CELL_FONT = 14


def sentence_names(batch: PackedBatch, _: Translate = english) -> list[str]:
    """'sentence 1 · length 2', … in typed order (in the language of `_`)."""
    name = _("sentence {number} · length {length}")
    return [name.format(number=b + 1, length=int(n)) for b, n in enumerate(batch.lengths)]


def _tint_scale(count: int) -> list:
    """A stepped colour scale for z = 0 (padding, white) and z = 1..count (sentence b + 1's tint)."""
    colours = [WHITE] + [SENTENCE_TINTS[b % len(SENTENCE_TINTS)] for b in range(count)]
    steps = len(colours)
    scale = []
    for k, colour in enumerate(colours):
        scale += [[k / steps, colour], [(k + 1) / steps, colour]]
    return scale


def _grid(z: np.ndarray, text: list[list[str]], x: list[str], y: list[str], count: int, hover: str) -> dict:
    """A heatmap of labelled cells: z picks the tint (0 white), `text` is written in each cell."""
    return dict(
        type="heatmap",
        z=z,
        x=x,
        y=y,
        text=text,
        texttemplate="%{text}",
        textfont=dict(size=CELL_FONT, color=INK),
        zmin=-0.5,
        zmax=count + 0.5,
        colorscale=_tint_scale(count),
        showscale=False,
        xgap=2,
        ygap=2,
        hovertemplate=hover + "<extra></extra>",
    )


def _grid_layout(title: str, rows: int, x_title: str, height: int | None = None) -> dict:
    layout = base_layout(title, height or 120 + 52 * rows)
    layout["margin"].update(l=20, t=50, b=50)
    layout.update(
        xaxis=dict(title=dict(text=x_title), type="category", side="bottom", showgrid=False),
        yaxis=dict(autorange="reversed", type="category", showgrid=False, automargin=True),
        plot_bgcolor=WHITE,
    )
    return layout


def _cell(token: str, id_: int) -> str:
    return f"{plotly_text(token, TOKEN_CHARS)}<br>{id_}"


def id_matrix_chart(batch: PackedBatch, _: Translate = english) -> go.Figure:
    """The padded id matrix [batch, steps]: each cell its token and id, <pad> (id 0) after each end
    (words in the language of `_`)."""
    rows, steps = batch.ids.shape
    z = np.where(batch.mask, np.arange(1, rows + 1)[:, None], 0)  # [batch, steps]: sentence b + 1, 0 = pad
    tokens = batch.padded_tokens
    text = [[_cell(tokens[b][t], int(batch.ids[b, t])) for t in range(steps)] for b in range(rows)]
    x = [str(t + 1) for t in range(steps)]
    grid = _grid(z, text, x, sentence_names(batch, _), rows, f"%{{y}}, {_('position')} %{{x}}: %{{text}}")
    title = _("Padded ids [{rows} × {steps}]: &lt;pad&gt; (id 0) after each sentence's end")
    return new_figure([grid], _grid_layout(title.format(rows=rows, steps=steps), rows, _("position t")))


def mask_chart(batch: PackedBatch, _: Translate = english) -> go.Figure:
    """The mask [batch, steps]: 1 where there is a word, 0 where there is padding; row sums = lengths
    (words in the language of `_`)."""
    rows, steps = batch.mask.shape
    z = np.where(batch.mask, np.arange(1, rows + 1)[:, None], 0)
    text = [["1" if m else "0" for m in row] for row in batch.mask]
    x = [str(t + 1) for t in range(steps)]
    y = [_("length {length}").format(length=int(n)) for n in batch.lengths]
    grid = _grid(z, text, x, y, rows, f"%{{y}}, {_('position')} %{{x}}: {_('mask')} %{{text}}")
    title = _("Mask [{rows} × {steps}] and lengths").format(rows=rows, steps=steps)
    return new_figure([grid], _grid_layout(title, rows, _("position t")))


def packed_chart(batch: PackedBatch) -> go.Figure:
    """PackedSequence.data laid out as torch builds it: time step t is a column holding
    batch_sizes[t] rows, the sentences longest first (sorted_indices); each cell names its
    token, its row [r] in `data` (read column by column) and the id data[r] that torch put there."""
    rows, steps = batch.ids.shape
    where = {position: r for r, position in enumerate(batch.rows)}  # (sentence, word) -> row of data
    z = np.full((rows, steps), np.nan)
    text = [[""] * steps for _ in range(rows)]
    for slot, b in enumerate(batch.sorted_indices):
        for t in range(int(batch.lengths[b])):
            r = where[(int(b), t)]
            z[slot, t] = b + 1
            text[slot][t] = f"{plotly_text(batch.tokens[b][t], TOKEN_CHARS)}<br>[{r}]<br>{int(batch.data[r])}"
    names = sentence_names(batch)
    y = [names[b] for b in batch.sorted_indices]
    x = [f"{t + 1}<br>{int(size)}" for t, size in enumerate(batch.batch_sizes)]
    grid = _grid(z, text, x, y, rows, "%{y}, time step %{x}: %{text}")
    grid["hovertemplate"] = "%{y}, time step t = %{x}<br>token, [row of data], id: %{text}<extra></extra>"
    sizes = ", ".join(str(int(size)) for size in batch.batch_sizes)
    title = f"pack_padded_sequence: data [{len(batch.data)}], batch_sizes [{sizes}]"
    layout = _grid_layout(title, rows, "time step t and batch_sizes[t]", height=150 + 70 * rows)
    return new_figure([grid], layout)


def final_state_chart(run: BatchRun, names: Sequence[str], height: int = 330) -> go.Figure:
    """Per sentence, the largest difference of its final states (h_n, and c_n for an LSTM) from
    the sentence run alone: in the packed batch (0 up to float rounding) and in the padded batch
    run without packing."""
    series = (
        ("packed batch", run.packed_difference, SERIES_COLOURS[0]),
        ("padded batch, not packed", run.padded_difference, SERIES_COLOURS[1]),
    )
    data = [
        dict(
            type="bar",
            x=list(names),
            y=np.asarray(values, dtype=np.float64),
            name=name,
            marker=dict(color=colour),
            text=[number(float(v)) for v in values],
            textposition="outside",
            textfont=dict(size=FONT_SIZE, color=INK),
            cliponaxis=False,
            hovertemplate=f"{name}<br>%{{x}}: max |difference| %{{y:.3g}}<extra></extra>",
        )
        for name, values, colour in series
    ]
    peak = max(1e-6, float(np.max(run.padded_difference)), float(np.max(run.packed_difference)))
    layout = base_layout("Each sentence's final state in the batch vs run alone", height)
    legend_below(layout)
    layout.update(
        barmode="group",
        xaxis=dict(title=dict(text="sentence"), type="category"),
        yaxis=dict(title=dict(text="max |difference|"), range=[0, peak * 1.25], rangemode="tozero"),
    )
    return new_figure(data, layout)
