"""Layers & directions: a bidirectional, stacked network read both ways, layer on layer.

Reads the sentence and the layer from controls and the URL -> traces the sentence with rnnviz
-> draws both directions side by side, how each layer reads the one below, what the classifier
reads, and what "prediction after each word" means for this model (sections: rnnviz.ui.stacking).
"""

import streamlit as st

from rnnviz.lessons import glossary
from rnnviz.lessons import stacking as words
from rnnviz.ui import models, output, session, stacking, state, teacher, widgets

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = 60  # tokens traced: both heatmaps side by side stay readable
MAX_CHARS = 5000
MAX_LINK_CHARS = 1000  # longer sentences stay out of the URL

_, classifier = models.require_model()
config = classifier.config
incoming = session.incoming_query(["sentence", "layer"])
session.follow_sentence("layers_sentence", glossary.DEFAULT_SENTENCE)
session.text_from_query(incoming, "sentence", "layers_sentence", MAX_CHARS)
widgets.view_from_query(incoming, config, layer_key="layers_layer", direction_key="layers_direction")

st.title("Layers & directions: reading both ways, layer on layer")
stacking.offer_bilstm(classifier)
st.caption(f"{words.INTRO} {words.describe(config)}")
SENTENCE = state.Control("layers_sentence", glossary.DEFAULT_SENTENCE)
with st.container(horizontal=True, gap="large", vertical_alignment="bottom"):  # drawn for every text
    text = state.widget(
        st.text_input,
        SENTENCE,
        "Type a sentence and press Enter",
        max_chars=MAX_CHARS,
        help=f"Up to {MAX_TOKENS} words and punctuation marks are traced; the rest is cut off.",
    )
    layer = widgets.layer_picker(config, key="layers_layer", top_first=True)  # the layer the head reads
    shown = widgets.units_shown_picker(config.hidden_size, key="layers_shown", default=8)
session.share_sentence(SENTENCE.key, text)
sentence = output.read_sentence(classifier, text, MAX_TOKENS)
if sentence is not None and sentence.dropped_tokens:
    st.warning(f"Only the first {MAX_TOKENS} tokens are traced.", icon=":material/content_cut:")
if sentence is not None:
    output.show_unknown_notice(sentence.unknown)

session.set_query(
    sentence=text if len(text) <= MAX_LINK_CHARS else None,
    layer=str(layer + 1) if sentence is not None and config.num_layers > 1 else None,
)
if sentence is not None:
    stacking.directions(sentence, layer, shown)
    stacking.handoffs(classifier, sentence)
    stacking.classifier_reads(classifier, sentence)
    stacking.prefix_meaning(classifier, sentence)
teacher.link_box()
