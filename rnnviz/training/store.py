"""The model store: the models one browser trained or uploaded, kept on the server's disk under that
browser's token, so that a reload, a new tab or a restarted (or another) replica finds them again.

Layout under the store's folder (no file or folder name ever comes from user input):

    <owner>/                 owner = SHA-256 of the browser's token, in hex: a listing of the store
                             does not give tokens away, and no token can name another's folder
    <owner>/<entry>.safetensors   the checkpoint (rnnviz.core.checkpoints), written atomically
    <owner>/<entry>.json          {"name": picker name, "kind": "trained" | "uploaded",
                                   "saved": unix time, "bytes": size of the checkpoint}
    <owner>/seen             touched whenever the browser lists its models: expiry counts from it
    <owner>/controls.json    the browser's control values ({control key: JSON value}), written
                             when one changes, read by a replica that takes the browser over

<entry> is 16 random hex digits. An entry exists once its JSON does: the checkpoint is written
first, the JSON second, and deleting removes the JSON first, so a reader never sees half an entry.
Replicas share the store when its folder is shared (a network file system, say): every answer is
read from disk, nothing is cached in a process. The caps are checked before each write; two
replicas writing at the same moment may overshoot a cap by one model.

Settings ($RNNVIZ_MODEL_STORE..., see `StoreSettings.from_environment`): the folder ("off" turns
the store off), megabytes per browser and in all, and the days a browser's models are kept after
it last opened the app. `ModelStore.cleanup` (run once when a server starts) deletes what expired.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from rnnviz.core import files
from rnnviz.training.settings import env_number

if TYPE_CHECKING:
    from rnnviz.core.models import Classifier

STORE_ENV = "RNNVIZ_MODEL_STORE"  # the store's folder; "off" turns it off
PER_BROWSER_ENV = "RNNVIZ_MODEL_STORE_MB_PER_BROWSER"
TOTAL_ENV = "RNNVIZ_MODEL_STORE_MB"
DAYS_ENV = "RNNVIZ_MODEL_STORE_DAYS"
PER_BROWSER_MB = 50.0  # ten trained models of the largest size the Train page allows
TOTAL_MB = 2000.0
DAYS = 30.0

Kind = Literal["trained", "uploaded"]
KINDS: tuple[Kind, ...] = ("trained", "uploaded")
MAX_NAME_CHARS = 60  # as the picker shows them (rnnviz.ui.models.MAX_NAME_CHARS)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")  # secrets.token_urlsafe's alphabet, >= 192 bits
_ENTRY = re.compile(r"[0-9a-f]{16}")
_OWNER = re.compile(r"[0-9a-f]{64}")
SEEN = "seen"
CONTROLS = "controls.json"
MAX_CONTROLS_BYTES = 64 * 1024  # a few dozen controls and sentences; more is not ours
STALE_TEMP_SECONDS = 3600.0  # a temporary file this old belongs to a write that died


class StoreError(ValueError):
    """The store cannot do what was asked; the message says why in plain words."""


class StoreFull(StoreError):
    """Saving would pass a cap; the message says which and what to do."""


def new_token() -> str:
    """A fresh browser token: 43 URL-safe characters, 256 random bits."""
    return secrets.token_urlsafe(32)


def valid_token(token: object) -> bool:
    """Whether `token` has the shape of a token (`new_token`'s alphabet, 32-128 characters)."""
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def _owner(token: str) -> str:
    if not valid_token(token):
        raise StoreError("not a valid browser token")
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def default_folder(environ: Mapping[str, str] = os.environ) -> Path:
    """<cache>/model-store, where <cache> is $RNNVIZ_CACHE_DIR, else $XDG_CACHE_HOME/rnnviz, else
    ~/.cache/rnnviz (the corpora's cache, rnnviz.data.corpora)."""
    if environ.get("RNNVIZ_CACHE_DIR"):
        return Path(environ["RNNVIZ_CACHE_DIR"]).expanduser() / "model-store"
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]).expanduser() / "rnnviz" / "model-store"
    return Path.home() / ".cache" / "rnnviz" / "model-store"


def _checkpoints():
    """rnnviz.core.checkpoints, imported on first use: it imports torch, which the browser-token
    middleware (rnnviz.ui.token_cookie: settings and tokens only) must not wait for."""
    from rnnviz.core import checkpoints

    return checkpoints


