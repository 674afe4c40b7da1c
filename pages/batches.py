"""Padding & packing: three sentences of different lengths as one batch, padded, masked and packed
with torch's pack_padded_sequence, then run through the model's recurrent layer.

Reads the three text boxes and the URL -> pads, packs and runs the batch with rnnviz.analysis.batching
-> draws the id matrix, the mask, the packed order and the final states against each sentence alone
(sections: rnnviz.ui.batching).
"""

import streamlit as st

from rnnviz.analysis.batching import pack_batch, run_batch
from rnnviz.core.text import tokenize
from rnnviz.lessons import batching as words
from rnnviz.ui import batching, models, session, state, teacher

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

MAX_TOKENS = 20  # per sentence: the id matrix stays readable
MAX_CHARS = 1000
DEFAULTS = ("not good", "the movie was not bad at all", "great")  # three lengths: 2, 7 and 1
BOXES = [
    state.Control(f"batch_{k + 1}", text, check=lambda v: isinstance(v, str))
    for k, text in enumerate(DEFAULTS)
]

_, classifier = models.require_model()
incoming = session.incoming_query([f"s{k + 1}" for k in range(len(BOXES))])
for k, box in enumerate(BOXES):
    session.text_from_query(incoming, f"s{k + 1}", box.key, MAX_CHARS)

st.title("Padding & packing: a batch of sentences of different lengths")
st.caption(words.INTRO)
texts = []
for column, box, k in zip(st.columns(len(BOXES)), BOXES, range(len(BOXES)), strict=True):
    with column:
        texts.append(state.widget(st.text_input, box, f"Sentence {k + 1}", max_chars=MAX_CHARS))
session.set_query(**{f"s{k + 1}": text if text else None for k, text in enumerate(texts)})

token_lists = [tokenize(text)[:MAX_TOKENS] for text in texts]
if any(len(tokenize(text)) > MAX_TOKENS for text in texts):
    st.warning(f"Each sentence is cut after {MAX_TOKENS} tokens.", icon=":material/content_cut:")
used = [tokens for tokens in token_lists if tokens]
if len(used) < len(token_lists) and used:
    st.info("Empty boxes are left out of the batch.", icon=":material/info:")
if not used:
    st.info("Type at least one sentence above, for example “not good”, and press Enter.")
else:
    batch = pack_batch(classifier, used)
    result = run_batch(classifier, batch)
    batching.summary(batch, result)
    batching.padded(batch)
    batching.packed(batch)
    batching.run(classifier, batch, result)
teacher.link_box()
