"""Saving and loading classifiers: one .safetensors file, never a pickle.

File layout: the safetensors tensors are the SentenceClassifier's state dict; the
safetensors metadata (a str -> str map in the file header) holds

    "format"   "rnnviz-classifier"
    "version"  "1"
    "config"   ModelConfig as JSON
    "vocab"    the vocabulary as a JSON list (index = token id)
    "meta"     free-form JSON about training (data, metrics, date)

so a checkpoint is a single file to download, upload or send. The word-order baseline (a
BagOfEmbeddings, no recurrent layer) is saved the same way with "format" "rnnviz-bag" and a
BagConfig; it is read only by `load_baseline`, and `from_bytes` refuses it with that explanation
(the model picker's pages look inside recurrent networks). Loading parses only
that header and raw little-endian tensors; anything else (a torch.save/pickle file,
a zip, a truncated or random file, shapes that disagree with the config, a vocabulary
that disagrees with the embedding) raises CheckpointError with one sentence naming
the problem. Writes go to a temporary file in the same folder and are renamed into
place, so an interrupted save leaves any previous file intact.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from rnnviz.core import files
from rnnviz.core.markup import QUOTE_CHARS, clip, listed
from rnnviz.core.models import (
    BagConfig,
    BagOfEmbeddings,
    Classifier,
    ModelConfig,
    SentenceClassifier,
    bag_parameter_shapes,
    parameter_shapes,
)
from rnnviz.core.text import Vocab

_LOG = logging.getLogger(__name__)

FORMAT = "rnnviz-classifier"
BAG_FORMAT = "rnnviz-bag"  # the bag-of-embeddings baseline
VERSION = "1"
MAX_BYTES = 200 * 1024 * 1024  # refuse anything larger before reading it
# The shipped models are package data (rnnviz/resources/models); RNNVIZ_MODELS_DIR points
# elsewhere (tests use small stand-ins). Their card is models/README.md in the repository.
SHIPPED_DIR = Path(str(resources.files("rnnviz").joinpath("resources", "models")))
MODELS_DIR = Path(os.environ.get("RNNVIZ_MODELS_DIR") or SHIPPED_DIR)
# The shipped default models, by the name the app and the CLI use for them.
SHIPPED = {
    "lstm": "lstm.safetensors",
    "gru": "gru.safetensors",
    "rnn": "rnn.safetensors",
    "bilstm": "bilstm.safetensors",
}
# Shipped baselines, beside the models but not in the model picker: no recurrent layer to look inside.
BASELINES = {"bag": "bag.safetensors"}
CARD_FILE = "card.json"  # the model card's numbers, for the app (see read_card)


# Tensor types a checkpoint may hold; they are converted to float32 on load. Others (float8,
# integers, complex) are refused with a message rather than failing deep inside torch.
WEIGHT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
PROBE_TOKENS = ("the", "movie", "was", "not", "good", "!")  # run once on load: outputs must be finite
MAX_LABEL_CHARS = 40  # a label is shown in captions and chart legends: longer ones are refused
Limits = Callable[[ModelConfig], list[str]]  # a config -> why it is too large for this server, or []


class CheckpointError(ValueError):
    """A file that is not a valid rnnviz checkpoint; the message says why."""


def to_bytes(classifier: Classifier) -> bytes:
    """The checkpoint file's bytes (for downloads and `save`)."""
    state = {
        name: tensor.detach().to("cpu").contiguous() for name, tensor in classifier.model.state_dict().items()
    }
    metadata = {
        "format": BAG_FORMAT if isinstance(classifier.model, BagOfEmbeddings) else FORMAT,
        "version": VERSION,
        "config": json.dumps(classifier.config.to_dict()),
        "vocab": classifier.vocab.to_json(),
        "meta": json.dumps(classifier.meta or {}, ensure_ascii=False),
    }
    return save_safetensors(state, metadata=metadata)


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide shipped models from other users
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(classifier: Classifier, path: str | os.PathLike) -> None:
    """Save `classifier` to `path` atomically."""
    write_atomic(path, to_bytes(classifier))


def _sniff(data: bytes) -> str | None:
    """A name for well-known non-safetensors formats, from their first bytes."""
    if data[:2] == b"PK":
        return "a zip archive (torch.save writes these); rnnviz never unpickles files"
    if data[:1] == b"\x80" and len(data) > 1 and data[1:2] in b"\x02\x03\x04\x05":
        return "a Python pickle; rnnviz never unpickles files"
    if data[:1] in (b"{", b"["):
        return "JSON text, not a safetensors file"
    return None


