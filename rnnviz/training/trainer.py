"""The Trainer: turns (train, val) data and a TrainConfig into a Classifier, reporting typed events.

Never imports streamlit. A page runs `Trainer.run()` in a background thread and polls
`Trainer.state()`; the CLI turns the same events into a tqdm bar. Control from any thread:
`pause()`, `resume()`, `stop()` and `set_learning_rate(lr)` take effect between two steps.
Its status uses the one vocabulary of background work (rnnviz.training.jobs.Status): queued
(made, not yet run) -> running <-> paused -> done | stopped | failed.

Determinism: on the CPU, the same config and data give bit-identical weights (model init,
batch order and dropout are seeded from `seed`), as long as one trainer runs at a time in the
process (dropout draws from torch's global generator) and the thread count is the same.

The optional lexicon prior (`lexicon_prior=True`): every one-token word of the VADER lexicon
gets a vocabulary slot before the frequency cut (build_vocab), and the first PRIOR_DIMS
embedding columns start as facts from vaderSentiment:
    columns 0-3 = valence / 4 (-1..1), four copies so that dropout seldom hides it,
    column 4 = 1 for VADER's one-token negation words and "no", "nobody", "n't",
    column 5 = VADER's intensifier sign (+1 "very", -1 "barely").
These columns stay fixed for the words VADER knows. Every other word starts at 0 there and
may learn, so a word that only the training data shows to be positive ("reliable") can
move to where the network already reads valence, and negation applies to it as well.
Other columns start small (std 0.1), so a word never seen in training still carries its valence.

The optional word vectors (`word_vectors=True`): the columns after the prior (or all, without it)
start as the word's GloVe vector projected on the vocabulary's main directions
(rnnviz.data.word_vectors; up to 50 columns), and learn from there. Words GloVe knows but the
training data never shows ("scrumptious") then start near words it does show ("delicious").

The optional calm-prefix loss (`prefix_calm` > 0): the head also reads the state after every
word, and positions with no sentiment word yet are pulled toward a calm answer near 50/50, so the
prediction after "the movie" says nothing yet (prefix_calm_loss). A bidirectional network's answer
after a word reads the prefix afresh in both directions, so there one random calm prefix of each
sentence is read as a sentence of its own and pulled the same way (fresh_prefix_calm_loss).
"""

from __future__ import annotations

import copy
import functools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnviz.core.models import BagOfEmbeddings, Classifier, SentenceClassifier, prefix_vectors
from rnnviz.core.text import PAD, UNK, Vocab, tokenize
from rnnviz.data import dataset, sources, word_vectors
from rnnviz.data.dataset import TextDataset
from rnnviz.data.grammar import polar_words
from rnnviz.data.lexicon import vader_lexicon
from rnnviz.training.config import PRIOR_DIMS, TRAIN_RANGES, VALENCE_COPIES, TrainConfig
from rnnviz.training.jobs import Status

EventKind = Literal["step", "epoch", "done", "error", "stopped"]


@dataclass(frozen=True)
class TrainEvent:
    """One report from the trainer. Losses are mean cross-entropy per example."""

    kind: EventKind  # step: after an optimizer step; epoch: after validation; then done/stopped/error
    step: int  # optimizer steps done so far, over all epochs
    epoch: int  # the epoch in progress (step) or just finished (epoch); 0 = before training
    total_steps: int  # steps the whole run will take
    lr: float  # learning rate used for the last step
    batch_loss: float | None = None  # the last batch's loss
    train_loss: float | None = None  # mean over this epoch's steps so far
    val_loss: float | None = None
    val_accuracy: float | None = None
    examples_per_second: float | None = None  # training examples per second this epoch, pauses excluded
    eta_seconds: float | None = None  # estimated time to the end of the run
    message: str = ""


