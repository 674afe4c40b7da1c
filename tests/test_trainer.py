"""Proves the trainer learns with every cell type, is deterministic, obeys pause/resume/stop and
learning-rate changes from another thread, survives a NaN loss, keeps the lexicon prior fixed, builds
the vocabulary it documents (lexicon words reserved, ties by first appearance) and calms neutral prefixes."""

import threading
import time

import numpy as np
import pytest
import torch

from rnnviz.core.models import Classifier, SentenceClassifier
from rnnviz.data.dataset import TextDataset, stratified_split
from rnnviz.data.grammar import grammar_dataset
from rnnviz.data.lexicon import vader_lexicon
from rnnviz.training.config import PRIOR_DIMS, TrainConfig
from rnnviz.training.metrics import evaluate
from rnnviz.training.trainer import (
    Trainer,
    build_vocab,
    calm_prefix_lengths,
    calm_target,
    fresh_prefix_calm_loss,
    lexicon_prior,
    lexicon_words,
    neutral_token_ids,
    prefix_calm_loss,
)

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
    trainer = make_trainer(grammar_split, cell=cell, epochs=8, readout="max")  # max: plain RNNs learn faster
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
    assert weight[vocab.id("good"), :4].tolist() == pytest.approx([vader_lexicon()["good"] / 4] * 4)
    assert weight[vocab.id("n't"), 4] == 1 and weight[vocab.id("very"), 5] == 1
    assert weight[vocab.id("barely"), 5] == -1
    known = [vocab.id(word) for word in ("good", "n't", "very", "barely", "awful")]
    assert torch.equal(weight[known, :PRIOR_DIMS], lexicon_prior(vocab)[known])
    assert weight[vocab.id("film"), :PRIOR_DIMS].abs().sum() > 0  # unknown to VADER: learned


def test_mixed_labels_are_refused():
    other = TextDataset(("x", "y"), (0, 1), ("cat", "dog"))
    with pytest.raises(ValueError, match="same label names"):
        Trainer(TrainConfig(), grammar_dataset(10), other)


def test_vocabulary_reserves_the_lexicon_then_keeps_ties_in_first_seen_order():
    train = TextDataset(("zebra apple mango", "apple zebra kiwi"), (0, 1))
    plain = build_vocab(TrainConfig(max_vocab=4), train)
    assert plain.tokens == ("<pad>", "<unk>", "zebra", "apple")  # both seen twice; zebra came first
    assert build_vocab(TrainConfig(max_vocab=5), train).tokens[4] == "mango"  # not "kiwi", the alphabet's
    reserved = len(lexicon_words()) + 2
    with_prior = build_vocab(TrainConfig(embedding_dim=16, lexicon_prior=True, max_vocab=reserved + 1), train)
    assert with_prior.tokens[2:reserved] == lexicon_words() and with_prior.tokens[reserved:] == ("zebra",)
    assert {"abhor", "abusive", "appall"} <= set(with_prior.tokens)
    with pytest.raises(ValueError, match="max_vocab"):
        build_vocab(TrainConfig(embedding_dim=16, lexicon_prior=True, max_vocab=100), train)


def test_neutral_tokens_are_those_without_valence_and_negators():
    train = TextDataset(("the movie was not good", "no bad"), (1, 0))
    vocab = build_vocab(TrainConfig(), train)
    neutral = dict(zip(vocab.tokens, neutral_token_ids(vocab).tolist(), strict=True))
    assert neutral["the"] and neutral["movie"] and neutral["was"] and neutral["not"] and neutral["no"]
    assert not (neutral["good"] or neutral["bad"])


def test_calm_target_leans_as_asked_for_two_labels_and_is_uniform_for_more():
    assert calm_target(2, 0.55).tolist() == pytest.approx([0.45, 0.55])
    assert calm_target(3, 0.55).tolist() == pytest.approx([1 / 3] * 3)


def test_calm_loss_is_zero_on_target_and_spares_the_last_word():
    vocab_size = 10
    config = TrainConfig(**TINY).model_config(vocab_size, ("negative", "positive"))
    model = SentenceClassifier(config).eval().requires_grad_(False)
    ids = torch.tensor([[2, 3, 4, 5], [2, 3, 0, 0]])
    lengths = torch.tensor([4, 2])
    neutral = torch.ones(vocab_size, dtype=torch.bool)
    target = calm_target(2, 0.5)
    final, calm = prefix_calm_loss(model, ids, lengths, neutral, target)
    assert torch.allclose(final, model(ids, lengths), atol=1e-6)  # the same answer as forward
    assert float(calm) >= 0
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
    assert float(prefix_calm_loss(model, ids, lengths, neutral, target)[1]) == pytest.approx(0.0, abs=1e-6)
    leaning = float(prefix_calm_loss(model, ids, lengths, neutral, calm_target(2, 0.6))[1])
    assert leaning > 0  # 50/50 is off a 0.6 target
    neutral[3] = False  # token 3 carries sentiment: nothing after it is calm, nor the last word
    _, none_calm = prefix_calm_loss(model, torch.tensor([[3, 2]]), torch.tensor([2]), neutral, target)
    assert float(none_calm) == 0.0


