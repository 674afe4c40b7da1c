"""Proves rnnviz.analysis.batching against PyTorch: the padded ids, mask, lengths and packed data are
what pad_ids and pack_padded_sequence give, each packed row is labelled with the sentence and word it
holds, the packed run's final states equal each sentence run alone, and the padded run without
packing differs exactly for the sentences shorter than the longest."""

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.analysis.batching import pack_batch, run_batch
from rnnviz.core.text import PAD, PAD_ID, tokenize
from tests.conftest import make_classifier

TOLERANCE = 1e-5
TEXTS = ("not good", "the movie was not bad at all", "great")


def _batch(classifier, texts=TEXTS):
    return pack_batch(classifier, [tokenize(text) for text in texts])


def test_padding_mask_and_lengths():
    classifier = make_classifier(cell="lstm")
    batch = _batch(classifier)
    assert batch.ids.shape == (3, 7) and batch.lengths.tolist() == [2, 7, 1]
    assert batch.mask.sum(1).tolist() == [2, 7, 1] and batch.mask.dtype == bool
    assert (batch.ids[~batch.mask] == PAD_ID).all()
    assert batch.ids[0, :2].tolist() == classifier.vocab.encode(["not", "good"])
    assert batch.padded_tokens[2] == ["great"] + [PAD] * 6
    assert batch.tokens[1] == tokenize(TEXTS[1])


def test_packed_data_is_pack_padded_sequences_and_rows_are_labelled():
    classifier = make_classifier(cell="gru")
    batch = _batch(classifier)
    ids = torch.from_numpy(batch.ids)
    packed = pack_padded_sequence(ids, torch.tensor([2, 7, 1]), batch_first=True, enforce_sorted=False)
    np.testing.assert_array_equal(batch.data, packed.data.numpy())
    assert batch.batch_sizes.tolist() == [3, 2, 1, 1, 1, 1, 1] == packed.batch_sizes.tolist()
    assert batch.sorted_indices.tolist() == [1, 0, 2]  # longest first
    assert len(batch.rows) == len(batch.data) == 10
    assert batch.rows[:4] == [(1, 0), (0, 0), (2, 0), (1, 1)]
    for r, (b, t) in enumerate(batch.rows):
        assert batch.data[r] == batch.ids[b, t]
    # the embeddings the model runs on are packed in the same order
    embedded = classifier.model.embedding(ids)
    rows = pack_padded_sequence(
        embedded, torch.tensor([2, 7, 1]), batch_first=True, enforce_sorted=False
    ).data
    expected = torch.stack([embedded[b, t] for b, t in batch.rows])
    torch.testing.assert_close(rows, expected)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, True)])
def test_packed_final_states_equal_each_sentence_alone(cell, num_layers, bidirectional):
    classifier = make_classifier(seed=2, cell=cell, num_layers=num_layers, bidirectional=bidirectional)
    batch = _batch(classifier)
    run = run_batch(classifier, batch)
    dirs = 2 if bidirectional else 1
    assert run.packed.shape == run.alone.shape == run.padded.shape == (num_layers * dirs, 3, 6)
    assert (run.packed_difference < TOLERANCE).all()
    np.testing.assert_allclose(run.packed, run.alone, atol=TOLERANCE)
    for b, text in enumerate(TEXTS):  # "alone" is the sentence's own run, checked independently here
        ids = torch.tensor([classifier.vocab.encode(tokenize(text))])
        with torch.no_grad():
            _, final = classifier.model.rnn(classifier.model.embedding(ids))
        h_n = final[0] if isinstance(final, tuple) else final
        np.testing.assert_allclose(run.alone[:, b], h_n[:, 0].numpy(), atol=TOLERANCE)
    probabilities = classifier.predict_proba(list(TEXTS))
    np.testing.assert_allclose(run.probabilities_alone, probabilities, atol=TOLERANCE)
    np.testing.assert_allclose(run.probabilities_packed, probabilities, atol=TOLERANCE)
    # without packing the shorter sentences read <pad> columns: their final states are off
    assert run.padded_difference[0] > 1e-3 and run.padded_difference[2] > 1e-3
    assert run.padded_difference[1] < TOLERANCE  # the longest has no padding
    assert np.abs(run.probabilities_padded[[0, 2]] - probabilities[[0, 2]]).max() > 1e-6


def test_a_batch_needs_sentences_with_tokens():
    classifier = make_classifier()
    for bad in ([], [["good"], []]):
        with pytest.raises(ValueError, match="at least one"):
            pack_batch(classifier, bad)
    one = pack_batch(classifier, [["good"]])
    assert one.batch_sizes.tolist() == [1] and one.rows == [(0, 0)]
    assert run_batch(classifier, one).packed_difference[0] < TOLERANCE
