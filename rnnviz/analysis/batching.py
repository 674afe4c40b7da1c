"""A batch of sentences of different lengths, the way a training loop feeds it to the recurrent
module: padded to one id matrix, packed with torch's pack_padded_sequence, run packed, and
checked against each sentence run alone — and against the padded batch run without packing.

    ids [batch, steps]          mask            lengths     pack_padded_sequence (longest first)
    not   good  <pad> <pad>     1 1 0 0         2           data: the  not  great  movie good  was  …
    the   movie was   not       1 1 1 1         4                 └ t=1: 3 rows ┘ └ t=2: 2 ┘ └t=3: 1┘
    great <pad> <pad> <pad>     1 0 0 0         1           batch_sizes: [3, 2, 1, 1]

PackedSequence.data holds, for each time step t, the words at position t of every sentence
still running, longest sentence first (`sorted_indices`); `batch_sizes[t]` says how many.
The recurrent module then stops each sentence at its own end, so h_n is every sentence's own
final state. Without packing it reads the <pad> columns too (their embedding is zero, but the
biases and the recurrence still move the state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnviz.core.models import Classifier, pad_ids, sentence_vectors
from rnnviz.core.text import PAD


@dataclass(frozen=True)
class PackedBatch:
    """A batch of sentences padded and packed as PyTorch does it."""

    tokens: list[list[str]]  # per sentence, as the model reads them (unknown words stay as typed)
    ids: np.ndarray  # [batch, steps] int64, PAD_ID after each sentence's end
    lengths: np.ndarray  # [batch]
    mask: np.ndarray  # [batch, steps] bool: True where there is a word
    data: np.ndarray  # PackedSequence.data of the id matrix: [sum(lengths)] ids, in packed order
    batch_sizes: np.ndarray  # [steps]: rows of `data` per time step
    sorted_indices: np.ndarray  # [batch]: sentences from longest to shortest (ties: first typed first)
    rows: list[tuple[int, int]]  # packed row r came from (sentence b, word t), 0-based

    @property
    def padded_tokens(self) -> list[list[str]]:
        """The token matrix [batch][steps] with '<pad>' after each sentence's end."""
        steps = self.ids.shape[1]
        return [list(tokens) + [PAD] * (steps - len(tokens)) for tokens in self.tokens]


def pack_batch(classifier: Classifier, token_lists: Sequence[Sequence[str]]) -> PackedBatch:
    """Pad `token_lists` (each at least one token) into an id matrix and pack it with torch's
    pack_padded_sequence (enforce_sorted=False, as a data loader's batches come unsorted)."""
    if not token_lists or any(len(tokens) == 0 for tokens in token_lists):
        raise ValueError("a batch needs at least one sentence, and every sentence at least one token")
    ids, lengths = pad_ids([classifier.vocab.encode(list(tokens)) for tokens in token_lists])
    packed = pack_padded_sequence(ids, lengths, batch_first=True, enforce_sorted=False)
    batch_sizes = packed.batch_sizes.numpy()
    order = packed.sorted_indices.numpy()
    rows = [(int(order[i]), t) for t, size in enumerate(batch_sizes) for i in range(int(size))]
    return PackedBatch(
        tokens=[list(tokens) for tokens in token_lists],
        ids=ids.numpy(),
        lengths=lengths.numpy(),
        mask=(torch.arange(ids.shape[1])[None, :] < lengths[:, None]).numpy(),  # [batch, steps]
        data=packed.data.numpy(),
        batch_sizes=batch_sizes,
        sorted_indices=order,
        rows=rows,
    )


@dataclass(frozen=True)
class BatchRun:
    """The recurrent module's final states for a batch, three ways, and how they compare."""

    packed: np.ndarray  # [layers * dirs, batch, hidden_size]: h_n of the packed batch
    alone: np.ndarray  # the same, each sentence run by itself (no padding at all)
    padded: np.ndarray  # the same, the padded batch run without packing (pads read as words)
    packed_difference: np.ndarray  # [batch]: max |packed - alone| over h_n (and c_n for an LSTM)
    padded_difference: np.ndarray  # [batch]: max |padded - alone| over h_n (and c_n)
    probabilities_alone: np.ndarray  # [batch, n_labels]: the model's answer for each sentence alone
    probabilities_packed: np.ndarray  # [batch, n_labels]: its answer from the packed run
    probabilities_padded: np.ndarray  # [batch, n_labels]: its answer from the padded run without packing


@torch.no_grad()
def run_batch(classifier: Classifier, batch: PackedBatch) -> BatchRun:
    """Run the classifier's recurrent module on the packed batch (its embeddings packed in the
    order pack_batch shows), on each sentence alone, and on the padded batch without packing;
    each run's final states go through the model's own readout and head."""
    model, config = classifier.model, classifier.config
    device = next(model.parameters()).device
    ids = torch.from_numpy(batch.ids).to(device)  # [batch, steps]
    lengths = torch.from_numpy(batch.lengths)  # [batch]; packing wants them on the CPU
    steps = ids.shape[1]
    embedded = model.embedding(ids)  # [batch, steps, embedding_dim]; <pad> rows are zeros

    packed_out, packed_final = model.rnn(
        pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
    )
    packed_outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=steps)
    padded_outputs, padded_final = model.rnn(embedded)  # every column read, <pad> ones too
    alone = [model.rnn(embedded[b : b + 1, : int(n)]) for b, n in enumerate(lengths)]
    alone_final = [
        torch.cat(parts, dim=1) for parts in zip(*(_states(final) for _, final in alone), strict=True)
    ]

    def probabilities(outputs: torch.Tensor, final: tuple, lengths: torch.Tensor) -> np.ndarray:
        final = final if len(final) > 1 else final[0]
        vectors = sentence_vectors(config, outputs, lengths.to(device), final)  # [batch, dirs * hidden]
        return torch.softmax(model.head(vectors).float(), -1).cpu().numpy()

    return BatchRun(
        packed=_states(packed_final)[0].cpu().numpy(),
        alone=alone_final[0].cpu().numpy(),
        padded=_states(padded_final)[0].cpu().numpy(),
        packed_difference=_difference(_states(packed_final), alone_final),
        padded_difference=_difference(_states(padded_final), alone_final),
        probabilities_alone=np.concatenate(
            [
                probabilities(output, _states(final), lengths[b : b + 1])
                for b, (output, final) in enumerate(alone)
            ]
        ),
        probabilities_packed=probabilities(packed_outputs, _states(packed_final), lengths),
        probabilities_padded=probabilities(padded_outputs, _states(padded_final), lengths),
    )


def _states(final: torch.Tensor | tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """(h_n,) or (h_n, c_n), each [layers * dirs, batch, hidden_size]."""
    return tuple(final) if isinstance(final, tuple) else (final,)


def _difference(states: Sequence[torch.Tensor], reference: Sequence[torch.Tensor]) -> np.ndarray:
    """[batch]: max |states - reference| per sentence, over every layer, direction, unit, h and c."""
    per_state = [(a - b).abs().amax(dim=(0, 2)) for a, b in zip(states, reference, strict=True)]
    return torch.stack(per_state).amax(dim=0).double().cpu().numpy()
