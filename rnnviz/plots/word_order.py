"""The Word order page's chart: a bag of embeddings and a recurrent model on each reordering.

One row per variant (the sentence as typed on top), two markers per row: the bag's answer (an
open diamond) and the recurrent model's (a filled circle), each in the colour of the class it
picks, on one probability axis with the 0.5 line. The bag's diamonds stand in one column for
every reordering of the same words; the recurrent model's circles move. The legend shows the
two shapes in neutral ink and the class colours as their own entries (a marker's legend symbol
would otherwise take the colour of its first point).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnnviz.analysis.word_order import OrderAnswers
from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.plots.base import base_layout, legend_right, new_figure, plotly_text
from rnnviz.plots.colours import GRID, INK, class_colour

ROW_PX = 34  # per variant
LABEL_CHARS = 44  # longer variants are cut in the row labels (hover shows the whole text)
# The reorderings' names as msgids (rnnviz.analysis.word_order: Variant.how, its words as {0}, {1}).
VARIANT_NAMES = (
    N_("as typed"),
    N_("clauses swapped around “but”"),
    N_("“{0}” and “{1}” swapped"),
    N_("“{0}” moved before “{1}”"),
    N_("words reversed"),
    N_("words shuffled"),
)
CAPTION = N_("Same words in every row: the bag's diamonds cannot move, the recurrent network's circles can.")


def target_class(answers: OrderAnswers) -> int:
    """The class the axis measures: the second label with two (P(positive)), else the class the
    recurrent model picks for the sentence as typed."""
    return 1 if len(answers.labels) == 2 else int(answers.recurrent[0].argmax())


def row_labels(answers: OrderAnswers, _: Translate = english) -> list[str]:
    """One unique label per row: '1. as typed', '2. words reversed', … (safe for plotly)."""
    names = [_(v.how).format(*v.words) if v.how in VARIANT_NAMES else v.name for v in answers.variants]
    return [f"{i + 1}. {plotly_text(name, LABEL_CHARS)}" for i, name in enumerate(names)]


def _legend_entry(name: str, marker: dict) -> dict:
    """A trace that only draws a legend line (no point on the plot)."""
    return dict(
        type="scatter", x=[None], y=[None], name=name, mode="markers", marker=marker, hoverinfo="skip"
    )


def order_chart(answers: OrderAnswers, recurrent_title: str, _: Translate = english) -> go.Figure:
    """The dot chart (see the module docstring); `recurrent_title` names the recurrent model; its
    words in the language of `_`."""
    target = target_class(answers)
    label = plotly_text(answers.labels[target], 30)
    rows = row_labels(answers, _)
    texts = [plotly_text(v.text, 200) for v in answers.variants]
    data = []
    for name, probabilities, symbol in (
        (_("bag of embeddings"), answers.bag, "diamond-open"),
        (plotly_text(recurrent_title, 40), answers.recurrent, "circle"),
    ):
        winners = np.asarray(probabilities).argmax(-1)
        data.append(
            dict(
                type="scatter",
                x=np.asarray(probabilities[:, target], dtype=np.float64),
                y=rows,
                name=name,
                mode="markers",
                marker=dict(
                    symbol=symbol,
                    size=16 if symbol == "circle" else 20,
                    color=[class_colour(int(k)) for k in winners],
                    line=dict(
                        width=3 if symbol != "circle" else 1, color=[class_colour(int(k)) for k in winners]
                    ),
                ),
                customdata=texts,
                hovertemplate=f"%{{customdata}}<br>{name}: P({label}) = %{{x:.6f}}<extra></extra>",
                showlegend=False,
            )
        )
        data.append(
            _legend_entry(name, dict(symbol=symbol, size=14, color=INK, line=dict(width=2, color=INK)))
        )
    for k, class_name in enumerate(answers.labels):
        marker = dict(symbol="square", size=14, color=class_colour(k))
        data.append(_legend_entry(_("answer: {label}").format(label=plotly_text(class_name, 30)), marker))
    title = _("Same words, other orders: P({label}) from each model").format(label=label)
    layout = base_layout(title, 120 + ROW_PX * len(rows))
    layout.update(
        # 0.07 beyond 0 and 1 holds a whole marker at either end in the lesson's half-width column
        xaxis=dict(title=dict(text=f"P({label})"), range=[-0.07, 1.07], tickformat=".1f", zeroline=False),
        yaxis=dict(
            title=dict(text=_("word order")),
            type="category",
            categoryorder="array",
            categoryarray=rows[::-1],  # the sentence as typed on top
            automargin=True,
        ),
        shapes=[
            dict(type="line", yref="paper", x0=0.5, x1=0.5, y0=0, y1=1, line=dict(dash="dot", color=GRID))
        ]
        if len(answers.labels) == 2
        else [],
        hovermode="closest",
    )
    legend_right(layout)
    return new_figure(data, layout)
