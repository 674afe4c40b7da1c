"""Proves rnnviz carries its own product data: with only a copy of the package importable (no tests/,
no checkout around it) the Negation lab reads the built-in pairs and scores units, and a training job
runs to the end, including its last step that scores the pairs; and the wheel declares that data."""

import shutil
import subprocess
import sys
import textwrap
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import rnnviz

PACKAGE = Path(rnnviz.__file__).resolve().parent
ROOT = PACKAGE.parent

SCRIPT = textwrap.dedent(
    """
    import importlib.util
    import sys
    from pathlib import Path

    import torch

    import rnnviz
    from rnnviz.core.models import Classifier, ModelConfig, SentenceClassifier
    from rnnviz.core.text import Vocab
    from rnnviz.training.jobs import JobManager
    from rnnviz.training.training_job import TrainingJob
    from rnnviz.training.trainer import TrainConfig
    from rnnviz.ui import lab

    copy = Path(sys.argv[1])
    assert Path(rnnviz.__file__).resolve().is_relative_to(copy), rnnviz.__file__
    assert importlib.util.find_spec("tests") is None, "tests/ must be out of reach"

    pairs = lab.builtin_pair_texts()
    assert len(pairs) >= 60, len(pairs)
    torch.manual_seed(0)
    vocab = Vocab.build([[w for pair in pairs for text in pair for w in text.split()]])
    shape = ModelConfig(vocab_size=len(vocab), labels=("negative", "positive"), hidden_size=4)
    classifier = Classifier(model=SentenceClassifier(shape), vocab=vocab)
    scores = lab.unit_scores(classifier, pairs, 0, "forward", "forget")
    assert len(scores.pairs_used) >= 60, scores.pairs_used

    manager = JobManager(max_running=1)
    tiny = TrainConfig(builtin_size=200, embedding_dim=8, hidden_size=8, batch_size=32, epochs=1)
    job = manager.submit(TrainingJob([tiny]))
    assert job.join(120), "the job did not end"
    state = job.state()
    assert state.status == "done", (state.status, state.message)
    (run,) = state.runs
    assert run.result.pairs is not None and run.result.pairs.n_pairs >= 60, run.result.notes
    print("ok", len(pairs), run.result.pairs.n_pairs)
    """
)


def test_lab_and_a_training_job_work_without_tests(tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(PACKAGE, copy / "rnnviz", ignore=shutil.ignore_patterns("__pycache__"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(copy),
        "RNNVIZ_CACHE_DIR": str(tmp_path / "cache"),
        "OMP_NUM_THREADS": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(copy)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok ")


def test_the_wheel_declares_every_resource_file():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = settings["package-data"]["rnnviz.resources"]
    assert any(fnmatch("rnnviz.resources", p) for p in settings["packages"]["find"]["include"])
    resources = [p for p in (PACKAGE / "resources").iterdir() if p.is_file() and p.suffix != ".py"]
    assert resources
    for path in resources:
        assert any(fnmatch(path.name, pattern) for pattern in patterns), path.name
