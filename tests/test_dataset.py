"""Proves splits and batches are exact and seeded: stratified splits are disjoint, complete and
proportional; batches pad after each length, bucket by length and cover every example once; and
encoding never yields an empty sequence."""

import torch

from rnnviz.core.text import PAD_ID, Vocab
from rnnviz.data import dataset as data
from rnnviz.data.dataset import TextDataset, batches, stratified_split


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
