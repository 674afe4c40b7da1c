"""Work done once per server and shared by every session: results cached by model content
(`cached`), and the long-range experiment board.

A model is known by its content, not its identity (`model_fingerprint`), so every session's
copy of a shipped model shares one cache entry and an uploaded model never gets another's
answers.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import streamlit as st
import torch

from rnnviz.core.models import Classifier

if TYPE_CHECKING:
    from rnnviz.training.experiment import JobBoard

T = TypeVar("T")

_FINGERPRINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_fingerprint(classifier: Classifier) -> str:
    """A digest of everything that decides a classifier's answers: config, vocabulary and
    weights. Computed once per model object, and again if a weight was changed in place
    (torch counts in-place edits of a tensor in its `_version`)."""
    model = classifier.model
    tensors = [*model.parameters(), *model.buffers()]
    versions = (id(classifier.vocab), *(t._version for t in tensors))
    known = _FINGERPRINTS.get(model)
    if known is not None and known[0] == versions:
        return known[1]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps(classifier.config.to_dict(), sort_keys=True).encode())
    digest.update(classifier.vocab.to_json().encode())
    for tensor in tensors:
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    _FINGERPRINTS[model] = (versions, digest.hexdigest())
    return digest.hexdigest()


# Two caches, both bounded. Work per model (saturation, corpus means, built-in pairs) is a
# handful of entries per model and kept until the size bound pushes it out; work per sentence (or
# other text a student typed) gets new entries all lesson long, so it is bounded by time as well:
# an entry nobody asked for in SENTENCE_TTL is dropped (and recomputed if asked again).
MODEL_ENTRIES = 256  # results per model and fixed inputs, all models together
SENTENCE_ENTRIES = 512  # results per typed text; entries are mostly a few KB (a trace's are more)
SENTENCE_TTL = 30 * 60  # seconds an entry per typed text lives


@st.cache_data(max_entries=MODEL_ENTRIES, show_spinner=False)
def _cached_call(key: tuple, _compute: Callable, _classifier: Classifier):
    return _compute(_classifier, *key[2])


@st.cache_data(max_entries=SENTENCE_ENTRIES, ttl=SENTENCE_TTL, show_spinner=False)
def _per_sentence_call(key: tuple, _compute: Callable, _classifier: Classifier):
    return _compute(_classifier, *key[2])


def _key(compute: Callable, classifier: Classifier, args: tuple) -> tuple:
    return (f"{compute.__module__}.{compute.__qualname__}", model_fingerprint(classifier), args)


def cached(compute: Callable[..., T], classifier: Classifier, *args) -> T:
    """`compute(classifier, *args)`, computed once per server for each model (by content, so
    every session's copy of a shipped model shares it and an uploaded model never gets
    another's answers) and each `args` (plain hashable values, fixed by the app: a quantity, a
    built-in sentence). `compute` is known by its module and name, so pass a module-level
    function. Each caller gets its own copy of the result; exceptions are not cached. For
    arguments a student types, use `per_sentence`."""
    return _cached_call(_key(compute, classifier, args), compute, classifier)


def per_sentence(compute: Callable[..., T], classifier: Classifier, *args) -> T:
    """`cached` for work on text a student typed (a sentence, pairs): the same sharing, in a
    cache bounded by size (SENTENCE_ENTRIES) and time (SENTENCE_TTL), so a class typing new
    sentences all lesson long does not grow the server's memory without end."""
    return _per_sentence_call(_key(compute, classifier, args), compute, classifier)


@st.cache_resource
def experiment_board() -> JobBoard:
    """The server's long-range experiments, shared by every session: the same settings are
    trained once, one experiment at a time, in a worker process (rnnviz.training.experiment.JobBoard)."""
    from rnnviz.training.experiment import JobBoard  # imported on first use: pages without it skip it

    return JobBoard()
