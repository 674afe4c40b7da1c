"""Proves rnnviz.training.store keeps a browser's models safely: saved models load back exactly,
writes are atomic (a failed write leaves nothing half-written or listed), the caps per browser and
in all refuse a model before writing it, expiry and cleanup delete what is old and nothing else,
one token never lists, loads or deletes another's models, and no path comes from user input."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
import torch

from rnnviz.core import checkpoints
from rnnviz.training import store as store_module
from rnnviz.training.store import (
    ModelStore,
    StoreError,
    StoreFull,
    StoreSettings,
    new_token,
    valid_token,
)
from tests.conftest import make_classifier

MB = 2**20


def _store(folder: Path, per_browser: int = 50 * MB, total: int = 500 * MB, days: float = 30) -> ModelStore:
    return ModelStore(StoreSettings(folder, per_browser, total, days * 86400))


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return _store(tmp_path / "store")


def _folder(store: ModelStore, token: str) -> Path:
    """A browser's folder: the SHA-256 of its token."""
    return store.folder / hashlib.sha256(token.encode()).hexdigest()


def _size(classifier) -> int:
    return len(checkpoints.to_bytes(classifier))


def test_a_saved_model_comes_back_with_the_same_weights_name_and_kind(store):
    token, classifier = new_token(), make_classifier(cell="gru")
    saved = store.save(token, "GRU 1×6, grammar 1k", "trained", classifier)
    [listed] = store.list(token)
    assert listed == saved and listed.name == "GRU 1×6, grammar 1k" and listed.kind == "trained"
    loaded = store.load(token, listed.entry)
    for name, tensor in classifier.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], tensor)
    assert loaded.vocab.tokens == classifier.vocab.tokens
    assert store.usage(token) == listed.bytes == _size(classifier)


def test_models_are_listed_oldest_first_and_deleted_one_by_one_or_all(store):
    token = new_token()
    first = store.save(token, "a", "trained", make_classifier(seed=1))
    second = store.save(token, "b", "uploaded", make_classifier(seed=2))
    assert [m.entry for m in store.list(token)] == [first.entry, second.entry]
    assert store.delete(token, first.entry) is True
    assert store.delete(token, first.entry) is False
    assert [m.entry for m in store.list(token)] == [second.entry]
    with pytest.raises(StoreError):
        store.load(token, first.entry)
    assert store.delete_all(token) == 1 and store.list(token) == []


def test_a_token_never_lists_loads_or_deletes_another_tokens_models(store):
    alice, bob = new_token(), new_token()
    saved = store.save(alice, "alice's", "trained", make_classifier())
    assert store.list(bob) == []
    with pytest.raises(StoreError):
        store.load(bob, saved.entry)
    assert store.delete(bob, saved.entry) is False
    assert store.delete_all(bob) == 0
    assert [m.entry for m in store.list(alice)] == [saved.entry]
    # The token is nowhere on disk: its folder is named by a hash.
    names = [p.name for p in store.folder.rglob("*")]
    assert not any(alice in name for name in names)
    assert not any(alice in p.read_text(errors="replace") for p in store.folder.rglob("*.json"))


@pytest.mark.parametrize("token", ["", "short", "../../etc/passwd" + "a" * 40, "a" * 129, "é" * 43, None, 42])
def test_malformed_tokens_are_refused(store, token):
    assert not valid_token(token)
    with pytest.raises(StoreError):
        store.list(token)
    with pytest.raises(StoreError):
        store.save(token, "x", "trained", make_classifier())


BAD_ENTRIES = ["../x", "..", "0123456789abcdeg", "0123456789ABCDEF", "/etc/passwd", "", None]


@pytest.mark.parametrize("entry", BAD_ENTRIES)
def test_entry_ids_that_are_not_the_stores_own_are_refused(store, entry):
    token = new_token()
    store.save(token, "x", "trained", make_classifier())
    with pytest.raises(StoreError):
        store.load(token, entry)
    with pytest.raises(StoreError):
        store.delete(token, entry)