@dataclass(frozen=True)
class TrainState:
    """A consistent snapshot of a trainer, safe to read from another thread."""

    status: Status  # queued (not run yet), running, paused, done, stopped or failed
    epoch: int
    step: int
    total_steps: int
    lr: float
    best_epoch: int | None
    best_val_accuracy: float | None
    history: tuple[TrainEvent, ...]  # every event so far, oldest first
    message: str = ""


# --------------------------------------------------------------------------- data and vocabulary


def load_training_data(
    config: TrainConfig, progress: dataset.Progress | None = None
) -> tuple[TextDataset, TextDataset]:
    """(train, val) for `config`: the training part of every source, mixed, then a stratified
    validation share. Raises ValueError, data.TableError or data.CorpusError with a clear message."""
    splits = splits_for(config, progress, with_test=False)
    return splits.train, splits.validation


def splits_for(config: TrainConfig, progress: dataset.Progress | None = None, **options) -> sources.Splits:
    """`config`'s sources cut into train, validation (and test) with `config`'s size, seed,
    validation share and neutral band; `options` go to rnnviz.data.sources.load_splits."""
    return sources.load_splits(
        config.data,
        builtin_size=config.builtin_size,
        repeats=config.repeats(),
        seed=config.seed,
        validation_fraction=config.val_fraction,
        neutral_band=config.neutral_band,
        progress=progress,
        **options,
    )


def build_vocab(config: TrainConfig, train: TextDataset) -> Vocab:
    """<pad>, <unk>, then (with the lexicon prior) every one-token word of the VADER lexicon, then
    the training tokens seen at least min_count times, commonest first, up to max_vocab ids.

    The lexicon words are reserved before the frequency cut, so they are always in (and keep
    their valence even if never seen). Among training tokens with equal counts the earlier
    first appearance in the (shuffled) training data wins, not the alphabet.
    """
    counts = Counter(token for text in train.texts for token in tokenize(text))  # first-seen order
    reserved = lexicon_words() if config.lexicon_prior else ()
    if len(reserved) + 2 > config.max_vocab:
        raise ValueError(
            f"max_vocab {config.max_vocab} is too small: the lexicon prior alone needs "
            f"{len(reserved) + 2} ids"
        )
    taken = {PAD, UNK, *reserved}
    # sorted() is stable: equal counts keep their first-appearance order.
    kept = (t for t, c in counts.items() if c >= config.min_count and t not in taken)
    frequent = sorted(kept, key=lambda t: -counts[t])
    return Vocab((PAD, UNK, *reserved, *frequent[: config.max_vocab - len(taken)]))


@functools.cache
def negator_words() -> frozenset[str]:
    """VADER's one-token negation words, and "no", "nobody", "n't"."""
    from vaderSentiment.vaderSentiment import NEGATE

    return frozenset({word for word in NEGATE if tokenize(word) == [word]} | {"n't", "no", "nobody"})


@functools.cache
def lexicon_words() -> tuple[str, ...]:
    """The VADER lexicon's words that are one token each, in the lexicon's order."""
    return tuple(word for word in vader_lexicon() if tokenize(word) == [word] and word not in (PAD, UNK))


def neutral_token_ids(vocab: Vocab) -> torch.Tensor:
    """[vocab_size] bool: True for tokens that carry no sentiment of their own — no valence in the
    VADER lexicon and no polarity in the built-in grammar (rule 17's "soggy", "laggy" …) — and for
    negators, which only flip what follows ("the movie was not" is still undecided)."""
    lexicon = vader_lexicon()
    negators = negator_words()
    polar = polar_words()
    return torch.tensor(
        [
            (lexicon.get(token, 0.0) == 0.0 and token not in polar) or token in negators
            for token in vocab.tokens
        ]
    )