def _tensor_bytes(header: object) -> int:
    """How many bytes of tensor data a safetensors header describes (0 when it is malformed:
    the parser then names the problem)."""
    if not isinstance(header, dict):
        return 0
    ends = [0]
    for key, entry in header.items():
        offsets = entry.get("data_offsets") if key != "__metadata__" and isinstance(entry, dict) else None
        if isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets):
            ends.append(offsets[1])
    return max(ends)


def from_bytes(data: bytes, name: str = "the file", limits: Limits | None = None) -> Classifier:
    """Validate and load a recurrent classifier's checkpoint from its bytes; with `limits`, refuse
    a model whose config they find too large before building it. Raises CheckpointError, and only
    that: anything unforeseen becomes a CheckpointError saying the file could not be read."""
    return _guarded(data, name, limits, bag=False)


def bag_from_bytes(data: bytes, name: str = "the file") -> Classifier:
    """Validate and load a bag-of-embeddings baseline from its bytes (see `from_bytes`)."""
    return _guarded(data, name, None, bag=True)


def _guarded(data: bytes, name: str, limits: Limits | None, bag: bool) -> Classifier:
    name = clip(name)
    try:
        return _from_bytes(data, name, limits, bag)
    except CheckpointError:
        raise
    except Exception:  # a parser's or torch's surprise (RecursionError, NotImplementedError, ...)
        _LOG.exception("unexpected failure reading checkpoint %s", name)
        raise CheckpointError(f"{name} could not be read as an rnnviz checkpoint") from None


def _from_bytes(data: bytes, name: str, limits: Limits | None, bag: bool) -> Classifier:
    if len(data) == 0:
        raise CheckpointError(f"{name} is empty")
    if len(data) > MAX_BYTES:
        raise CheckpointError(f"{name} is larger than {MAX_BYTES // 2**20} MB")
    known = _sniff(data)
    if known:
        raise CheckpointError(f"{name} is {known}: upload a .safetensors checkpoint saved by rnnviz")
    if len(data) < 8:
        raise CheckpointError(f"{name} is too short to be a safetensors file (truncated?)")
    header_size = int.from_bytes(data[:8], "little")
    if header_size == 0 or header_size > len(data) - 8:
        raise CheckpointError(f"{name} is not a safetensors file, or it is truncated")
    try:
        header = json.loads(data[8 : 8 + header_size])
    except ValueError:  # UnicodeDecodeError is a ValueError
        raise CheckpointError(f"{name} is not a safetensors file (its header is not JSON text)") from None
    except RecursionError:  # JSON nested thousands of levels deep
        raise CheckpointError(f"{name} has a header nested too deeply to be a checkpoint") from None
    needed = 8 + header_size + _tensor_bytes(header)
    if needed > len(data):  # a download or copy cut short: say so, not the parser's words
        raise CheckpointError(
            f"{name} is truncated: it has {len(data):,} bytes, its header describes {needed:,}"
        )
    try:
        tensors = load_safetensors(data)
    except (SafetensorError, ValueError, TypeError):  # the parser's words name its internals
        raise CheckpointError(
            f"{name} is not a valid safetensors file (its header does not describe its tensors)"
        ) from None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    found = metadata.get("format") if isinstance(metadata, dict) else None
    if found == BAG_FORMAT and not bag:
        raise CheckpointError(
            f"{name} is a bag-of-embeddings baseline, which has no recurrent layer to look inside "
            "(the Word order page shows the shipped one): choose a recurrent classifier"
        )
    if found != (BAG_FORMAT if bag else FORMAT):
        what = "a bag-of-embeddings baseline" if bag else "an rnnviz classifier"
        raise CheckpointError(f"{name} is a safetensors file but not {what}")
    if metadata.get("version") != VERSION:
        raise CheckpointError(
            f"{name} has checkpoint version {clip(metadata.get('version'))}; this rnnviz reads {VERSION}"
        )
    try:
        config = (BagConfig if bag else ModelConfig).from_dict(json.loads(metadata["config"]))
        vocab = Vocab.from_json(metadata["vocab"])
        meta = json.loads(metadata.get("meta", "{}"))
    except KeyError as error:
        raise CheckpointError(f"{name} has no {clip(error.args[0], 20)} in its metadata") from None
    except TypeError:
        raise CheckpointError(f"{name} has a broken config or vocabulary") from None
    except ValueError as error:
        raise CheckpointError(f"{name} has a broken config or vocabulary: {_short(error)}") from None
    except RecursionError:
        raise CheckpointError(f"{name} has a config or vocabulary nested too deeply to read") from None
    long_labels = [label for label in config.labels if len(label) > MAX_LABEL_CHARS]
    if long_labels:
        raise CheckpointError(
            f"{name}: the label {clip(long_labels[0], 40)} is longer than {MAX_LABEL_CHARS} characters"
        )
    if len(vocab) != config.vocab_size:
        raise CheckpointError(
            f"{name}: the vocabulary has {len(vocab)} tokens but the config says {config.vocab_size}"
        )
    # checked before a model of that size is built
    expected = bag_parameter_shapes(config) if bag else parameter_shapes(config)
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise CheckpointError(
            f"{name}: tensors do not match the config (missing {listed(missing)}, unexpected {listed(extra)})"
        )
    for key, tensor in tensors.items():
        if tuple(tensor.shape) != expected[key]:
            raise CheckpointError(
                f"{name}: tensor {key} has shape {clip(list(tensor.shape))}, "
                f"the config needs {list(expected[key])}"
            )
        if tensor.dtype not in WEIGHT_DTYPES:
            kinds = ", ".join(str(dtype).removeprefix("torch.") for dtype in WEIGHT_DTYPES)
            raise CheckpointError(
                f"{name}: tensor {key} is {str(tensor.dtype).removeprefix('torch.')}; expected {kinds}"
            )
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{name}: tensor {key} contains NaN or infinite values")
    too_large = limits(config) if limits is not None else []
    if too_large:
        raise CheckpointError(f"{name} is a larger model than this server takes: {'; '.join(too_large)}")
    model = (BagOfEmbeddings if bag else SentenceClassifier)(
        config
    )  # now as large as the tensors that fill it, which the file holds
    model.load_state_dict({key: tensor.to(torch.float32) for key, tensor in tensors.items()})
    model.requires_grad_(False)
    classifier = Classifier(model=model, vocab=vocab, meta=meta if isinstance(meta, dict) else {})
    _check_outputs(classifier, name)
    return classifier


