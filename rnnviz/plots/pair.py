"""The negation lab's charts: two sentences on aligned columns, negation units, gate saturation.

Pure functions in the manner of rnnviz.plots.base (whose conventions they follow and whose helpers
they share): data in, plotly Figure out, no Streamlit and no model.

The time axis of a pair chart is the alignment's columns (rnnviz.analysis.compare.Alignment), one
category per column, "4: — / not" for a word only B has. Matrices arrive in the comparison's
heatmap layout [units, columns], NaN where a sentence has no word; columns where the two
sentences differ are marked on every chart (a dotted frame or a yellow band).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.attribution import Saturation
from rnnviz.analysis.compare import GAP, PairComparison
from rnnviz.analysis.negation_units import UnitScores
from rnnviz.core.trace import Direction
from rnnviz.lessons import glossary
from rnnviz.plots.base import (
    FLAT_LABELS,
    FONT_SIZE,
    HEATMAP_MARGINS,
    MAX_LABEL_CHARS,
    ROW_HEIGHT,
    base_layout,
    colour_range,
    column_band,
    diverging_range,
    legend_below,
    new_figure,
    plotly_text,
    token_positions,
    word_axis,
)
from rnnviz.plots.colours import DIVERGING, GAP_GREY, GRID, HIGHLIGHT, INK, SERIES_COLOURS, SIDE_COLOURS

# Bars up in the diverging scale's positive end (teal), down in its negative end (brown).
POSITIVE, NEGATIVE = DIVERGING[-1][1], DIVERGING[0][1]
SENTENCE_CHARS = 48  # sentences are cut to this in legends and panel titles
MIN_PAIR_WIDTH = 760  # px: a short pair's heatmaps still span most of a laptop's page (906 px)


def _panel_title(text: str, x: float, y: float, xanchor: str) -> dict:
    """A bold title above one panel of a multi-panel figure, at paper coordinates (x, y);
    `text` must already be safe for plotly."""
    return dict(
        text=f"<b>{text}</b>",
        x=x,
        y=y,
        xref="paper",
        yref="paper",
        xanchor=xanchor,
        yanchor="bottom",
        showarrow=False,
        font=dict(size=FONT_SIZE, color=INK),
    )


def _sentence(comparison: PairComparison, side: str) -> str:
    tokens = comparison.alignment.tokens_a if side == "a" else comparison.alignment.tokens_b
    return f"{side.upper()}: {plotly_text(' '.join(tokens), SENTENCE_CHARS)}"


def _domain(low: float, high: float) -> list[float]:
    """A paper domain [low, high] clipped to [0, 1] (sums of fractions drift past the ends)."""
    return [round(min(1.0, max(0.0, low)), 6), round(min(1.0, max(0.0, high)), 6)]


def changed_columns(comparison: PairComparison) -> list[int]:
    """Columns where the sentences differ: a word only one has, or two different words."""
    alignment = comparison.alignment
    return [c for c in range(len(alignment)) if alignment.kind(c) != "same"]


def column_axis(comparison: PairComparison, side: str | None = None, max_ticks: int = 40) -> dict:
    """Category x axis over the aligned columns. Tick labels are the column labels ("good",
    "— / not"), or with `side` 'a'/'b' that sentence's own word ("—" in its gaps)."""
    alignment = comparison.alignment
    labels = alignment.labels()
    positions = token_positions(labels)
    step = max(1, -(-len(labels) // max_ticks))
    shown = range(0, len(labels), step)
    text = [labels[c] if side is None else alignment.token(c, side) or GAP for c in shown]
    return dict(
        type="category",
        categoryorder="array",
        categoryarray=positions,
        range=[-0.5, len(labels) - 0.5],
        tickmode="array",
        tickvals=[positions[c] for c in shown],
        ticktext=[plotly_text(t, MAX_LABEL_CHARS) for t in text],
        tickfont=dict(size=FONT_SIZE if len(labels) <= 40 else 12),
        tickangle=0 if len(labels) <= FLAT_LABELS else -45,  # as base.time_axis
        automargin=True,
    )


def _runs(columns: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive columns as (first, last) runs: [3, 4, 7] -> [(3, 4), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for c in sorted(columns):
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


def _bands(columns: Sequence[int], xref: str = "x") -> list[dict]:
    """Pale yellow bands behind line charts at the columns where the sentences differ, one
    per run of neighbouring columns."""
    return [column_band(first, last, HIGHLIGHT, 0.3, xref) for first, last in _runs(columns)]


def pair_prediction_chart(comparison: PairComparison, target: int, height: int = 360) -> go.Figure:
    """P(labels[target]) after each word of both sentences [columns], on the aligned columns:
    A solid black, B dashed magenta; a sentence's line runs straight over the columns where it
    has no word (no marker there)."""
    label = plotly_text(comparison.labels[target], 30)
    positions = token_positions(comparison.column_labels)
    data = [
        dict(
            type="scatter",
            x=positions,
            y=prefix[:, target].astype(np.float32),
            name=_sentence(comparison, side),
            mode="lines+markers",
            connectgaps=True,  # a sentence's line runs on over the words only the other one has
            line=dict(color=SIDE_COLOURS[side], width=3, dash="solid" if side == "a" else "dash"),
            marker=dict(size=12 if side == "a" else 8, symbol="circle" if side == "a" else "diamond"),
            hovertemplate=f"{side.upper()}: P({label}) = %{{y:.3f}}<extra></extra>",
        )
        for side, prefix in (("a", comparison.prefix_a), ("b", comparison.prefix_b))
    ]
    chance = 1.0 / max(1, len(comparison.labels))
    shapes = _bands(changed_columns(comparison))
    shapes.append(
        dict(type="line", xref="paper", x0=0, x1=1, y0=chance, y1=chance, line=dict(dash="dot", color=GRID))
    )
    layout = base_layout(f"Prediction after each word: P({label}) for A and B", height)
    layout["margin"]["t"] = 90
    legend_below(layout, rows=2)  # two sentences of up to SENTENCE_CHARS: one row each at worst
    layout.update(
        shapes=shapes,
        hovermode="x unified",
        xaxis=dict(title=dict(text="the sentence so far, ending with this word"), **column_axis(comparison)),
        yaxis=dict(title=dict(text=f"P({label})"), range=[-0.02, 1.02], tickformat=".0%"),
    )
    return new_figure(data, layout)


def divergence_chart(comparison: PairComparison, height: int = 340) -> go.Figure:
    """For every quantity of the layer: the mean over units of |B − A| at each aligned column
    (one line per quantity, broken where a sentence has no word)."""
    positions = token_positions(comparison.column_labels)
    data = []
    for name, quantity in comparison.quantities.items():
        with np.errstate(invalid="ignore"):
            gap = np.abs(quantity.difference).mean(axis=0)  # [columns], NaN in gap columns
        data.append(
            dict(
                type="scatter",
                x=positions,
                y=gap.astype(np.float32),
                name=plotly_text(glossary.title(name)),
                mode="lines+markers",
                line=dict(width=3),
                hovertemplate=f"{glossary.symbol(name)}: %{{y:.3f}}<extra></extra>",
            )
        )
    layout = base_layout("How far apart A and B are, word by word", height)
    layout.update(
        shapes=_bands(changed_columns(comparison)),
        hovermode="x unified",
        xaxis=dict(title=dict(text="word (aligned)"), **column_axis(comparison)),
        yaxis=dict(title=dict(text="mean |B − A| over units"), rangemode="tozero"),
    )
    return new_figure(data, layout)


def pair_heatmaps(
    comparison: PairComparison,
    quantity: str,
    cell_type: str,
    units: Sequence[int] | None = None,
) -> go.Figure:
    """One quantity of both sentences and their difference, as three heatmaps stacked on the
    same aligned columns: A, B (one shared colour scale, the quantity's fixed range) and
    B − A (brown-white-teal, centred on 0). Rows are `units` (default: most different first)."""
    compared = comparison.quantities[quantity]
    shown = np.asarray(compared.ranked_units if units is None else units, dtype=np.int64)
    scale = colour_range(quantity, cell_type, np.concatenate([compared.a, compared.b], axis=1))
    spread = diverging_range(compared.difference, floor=0.1)
    symbol = glossary.symbol(quantity)
    unit_labels = [str(int(u)) for u in shown]
    few = len(shown) <= 32
    # Every column labelled under every panel, as rnnviz.plots.base.word_axis lays out words: flat
    # labels in wide enough columns up to FLAT_LABELS columns, upright ones beyond; the figure is
    # laid out in pixels (wider than the page for a long pair: rnnviz.ui.output.chart scrolls it).
    words = {side: word_axis(_panel_labels(comparison, side)) for side in ("a", "b", None)}
    depth = max(w.label_depth for w in words.values())
    panel = max(100, len(shown) * ROW_HEIGHT)  # pixels per heatmap
    gap = 63 + depth  # pixels between heatmaps: tick labels, the axis title and the next panel's title
    total = 3 * panel + 2 * gap
    positions = token_positions(comparison.column_labels)
    panels = (
        ("a", compared.a, _sentence(comparison, "a"), "coloraxis"),
        ("b", compared.b, _sentence(comparison, "b"), "coloraxis"),
        (None, compared.difference, f"B − A: how much {symbol} changes", "coloraxis2"),
    )
    data, annotations, shapes, layout_axes = [], [], [], {}
    unit_ticks = dict(tickmode="array", tickvals=unit_labels, tickfont=dict(size=12)) if few else {}
    for k, (side, values, title, axis) in enumerate(panels):
        top = 1 - k * (panel + gap) / total
        suffix = "" if k == 0 else str(k + 1)
        data.append(
            dict(
                type="heatmap",
                z=np.ascontiguousarray(values[shown]).astype(np.float32),
                x=positions,
                y=unit_labels,
                coloraxis=axis,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                hoverongaps=False,
                hovertemplate=f"{(side or 'B − A').upper()} · word %{{x}}<br>unit %{{y}}<br>"
                f"{symbol} = %{{z:.3f}}<extra></extra>",
            )
        )
        x_title = (
            f"{side.upper()}'s words" if side else "word (aligned: — marks a word only one sentence has)"
        )
        axis = column_axis(comparison, side, max_ticks=len(positions))  # every column
        axis.update(tickangle=words[side].axis["tickangle"], tickfont=words[side].axis["tickfont"])
        layout_axes[f"xaxis{suffix}"] = dict(anchor=f"y{suffix}", title=dict(text=x_title), **axis)
        layout_axes[f"yaxis{suffix}"] = dict(
            domain=_domain(top - panel / total, top),
            anchor=f"x{suffix}",
            title=dict(text="unit"),
            type="category",
            autorange="reversed",
            **unit_ticks,
        )
        annotations.append(_panel_title(title, x=0, y=top, xanchor="left"))
        # Grey under the whole heatmap: it shows through the NaN cells of the words this
        # panel's sentence does not have (one shape per panel: plotly validates each shape slowly).
        shapes.append(
            dict(
                type="rect",
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
                x0=-0.5,
                x1=len(positions) - 0.5,
                y0=0,
                y1=1,
                fillcolor=GAP_GREY,
                line=dict(width=0),
                layer="below",
            )
        )
    bar = dict(thickness=14, x=1.02, xanchor="left", yanchor="top")
    a_and_b = (2 * panel + gap) / total
    layout = base_layout(f"{glossary.title(quantity)}: A, B and their difference", total + 118 + depth)
    layout["margin"].update(HEATMAP_MARGINS, t=100, b=48 + depth)
    plot_width = max(w.plot_width for w in words.values())
    layout["width"] = max(MIN_PAIR_WIDTH, HEATMAP_MARGINS["l"] + plot_width + HEATMAP_MARGINS["r"])
    layout.update(
        annotations=annotations,
        shapes=shapes,
        coloraxis=dict(
            cmin=scale.zmin,
            cmax=scale.zmax,
            colorscale=scale.colorscale,
            colorbar=dict(
                title=dict(text=f"{symbol} (A, B)", side="top"),
                tickvals=list(scale.tickvals),
                ticktext=list(scale.ticktext),
                y=1,
                len=a_and_b,
                **bar,
            ),
        ),
        coloraxis2=dict(
            cmin=spread.zmin,
            cmax=spread.zmax,
            colorscale=spread.colorscale,
            colorbar=dict(
                title=dict(text="B − A", side="top"),
                tickvals=list(spread.tickvals),
                ticktext=list(spread.ticktext),
                y=panel / total,
                len=panel / total,
                **bar,
            ),
        ),
        **layout_axes,
    )
    return new_figure(data, layout)


def _panel_labels(comparison: PairComparison, side: str | None) -> list[str]:
    """The words under one panel of pair_heatmaps: a sentence's own (GAP where it has none), or
    the aligned column labels."""
    alignment = comparison.alignment
    if side is None:
        return alignment.labels()
    return [alignment.token(c, side) or GAP for c in range(len(alignment.columns))]


def pair_unit_lines(
    comparison: PairComparison,
    quantity: str,
    cell_type: str,
    units: Sequence[int],
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """`units` of one quantity across both sentences on the aligned columns: one colour per
    unit, A solid with circles, B dashed with diamonds, on the quantity's value range."""
    compared = comparison.quantities[quantity]
    positions = token_positions(comparison.column_labels)
    symbol = glossary.symbol(quantity)
    data = []
    for k, unit in enumerate(int(u) for u in units):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        for side, values in (("a", compared.a), ("b", compared.b)):
            data.append(
                dict(
                    type="scatter",
                    x=positions,
                    y=values[unit].astype(np.float32),
                    name=f"unit {unit} · {side.upper()}",
                    legendgroup=f"unit {unit}",
                    mode="lines+markers",
                    connectgaps=True,
                    line=dict(color=colour, width=3, dash="solid" if side == "a" else "dash"),
                    marker=dict(size=11 if side == "a" else 7, symbol="circle" if side == "a" else "diamond"),
                    hovertemplate=f"unit {unit} · {side.upper()}: {symbol} = %{{y:.3f}}<extra></extra>",
                )
            )
    scale = colour_range(quantity, cell_type, np.concatenate([compared.a, compared.b], axis=1))
    margin = 0.05 * (scale.zmax - scale.zmin)
    names = ", ".join(str(int(u)) for u in units[:6]) + (" …" if len(units) > 6 else "")
    which = f"unit {names}" if len(units) == 1 else f"units {names}"
    layout = base_layout(title or f"{glossary.title(quantity)} of {which}: A solid, B dashed", height)
    layout.update(
        shapes=_bands(changed_columns(comparison)),
        hovermode="x unified",
        xaxis=dict(title=dict(text="word (aligned)"), **column_axis(comparison)),
        yaxis=dict(title=dict(text=symbol), range=[scale.zmin - margin, scale.zmax + margin]),
    )
    return new_figure(data, layout)


def unit_score_chart(scores: UnitScores, top: int = 20, height: int = 360) -> go.Figure:
    """The `top` units by |score| as bars in rank order: teal where a negator raises the unit,
    brown where it lowers it (the diverging scale's ends)."""
    ranked = [int(u) for u in scores.ranked_units[:top]]
    values = np.nan_to_num(scores.score[ranked].astype(np.float32))
    data = [
        dict(
            type="bar",
            x=[f"unit {u}" for u in ranked],
            y=values,
            marker=dict(color=[POSITIVE if v >= 0 else NEGATIVE for v in values]),
            customdata=np.stack(
                [scores.mean_difference[ranked], scores.std_difference[ranked], scores.count[ranked]], axis=1
            ).astype(np.float32),
            hovertemplate="%{x}: score %{y:.2f}<br>mean change %{customdata[0]:.4f}, "
            "spread %{customdata[1]:.4f}<br>over %{customdata[2]:.0f} pairs<extra></extra>",
        )
    ]
    where = f"layer {scores.layer + 1}, {scores.direction}"
    used = len(scores.pairs_used)
    # Two lines: the chart shares a row with its table, and one line was clipped at half a page.
    title = f"Negation units: {glossary.title(scores.quantity)}<br>{where} · {used} pairs"
    layout = base_layout(title, height)
    layout["margin"]["t"] = 90
    layout.update(
        showlegend=False,
        xaxis=dict(
            title=dict(text="unit (most consistent first)"),
            type="category",
            tickangle=-45 if len(ranked) > 12 else 0,
        ),
        yaxis=dict(title=dict(text="score = mean change / spread"), zeroline=True, zerolinewidth=2),
    )
    return new_figure(data, layout)


def _grid(rows: int, columns: int, gap: float = 0.08) -> list[list[tuple[list[float], list[float]]]]:
    """Paper domains (x, y) of a rows × columns grid of panels, row 0 at the top."""
    width = (1 - gap * (columns - 1)) / columns
    height = (1 - gap * (rows - 1)) / rows
    return [
        [
            (
                _domain(c * (width + gap), c * (width + gap) + width),
                _domain(1 - r * (height + gap) - height, 1 - r * (height + gap)),
            )
            for c in range(columns)
        ]
        for r in range(rows)
    ]


def saturation_chart(saturation: Saturation, direction: Direction = "forward") -> go.Figure:
    """Gate saturation (Karpathy, Johnson & Fei-Fei 2015) for one direction: one panel per
    (layer, sigmoid gate), one dot per unit at (fraction of words the gate is < low, fraction
    it is > high). Dots lie on or below the dashed line x + y = 1."""
    chosen = [g for g in saturation.gates if g.direction == direction]
    layers = sorted({g.layer for g in chosen})
    gates = list(dict.fromkeys(g.gate for g in chosen))
    grid = _grid(max(1, len(layers)), max(1, len(gates)))
    data, annotations, axes, shapes = [], [], {}, []
    low, high = saturation.low, saturation.high
    for n, result in enumerate(chosen):
        (x_domain, y_domain) = grid[layers.index(result.layer)][gates.index(result.gate)]
        suffix = "" if n == 0 else str(n + 1)
        symbol = glossary.symbol(result.gate)
        data.append(
            dict(
                type="scatter",
                x=result.left,
                y=result.right,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                mode="markers",
                marker=dict(size=9, color=SIDE_COLOURS["a"], opacity=0.7, line=dict(width=1, color="white")),
                customdata=np.arange(len(result.left)),
                hovertemplate=f"unit %{{customdata}}: {symbol} < {low:g} at %{{x:.0%}} of words, "
                f"> {high:g} at %{{y:.0%}}<extra></extra>",
            )
        )
        ticks = dict(range=[-0.03, 1.03], tickvals=[0, 0.5, 1], tickformat=".0%", zeroline=False)
        axes[f"xaxis{suffix}"] = dict(
            domain=x_domain, anchor=f"y{suffix}", title=dict(text=f"{symbol} < {low:g} (shut)"), **ticks
        )
        axes[f"yaxis{suffix}"] = dict(
            domain=y_domain, anchor=f"x{suffix}", title=dict(text=f"{symbol} > {high:g} (open)"), **ticks
        )
        shapes.append(
            dict(
                type="line",
                xref=f"x{suffix}",
                yref=f"y{suffix}",
                x0=0,
                y0=1,
                x1=1,
                y1=0,
                line=dict(dash="dash", color=GRID, width=1),
            )
        )
        panel = f"{glossary.title(result.gate)} · layer {result.layer + 1}"
        annotations.append(_panel_title(panel, x=sum(x_domain) / 2, y=y_domain[1], xanchor="center"))
    title = f"Gate saturation over {saturation.texts} sentences ({saturation.steps} words), {direction}"
    layout = base_layout(title, 140 + 330 * max(1, len(layers)))
    layout["margin"].update(t=110, b=70)
    layout.update(showlegend=False, annotations=annotations, shapes=shapes, **axes)
    if not chosen:
        layout.update(xaxis=dict(title=dict(text="shut")), yaxis=dict(title=dict(text="open")))
    return new_figure(data, layout)