def lexicon_prior(vocab: Vocab) -> torch.Tensor:
    """The fixed embedding columns [vocab_size, PRIOR_DIMS] (see the module docstring)."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT

    lexicon = vader_lexicon()
    prior = torch.zeros(len(vocab), PRIOR_DIMS)
    negators = negator_words()
    for i, token in enumerate(vocab.tokens):
        prior[i, :VALENCE_COPIES] = lexicon.get(token, 0.0) / 4.0
        prior[i, VALENCE_COPIES] = 1.0 if token in negators else 0.0
        prior[i, VALENCE_COPIES + 1] = float(np.sign(BOOSTER_DICT.get(token, 0.0)))
    prior[0] = 0.0  # <pad>
    return prior


def _start_from_word_vectors(weight: torch.Tensor, vocab: Vocab, config: TrainConfig) -> None:
    """Copy GloVe vectors into the embedding `weight` [vocab_size, embedding_dim], in the columns
    after the lexicon prior's, for the words GloVe knows (see the module docstring)."""
    start = PRIOR_DIMS if config.lexicon_prior else 0
    dims = min(word_vectors.DIMS, config.embedding_dim - start)
    vectors, known = word_vectors.vectors_for(vocab.tokens, dims)  # [vocab_size, dims], [vocab_size]
    rows = torch.from_numpy(known)
    with torch.no_grad():
        weight[rows, start : start + dims] = torch.from_numpy(vectors[known])


# --------------------------------------------------------------------------- the calm-prefix loss


def calm_target(n_labels: int, positive: float) -> torch.Tensor:
    """[n_labels] the distribution calm prefixes are pulled to: (1 - positive, positive) for two
    labels, uniform for more."""
    if n_labels == 2:
        return torch.tensor([1.0 - positive, positive])
    return torch.full((n_labels,), 1.0 / n_labels)


