"""Word order: a bag of embeddings beside the chosen recurrent model on a sentence and its
reorderings; the bag cannot tell them apart, the network that reads in order can.

Reads the sentence and any typed reorderings -> makes the variants and both models' answers
(rnnviz.analysis.word_order) -> draws the chart, the verdict, the accuracies and a table.
"""

import streamlit as st

from rnnviz.analysis import word_order
from rnnviz.core.markup import md_escape
from rnnviz.ui import models, output, session, state, teacher
from rnnviz.ui import word_order as ui_order

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

name, classifier = models.require_model()
incoming = session.incoming_query(["sentence"])
session.text_from_query(incoming, "sentence", ui_order.SENTENCE.key, ui_order.MAX_CHARS)

st.title("Word order: averaging forgets it")
st.markdown(
    "A **bag of embeddings** averages the word vectors and classifies the average: "
    "it cannot know which word came first. A recurrent network reads the words in order."
)
text = state.widget(
    st.text_input,
    ui_order.SENTENCE,
    "Type a sentence and press Enter",
    max_chars=ui_order.MAX_CHARS,
    help=f"Up to {word_order.MAX_TOKENS} words and punctuation marks are used; the rest is cut off.",
)
bag, missing = ui_order.bag_model()
found = word_order.variants(text)
title = models.model_title(name)
answers = None
if bag is None:
    st.info(f"The bag of embeddings is not available: {md_escape(missing)}.", icon=":material/info:")
elif not found:
    st.info("Type a sentence above, for example “the start was dull but the end was great”, and press Enter.")
elif tuple(bag.labels) != tuple(classifier.labels):
    st.info(
        f"{md_escape(title)} has other classes ({md_escape(', '.join(classifier.labels))}) than the bag of "
        f"embeddings ({md_escape(', '.join(bag.labels))}): choose a model with the same classes in the "
        "sidebar."
    )
else:
    typed = ui_order.typed_variants(state.value(ui_order.TYPED))
    answers = word_order.order_answers(classifier, bag, found + typed)
    if word_order.dropped_tokens(text):
        st.warning(f"Only the first {word_order.MAX_TOKENS} tokens are used.", icon=":material/content_cut:")
    output.show_unknown_notice([token not in classifier.vocab for token in found[0].tokens])
    ui_order.show_answers(answers, title)
    st.markdown(ui_order.accuracy_line(name, classifier))
state.widget(
    st.text_area,
    ui_order.TYPED,
    f"Your own orderings of the sentence, one per line (up to {ui_order.MAX_TYPED})",
    max_chars=ui_order.MAX_CHARS,
    placeholder="the end was great but the start was dull",
    help="Press Ctrl+Enter to apply. A line with other words is shown too, marked as other words.",
)
if answers is not None:
    st.dataframe(ui_order.table_rows(answers, title), hide_index=True, width="stretch")
session.set_query(sentence=text if len(text) <= ui_order.MAX_CHARS else None)
teacher.link_box()