@pytest.mark.parametrize("bidirectional", [False, True])
def test_calm_prefixes_pull_the_answer_toward_fifty_fifty(bidirectional):
    # Every positive sentence starts with "the", every negative one with "a": without the calm
    # loss "the" alone reads as positive; with it, the answer after "the" stays near 50/50. A
    # bidirectional network reads the prefix "the" afresh both ways (fresh_prefix_calm_loss).
    nouns = ("movie", "book", "meal", "trip", "song", "show", "hotel", "game")
    texts = [f"the {n} was {w}" for n in nouns for w in ("good", "great", "nice")]
    texts += [f"a {n} was {w}" for n in nouns for w in ("bad", "awful", "dull")]
    data = TextDataset(tuple(texts), (1,) * 24 + (0,) * 24)

    def after_the(calm: float) -> float:
        settings = {**TINY, "epochs": 30, "prefix_calm": calm, "prefix_calm_positive": 0.5}
        classifier = Trainer(TrainConfig(**settings, bidirectional=bidirectional), data, data).run()
        return float(classifier.predict_proba(["the"])[0, 1])

    assert abs(after_the(1.0) - 0.5) < 0.1 < abs(after_the(0.0) - 0.5)


def test_fresh_calm_prefixes_are_drawn_among_the_calm_positions_only():
    neutral = torch.ones(10, dtype=torch.bool)
    neutral[7] = False  # token 7 carries sentiment
    ids = torch.tensor([[2, 3, 4, 7, 5], [7, 2, 3, 0, 0], [2, 3, 0, 0, 0]])
    lengths = torch.tensor([5, 3, 2])
    seen = {0: set(), 2: set()}
    generator = torch.Generator().manual_seed(0)
    for _ in range(60):
        rows, prefix = calm_prefix_lengths(ids, lengths, neutral, generator)
        assert rows.tolist() == [0, 2]  # the second starts with sentiment: no calm prefix
        for row, length in zip(rows.tolist(), prefix.tolist(), strict=True):
            seen[row].add(length)
    assert seen == {0: {1, 2, 3}, 2: {1}}  # before the sentiment word; never the whole sentence


def test_fresh_calm_loss_reads_each_prefix_as_a_sentence_of_its_own():
    config = TrainConfig(**{**TINY, "bidirectional": True}).model_config(10, ("negative", "positive"))
    model = SentenceClassifier(config).eval().requires_grad_(False)
    ids = torch.tensor([[2, 3, 4, 5], [2, 3, 0, 0]])
    lengths = torch.tensor([4, 2])
    neutral = torch.ones(10, dtype=torch.bool)
    target = calm_target(2, 0.5)
    rows, prefix = calm_prefix_lengths(ids, lengths, neutral, torch.Generator().manual_seed(1))
    alone = [model(ids[r : r + 1, :k], torch.tensor([k])) for r, k in zip(rows, prefix, strict=True)]
    answers = torch.log_softmax(torch.cat(alone), -1)
    expected = float((-(answers * target).sum(-1)).mean() + (target * target.log()).sum())
    loss = fresh_prefix_calm_loss(model, ids, lengths, neutral, target, torch.Generator().manual_seed(1))
    assert float(loss) == pytest.approx(expected, abs=1e-6) and expected > 0
    neutral[2] = False  # every sentence starts with sentiment: nothing to pull
    assert float(fresh_prefix_calm_loss(model, ids, lengths, neutral, target, torch.Generator())) == 0.0


def test_the_grammars_own_polar_words_are_not_neutral_even_unknown_to_vader():
    train = TextDataset(("the fries were soggy", "the app crashed", "the room was spotless"), (0, 0, 1))
    vocab = build_vocab(TrainConfig(), train)
    neutral = dict(zip(vocab.tokens, neutral_token_ids(vocab).tolist(), strict=True))
    assert not (neutral["soggy"] or neutral["crashed"] or neutral["spotless"])
    assert neutral["fries"] and neutral["app"] and neutral["room"]
