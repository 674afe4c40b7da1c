"""Proves the trainer learns with every cell type, is deterministic, obeys pause/resume/stop and
learning-rate changes from another thread, survives a NaN loss, and that the measures are right."""

import threading
import time

import numpy as np
import pytest
import torch

from rnnviz.core.models import Classifier
from rnnviz.data import dataset as data
from rnnviz.data.dataset import TextDataset, grammar_dataset, stratified_split
from rnnviz.training.config import PRIOR_DIMS, TrainConfig
from rnnviz.training.metrics import VaderBaseline, evaluate, pair_score
from rnnviz.training.trainer import Trainer, lexicon_prior

TINY = dict(embedding_dim=16, hidden_size=24, batch_size=32, lr=0.01, threads=1)


@pytest.fixture(scope="module")
def grammar_split():
    train, val, _ = stratified_split(grammar_dataset(4000, seed=1, n_words=4), 0.1, 0.0, seed=1)
    return train, val


def make_trainer(split, **settings) -> Trainer:
    config = TrainConfig(**{**TINY, "epochs": 1, **settings})
    return Trainer(config, *split)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_every_cell_type_beats_chance_on_the_grammar(grammar_split, cell):
    trainer = make_trainer(grammar_split, cell=cell, epochs=4, readout="max")  # max: plain RNNs learn faster
    classifier = trainer.run()
    state = trainer.state()
    assert state.status == "done" and state.best_epoch >= 1
    assert state.best_val_accuracy > 0.6  # chance is 0.5; 400 validation sentences
    val = grammar_split[1]
    assert evaluate(classifier, val.texts, val.labels).accuracy == pytest.approx(state.best_val_accuracy)


def test_same_seed_same_weights_other_seed_other_weights(grammar_split):
    small = (grammar_split[0].subset(range(600)), grammar_split[1])
    runs = [make_trainer(small, dropout=0.2, seed=seed) for seed in (7, 7, 8)]
    weights = [t.run().model.state_dict() for t in runs]
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    assert not torch.equal(weights[0]["head.weight"], weights[2]["head.weight"])
    losses = [[e.batch_loss for e in t.state().history if e.kind == "step"] for t in runs]
    assert losses[0] == losses[1] != losses[2]


def test_events_report_progress(grammar_split):
    events = []
    trainer = Trainer(TrainConfig(**TINY, epochs=2), *grammar_split, on_event=events.append)
    trainer.run()
    kinds = [e.kind for e in events]
    assert kinds[0] == "epoch" and kinds[-1] == "done" and kinds.count("epoch") == 3  # epochs 0, 1, 2
    steps = [e for e in events if e.kind == "step"]
    assert [e.step for e in steps] == list(range(1, trainer.total_steps + 1))
    assert all(e.examples_per_second > 0 and e.eta_seconds >= 0 and e.train_loss > 0 for e in steps)
    assert steps[-1].eta_seconds == 0
    assert trainer.state().history == tuple(events)
    assert trainer.result.meta["metrics"]["best_epoch"] == trainer.state().best_epoch


def test_pause_resume_and_stop_from_another_thread(grammar_split):
    trainer = make_trainer(grammar_split, epochs=50)
    worker = threading.Thread(target=trainer.run)
    worker.start()
    while trainer.state().step < 3:
        time.sleep(0.01)
    trainer.pause()
    time.sleep(0.1)  # let the step in flight finish
    paused_at = trainer.state().step
    time.sleep(0.3)
    assert trainer.state().status == "paused" and trainer.state().step == paused_at
    trainer.set_learning_rate(0.003)
    trainer.resume()
    while trainer.state().step < paused_at + 3:
        time.sleep(0.01)
    trainer.stop()
    worker.join(timeout=30)
    state = trainer.state()
    assert not worker.is_alive() and state.status == "stopped"
    assert state.step < trainer.total_steps
    assert state.history[-1].kind == "stopped" and "stopped after" in state.message
    steps = [e for e in state.history if e.kind == "step"]
    assert steps[0].lr == 0.01 and steps[-1].lr == 0.003
    assert isinstance(trainer.result, Classifier)
    with pytest.raises(RuntimeError, match="runs once"):
        trainer.run()


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_best_weights(grammar_split):
    snapshots = []

    def poison(event):  # early in epoch 2, a weight goes bad, as after an overflow
        if event.kind == "step" and event.epoch == 2 and event.step % 10 == 0:
            with torch.no_grad():
                trainer.model.head.bias.fill_(float("nan"))

    trainer = Trainer(
        TrainConfig(**TINY, epochs=3),
        *grammar_split,
        on_event=poison,
        on_epoch_end=lambda epoch, classifier: snapshots.append((epoch, classifier)),
    )
    result = trainer.run()
    state = trainer.state()
    assert state.status == "failed" and state.history[-1].kind == "error"
    assert "the loss became nan" in state.message and "learning rate" in state.message
    assert state.best_epoch == 1 and "kept the weights of epoch 1" in state.message
    best = dict(snapshots)[1].model.state_dict()
    assert all(torch.equal(result.model.state_dict()[k], best[k]) for k in best)
    assert np.isfinite(result.predict_proba(["the film was good"])).all()