def prefix_calm_loss(
    model: SentenceClassifier,
    ids: torch.Tensor,
    lengths: torch.Tensor,
    neutral: torch.Tensor,
    target: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(sentence logits [batch, n_labels], calm loss []) for a forward-only network, in one pass.

    The head reads every position's prefix vector (rnnviz.core.models.prefix_vectors), so
    logits[b, t] is the answer the model would give if sentence b ended after token t. The calm
    loss is the mean KL divergence, over the calm positions, from `target` [n_labels] (see
    calm_target) to those answers: 0 when they match. A position is calm when no token up to it
    carries sentiment (neutral[id], see neutral_token_ids) and it is not the sentence's last:
    there the label rules.
    """
    batch, steps = ids.shape
    embedded = model.dropout(model.embedding(ids))  # [batch, steps, embedding_dim]
    packed = pack_padded_sequence(embedded, lengths.to("cpu"), batch_first=True, enforce_sorted=False)
    outputs, _ = pad_packed_sequence(model.rnn(packed)[0], batch_first=True, total_length=steps)
    # prefix_vectors runs along dim 0: lay the batch out as [steps, batch * hidden] and back.
    hidden = outputs.shape[-1]
    flat = outputs.transpose(0, 1).reshape(steps, batch * hidden)
    prefixes = prefix_vectors(model.config, flat).reshape(steps, batch, hidden).transpose(0, 1)
    logits = model.head(model.dropout(prefixes))  # [batch, steps, n_labels]
    final = logits[torch.arange(batch, device=ids.device), lengths - 1]  # [batch, n_labels]
    calm = _calm_positions(ids, lengths, neutral)  # [batch, steps]
    if not bool(calm.any()):
        return final, logits.new_zeros(())
    return final, _divergence_from(target, logits[calm])


def _calm_positions(ids: torch.Tensor, lengths: torch.Tensor, neutral: torch.Tensor) -> torch.Tensor:
    """[batch, steps] bool: no token up to here carries sentiment, and it is not the last word."""
    positions = torch.arange(ids.shape[1], device=ids.device)[None, :]
    return neutral[ids].long().cumprod(1).bool() & (positions < lengths[:, None] - 1)


def _divergence_from(target: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Mean KL divergence from `target` [n_labels] to the answers `logits` [rows, n_labels]."""
    log_p = torch.log_softmax(logits, -1)
    target = target.to(log_p)
    entropy = -(target * target.clamp_min(1e-12).log()).sum()
    return -(log_p * target).sum(-1).mean() - entropy


def calm_prefix_lengths(
    ids: torch.Tensor, lengths: torch.Tensor, neutral: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, prefix lengths) for the fresh-reading calm loss: for each sentence of the batch that
    starts with at least one calm position (see prefix_calm_loss), one of its calm prefixes drawn
    at random, 1 up to its number of calm positions tokens long."""
    counts = _calm_positions(ids, lengths, neutral).sum(1)  # calm prefixes per sentence: 1 .. counts
    rows = torch.nonzero(counts > 0).flatten()
    draws = torch.rand(len(rows), generator=generator).to(ids.device)
    return rows, 1 + (draws * counts[rows]).long().clamp_max(counts[rows] - 1)


def fresh_prefix_calm_loss(
    model: SentenceClassifier,
    ids: torch.Tensor,
    lengths: torch.Tensor,
    neutral: torch.Tensor,
    target: torch.Tensor,
    generator: torch.Generator,
) -> torch.Tensor:
    """The calm loss for a network that reads a prefix afresh (a bidirectional one, whose answer
    after a word needs the prefix read right to left too; Classifier.prefix_proba): one random
    calm prefix of each sentence (calm_prefix_lengths) is read as a sentence of its own, and the
    mean KL divergence from `target` to those answers is returned (0 when they match)."""
    rows, prefix = calm_prefix_lengths(ids, lengths, neutral, generator)
    if not len(rows):
        return ids.new_zeros((), dtype=torch.float32)
    logits = model(ids[rows, : int(prefix.max())], prefix)  # reads no token past each prefix's length
    return _divergence_from(target, logits)


# --------------------------------------------------------------------------- the trainer


def build_network(config: TrainConfig, vocab_size: int, labels: Sequence[str]) -> nn.Module:
    """The untrained network `config` asks for: a SentenceClassifier, or with network "bag" the
    word-order baseline (BagOfEmbeddings). Both take (ids, lengths) and have `embedding` and `head`."""
    if config.network == "bag":
        return BagOfEmbeddings(config.bag_config(vocab_size, labels))
    return SentenceClassifier(config.model_config(vocab_size, labels))


def _resolve_device(device: str) -> torch.device:
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' was asked for but no CUDA GPU is available; use cpu or auto")
        return torch.device("cuda")
    return torch.device("cpu")


class Trainer:
    """Trains one SentenceClassifier on (train, val); see the module docstring for threading.

    on_event(event) is called from the training thread after every step and epoch.
    on_epoch_end(epoch, classifier) gets an independent CPU copy of the current model after each
    validation (for probing how predictions change while it learns).
    """

    def __init__(
        self,
        config: TrainConfig,
        train: TextDataset,
        val: TextDataset,
        *,
        vocab: Vocab | None = None,
        on_event: Callable[[TrainEvent], None] | None = None,
        on_epoch_end: Callable[[int, Classifier], None] | None = None,
    ) -> None:
        if train.label_names != val.label_names:
            raise ValueError("train and val must have the same label names")
        if len(train) == 0 or len(val) == 0:
            raise ValueError("train and val need at least one example each")
        self.config = config
        self.train_data, self.val_data = train, val
        self.device = _resolve_device(config.device)
        self.vocab = vocab or build_vocab(config, train)
        self._train_ids = dataset.encode(train, self.vocab, config.max_tokens)
        self._val_batches = dataset.batches(
            dataset.encode(val, self.vocab, config.max_tokens), val.labels, 256
        )
        torch.manual_seed(config.seed)
        self.model = build_network(config, len(self.vocab), train.label_names)
        self._prior: torch.Tensor | None = None  # [known words, PRIOR_DIMS], kept fixed
        self._prior_rows: torch.Tensor | None = None  # [known words] their token ids
        if config.lexicon_prior:
            prior = lexicon_prior(self.vocab)  # [vocab_size, PRIOR_DIMS]
            with torch.no_grad():
                weight = self.model.embedding.weight  # [vocab_size, embedding_dim]
                weight.normal_(0.0, 0.1)
                weight[:, :PRIOR_DIMS] = prior
                weight[0] = 0.0
            rows = torch.nonzero(prior.abs().sum(-1) > 0).flatten()
            self._prior_rows, self._prior = rows.to(self.device), prior[rows].to(self.device)
        if config.word_vectors:
            _start_from_word_vectors(self.model.embedding.weight, self.vocab, config)
        self.model.to(self.device)
        # (neutral tokens [vocab_size] bool, target [n_labels]) for the calm-prefix loss, forward-only
        # (bidirectional networks: fresh_prefix_calm_loss, with a generator of its own for the prefixes)
        self._calm: tuple[torch.Tensor, torch.Tensor] | None = None
        self._fresh_calm: torch.Generator | None = None
        if config.prefix_calm > 0 and config.network == "recurrent":
            target = calm_target(len(train.label_names), config.prefix_calm_positive)
            self._calm = (neutral_token_ids(self.vocab).to(self.device), target.to(self.device))
            if config.bidirectional:
                self._fresh_calm = torch.Generator().manual_seed(config.seed)
        self.on_event = on_event
        self.on_epoch_end = on_epoch_end
        self.steps_per_epoch = math.ceil(len(train) / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        self._lock = threading.RLock()  # guards the fields below and the weights during a step
        self._not_paused = threading.Event()
        self._not_paused.set()
        self._stop = threading.Event()
        self._status: Status = "queued"
        self._message = ""
        self._lr = config.lr
        self._pending_lr: float | None = None
        self._epoch = 0
        self._step = 0
        self._history: list[TrainEvent] = []
        self._best_state: dict[str, torch.Tensor] | None = None
        self._best: tuple[int, float, float] | None = None  # (epoch, val accuracy, val loss)
        self.result: Classifier | None = None
        self.training_seconds = 0.0

    # -- control, from any thread

    def pause(self) -> None:
        """Pause before the next step (the training thread waits)."""
        with self._lock:
            if self._status == "running":
                self._status = "paused"
                self._not_paused.clear()

    def resume(self) -> None:
        """Go on after a pause."""
        with self._lock:
            if self._status == "paused":
                self._status = "running"
            self._not_paused.set()

    def stop(self) -> None:
        """Finish after the current step; the result keeps the best weights so far."""
        self._stop.set()
        self._not_paused.set()

    def set_learning_rate(self, lr: float) -> None:
        """Use `lr` from the next step on."""
        checked = TRAIN_RANGES["lr"].check("the learning rate", lr)
        with self._lock:
            self._pending_lr = checked

    def state(self, with_history: bool = True) -> TrainState:
        """A consistent snapshot, taken under the trainer's lock (its history empty unless
        `with_history`: a report after every step need not copy all the steps before)."""
        with self._lock:
            best = self._best
            return TrainState(
                status=self._status,
                epoch=self._epoch,
                step=self._step,
                total_steps=self.total_steps,
                lr=self._pending_lr or self._lr,
                best_epoch=best[0] if best else None,
                best_val_accuracy=best[1] if best else None,
                history=tuple(self._history) if with_history else (),
                message=self._message,
            )

    def current_classifier(self) -> Classifier:
        """An independent CPU copy of the model as it is now (between two steps)."""
        with self._lock:
            return self._copy()

    # -- the run

    def epoch_batches(self, epoch: int) -> list[dataset.Batch]:
        """The shuffled, length-bucketed batches of `epoch` (1-based); the same for a seed."""
        return dataset.batches(
            self._train_ids,
            self.train_data.labels,
            self.config.batch_size,
            seed=self.config.seed * 1000 + epoch,
        )

    def run(self) -> Classifier:
        """Train; return the classifier with the best validation weights. Runs once."""
        with self._lock:
            if self._status != "queued":
                raise RuntimeError("a Trainer runs once; make a new one to train again")
            self._status = "running"
        if self.config.threads:
            torch.set_num_threads(self.config.threads)
        started = time.perf_counter()
        try:
            kind, message = self._train()
        except Exception as error:  # report, keep the best weights, then let the caller see it
            self._finish("error", f"training failed: {error}", started)
            raise
        return self._finish(kind, message, started)

    def _train(self) -> tuple[EventKind, str]:
        config, model = self.config, self.model
        torch.manual_seed(config.seed)
        optimizer = torch.optim.Adam(self._parameter_groups(), lr=self._lr)
        loss_fn = nn.CrossEntropyLoss()
        self._validate_and_record(0, None)
        active_seconds = 0.0
        for epoch in range(1, config.epochs + 1):
            with self._lock:
                self._epoch = epoch
            losses: list[float] = []
            examples = 0
            epoch_seconds = 0.0
            model.train()
            for batch in self.epoch_batches(epoch):
                if not self._not_paused.is_set():
                    self._not_paused.wait()
                if self._stop.is_set():
                    if self._step:  # the current weights may beat the best validated ones
                        self._validate_and_record(epoch, None, "validated when stopped mid-epoch")
                    return (
                        "stopped",
                        f"stopped after {self._step} of {self.total_steps} steps; {self._best_text()}",
                    )
                tick = time.perf_counter()
                with self._lock:
                    if self._pending_lr is not None:
                        self._lr, self._pending_lr = self._pending_lr, None
                        for group in optimizer.param_groups:
                            group["lr"] = self._lr
                    ids, lengths, labels = (t.to(self.device, non_blocking=True) for t in batch)
                    optimizer.zero_grad(set_to_none=True)
                    if self._calm is None:
                        loss = loss_fn(model(ids, lengths), labels)
                    elif self._fresh_calm is not None:
                        calm = fresh_prefix_calm_loss(model, ids, lengths, *self._calm, self._fresh_calm)
                        loss = loss_fn(model(ids, lengths), labels) + config.prefix_calm * calm
                    else:
                        final_logits, calm = prefix_calm_loss(model, ids, lengths, *self._calm)
                        loss = loss_fn(final_logits, labels) + config.prefix_calm * calm
                    loss_value = float(loss.detach())
                    if not math.isfinite(loss_value):
                        return "error", self._diverged_message("loss", loss_value, epoch)
                    loss.backward()
                    if config.clip_norm:
                        norm = float(nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm))
                        if not math.isfinite(norm):
                            return "error", self._diverged_message("gradient norm", norm, epoch)
                    optimizer.step()
                    if self._prior is not None:
                        with torch.no_grad():
                            model.embedding.weight[self._prior_rows, :PRIOR_DIMS] = self._prior
                    self._step += 1
                    step = self._step
                spent = time.perf_counter() - tick
                epoch_seconds += spent
                active_seconds += spent
                losses.append(loss_value)
                examples += len(labels)
                remaining = self.total_steps - step
                self._emit(
                    TrainEvent(
                        "step",
                        step,
                        epoch,
                        self.total_steps,
                        self._lr,
                        batch_loss=loss_value,
                        train_loss=sum(losses) / len(losses),
                        examples_per_second=examples / epoch_seconds if epoch_seconds else None,
                        eta_seconds=active_seconds / step * remaining,
                    )
                )
            self._validate_and_record(epoch, sum(losses) / max(1, len(losses)))
            if config.lr_decay != 1.0:
                with self._lock:
                    self._pending_lr = (self._pending_lr or self._lr) * config.lr_decay
        return "done", self._done_message()

    def _parameter_groups(self) -> list[dict]:
        embedding = [p for n, p in self.model.named_parameters() if n.startswith("embedding.")]
        others = [p for n, p in self.model.named_parameters() if not n.startswith("embedding.")]
        return [
            {"params": embedding, "weight_decay": 0.0},
            {"params": others, "weight_decay": self.config.weight_decay},
        ]

    @torch.no_grad()
    def _validate(self) -> tuple[float, float]:
        """(mean loss, accuracy) on the validation set, in eval mode."""
        self.model.eval()
        total_loss, correct, count = 0.0, 0, 0
        for ids, lengths, labels in self._val_batches:
            labels = labels.to(self.device)
            logits = self.model(ids.to(self.device), lengths.to(self.device))
            total_loss += float(nn.functional.cross_entropy(logits, labels, reduction="sum"))
            correct += int((logits.argmax(-1) == labels).sum())
            count += len(labels)
        self.model.train()
        return total_loss / count, correct / count

    def _validate_and_record(self, epoch: int, train_loss: float | None, message: str = "") -> None:
        val_loss, val_accuracy = self._validate()
        with self._lock:
            improved = self._best is None or (val_accuracy, -val_loss) > (self._best[1], -self._best[2])
            if improved and math.isfinite(val_loss):
                self._best = (epoch, val_accuracy, val_loss)
                self._best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            step = self._step
        self._emit(
            TrainEvent(
                "epoch",
                step,
                epoch,
                self.total_steps,
                self._lr,
                train_loss=train_loss,
                val_loss=val_loss,
                val_accuracy=val_accuracy,
                message=message,
            )
        )
        if self.on_epoch_end is not None:
            self.on_epoch_end(epoch, self.current_classifier())

    def _copy(self, state: dict[str, torch.Tensor] | None = None) -> Classifier:
        model = copy.deepcopy(self.model).to("cpu")
        if state is not None:
            model.load_state_dict(state)
        model.requires_grad_(False)
        return Classifier(model=model, vocab=self.vocab, meta=self._meta())

    def _emit(self, event: TrainEvent) -> None:
        with self._lock:
            self._history.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def _best_text(self) -> str:
        if self._best is None or self._best[0] == 0:
            return "no trained weights beat the untrained ones on validation, so the result keeps those"
        return f"kept the weights of epoch {self._best[0]} (validation accuracy {self._best[1]:.3f})"

    def _diverged_message(self, what: str, value: float, epoch: int) -> str:
        return (
            f"training stopped at step {self._step + 1} (epoch {epoch}): the {what} became {value} — "
            f"the learning rate {self._lr:g} is probably too high; {self._best_text()}"
        )

    def _done_message(self) -> str:
        return f"finished {self.config.epochs} epochs; {self._best_text()}"

    def _meta(self) -> dict:
        best = self._best
        return {
            "data": list(self.config.data),
            "train_examples": len(self.train_data),
            "val_examples": len(self.val_data),
            "settings": self.config.to_dict(),
            "metrics": {
                "best_epoch": best[0] if best else None,
                "val_accuracy": best[1] if best else None,
                "val_loss": best[2] if best else None,
            },
            "steps": self._step,
            "training_seconds": round(self.training_seconds, 1),
            "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "torch": torch.__version__,
        }

    def _finish(self, kind: EventKind, message: str, started: float) -> Classifier:
        self.training_seconds = time.perf_counter() - started
        with self._lock:
            self.result = self._copy(self._best_state)
            self._status = {"done": "done", "stopped": "stopped"}.get(kind, "failed")
            self._message = message
            step, epoch = self._step, self._epoch
        best = self._best
        self._emit(
            TrainEvent(
                kind,
                step,
                epoch,
                self.total_steps,
                self._lr,
                val_loss=best[2] if best else None,
                val_accuracy=best[1] if best else None,
                message=message,
            )
        )
        return self.result


def train(
    config: TrainConfig,
    on_event: Callable[[TrainEvent], None] | None = None,
    progress: dataset.Progress | None = None,
) -> tuple[Classifier, Trainer]:
    """Load the config's data, train, return (best classifier, the finished trainer)."""
    train_data, val_data = load_training_data(config, progress)
    trainer = Trainer(config, train_data, val_data, on_event=on_event)
    return trainer.run(), trainer
