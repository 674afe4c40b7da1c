"""The Units page's two looks at all the units at once, one at a time under a view switch: the unit
map (units clustered by co-activation over the corpus, with each cluster's words) and the state
trajectories (two sentences' paths through the corpus's PCA plane, over the head's boundary).

Their controls (state layer, keys "units_view", "units_map_*", "units_path_*"), their cached work
(per model, on the corpus activations of rnnviz.ui.units) and their drawing. The view travels in
the page's link as `view` (map or paths).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from rnnviz.analysis import trajectories as tr
from rnnviz.analysis import unit_map as um
from rnnviz.analysis.interventions import intervene
from rnnviz.core.markup import md_escape
from rnnviz.core.models import Classifier
from rnnviz.lessons import glossary
from rnnviz.plots import trajectories as path_plots
from rnnviz.plots import unit_map as map_plots
from rnnviz.ui import cache, output, session, state
from rnnviz.ui import units as ui

VIEWS = {"map": "Unit map", "paths": "State trajectories"}
VIEW = state.Control("units_view", "map", tuple(VIEWS))
CLUSTERS = state.Control("units_map_clusters", 6, check=lambda v: isinstance(v, int) and 2 <= v <= 12)
CLUSTER = state.Control("units_map_cluster", 0, check=lambda v: isinstance(v, int) and v >= 0)
PATH_A = state.Control("units_path_a", ui.DEFAULT_SENTENCE, check=lambda v: isinstance(v, str))
PATH_B = state.Control("units_path_b", ui.DEFAULT_SOURCE, check=lambda v: isinstance(v, str))
TOP_WORDS = 6  # words named per cluster
MIN_COUNT = 5  # a word seen fewer times in the corpus is not named
SHOWN_UNITS = 6  # unit numbers the cluster table lists
GRID = 60  # points per side of the grid the head is evaluated on in the plane


def _quantity_control(names: Sequence[str]) -> state.Control:
    return state.Control("units_map_quantity", names[0], tuple(names))


def view_from_query(incoming: dict[str, str]) -> None:
    """Apply an opened link's `view` (map or paths), with a notice for another value."""
    view = session.query_choice(incoming, "view", list(VIEWS), str, "the view", VIEWS["map"])
    if view is not None:
        state.set_value(VIEW, view)


# --------------------------------------------------------------------------- cached work
def corpus_tokens(activations) -> list[str]:
    """[words]: the token of each row of the corpus activations."""
    return [token for sentence in activations.sentences for token in sentence]


def _unit_map(classifier: Classifier, layer: int, direction: str, quantity: str, clusters: int):
    activations = ui.corpus_activations(classifier)
    values = activations.values[(layer, direction, quantity)]
    found = um.unit_map(values, clusters)
    tokens = corpus_tokens(activations)
    words = [
        um.cluster_words(values, tokens, found.members(k), TOP_WORDS, MIN_COUNT) for k in range(clusters)
    ]
    return found, words, len(values)


def unit_map(
    classifier: Classifier, layer: int, direction: str, quantity: str, clusters: int
) -> tuple[um.UnitMap, list[list[um.ClusterWord]], int]:
    """(the units of one quantity clustered over the corpus, each cluster's words, how many
    corpus words), once per model and choice."""
    return cache.cached(_unit_map, classifier, layer, direction, quantity, clusters)


def _projection(classifier: Classifier) -> tr.Projection:
    activations = ui.corpus_activations(classifier)
    top = classifier.config.num_layers - 1
    directions = ("forward", "backward")[: classifier.config.num_directions]
    states = np.concatenate([activations.values[(top, d, "hidden")] for d in directions], axis=1)
    return tr.fit_pca(states)


def projection(classifier: Classifier) -> tr.Projection:
    """The 2-D PCA of the states the head reads (rnnviz.analysis.trajectories.readout_states)
    over every corpus word, once per model."""
    return cache.cached(_projection, classifier)


# --------------------------------------------------------------------------- the view switch
def view_picker() -> str:
    """Which look at all the units to show (a segmented control, always drawn)."""
    return state.widget(
        st.segmented_control,
        VIEW,
        "Look at all the units",
        list(VIEWS),
        format_func=VIEWS.get,
        required=True,
    )


def link(view: str) -> dict[str, str | None]:
    """The view's URL parameter (none for the default view)."""
    return {"view": None if view == VIEW.default else view}


# --------------------------------------------------------------------------- the unit map
def cluster_rows(found: um.UnitMap, words: Sequence[Sequence[um.ClusterWord]]) -> list[dict]:
    """The cluster table's rows, plain values."""
    rows = []
    for k, named in enumerate(words):
        members = found.members(k)
        shown = ", ".join(str(u) for u in members[:SHOWN_UNITS]) + (
            ", …" if len(members) > SHOWN_UNITS else ""
        )
        rows.append(
            {
                "cluster": map_plots.cluster_name(k),
                "units": len(members),
                "unit numbers": shown,
                "fires most on (σ above the units' mean)": ", ".join(  # st.table reads cells as markdown
                    f"{md_escape(w.word)} ({w.score:+.1f})" for w in named
                )
                or "no word seen often enough",
            }
        )
    return rows


def send_cluster(
    name: str, layer: int, direction: str, quantity: str, members: Sequence[int], names: Sequence[str]
) -> None:
    """on_click: make cluster `name`'s units (`members`) the intervention's, and say so."""
    ui.choose_units(layer, direction, quantity, members, names)
    taken = min(len(members), ui.MAX_UNITS)
    st.toast(f"{name}: {taken} units of {glossary.title(quantity)} are now changed at the top of the page.")


