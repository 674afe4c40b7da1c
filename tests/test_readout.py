"""Proves the readouts against torch: "mean" is the mean of nn.RNN/GRU/LSTM's outputs over each
sentence's real (non-padding) steps, "max" their maximum, "last" the final state, for a padded batch
of sentences of different lengths, one and two directions."""

import pytest
import torch

from rnnviz.core.models import pad_ids
from tests.conftest import make_classifier

TEXTS = ["the movie was not very good", "bad", "i do n't think it is great", "good film"]


def _torch_outputs(classifier, ids):
    """torch's own outputs [steps, directions * hidden] for one sentence run alone, no padding."""
    model = classifier.model
    outputs, final = model.rnn(model.embedding(torch.tensor([ids])))
    return outputs[0], final


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_mean_readout_is_the_mean_of_torch_outputs_over_real_steps(cell, bidirectional):
    classifier = make_classifier(cell=cell, readout="mean", bidirectional=bidirectional, num_layers=2)
    encoded = [classifier.vocab.encode(classifier.tokens_and_ids(text)[0]) for text in TEXTS]
    ids, lengths = pad_ids(encoded)  # [batch, steps]: three of the four rows are padded
    assert int((lengths < ids.shape[1]).sum()) == 3
    with torch.no_grad():
        vectors = classifier.model.encode(ids, lengths)
        for row, sentence in enumerate(encoded):
            outputs, _ = _torch_outputs(classifier, sentence)
            assert outputs.shape[0] == len(sentence)
            expected = outputs.mean(0)  # over the real steps only
            assert torch.allclose(vectors[row], expected, atol=1e-6)
            # padding counted in would give another vector: the test can tell
            padded = torch.cat([outputs, outputs.new_zeros(ids.shape[1] - len(sentence), outputs.shape[1])])
            if len(sentence) < ids.shape[1]:
                assert not torch.allclose(vectors[row], padded.mean(0), atol=1e-6)


@pytest.mark.parametrize("readout", ["max", "last"])
def test_max_and_last_readouts_match_torch(readout):
    classifier = make_classifier(cell="lstm", readout=readout, bidirectional=True)
    encoded = [classifier.vocab.encode(classifier.tokens_and_ids(text)[0]) for text in TEXTS]
    ids, lengths = pad_ids(encoded)
    with torch.no_grad():
        vectors = classifier.model.encode(ids, lengths)
        for row, sentence in enumerate(encoded):
            outputs, (h_n, _) = _torch_outputs(classifier, sentence)
            expected = outputs.amax(0) if readout == "max" else torch.cat([h_n[-2, 0], h_n[-1, 0]])
            assert torch.allclose(vectors[row], expected, atol=1e-6)
