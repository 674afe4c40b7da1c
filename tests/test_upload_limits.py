"""Proves uploaded checkpoints meet the class server's size limits (rnnviz.training.config.UPLOADS):
the shipped models and anything the Train page makes pass, a larger model is refused with a
message naming each limit before it is built, and every failure of a load, even an unforeseen
one, is one CheckpointError that the sidebar records once per uploaded file."""

import pytest

from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import CheckpointError
from rnnviz.training.config import CLASS_SERVER, UPLOADS
from tests.conftest import make_classifier


def _file(**config) -> bytes:
    return checkpoints.to_bytes(make_classifier(embedding_dim=4, **config))


@pytest.mark.parametrize("name", list(checkpoints.SHIPPED))
def test_the_shipped_models_fit_the_upload_limits(name):
    path = checkpoints.SHIPPED_DIR / checkpoints.SHIPPED[name]
    if not path.exists():
        pytest.skip("the shipped models are not installed")
    checkpoints.from_bytes(path.read_bytes(), name, UPLOADS.problems)


def test_what_the_train_page_makes_can_be_uploaded_again():
    widest = CLASS_SERVER.widths[-1]
    data = _file(hidden_size=widest, num_layers=CLASS_SERVER.max_layers, bidirectional=True)
    classifier = checkpoints.from_bytes(data, "mine", UPLOADS.problems)
    assert classifier.config.hidden_size == widest


def test_an_upload_larger_than_the_class_server_allows_is_refused(monkeypatch):
    data = _file(
        hidden_size=UPLOADS.max_units // 2 + 1, num_layers=UPLOADS.max_layers + 1, bidirectional=True
    )
    monkeypatch.setattr(checkpoints, "SentenceClassifier", lambda *a: pytest.fail("a model was built"))
    with pytest.raises(CheckpointError) as refused:
        checkpoints.from_bytes(data, "big.safetensors", UPLOADS.problems)
    message = str(refused.value)
    assert message.startswith("big.safetensors is a larger model than this server takes")
    assert f"{UPLOADS.max_layers + 1} layers; at most {UPLOADS.max_layers}" in message
    assert f"(both directions counted); at most {UPLOADS.max_units}" in message
    monkeypatch.undo()
    assert checkpoints.from_bytes(data, "big.safetensors")  # the CLI and library take any valid file


def test_an_unforeseen_failure_is_a_checkpoint_error(monkeypatch):
    def surprise(*args, **kwargs):
        raise NotImplementedError("a <torch.dtype object at 0x7f00> surprise")

    monkeypatch.setattr(checkpoints, "load_safetensors", surprise)
    with pytest.raises(CheckpointError) as refused:
        checkpoints.from_bytes(_file(), "odd.safetensors")
    assert str(refused.value) == "odd.safetensors could not be read as an rnnviz checkpoint"


def test_an_oversized_upload_is_refused_once_in_the_sidebar(app, monkeypatch):
    at = app.run()
    assert not at.exception
    reads = []
    real = checkpoints.from_bytes
    monkeypatch.setattr(checkpoints, "from_bytes", lambda *a, **k: reads.append(1) or real(*a, **k))
    data = _file(hidden_size=8, num_layers=UPLOADS.max_layers + 1)
    at.sidebar.file_uploader[0].set_value(("deep.safetensors", data, "application/octet-stream")).run()
    at.run()
    assert not at.exception
    errors = [str(e.value).replace("\\", "") for e in at.sidebar.error]
    assert any("cannot be used" in e and "layers; at most" in e for e in errors), errors
    assert len(reads) == 1  # recorded per uploaded file: not read again on the next run
    assert at.sidebar.selectbox(key="rnnviz_model").value == "lstm"