def test_a_hostile_name_is_only_text_in_the_json(store):
    token = new_token()
    name = "../../evil\n<script>alert(1)</script>" + "x" * 100
    saved = store.save(token, name, "uploaded", make_classifier())
    files = sorted(p.name for p in store.folder.rglob("*") if p.is_file())
    assert files == sorted([f"{saved.entry}.json", f"{saved.entry}.safetensors", "seen"])
    assert len(saved.name) == 60 and "\n" not in saved.name
    assert store.list(token)[0].name == saved.name


def test_new_tokens_are_unguessable_and_valid():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(valid_token(t) and len(t) == 43 for t in tokens)


def test_the_per_browser_cap_refuses_a_model_that_does_not_fit_and_writes_nothing(tmp_path):
    size = _size(make_classifier())
    store = _store(tmp_path, per_browser=2 * size + size // 2)
    token = new_token()
    store.save(token, "one", "trained", make_classifier(seed=1))
    store.save(token, "two", "trained", make_classifier(seed=2))
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(StoreFull, match="per browser"):
        store.save(token, "three", "trained", make_classifier(seed=3))
    assert sorted(tmp_path.rglob("*")) == before
    store.save(new_token(), "someone else's", "trained", make_classifier())  # a cap per browser
    store.delete(token, store.list(token)[0].entry)
    store.save(token, "three", "trained", make_classifier(seed=3))  # room again


def test_the_total_cap_refuses_when_the_whole_store_is_full(tmp_path):
    size = _size(make_classifier())
    store = _store(tmp_path, per_browser=10 * size, total=2 * size + size // 2)
    store.save(new_token(), "a", "trained", make_classifier())
    store.save(new_token(), "b", "trained", make_classifier())
    with pytest.raises(StoreFull, match="store is full"):
        store.save(new_token(), "c", "trained", make_classifier())


def test_a_failed_write_leaves_no_entry_and_no_temporary_file(store, monkeypatch):
    token = new_token()
    store.save(token, "kept", "trained", make_classifier())
    real = os.replace

    def crash_on_json(src, dst):
        if str(dst).endswith(".json"):
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_json)
    with pytest.raises(OSError):
        store.save(token, "lost", "trained", make_classifier(seed=5))
    monkeypatch.setattr(os, "replace", real)
    assert [m.name for m in store.list(token)] == ["kept"]  # the half-saved model is not listed
    assert not [p for p in store.folder.rglob(".*.tmp")]
    # Its checkpoint without an entry is a leftover: cleanup deletes it once it is stale.
    later = time.time() + store_module.STALE_TEMP_SECONDS + 1
    assert store.cleanup(now=later).files == 1
    assert [m.name for m in store.list(token)] == ["kept"]


def test_a_reader_never_sees_a_half_written_checkpoint(store, monkeypatch):
    """The checkpoint goes to a temporary file that is renamed into place: while it is being
    written, no listing shows it."""
    token = new_token()
    seen_during_write = []
    real = checkpoints.write_atomic

    def spy(path, data):
        seen_during_write.append(store.list(token))
        real(path, data)

    monkeypatch.setattr(checkpoints, "write_atomic", spy)
    store.save(token, "x", "trained", make_classifier())
    assert seen_during_write == [[], []]  # before the checkpoint and before its JSON


def test_expiry_deletes_browsers_not_seen_for_the_configured_time(tmp_path):
    store = _store(tmp_path, days=1)
    old, recent = new_token(), new_token()
    store.save(old, "old", "trained", make_classifier())
    store.save(recent, "recent", "trained", make_classifier())
    two_days_ago = time.time() - 2 * 86400
    os.utime(_folder(store, old) / "seen", (two_days_ago, two_days_ago))
    unrelated = tmp_path / "README.txt"
    unrelated.write_text("not the store's")
    report = store.cleanup()
    assert report.browsers == 1
    assert store.list(old) == [] and [m.name for m in store.list(recent)] == ["recent"]
    assert unrelated.exists()  # anything not named like the store's own files is left alone


def test_listing_renews_a_browsers_lease(tmp_path):
    store = _store(tmp_path, days=1)
    token = new_token()
    store.save(token, "x", "trained", make_classifier())
    folder = next(tmp_path.iterdir())
    long_ago = time.time() - 2 * 86400
    os.utime(folder / "seen", (long_ago, long_ago))
    store.list(token)  # the browser opened the app
    assert store.cleanup().browsers == 0 and len(store.list(token)) == 1


def test_a_damaged_entry_is_skipped_by_the_listing_and_refused_by_load(store):
    token = new_token()
    saved = store.save(token, "x", "trained", make_classifier())
    folder = _folder(store, token)
    (folder / f"{saved.entry}.safetensors").write_bytes(b"\x80\x04 pickle")
    with pytest.raises(checkpoints.CheckpointError):
        store.load(token, saved.entry)
    (folder / f"{saved.entry}.json").write_text("{not json")
    assert store.list(token) == []


def test_settings_come_from_the_environment_and_bad_values_are_named(tmp_path):
    env = {
        "RNNVIZ_MODEL_STORE": str(tmp_path),
        "RNNVIZ_MODEL_STORE_MB_PER_BROWSER": "5",
        "RNNVIZ_MODEL_STORE_MB": "100",
        "RNNVIZ_MODEL_STORE_DAYS": "0.5",
    }
    settings = StoreSettings.from_environment(env)
    assert settings == StoreSettings(tmp_path, 5 * MB, 100 * MB, 0.5 * 86400)
    assert StoreSettings.from_environment({"RNNVIZ_MODEL_STORE": "off"}) is None
    default = StoreSettings.from_environment({"RNNVIZ_CACHE_DIR": str(tmp_path)})
    assert default.folder == tmp_path / "model-store" and default.per_browser_bytes == 50 * MB
    with pytest.raises(ValueError, match="RNNVIZ_MODEL_STORE_DAYS"):
        StoreSettings.from_environment({"RNNVIZ_MODEL_STORE_DAYS": "forever"})
    with pytest.raises(ValueError, match="RNNVIZ_MODEL_STORE_MB_PER_BROWSER"):
        StoreSettings.from_environment({"RNNVIZ_MODEL_STORE_MB_PER_BROWSER": "0"})


def test_the_json_holds_only_the_name_kind_time_and_size(store):
    token = new_token()
    saved = store.save(token, "x", "uploaded", make_classifier())
    [info] = list(store.folder.rglob("*.json"))
    assert set(json.loads(info.read_text())) == {"name", "kind", "saved", "bytes"}
    assert info.stem == saved.entry


def test_control_values_round_trip_leave_out_what_json_cannot_hold_and_refuse_too_much(store):
    token, other = new_token(), new_token()
    assert store.load_controls(token) == {}  # nothing saved yet
    values = {"explore_sentence": "not <b>good</b> 🙂", "gates_epochs": 3, "lab_upload": ("a.txt", b"x")}
    assert store.save_controls(token, values)
    assert store.load_controls(token) == {"explore_sentence": "not <b>good</b> 🙂", "gates_epochs": 3}
    assert store.load_controls(other) == {}  # another browser sees none of them
    assert not store.save_controls(token, {"explore_sentence": "x" * (store_module.MAX_CONTROLS_BYTES + 1)})
    assert store.load_controls(token)["gates_epochs"] == 3  # the refused write changed nothing
    (_folder(store, token) / store_module.CONTROLS).write_text("{not json", encoding="utf-8")
    assert store.load_controls(token) == {}  # damaged: defaults, no crash
    assert store.list(token) == []  # the file is not a saved model
