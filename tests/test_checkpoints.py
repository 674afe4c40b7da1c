"""Proves checkpoints round-trip exactly, writes are atomic, and every kind of bad file is
refused with one clear CheckpointError (never unpickled)."""

import io
import json
import os
import pickle

import numpy as np
import pytest
import torch
from safetensors.torch import save as save_safetensors

from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import CheckpointError, from_bytes, load, save, to_bytes, write_atomic
from tests.conftest import make_classifier

TEXTS = ["the movie was good", "not good", "zebra"]


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru", "lstm"])
def test_round_trip_is_exact(tmp_path, cell):
    classifier = make_classifier(cell=cell, num_layers=2, bidirectional=True)
    classifier = type(classifier)(classifier.model, classifier.vocab, {"note": "ünïcode"})
    path = tmp_path / "m.safetensors"
    save(classifier, path)
    loaded = load(path)
    assert loaded.config == classifier.config
    assert loaded.vocab == classifier.vocab
    assert loaded.meta == {"note": "ünïcode"}
    assert np.array_equal(loaded.predict_proba(TEXTS), classifier.predict_proba(TEXTS))
    assert not any(p.requires_grad for p in loaded.model.parameters())


def test_load_classifier_api(tmp_path):
    from rnnviz import load_classifier

    path = tmp_path / "m.safetensors"
    save(make_classifier(), path)
    classifier = load_classifier(path)
    assert classifier.labels == ("negative", "positive")
    assert classifier.predict_proba(TEXTS).shape == (3, 2)


def good_bytes(**config) -> bytes:
    return to_bytes(make_classifier(**config))


def with_metadata(data: bytes, **changes) -> bytes:
    tensors = checkpoints.load_safetensors(data)
    header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
    metadata = {**header["__metadata__"], **changes}
    return save_safetensors(tensors, metadata=metadata)


def pickled() -> bytes:
    buffer = io.BytesIO()
    torch.save(make_classifier().model.state_dict(), buffer)
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "empty"),
    "torch.save zip": (pickled(), "never unpickles"),
    "raw pickle": (pickle.dumps({"a": 1}, protocol=4), "pickle"),
    "random bytes": (np.random.default_rng(0).bytes(5000), "not a safetensors file"),
    "truncated": (good_bytes()[:300], "not a safetensors file|truncated|not a valid"),
    "tiny": (b"abc", "too short"),
    "json": (b'{"config": 1}', "JSON"),
    "foreign safetensors": (save_safetensors({"w": torch.zeros(2)}), "not an rnnviz classifier"),
    "wrong version": (with_metadata(good_bytes(), version="99"), "version"),
    "broken config": (with_metadata(good_bytes(), config="{nope"), "broken config"),
    "invalid config": (
        with_metadata(good_bytes(), config=json.dumps({"vocab_size": 3, "labels": ["a"]})),
        "broken config",
    ),
    "vocab disagrees": (
        with_metadata(good_bytes(), vocab=json.dumps(["<pad>", "<unk>", "x"])),
        "vocabulary has 3 tokens",
    ),
    "wrong shapes": (
        with_metadata(
            good_bytes(hidden_size=6),
            config=json.dumps({**make_classifier().config.to_dict(), "hidden_size": 9}),
        ),
        "has shape",
    ),
}


def nested_header(depth: int = 100_000) -> bytes:
    """A file whose JSON header is a list nested `depth` levels deep (json.loads recurses)."""
    header = b"[" * depth + b"]" * depth
    return len(header).to_bytes(8, "little") + header


def with_tensor(data: bytes, name: str, tensor: torch.Tensor) -> bytes:
    tensors = checkpoints.load_safetensors(data)
    tensors[name] = tensor
    header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
    return save_safetensors(tensors, metadata=header["__metadata__"])


def huge_weights() -> bytes:
    """Every weight 3e38: finite, but the logits overflow to infinity and softmax to NaN."""
    tensors = {k: torch.full_like(v, 3e38) for k, v in checkpoints.load_safetensors(_GOOD).items()}
    header = json.loads(_GOOD[8 : 8 + int.from_bytes(_GOOD[:8], "little")])
    return save_safetensors(tensors, metadata=header["__metadata__"])


_DEEP = "[" * 100_000 + "]" * 100_000
_GOOD = good_bytes()
_HEAD = checkpoints.load_safetensors(_GOOD)["head.weight"]
BAD_FILES.update(
    {
        "deeply nested header": (nested_header(), "nested too deeply"),
        "deeply nested config": (with_metadata(_GOOD, config=_DEEP), "nested too deeply"),
        "deeply nested vocab": (with_metadata(_GOOD, vocab=_DEEP), "nested too deeply"),
        "deeply nested meta": (with_metadata(_GOOD, meta=_DEEP), "nested too deeply"),
        "float8 tensor": (with_tensor(_GOOD, "head.weight", _HEAD.to(torch.float8_e4m3fn)), "float8_e4m3fn"),
        "integer tensor": (with_tensor(_GOOD, "head.weight", _HEAD.to(torch.int32)), "int32"),
        "overflowing weights": (huge_weights(), "overflow"),
    }
)


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_refused_with_a_reason(name):
    data, message = BAD_FILES[name]
    with pytest.raises(CheckpointError, match=message) as refused:
        from_bytes(data, "upload.safetensors")
    assert len(str(refused.value)) < 400, "a refusal is one short sentence"


def test_nan_weights_are_refused():
    classifier = make_classifier()
    with torch.no_grad():
        classifier.model.head.weight[0, 0] = float("nan")
    with pytest.raises(CheckpointError, match="NaN"):
        from_bytes(to_bytes(classifier))


def test_loading_never_unpickles(monkeypatch):
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("pickle.loads called"))
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load called"))
    for data, _ in BAD_FILES.values():
        with pytest.raises(CheckpointError):
            from_bytes(data)


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        load(tmp_path / "nope.safetensors")
    with pytest.raises(CheckpointError, match="folder"):
        load(tmp_path)


def test_interrupted_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    save(make_classifier(seed=1), path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        save(make_classifier(seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temp file left


def test_write_atomic_creates_folders(tmp_path):
    write_atomic(tmp_path / "a" / "b.bin", b"xyz")
    assert (tmp_path / "a" / "b.bin").read_bytes() == b"xyz"


def test_written_files_are_readable_by_everyone(tmp_path):
    target = tmp_path / "model.safetensors"
    write_atomic(target, b"bytes")
    assert target.stat().st_mode & 0o777 == 0o644
