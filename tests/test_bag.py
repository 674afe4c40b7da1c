"""Proves the bag-of-embeddings baseline: its answer is the mean of the word vectors through the head
(checked against torch by hand), it is exactly (bit for bit) the same for every reordering of a
sentence while a recurrent network's is not, it saves and loads as safetensors of its own format
(which the recurrent loader refuses with a reason), and the Trainer trains it."""

import itertools
import random

import numpy as np
import pytest
import torch

from rnnviz.core import checkpoints
from rnnviz.core.models import BagConfig, BagOfEmbeddings, Classifier, bag_parameter_shapes
from rnnviz.core.text import Vocab
from rnnviz.data.dataset import TextDataset
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer
from tests.conftest import WORDS, make_classifier

SENTENCE = "i do not think the movie was very good but the film is awful".split()


def make_bag(seed: int = 0, **config) -> Classifier:
    torch.manual_seed(seed)
    vocab = Vocab.build([WORDS])
    bag = BagOfEmbeddings(
        BagConfig(vocab_size=len(vocab), labels=("negative", "positive"), embedding_dim=8, **config)
    )
    return Classifier(model=bag, vocab=vocab)


def orderings(tokens, count=40):
    shuffler = random.Random(0)
    found = [list(tokens), list(tokens[::-1])]
    for _ in range(count):
        shuffled = list(tokens)
        shuffler.shuffle(shuffled)
        found.append(shuffled)
    return [" ".join(words) for words in found]


def test_bag_is_the_mean_embedding_through_the_head():
    bag = make_bag()
    _, ids = bag.tokens_and_ids("the movie was not good")
    weights = bag.model.embedding.weight.detach()
    mean = weights[torch.tensor(ids)].mean(0)
    logits = bag.model.head.weight.detach() @ mean + bag.model.head.bias.detach()
    expected = torch.softmax(logits, -1).numpy()
    assert np.abs(bag.predict_proba(["the movie was not good"])[0] - expected).max() <= 1e-6


def test_bag_gives_every_reordering_exactly_the_same_probabilities():
    bag = make_bag()
    texts = orderings(SENTENCE)
    together = bag.predict_proba(texts)  # one padded batch
    alone = np.concatenate([bag.predict_proba([text]) for text in texts])
    mixed = bag.predict_proba(["bad", *texts, "good film"])[1:-1]  # padded wider than the sentence
    for probabilities in (together, alone, mixed):
        assert (probabilities == together[0]).all()  # exact, not approximately


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru", "lstm"])
def test_a_recurrent_network_answers_reorderings_differently(cell):
    recurrent = make_classifier(cell=cell)
    probabilities = recurrent.predict_proba(orderings(SENTENCE, 5))
    assert len({tuple(row) for row in probabilities}) == len(probabilities)


def test_bag_prefixes_are_running_means():
    bag = make_bag()
    tokens, ids = bag.tokens_and_ids(" ".join(SENTENCE))
    one_by_one = bag.predict_proba([" ".join(tokens[: t + 1]) for t in range(len(tokens))])
    assert np.abs(bag.prefix_proba(ids) - one_by_one).max() <= 1e-6


def test_bag_checkpoint_round_trip_and_refusals(tmp_path):
    bag = make_bag(dropout=0.2)
    path = tmp_path / "bag.safetensors"
    checkpoints.save(bag, path)
    loaded = checkpoints.load_bag(path)
    assert loaded.config == bag.config
    assert set(loaded.model.state_dict()) == set(bag_parameter_shapes(bag.config))
    texts = orderings(SENTENCE, 3)
    assert np.array_equal(loaded.predict_proba(texts), bag.predict_proba(texts))
    with pytest.raises(
        checkpoints.CheckpointError, match="bag-of-embeddings baseline, which has no recurrent"
    ):
        checkpoints.load(path)
    recurrent = tmp_path / "lstm.safetensors"
    checkpoints.save(make_classifier(), recurrent)
    with pytest.raises(checkpoints.CheckpointError, match="not a bag-of-embeddings baseline"):
        checkpoints.load_bag(recurrent)


def test_bag_config_is_validated():
    with pytest.raises(ValueError, match="embedding_dim must be a whole number"):
        BagConfig(vocab_size=10, labels=("a", "b"), embedding_dim=0)
    with pytest.raises(ValueError, match="unknown fields"):
        BagConfig.from_dict({"vocab_size": 10, "labels": ["a", "b"], "cell": "lstm"})
    with pytest.raises(ValueError, match="prefix_calm needs a recurrent network"):
        TrainConfig(network="bag", prefix_calm=0.5)


def test_the_trainer_trains_a_bag():
    words = {"good": 1, "great": 1, "bad": 0, "awful": 0}
    texts = [f"the {subject} was {word}" for subject, word in itertools.product(("movie", "film"), words)]
    labels = [words[text.split()[-1]] for text in texts]
    data = TextDataset(texts=texts * 8, labels=labels * 8, label_names=("negative", "positive"))
    config = TrainConfig(network="bag", embedding_dim=8, epochs=30, lr=0.05, batch_size=16, device="cpu")
    trainer = Trainer(config, data, data)
    classifier = trainer.run()
    assert isinstance(classifier.model, BagOfEmbeddings)
    assert classifier.meta["settings"]["network"] == "bag"
    assert classifier.predict_proba(["the movie was great", "the film was awful"]).argmax(1).tolist() == [
        1,
        0,
    ]
