"""Proves `python -m rnnviz trace` prints the trace as JSON and fails in one line on bad input."""

import json
import subprocess
import sys

import pytest

from rnnviz.core.checkpoints import save
from rnnviz.tools.cli import main
from tests.conftest import make_classifier


@pytest.fixture
def model_path(tmp_path):
    path = tmp_path / "m.safetensors"
    save(make_classifier(cell="gru", bidirectional=True), path)
    return path


def test_trace_prints_json(model_path, capsys):
    assert main(["trace", "--model", str(model_path), "--text", "the movie was not good"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tokens"] == ["the", "movie", "was", "not", "good"]
    assert data["model"]["cell"] == "gru"
    assert [(s["layer"], s["direction"]) for s in data["states"]] == [(0, "forward"), (0, "backward")]
    assert set(data["states"][0]["gates"]) == {"reset", "update", "new"}
    assert len(data["prefix_probabilities"]) == 5


def test_trace_reads_standard_input(model_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("not bad"))
    assert main(["trace", "--model", str(model_path), "--text", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["tokens"] == ["not", "bad"]


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["trace", "--model", "nope.safetensors", "--text", "hi"], 1, "no such file"),
        (["trace", "--model", "{model}", "--text", "   "], 1, "no tokens"),
        (["trace", "--model", "{model}", "--text", "hi", "--max-tokens", "0"], 2, "at least 1"),
        (["trace", "--model", "{model}"], 2, "--text"),
        (["frobnicate"], 2, "invalid choice"),
        ([], 2, "required"),
    ],
)
def test_bad_arguments_fail_in_one_line(model_path, argv, status, message):
    argv = [a.replace("{model}", str(model_path)) for a in argv]
    result = subprocess.run([sys.executable, "-m", "rnnviz", *argv], capture_output=True, text=True)
    assert result.returncode == status
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_garbage_model_file(tmp_path, capsys):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x80\x04garbage")
    assert main(["trace", "--model", str(bad), "--text", "hi"]) == 1
    assert "pickle" in capsys.readouterr().err
