"""Proves the one owner of valid settings: TrainConfig names every problem at once, round-trips
through a dict, and the CLI's argument checks and the Train page's class-server limits read the
same ranges (dropout below 1 everywhere; no layer count beyond the model's)."""

import argparse

import pytest

from rnnviz.core.models import MAX_LAYERS
from rnnviz.tools.cli import build_parser
from rnnviz.training import trainer
from rnnviz.training.config import CLASS_SERVER, TRAIN_RANGES, ClassServerLimits, TrainConfig, model_name


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


def test_corpus_repeats_round_trip_and_reach_the_splits(monkeypatch):
    config = TrainConfig(data=("movies", "nyt", "written"), written_repeat=3, corpus_repeats=[["nyt", 6]])
    assert config.corpus_repeats == (("nyt", 6),)  # lists from JSON become the frozen pairs
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert config.repeats() == {"written": 3, "nyt": 6}
    seen = {}
    monkeypatch.setattr(trainer.sources, "load_splits", lambda data, **options: seen.update(options))
    trainer.splits_for(config)
    assert seen["repeats"] == {"written": 3, "nyt": 6}


@pytest.mark.parametrize(
    ("repeats", "message"),
    [
        ((("nyt", 2),), "nyt is not in data"),  # data has vader-all, not nyt by itself
        ((("reddit", 2),), "'reddit' is not one of movies, amazon, nyt, tweets"),
        ((("movies", 0),), "times of movies must be a whole number from 1"),
        ((("movies", 2), ("movies", 3)), "names a source twice"),
        ((("movies",),), "must be \\(source, times\\) pairs"),
        (((["movies"], 2),), "is not one of movies"),
    ],
)
def test_bad_corpus_repeats_say_why(repeats, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(data=("vader-all", "movies"), corpus_repeats=repeats)


def test_every_problem_is_named_in_one_error():
    with pytest.raises(ValueError) as error:
        TrainConfig(epochs=0, dropout=1.0, cell="transformer", hidden_size=10**6)
    for name in ("epochs", "dropout", "cell", "hidden_size"):
        assert f"{name} must be" in str(error.value)


def _train_args(*extra: str) -> argparse.Namespace:
    return build_parser().parse_args(["train", "--out", "m.safetensors", *extra])


def test_the_cli_checks_the_config_ranges(capsys):
    assert _train_args("--dropout", "0.995").dropout == 0.995  # below 1: the config allows it
    for flag, value in (("--dropout", "1"), ("--num-layers", str(MAX_LAYERS + 1)), ("--lr-decay", "0")):
        with pytest.raises(SystemExit):
            _train_args(flag, value)
        name = flag[2:].replace("-", "_")
        assert f"{name} must be a" in capsys.readouterr().err
        assert TRAIN_RANGES[name].problem(name, float(value)) is not None


def test_the_cli_reads_corpus_repeats(capsys):
    args = _train_args("--data", "nyt", "--corpus-repeat", "nyt=4", "--corpus-repeat", "amazon=2")
    assert args.corpus_repeat == [("nyt", 4), ("amazon", 2)]
    with pytest.raises(SystemExit):
        _train_args("--corpus-repeat", "nyt")
    assert "expected CORPUS=TIMES" in capsys.readouterr().err


def test_the_class_server_limits_lie_inside_the_ranges():
    assert CLASS_SERVER.max_layers <= MAX_LAYERS
    TrainConfig(
        builtin_size=CLASS_SERVER.grammar_sizes[-1],
        hidden_size=CLASS_SERVER.widths[-1],
        embedding_dim=CLASS_SERVER.widths[-1],
        num_layers=CLASS_SERVER.max_layers,
        epochs=CLASS_SERVER.max_epochs,
        dropout=CLASS_SERVER.dropouts[-1],
        lr=CLASS_SERVER.learning_rates[-1],
        max_vocab=CLASS_SERVER.max_vocab,
    )
    with pytest.raises(ValueError, match="num_layers must be a whole number from 1 to 4"):
        ClassServerLimits(max_layers=MAX_LAYERS + 1)


def test_a_model_is_named_by_its_settings():
    config = TrainConfig(builtin_size=5000, cell="gru", num_layers=2, hidden_size=32, bidirectional=True)
    assert model_name(config) == "GRU 2×32 bi, grammar 5k, lr 0.002, 5 ep, seed 0"
    mean = TrainConfig(builtin_size=5000, cell="lstm", hidden_size=16, readout="mean")
    assert model_name(mean) == "LSTM 1×16, mean over steps, grammar 5k, lr 0.002, 5 ep, seed 0"
    assert model_name(TrainConfig(network="bag", embedding_dim=16)).startswith("bag of embeddings 16, ")
