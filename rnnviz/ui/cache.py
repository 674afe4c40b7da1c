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


@st.cache_data(max_entries=1024, show_spinner=False)  # a lesson's worth; entries are mostly a few KB
def _cached_call(key: tuple, _compute: Callable, _classifier: Classifier):
    return _compute(_classifier, *key[2])


def cached(compute: Callable[..., T], classifier: Classifier, *args) -> T:
    """`compute(classifier, *args)`, computed once per server for each model (by content, so
    every session's copy of a shipped model shares it and an uploaded model never gets
    another's answers) and each `args` (plain hashable values). `compute` is known by its
    module and name, so pass a module-level function. Each caller gets its own copy of the
    result; exceptions are not cached."""
    key = (f"{compute.__module__}.{compute.__qualname__}", model_fingerprint(classifier), args)
    return _cached_call(key, compute, classifier)


@st.cache_resource
def experiment_board() -> JobBoard:
    """The server's long-range experiments, shared by every session: the same settings are
    trained once, one experiment at a time, in a worker process (rnnviz.training.experiment.JobBoard)."""
    from rnnviz.training.experiment import JobBoard  # imported on first use: pages without it skip it

    return JobBoard()
