"""Proves `python -m rnnviz train` saves a loadable model and `evaluate` prints accuracy, per-class
accuracy and the pair score, and that bad arguments fail in one line without a traceback."""

import json
import subprocess
import sys

import pytest

from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import load, save
from rnnviz.data.pairs import BUILTIN_PAIRS_FILE
from rnnviz.tools.cli import main
from tests.conftest import make_classifier

QUICK = [
    "--builtin-size",
    "600",
    "--epochs",
    "2",  # the grammar's tails and tenses take a tiny GRU more than one epoch of 600 sentences
    "--lr",
    "0.01",
    "--hidden-size",
    "8",
    "--embedding-dim",
    "8",
    "--threads",
    "1",
]


def test_train_saves_a_model_that_evaluate_reads(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert main(["train", "--data", "builtin", "--cell", "gru", "--out", str(out), *QUICK]) == 0
    printed = capsys.readouterr()
    assert f"saved {out}" in printed.out
    assert "epoch 1: train loss" in printed.err  # tqdm's bar and the epoch lines go to stderr
    classifier = load(out)
    assert classifier.config.cell == "gru" and classifier.config.hidden_size == 8
    assert classifier.meta["settings"]["data"] == ["builtin"]

    assert main(["evaluate", "--model", str(out), "--data", "builtin", "--builtin-size", "200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "data: builtin grammar (seed -1), 200 texts"
    assert lines[2].startswith("accuracy: 0.")
    assert lines[3].startswith("per-class accuracy: negative 0.") and "positive" in lines[3]


def test_evaluate_scores_pairs_and_prints_json(tmp_path, capsys):
    path = tmp_path / "m.safetensors"
    save(make_classifier(), path)
    pairs = tmp_path / "pairs.tsv"  # a path works, and so does "builtin" (the shipped pairs)
    pairs.write_bytes(BUILTIN_PAIRS_FILE.read_bytes())
    assert main(["evaluate", "--model", str(path), "--pairs", str(pairs), "--show-failures"]) == 0
    out = capsys.readouterr().out
    assert "pairs: " in out and " both right (" in out
    assert main(["evaluate", "--model", "vader", "--pairs", "builtin", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pairs"]["n_pairs"] >= 60 and 0 <= report["pairs"]["both_right"] <= 1


def test_evaluate_reads_the_shipped_bag_of_embeddings(models_dir, monkeypatch, capsys):
    monkeypatch.setattr(checkpoints, "MODELS_DIR", models_dir)  # the stand-in bag
    assert main(["evaluate", "--model", "bag", "--pairs", "builtin"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("model: bag of embeddings, emb 16") and " both right (" in out


def test_evaluate_reads_a_csv(tmp_path, capsys):
    table = tmp_path / "mine.csv"
    table.write_text("text,label\nthe movie was good,positive\nthe movie was bad,negative\n")
    assert main(["evaluate", "--model", "vader", "--data", str(table)]) == 0
    assert "accuracy: 1.0000" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["train", "--data", "builtin"], 2, "--out"),
        (
            ["train", "--out", "{tmp}/m.safetensors", "--data", "wikipedia"],
            1,
            "unknown data source 'wikipedia'",
        ),
        (["train", "--out", "{tmp}/m.safetensors", "--data", "{tmp}/missing.csv"], 1, "no such file"),
        (
            ["train", "--out", "{tmp}/m.safetensors", "--data", "{tmp}/bad.csv"],
            1,
            "bad.csv, line 3: the text is empty",
        ),
        (["train", "--out", "{tmp}/m.safetensors", "--lr", "0"], 2, "above 0"),
        (["train", "--out", "{tmp}/m.safetensors", "--cell", "transformer"], 2, "invalid choice"),
        (["train", "--out", "{tmp}", "--epochs", "1"], 1, "is a folder"),
        (
            ["train", "--out", "{tmp}/m.safetensors", "--lexicon-prior", "--embedding-dim", "6"],
            1,
            "lexicon_prior",
        ),
        (["evaluate", "--model", "lstm"], 1, "give --data, --pairs or both"),
        (["evaluate", "--model", "vader", "--pairs", "{tmp}/none.tsv"], 1, "cannot read the pairs file"),
        (["evaluate", "--model", "{tmp}/none.safetensors", "--data", "builtin"], 1, "no such file"),
    ],
)
def test_bad_arguments_fail_in_one_line(tmp_path, capsys, argv, status, message):
    (tmp_path / "bad.csv").write_text("text,label\ngood,positive\n  ,negative\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse errors
        code = exit.code
    err = capsys.readouterr().err
    assert code == status
    assert message in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("argv", [["train", "--out", "x.safetensors", "--lr", "-1"], ["train", "--out", "/"]])
def test_a_real_process_fails_without_a_traceback(argv):
    result = subprocess.run([sys.executable, "-m", "rnnviz", *argv], capture_output=True, text=True)
    assert result.returncode in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_train_mixes_the_written_sentences_with_a_repeat(tmp_path, capsys):
    out = tmp_path / "w.safetensors"
    args = ["train", "--data", "written", "--written-repeat", "2", "--out", str(out), *QUICK[2:]]
    assert main(args) == 0
    settings = load(out).meta["settings"]
    assert settings["data"] == ["written"] and settings["written_repeat"] == 2
    assert main(["evaluate", "--model", str(out), "--data", "written"]) == 0
    assert "data: written sentences (test), " in capsys.readouterr().out