@dataclass(frozen=True)
class StoreSettings:
    """Where the store lives and how much it keeps for how long."""

    folder: Path  # shared by every replica that should find the same models
    per_browser_bytes: int  # one browser's models together
    total_bytes: int  # every browser's models together
    max_age_seconds: float  # a browser's models are deleted this long after it last listed them

    def __post_init__(self) -> None:
        problems = []
        if self.per_browser_bytes < 1:
            problems.append(f"per_browser_bytes must be positive, got {self.per_browser_bytes}")
        if self.total_bytes < 1:
            problems.append(f"total_bytes must be positive, got {self.total_bytes}")
        if not self.max_age_seconds > 0:
            problems.append(f"max_age_seconds must be positive, got {self.max_age_seconds}")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> StoreSettings | None:
        """$RNNVIZ_MODEL_STORE (a folder; default `default_folder()`; "off": no store, None),
        $RNNVIZ_MODEL_STORE_MB_PER_BROWSER (default 50), $RNNVIZ_MODEL_STORE_MB (default 2000)
        and $RNNVIZ_MODEL_STORE_DAYS (default 30). ValueError names a bad value."""
        raw = environ.get(STORE_ENV, "").strip()
        if raw.lower() == "off":
            return None
        mb = 2**20
        return cls(
            folder=Path(raw).expanduser() if raw else default_folder(environ),
            per_browser_bytes=int(env_number(environ, PER_BROWSER_ENV, PER_BROWSER_MB, 0.001) * mb),
            total_bytes=int(env_number(environ, TOTAL_ENV, TOTAL_MB, 0.001) * mb),
            max_age_seconds=env_number(environ, DAYS_ENV, DAYS, 0.0001) * 86400,
        )


@dataclass(frozen=True)
class StoredModel:
    """One saved model of one browser, as listed."""

    entry: str  # 16 hex digits: the file names' stem
    name: str  # as the picker showed it when it was saved (plain text, at most 60 characters)
    kind: Kind
    saved: float  # unix time
    bytes: int  # size of the checkpoint file


class Cleanup(NamedTuple):
    """What `ModelStore.cleanup` deleted."""

    browsers: int  # whole browsers' folders that expired
    files: int  # leftovers: temporary files of writes that died, checkpoints without an entry


