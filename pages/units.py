"""Units: change chosen units of one quantity over some words and see the prediction change (and
whether as many random units would do as much); find the units behind a hypothesis about words.

Reads widgets and the URL -> intervenes and ranks with rnnviz.analysis (cached per model by
rnnviz.ui.units) -> draws. The answer (the before/after chart) is drawn above the controls.
"""

import streamlit as st

from rnnviz.analysis import interventions as iv
from rnnviz.core.markup import md_escape
from rnnviz.ui import models, output, session, state, teacher, units_map, units_match, widgets
from rnnviz.ui import units as ui

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

_, classifier = models.require_model()
incoming = session.incoming_query(ui.LINK_PARAMETERS)
session.text_from_query(incoming, "sentence", ui.SENTENCE.key, ui.MAX_CHARS)
ui.view_from_query(incoming, classifier)
widgets.view_from_query(incoming, classifier.config, layer_key="units_layer", direction_key="units_direction")

st.title("Units: change them and see")
widgets.example_pills(ui.presets(classifier, ui.quantity_names_of(classifier)), "units_preset")
text = state.widget(st.text_input, ui.SENTENCE, "Sentence (press Enter)", max_chars=ui.MAX_CHARS)
tokens, cut = ui.tokens_of(text)
answer = st.container()  # the answer goes above the controls: the first screen holds it
before = after = None
choice = ui.change_controls(classifier, tokens)
source, source_word = ui.patch_source(classifier) if choice.mode == "patch" else (None, 0)

with answer:
    if cut:
        st.warning(f"Only the first {ui.MAX_TOKENS} tokens are read.", icon=":material/content_cut:")
    if not tokens:
        st.info(
            "Type a sentence above, for example “the movie was not good”, and press Enter.",
            icon=":material/edit:",
        )
    else:
        ids = classifier.vocab.encode(tokens)
        output.show_unknown_notice([token not in classifier.vocab for token in tokens])
        try:
            mean = None
            if choice.mode == "mean":
                mean = ui.corpus_mean(classifier, choice.layer, choice.direction, choice.quantity)
            change = iv.Intervention(
                choice.quantity,
                choice.units,
                *choice.words,
                choice.mode,
                choice.layer,
                choice.direction,
                value=choice.value,
                mean=mean,
                source=source,
                source_start=source_word,
            )
            before, after = iv.intervene(classifier, ids), iv.intervene(classifier, ids, [change])
        except ValueError as error:
            before = after = None
            st.info(md_escape(f"{error}.".capitalize()), icon=":material/edit:")
        else:
            ui.draw_prediction(before, after, tokens, classifier.labels, choice.words)

if choice.mode != "patch":
    where = state.widget(
        st.segmented_control,
        ui.WHERE,
        "In the built-in negation pairs, change the units",
        list(ui.WHERE_NAMES),
        format_func=ui.WHERE_NAMES.get,
        required=True,
    )
    with st.spinner("Changing the units in every pair, and as many random units 20 times…"):
        effect = ui.aggregate_effect(
            classifier,
            choice.quantity,
            choice.units,
            choice.mode,
            choice.value,
            choice.layer,
            choice.direction,
            where,
        )
    st.markdown(ui.aggregate_line(effect, len(choice.units)))
    st.caption("One sentence can mislead: compare the change with what as many random units do.")

if tokens and after is not None:
    ui.draw_inside(before, after, choice, tokens)

st.subheader("Find the units behind a hypothesis")
kind, feature, n, pattern, span = ui.hypothesis_controls(tokens)
try:
    matches, column, mask, sentences = ui.ranking(classifier, kind, feature, n, pattern, tuple(tokens), span)
except ValueError as error:
    st.info(md_escape(f"{error}.".capitalize()), icon=":material/edit:")
else:
    ui.draw_ranking(classifier, matches, column, mask, sentences)
    units_match.match_view(classifier, matches)  # where else the ranked (or chosen) units are on

st.subheader("All the units at once")
units_map.view_from_query(session.incoming_query(["view"]))
view = units_map.view_picker()
if view == "map":
    units_map.draw_map(classifier)
else:
    units_map.draw_trajectories(classifier)

session.set_query(**ui.link(text, choice), **units_map.link(view))
teacher.link_box()