def map_title(classifier: Classifier, layer: int, direction: str, quantity: str, clusters: int) -> str:
    """'Unit map: Hidden state h, layer 2 →, 192 units in 6 clusters'."""
    config = classifier.config
    where = f", layer {layer + 1}" if config.num_layers > 1 else ""
    if config.bidirectional:
        where += " →" if direction == "forward" else " ←"
    title = f"Unit map: {glossary.title(quantity)}{where}"
    return f"{title}, {config.hidden_size} units in {clusters} clusters"


def draw_map(classifier: Classifier) -> None:
    """The map's controls, the reordered correlation heatmap beside the cluster table, and the
    button that sends a cluster's units to the intervention above."""
    config = classifier.config
    names = ui.quantity_names_of(classifier)
    with st.container(horizontal=True, gap="medium"):
        layer, direction, quantity = ui.which_units(
            classifier, "units_map_layer", "units_map_direction", _quantity_control(names)
        )
        clusters = state.widget(
            st.number_input, CLUSTERS, "Clusters", min_value=2, max_value=12, step=1, width=120
        )
    clusters = min(int(clusters), config.hidden_size)
    with st.spinner("Clustering the units by how they fire together over the corpus…"):
        found, words, count = unit_map(classifier, layer, direction, quantity, clusters)
    left, right = st.columns(2)
    with left:
        title = map_title(classifier, layer, direction, quantity, clusters)
        # A square plot: its height stays put in teacher mode (the column's width bounds the square)
        output.chart(map_plots.correlation_map(found, title), "units_map", keep_height=True)
    with right:
        st.table(cluster_rows(found, words), hide_index=True, border="horizontal")
        options = list(range(found.clusters))
        k = state.widget(
            st.selectbox,
            CLUSTER,
            "Cluster",
            options,
            choices=options,
            format_func=lambda c: f"{map_plots.cluster_name(c)} ({len(found.members(c))} units)",
        )
        members = found.members(int(k))
        st.button(
            "Change this cluster's units above",
            on_click=send_cluster,
            args=(map_plots.cluster_name(int(k)), layer, direction, quantity, members, names),
            help=f"Puts the cluster's units (up to {ui.MAX_UNITS}) and this quantity into the "
            "intervention at the top of the page",
        )
    st.caption(
        f"{map_plots.MAP_CAPTION} Correlations over {count} words of the corpus (average-linkage "
        "clustering on 1 − r); a word's pull is the cluster's mean value at it, in standard "
        f"deviations above the units' own mean (words seen at least {MIN_COUNT} times)."
    )


# --------------------------------------------------------------------------- trajectories
def _path(classifier: Classifier, found: tr.Projection, name: str, tokens: Sequence[str]) -> path_plots.Path:
    result = intervene(classifier, classifier.vocab.encode(list(tokens)))
    target = 1 if len(classifier.labels) == 2 else 0
    points = found.project(tr.readout_states(result.trace))
    return path_plots.Path(name, tuple(tokens), points, result.prefix_probabilities[:, target])


def plane(classifier: Classifier, found: tr.Projection, box) -> tuple[path_plots.Plane | None, str]:
    """What the head says in the plane (None when it cannot be drawn), and the caption's
    sentence saying what was assumed, or why nothing is drawn."""
    problem = tr.boundary_problem(classifier.config)
    if problem is not None:
        both = (
            " Each point joins the forward state after the word with the backward state there, which "
            "has read the sentence from its end: a pair's paths differ from the first word."
            if classifier.config.bidirectional
            else ""
        )
        return None, f"No decision boundary is drawn: {problem}.{both}"
    head = classifier.model.head
    weight = head.weight.detach().cpu().double().numpy()
    bias = head.bias.detach().cpu().double().numpy()
    line = tr.decision_boundary(found, weight, bias)
    (x0, x1), (y0, y1) = box
    x, y = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
    probability = tr.plane_probabilities(found, weight, bias, x, y)
    note = (
        "The shading and the dotted line are the head's answer on the plane itself, with every "
        "other component at the corpus mean; a word's own prediction (hover) can differ, as its "
        "state is off the plane."
    )
    ends = line.segment(*box)
    if ends is None:
        note += " The boundary (P = 0.5) lies outside this view."
    return path_plots.Plane(x, y, probability, ends), note


def draw_trajectories(classifier: Classifier) -> None:
    """Two text boxes, and the two sentences' paths in the corpus's PCA plane with the head's
    boundary where it is a line."""
    with st.container(horizontal=True, gap="medium"):
        text_a = state.widget(st.text_input, PATH_A, "Sentence A (press Enter)", max_chars=ui.MAX_CHARS)
        text_b = state.widget(st.text_input, PATH_B, "Sentence B (press Enter)", max_chars=ui.MAX_CHARS)
    named = [(name, ui.tokens_of(text)[0]) for name, text in (("A", text_a), ("B", text_b))]
    named = [(name, tokens) for name, tokens in named if tokens]
    if not named:
        st.info("Type two sentences, for example a minimal pair, and press Enter.", icon=":material/edit:")
        return
    try:
        with st.spinner("Fitting the plane to the corpus's states (once per model)…"):
            found = projection(classifier)
    except ValueError as error:  # a model with a single unit has no plane
        st.info(md_escape(f"No trajectories: {error}."), icon=":material/info:")
        return
    paths = [_path(classifier, found, name, tokens) for name, tokens in named]
    box = tr.frame(np.concatenate([p.points for p in paths]))
    shown, note = plane(classifier, found, box)
    title = "Two sentences' states, word by word, in the corpus's main plane"
    figure = path_plots.trajectory_chart(paths, found.explained, box, classifier.labels, shown, title)
    output.chart(figure, "units_paths")
    st.caption(md_escape(f"{path_plots.TRAJECTORY_CAPTION} {note}"))