def _megabytes(n: int) -> str:
    """A size in words: '4.2 MB', or '12 kB' below a tenth of a megabyte."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 // 10 else f"{n / 1024:.0f} kB"


class ModelStore:
    """Save, list, load and delete one browser's models by its token (see the module docstring)."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self.folder = Path(settings.folder)

    # ------------------------------------------------------------------ paths

    def _browser_folder(self, token: str) -> Path:
        return self.folder / _owner(token)

    def _entry_paths(self, token: str, entry: str) -> tuple[Path, Path]:
        if not (isinstance(entry, str) and _ENTRY.fullmatch(entry)):
            raise StoreError("not a saved model's id")
        folder = self._browser_folder(token)
        return folder / f"{entry}.safetensors", folder / f"{entry}.json"

    # ------------------------------------------------------------------ reading

    def list(self, token: str) -> list[StoredModel]:
        """The browser's saved models, oldest first; marks the browser as seen (expiry starts
        again). A token that saved nothing has none."""
        folder = self._browser_folder(token)
        if not folder.is_dir():
            return []
        (folder / SEEN).touch()
        return self._entries(folder)

    def _entries(self, folder: Path) -> list[StoredModel]:
        found = []
        for path in folder.glob("*.json"):
            entry = path.stem
            if not _ENTRY.fullmatch(entry) or not (folder / f"{entry}.safetensors").is_file():
                continue
            try:
                info = json.loads(path.read_text(encoding="utf-8"))
                found.append(
                    StoredModel(
                        entry=entry,
                        name=str(info["name"])[:MAX_NAME_CHARS],
                        kind=info["kind"] if info["kind"] in KINDS else "trained",
                        saved=float(info["saved"]),
                        bytes=int(info["bytes"]),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # deleted while listed, or not ours: not an entry
        return sorted(found, key=lambda model: (model.saved, model.entry))

    def load(self, token: str, entry: str) -> Classifier:
        """The saved model `entry` of this browser. StoreError when it is not there (another
        browser's entry is not there either); CheckpointError when its file is damaged."""
        weights, info = self._entry_paths(token, entry)
        if not info.is_file() or weights.is_symlink():
            raise StoreError("this saved model is gone (deleted, or expired)")
        try:
            data = files.read_capped(weights, _checkpoints().MAX_BYTES, "checkpoint file")
        except files.FileProblem:
            raise StoreError("this saved model is gone (deleted, or expired)") from None
        return _checkpoints().from_bytes(data, "a saved model")

    def usage(self, token: str) -> int:
        """Bytes this browser's saved models take."""
        folder = self._browser_folder(token)
        return sum(model.bytes for model in self._entries(folder)) if folder.is_dir() else 0

    def total_usage(self) -> int:
        """Bytes every file in the store takes."""
        total = 0
        for dirpath, _, filenames in os.walk(self.folder):
            for filename in filenames:
                with contextlib.suppress(OSError):  # deleted while counted
                    total += os.lstat(os.path.join(dirpath, filename)).st_size
        return total

    # ------------------------------------------------------------------ writing

    def save(self, token: str, name: str, kind: Kind, classifier: Classifier) -> StoredModel:
        """Keep `classifier` for this browser under the picker name `name` (plain text; cut to
        60 characters). StoreFull when a cap would be passed (nothing is written then)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        checkpoints = _checkpoints()
        data = checkpoints.to_bytes(classifier)
        cap, total_cap = self.settings.per_browser_bytes, self.settings.total_bytes
        used = self.usage(token)
        if used + len(data) > cap:
            raise StoreFull(
                f"this model ({_megabytes(len(data))}) does not fit in the {_megabytes(cap)} this "
                f"server keeps per browser ({_megabytes(used)} used): delete a saved model to keep it"
            )
        if self.total_usage() + len(data) > total_cap:
            raise StoreFull(
                f"the server's model store is full ({_megabytes(total_cap)}): this model is kept "
                "until this tab is closed; ask the teacher to make room"
            )
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # others' models are not ours to read
        entry = secrets.token_hex(8)
        weights, info = self._entry_paths(token, entry)
        model = StoredModel(
            entry=entry,
            name=" ".join(str(name).split())[:MAX_NAME_CHARS] or "model",
            kind=kind,
            saved=time.time(),
            bytes=len(data),
        )
        checkpoints.write_atomic(weights, data)
        record = {"name": model.name, "kind": model.kind, "saved": model.saved, "bytes": model.bytes}
        checkpoints.write_atomic(info, json.dumps(record, ensure_ascii=False).encode("utf-8"))
        (weights.parent / SEEN).touch()
        return model

    def delete(self, token: str, entry: str) -> bool:
        """Delete one saved model of this browser; False when it was not there."""
        weights, info = self._entry_paths(token, entry)
        existed = info.is_file()
        info.unlink(missing_ok=True)  # the entry is gone from every listing from here on
        weights.unlink(missing_ok=True)
        return existed

    def delete_all(self, token: str) -> int:
        """Delete every saved model of this browser (and its folder); how many there were."""
        folder = self._browser_folder(token)
        if not folder.is_dir():
            return 0
        count = len(self._entries(folder))
        shutil.rmtree(folder, ignore_errors=True)
        return count

    def save_controls(self, token: str, values: Mapping[str, object]) -> bool:
        """Keep the browser's control values (JSON-ready ones; others are left out), so that the
        replica that takes over a killed one's browser starts from them. False when they do not
        fit in MAX_CONTROLS_BYTES (nothing is written then)."""
        kept = {}
        for key, value in values.items():
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                continue  # bytes of an upload, say: only this session has them
            kept[str(key)] = value
        data = json.dumps(kept, ensure_ascii=False, sort_keys=True).encode("utf-8")
        if len(data) > MAX_CONTROLS_BYTES:
            return False
        folder = self._browser_folder(token)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _checkpoints().write_atomic(folder / CONTROLS, data)
        return True

    def load_controls(self, token: str) -> dict[str, object]:
        """The browser's control values as last saved; {} when there are none or the file is
        damaged or too big (a reader validates each value before use)."""
        path = self._browser_folder(token) / CONTROLS
        try:
            values = json.loads(files.read_capped(path, MAX_CONTROLS_BYTES, "controls file"))
        except (files.FileProblem, OSError, ValueError):
            return {}
        return values if isinstance(values, dict) else {}

    # ------------------------------------------------------------------ upkeep

    def cleanup(self, now: float | None = None) -> Cleanup:
        """Delete the browsers not seen for `max_age_seconds`, temporary files of writes that
        died and checkpoints whose entry is missing; anything not named like the store's own
        files is left alone. Run when a server starts; safe while other replicas work."""
        now = time.time() if now is None else now
        browsers = leftovers = 0
        if not self.folder.is_dir():
            return Cleanup(0, 0)
        for folder in self.folder.iterdir():
            if not _OWNER.fullmatch(folder.name) or folder.is_symlink() or not folder.is_dir():
                continue
            seen = folder / SEEN
            try:
                last = seen.stat().st_mtime if seen.exists() else folder.stat().st_mtime
            except OSError:
                continue
            if now - last > self.settings.max_age_seconds:
                shutil.rmtree(folder, ignore_errors=True)
                browsers += 1
                continue
            for path in folder.iterdir():
                try:
                    age = now - path.lstat().st_mtime
                except OSError:
                    continue
                temporary = path.name.startswith(".") and path.name.endswith(".tmp")
                orphan = (
                    path.suffix == ".safetensors"
                    and _ENTRY.fullmatch(path.stem) is not None
                    and not path.with_suffix(".json").exists()
                )
                if (temporary or orphan) and age > STALE_TEMP_SECONDS:
                    path.unlink(missing_ok=True)
                    leftovers += 1
        return Cleanup(browsers, leftovers)
