"""Gradient flow: how strongly the final prediction depends on each earlier step.

For one sentence and the class the model predicts, this measures
    ‖∂ log p(class | whole sentence) / ∂ h_t‖   (top layer's hidden state at step t)
    ‖∂ log p(class | whole sentence) / ∂ x_t‖   (token t's embedding)
The first is the textbook picture of vanishing gradients: in a plain RNN it shrinks
roughly geometrically with the distance from the end; an LSTM's additive cell-state path
(c_t = f_t ⊙ c_{t-1} + …) keeps it alive as long as the forget gates stay near 1.

h_t only has a well-defined "gradient through the future" in a forward-only network, so
hidden-state gradients are computed for unidirectional models only: the fused module is
called one step at a time, carrying its state, so autograd sees every h_t as a tensor that
later steps and the readout read. Embedding gradients are computed for every model.
The shared model is never modified: gradients are taken with torch.autograd.grad with
respect to activations only, in eval mode, on the model's own device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.models import Classifier, prefix_vectors


@dataclass(frozen=True)
class GradientFlow:
    """Per-token gradient norms for one sentence. Arrays are [steps], row t = token t."""

    tokens: list[str]
    target: str  # the class whose log-probability is differentiated
    probability: float  # its probability for the whole sentence
    embedding_norm: np.ndarray  # ‖∂ log p / ∂ x_t‖
    hidden_norm: np.ndarray | None  # ‖∂ log p / ∂ h_t‖ of the top layer; None if bidirectional

    @property
    def distance_from_end(self) -> np.ndarray:
        """[steps]: 0 for the last token, steps-1 for the first."""
        return np.arange(len(self.tokens))[::-1].copy()


def gradient_flow(classifier: Classifier, text: str, max_tokens: int = 400) -> GradientFlow:
    """Gradient norms of the predicted class's log-probability w.r.t. every step (see above).

    Raises ValueError for a text without tokens.
    """
    tokens, ids = classifier.tokens_and_ids(text)
    tokens, ids = tokens[:max_tokens], ids[:max_tokens]
    if not tokens:
        raise ValueError("the text has no tokens")
    model = classifier.model
    device = next(model.parameters()).device
    ids_tensor = torch.tensor(ids, device=device)
    with torch.enable_grad():
        embedded = model.embedding(ids_tensor).detach().requires_grad_(True)  # [steps, embedding_dim]
        hidden_states: list[torch.Tensor] = []
        if classifier.config.bidirectional:
            logits = model.head(model.encode_embedded(embedded[None], torch.tensor([len(ids)])))[0]
        else:
            state = None
            top = []
            for t in range(len(ids)):
                _, state = model.rnn(embedded[t][None, None], state)  # batch_first: [1, 1, E]
                h = state[0] if isinstance(state, tuple) else state  # [layers, 1, hidden]
                hidden_states.append(h)
                top.append(h[-1, 0])  # the readout reads the state itself, so every path counts
            logits = model.head(prefix_vectors(classifier.config, torch.stack(top))[-1])
        log_probs = torch.log_softmax(logits.float(), -1)
        target = int(log_probs.argmax())
        grads = torch.autograd.grad(log_probs[target], [embedded, *hidden_states])
    embedding_norm = grads[0].norm(dim=-1).cpu().numpy()
    hidden_norm = None
    if hidden_states:
        hidden_norm = torch.stack([g[-1, 0].norm() for g in grads[1:]]).cpu().numpy()
    return GradientFlow(
        tokens=tokens,
        target=classifier.labels[target],
        probability=float(log_probs[target].detach().exp()),
        embedding_norm=embedding_norm.astype(np.float32),
        hidden_norm=None if hidden_norm is None else hidden_norm.astype(np.float32),
    )