def _check_outputs(classifier: Classifier, name: str) -> None:
    """Finite weights can still overflow (3e38 times anything): run a probe sentence through
    the model and refuse it unless every probability after every word is a number."""
    probabilities = classifier.prefix_proba(classifier.vocab.encode(PROBE_TOKENS))
    if not np.isfinite(probabilities).all():
        raise CheckpointError(
            f"{name}: its weights overflow: the model answers NaN or infinity for '{' '.join(PROBE_TOKENS)}'"
        )


def _short(error: BaseException, limit: int = 2 * QUOTE_CHARS) -> str:
    """An error's words, cut to `limit` characters (a parser may quote a whole header)."""
    return clip(str(error), limit)


def _read_checkpoint(path: Path) -> bytes:
    """A checkpoint file's bytes, at most MAX_BYTES. Raises CheckpointError."""
    try:
        return files.read_capped(path, MAX_BYTES, "checkpoint file")
    except files.FileProblem as problem:
        raise CheckpointError(str(problem)) from None


def load(path: str | os.PathLike) -> Classifier:
    """Load a checkpoint file (see the module docstring). Raises CheckpointError."""
    path = Path(path)
    return from_bytes(_read_checkpoint(path), path.name)


def resolve(name_or_path: str) -> Path:
    """A shipped model's name ('lstm', 'gru', 'rnn') or a path -> the checkpoint path."""
    if name_or_path in SHIPPED:
        return MODELS_DIR / SHIPPED[name_or_path]
    return Path(name_or_path)


def load_classifier(name_or_path: str | os.PathLike) -> Classifier:
    """Public entry point: a shipped model by name or a checkpoint by path.

    The result has `.labels` and `.predict_proba(texts) -> ndarray [n, n_labels]`.
    """
    return load(resolve(os.fspath(name_or_path)))


def load_bag(path: str | os.PathLike) -> Classifier:
    """Load a bag-of-embeddings baseline's file. Raises CheckpointError."""
    path = Path(path)
    return bag_from_bytes(_read_checkpoint(path), path.name)


def load_baseline(name: str = "bag") -> Classifier:
    """A shipped baseline by name (BASELINES), from MODELS_DIR. Raises CheckpointError."""
    return load_bag(MODELS_DIR / BASELINES[name])


def read_card(folder: str | os.PathLike | None = None) -> dict[str, dict[str, float]]:
    """The shipped models' test accuracies from the model card's data (CARD_FILE in the models
    folder, written by rnnviz.tools.defaults with models/README.md): {model name: {source:
    accuracy}}, e.g. card["lstm"]["movies"]. {} when the folder has no card or it is unreadable."""
    path = Path(folder or MODELS_DIR) / CARD_FILE
    try:
        card = json.loads(files.read_capped(path, 2**20, "model card"))
    except (files.FileProblem, ValueError, RecursionError):
        return {}
    accuracy = card.get("test_accuracy") if isinstance(card, dict) else None
    if not isinstance(accuracy, dict):
        return {}
    return {
        str(name): {str(k): float(v) for k, v in values.items() if isinstance(v, (int, float))}
        for name, values in accuracy.items()
        if isinstance(values, dict)
    }