def test_a_huge_learning_rate_never_leaves_broken_weights(grammar_split):
    trainer = make_trainer(grammar_split, lr=1e6, clip_norm=0.0)
    result = trainer.run()
    assert trainer.state().status in ("done", "failed")
    assert all(torch.isfinite(p).all() for p in result.model.parameters())
    assert np.isfinite(result.predict_proba(["not bad"])).all()


def test_per_epoch_snapshots_are_independent_copies(grammar_split):
    snapshots = []
    trainer = Trainer(
        TrainConfig(**TINY, epochs=2), *grammar_split, on_epoch_end=lambda e, c: snapshots.append(c)
    )
    trainer.run()
    assert len(snapshots) == 3
    first, last = snapshots[0].model.state_dict(), snapshots[-1].model.state_dict()
    assert not torch.equal(first["head.weight"], last["head.weight"])
    assert next(snapshots[0].model.parameters()).device.type == "cpu"


def test_lexicon_prior_columns_stay_fixed(grammar_split):
    trainer = make_trainer(grammar_split, lexicon_prior=True)
    assert "magnificently" in trainer.vocab  # from the lexicon, not from the training data
    classifier = trainer.run()
    weight = classifier.model.embedding.weight
    vocab = classifier.vocab
    assert weight[vocab.id("good"), :4].tolist() == pytest.approx([data.vader_lexicon()["good"] / 4] * 4)
    assert weight[vocab.id("n't"), 4] == 1 and weight[vocab.id("very"), 5] == 1
    assert weight[vocab.id("barely"), 5] == -1
    known = [vocab.id(word) for word in ("good", "n't", "very", "barely", "awful")]
    assert torch.equal(weight[known, :PRIOR_DIMS], lexicon_prior(vocab)[known])
    assert weight[vocab.id("film"), :PRIOR_DIMS].abs().sum() > 0  # unknown to VADER: learned


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (dict(cell="transformer"), "cell must be one of rnn_tanh, rnn_relu, gru, lstm"),
        (dict(device="tpu"), "device must be one of auto, cpu, cuda"),
        (dict(data=("wikipedia",)), "unknown data source 'wikipedia'; choose builtin, movies"),
        (dict(lr=0), "lr must be a number above 0"),
        (dict(epochs=0), "epochs must be a whole number from 1"),
        (dict(batch_size=2.5), "batch_size must be a whole number"),
        (dict(dropout=1.0), "dropout must be a number at least 0 and below 1"),
        (dict(lexicon_prior=True, embedding_dim=6), "lexicon_prior needs embedding_dim above 6"),
    ],
)
def test_bad_configs_say_what_is_allowed(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**settings)


def test_config_round_trips_through_a_dict():
    config = TrainConfig(data=("builtin", "movies"), cell="gru", lr=0.005)
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert TrainConfig(data="movies").data == ("movies",)


class Fixed:
    """A stand-in classifier that predicts a fixed label per text."""

    labels = ("negative", "positive")

    def __init__(self, answers: dict[str, int]) -> None:
        self.answers = answers

    def predict_proba(self, texts):
        return np.eye(2)[[self.answers[t] for t in texts]]


def test_evaluate_counts_right():
    model = Fixed({"a": 0, "b": 1, "c": 1, "d": 1})
    metrics = evaluate(model, ["a", "b", "c", "d"], ["negative", "negative", "positive", 1])
    assert metrics.accuracy == 0.75
    assert metrics.per_class_accuracy == {"negative": 0.5, "positive": 1.0}
    assert metrics.confusion == ((1, 1), (0, 2))
    with pytest.raises(ValueError, match="'neutral' is not one of the model's labels"):
        evaluate(model, ["a"], ["neutral"])


def test_pair_score_needs_both_sentences_right():
    model = Fixed({"good": 1, "not good": 0, "bad": 0, "not bad": 0})
    score = pair_score(model, [(("good", 1), ("not good", 0)), (("bad", 0), ("not bad", 1))])
    assert (score.n_pairs, score.both_right, score.sentence_accuracy) == (2, 0.5, 0.75)
    assert score.failures == (("bad", "not bad"),)


def test_vader_baseline_uses_the_compound_sign():
    vader = VaderBaseline()
    probabilities = vader.predict_proba(["what a great film", "what an awful film", "the film"])
    assert probabilities.argmax(-1).tolist() == [1, 0, 0]  # no lexicon word: compound 0 -> negative
    assert np.allclose(probabilities.sum(-1), 1)


def test_mixed_labels_are_refused():
    other = TextDataset(("x", "y"), (0, 1), ("cat", "dog"))
    with pytest.raises(ValueError, match="same label names"):
        Trainer(TrainConfig(), grammar_dataset(10), other)
