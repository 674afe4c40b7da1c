"""Proves rnnviz.ui.cache knows a model by its content: equal copies share results, other weights
(even edited in place) do not, and each (model, arguments) is computed once."""

import torch

from rnnviz.core import checkpoints
from rnnviz.ui.cache import cached, model_fingerprint
from tests.conftest import make_classifier


def test_model_fingerprint_follows_content_not_identity():
    first = make_classifier(cell="lstm", hidden_size=4)
    copy = checkpoints.from_bytes(checkpoints.to_bytes(first), "copy")
    assert model_fingerprint(first) == model_fingerprint(copy)
    assert model_fingerprint(first) != model_fingerprint(make_classifier(seed=1, cell="lstm", hidden_size=4))
    with torch.no_grad():
        copy.model.rnn.weight_hh_l0.add_(0.5)  # an in-place edit, as an optimiser step makes
    assert model_fingerprint(first) != model_fingerprint(copy)


def test_cached_computes_once_per_model_content_and_arguments():
    calls = []

    def double_probability(classifier, text):
        calls.append(text)
        return classifier.predict_proba([text]) * 2

    first = make_classifier(cell="gru", hidden_size=3)
    result = cached(double_probability, first, "the movie was good")
    again = cached(double_probability, first, "the movie was good")
    assert calls == ["the movie was good"] and (result == again).all()
    cached(double_probability, first, "not good")
    cached(double_probability, make_classifier(seed=2, cell="gru", hidden_size=3), "not good")
    assert calls == ["the movie was good", "not good", "not good"]


def test_per_sentence_results_are_shared_and_expire(monkeypatch):
    import streamlit as st
    from streamlit.runtime.caching import cache_utils

    from rnnviz.ui import cache

    now = [1000.0]
    monkeypatch.setattr(cache_utils, "TTLCACHE_TIMER", lambda: now[0])  # the clock of Streamlit's caches
    st.cache_data.clear()  # every data cache is made again on its next call, with the clock above
    calls = []

    def first_probability(classifier, text):
        calls.append(text)
        return classifier.predict_proba([text])[0]

    model = make_classifier(cell="lstm", hidden_size=3)
    cache.per_sentence(first_probability, model, "a typed sentence")
    now[0] += cache.SENTENCE_TTL / 2
    cache.per_sentence(first_probability, model, "a typed sentence")
    assert calls == ["a typed sentence"]
    now[0] += 3 * cache.SENTENCE_TTL  # long unasked for: gone, computed again
    cache.per_sentence(first_probability, model, "a typed sentence")
    assert calls == ["a typed sentence"] * 2
    st.cache_data.clear()
