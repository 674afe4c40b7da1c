"""Proves rnnviz.analysis.embeddings: the nearest neighbours equal a brute-force cosine computation over
the embedding table, unknown words read <unk>'s row, and every parameter's shape is listed as
model.named_parameters() names it, with the lesson's terms."""

import math

import pytest
import torch

from rnnviz.analysis import embeddings
from rnnviz.core.text import PAD_ID, UNK, UNK_ID
from tests.conftest import make_classifier


def _brute_force(table, row: int) -> list[tuple[int, float]]:
    """Cosine similarity of `row` with every other word, one pair at a time, most similar first."""
    a = [float(v) for v in table[row]]
    found = []
    for i, other in enumerate(table):
        if i in (row, PAD_ID, UNK_ID):
            continue
        b = [float(v) for v in other]
        dot = sum(x * y for x, y in zip(a, b, strict=True))
        norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
        found.append((i, dot / norms if norms else 0.0))
    return sorted(found, key=lambda item: (-item[1], item[0]))


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("word", ["movie", "not", "good", "film"])
def test_neighbours_equal_brute_force_cosine(cell, word):
    classifier = make_classifier(seed=3, cell=cell)
    found = embeddings.word_embedding(classifier, word, k=8)
    table = classifier.model.embedding.weight.detach().numpy()
    expected = _brute_force(table, classifier.vocab.id(word))[:8]
    assert [n.token_id for n in found.neighbours] == [i for i, _ in expected]
    assert [n.similarity for n in found.neighbours] == pytest.approx([s for _, s in expected], abs=1e-9)
    assert [n.token for n in found.neighbours] == [classifier.vocab.tokens[i] for i, _ in expected]
    assert found.vector.tolist() == pytest.approx(table[classifier.vocab.id(word)].tolist())
    assert not found.unknown and found.read_as == word


def test_neighbours_against_torch_cosine_similarity():
    classifier = make_classifier(seed=5)
    table = classifier.model.embedding.weight.detach()
    row = classifier.vocab.id("good")
    torch_values = torch.nn.functional.cosine_similarity(table[row][None], table, dim=1)
    for n in embeddings.word_embedding(classifier, "good").neighbours:
        assert n.similarity == pytest.approx(float(torch_values[n.token_id]), abs=1e-6)


def test_an_unknown_word_reads_unk_and_a_zero_row_has_similarity_zero():
    classifier = make_classifier(seed=1)
    found = embeddings.word_embedding(classifier, "xyzzy")
    assert found.unknown and found.token_id == UNK_ID and found.read_as == UNK
    assert found.vector.tolist() == pytest.approx(classifier.model.embedding.weight[UNK_ID].tolist())
    assert UNK not in [n.token for n in found.neighbours] and len(found.neighbours) == 8
    similarities = embeddings.cosine_similarities(classifier.model.embedding.weight.detach().numpy(), 2)
    assert similarities[PAD_ID] == 0.0  # <pad>'s row is all zeros


@pytest.mark.parametrize(
    ("config", "gates"), [(dict(cell="lstm"), 4), (dict(cell="gru", num_layers=2, bidirectional=True), 3)]
)
def test_weight_shapes_are_the_models_parameters(config, gates):
    classifier = make_classifier(**config)
    rows = embeddings.weight_shapes(classifier)
    assert [(r.name, r.shape) for r in rows] == [
        (name, tuple(p.shape)) for name, p in classifier.model.named_parameters()
    ]
    by_name = {r.name: r for r in rows}
    hidden, emb = classifier.config.hidden_size, classifier.config.embedding_dim
    assert by_name["rnn.weight_ih_l0"].shape == (gates * hidden, emb)
    assert by_name["rnn.weight_ih_l0"].symbol == "W_ih"
    assert f"embedding size {emb} × hidden size {hidden}" in by_name["rnn.weight_ih_l0"].meaning
    assert f"hidden {hidden} × hidden {hidden}" in by_name["rnn.weight_hh_l0"].meaning
    assert all(r.meaning for r in rows)


def test_word_similarities_are_torchs_cosine_of_the_embedding_rows():
    classifier = make_classifier(seed=3, cell="lstm")
    words = ["good", "bad", "not"]
    rows = classifier.model.embedding.weight.detach()[classifier.vocab.encode(words)]
    expected = torch.cosine_similarity(rows[:, None], rows[None], dim=-1).numpy()
    found = embeddings.word_similarities(classifier, words)
    assert found.ravel().tolist() == pytest.approx(expected.ravel().tolist(), abs=1e-6)
