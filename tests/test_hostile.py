"""Proves that bad input on every surface (each text box, query parameter, upload and CLI argument)
ends in a clear message, never a traceback, never user text rendered as HTML or markdown, and never
a changed models folder. One table of hostile strings and one of bad files drive every surface.

The interrupted-write case (a checkpoint save killed half-way leaves the old file) is proved in
tests/test_checkpoints.py::test_interrupted_write_keeps_the_previous_file; tests/e2e/test_hostile.py
shows a real browser agrees with the AppTest runs here.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import pickle
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as save_safetensors

from rnnviz.core import checkpoints
from rnnviz.core.markup import md_escape, quote
from rnnviz.core.text import tokenize
from rnnviz.data import tables as data
from rnnviz.plots import html as render
from rnnviz.tools.cli import main
from rnnviz.training import jobs
from rnnviz.ui import lab
from rnnviz.ui import lesson as lesson_ui
from rnnviz.ui import train as ui_train
from tests.conftest import make_classifier
from tests.pages_support import ROOT, app_test, chart_specs, chart_titles, html_bodies

# --------------------------------------------------------------------------- the tables

HOSTILE = {
    "empty": "",
    "whitespace": " \t\n \u3000 ",
    "emoji": "the movie 🎬 was 😀 good 👍🏽 👨‍👩‍👧",
    "right to left": "הסרט לא טוב the movie مرحبا جدا",
    "mixed scripts": "the 映画 was не хорошо μη καλό",
    "zero width and control": "the\u200b movie\u200d was\x00 not\x07\x1b good\ufeff\u202e!",
    "only invisible": "\u200b\u200d\ufeff\u2060",
    "script": "<script>alert(1)</script>",
    "html": '"><img src=x onerror=alert(1)><b>bold</b>',
    "markdown": "**bold** _it_ [link](javascript:x) # head :smile: :red[x]",
    "latex": r"$\frac{1}{0}$ $$x^2$$ \(y\)",
    "numbers only": "123 456 7.5 -1e9",
    "unknown words only": "zebra quokka xylophone",
}
BIG = ("the movie was not good " * 5_000)[: 100 * 1024 - 4] + " ✓😀"  # 100 KB of text
# Short strings that cover the kinds above, for surfaces where each value costs a fresh app.
SAMPLE = ("empty", "right to left", "zero width and control", "script", "markdown", "latex")
NO_WORDS = ("empty", "whitespace", "only invisible")  # nothing a model can read

# Fragments of HOSTILE that must never reach a page unescaped: as HTML they would run or draw,
# as Streamlit markdown they would become bold text, a link, an emoji, a colour or LaTeX.
RAW_MARKUP = [
    re.compile(r"(?<!\\)<(script|img|b>)"),
    re.compile(re.escape("**bold**")),
    re.compile(re.escape("[link](javascript")),
    re.compile(re.escape("$\\frac")),
    re.compile(r":(smile|red\[x\])"),
]


def _good_checkpoint() -> bytes:
    return checkpoints.to_bytes(make_classifier(cell="gru"))


def _wrong_shapes() -> bytes:
    """A real rnnviz checkpoint whose embedding has one column fewer than its config says."""
    classifier = make_classifier(cell="gru")
    state = {k: v.contiguous() for k, v in classifier.model.state_dict().items()}
    state["embedding.weight"] = state["embedding.weight"][:, :-1].contiguous()
    metadata = {
        "format": checkpoints.FORMAT,
        "version": checkpoints.VERSION,
        "config": json.dumps(classifier.config.to_dict()),
        "vocab": classifier.vocab.to_json(),
    }
    return save_safetensors(state, metadata=metadata)


def _config_bomb() -> bytes:
    """Half a megabyte whose config asks for a 600 MB model (50,000 words, four bidirectional
    1024-unit LSTM layers) and whose tensors are one number."""
    vocab = ["<pad>", "<unk>", *(f"w{i}" for i in range(49_998))]
    config = dict(vocab_size=50_000, labels=["a", "b"], cell="lstm", embedding_dim=1024, hidden_size=1024)
    config.update(num_layers=4, bidirectional=True)
    metadata = {"format": checkpoints.FORMAT, "version": checkpoints.VERSION, "config": json.dumps(config)}
    return save_safetensors({"x": torch.zeros(1)}, metadata={**metadata, "vocab": json.dumps(vocab)})


def _torch_save() -> bytes:
    buffer = io.BytesIO()
    torch.save(make_classifier(cell="gru").model.state_dict(), buffer)
    return buffer.getvalue()


# name -> (file bytes, a fragment of the reason every surface must show)
BAD_CHECKPOINTS = {
    "pickle renamed": (pickle.dumps({"weights": [1.0, 2.0]}, protocol=4), "a Python pickle"),
    "torch.save renamed": (_torch_save(), "a zip archive"),
    "truncated": (_good_checkpoint()[:2_000], "is truncated"),
    "random bytes": (random.Random(0).randbytes(4_096), "not a safetensors file, or it is truncated"),
    "empty": (b"", "is empty"),
    "tiny": (b"\x01\x02", "too short"),
    "wrong shapes": (_wrong_shapes(), "the config needs"),
    "foreign safetensors": (save_safetensors({"x": torch.zeros(2)}), "not an rnnviz classifier"),
    "config far larger than its tensors": (_config_bomb(), "tensors do not match the config"),
    "json": (b'{"format": "rnnviz-classifier"}', "JSON text"),
}

_MILLION_SHORT = b"text,label\n" + b"good,1\nbad,0\n" * 500_000  # 6.5 MB: under the byte limit
_MILLION_LONG = b"text,label\n" + b"the movie was good,positive\nthe movie was bad,negative\n" * 500_000
# name -> (table bytes, a fragment of the reason)
BAD_TABLES = {
    "one class": (b"text,label\nthe movie was good,pos\nthe plot was fun,pos\n", "every row has the label"),
    "no label column": (b"text,score\nthe movie was good,1\nbad,0\n", "no label column"),
    "latin-1": ("text,label\ncafé was good,pos\nbad,neg\n".encode("latin-1"), "not UTF-8 text"),
    "utf-16": ("text,label\ngood,pos\nbad,neg\n".encode("utf-16"), "not UTF-8 text"),
    "a million rows": (_MILLION_SHORT, "more than 50,000 rows"),
    "a million long rows": (_MILLION_LONG, "larger than 10 MB"),
    "empty": (b"", "is empty"),
    "header only": (b"text,label\n", "has a header but no rows"),
    "ragged": (b"text,label\ngood,pos,extra\n", "3 fields but the header has 2"),
    "pickle": (pickle.dumps(["text", "label"]), "not UTF-8 text"),
    "only invisible texts": ("text,label\n\u200b,pos\n\u2060,neg\n".encode(), "the text is empty"),
}
# A valid table made of hostile texts and labels: it loads, and its labels are shown escaped.
HOSTILE_TABLE = "text,label\n" + "".join(
    f'"{text.replace(chr(34), chr(34) * 2)}",{label}\n'
    for text, label in zip(
        [t for name, t in HOSTILE.items() if name not in NO_WORDS],
        ["<b>pos</b>", "**neg**"] * len(HOSTILE),
        strict=False,
    )
)


# --------------------------------------------------------------------------- checks


def _ok(at, what: str = ""):
    assert not at.exception, (what, [e.value for e in at.exception])
    return at


def _shown_markdown(at) -> list[str]:
    """Every string the last run handed to Streamlit's markdown renderer (main area and sidebar)."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "latex")
    return [str(element.value) for kind in kinds for element in at.get(kind)]


def _assert_plain(at, what: str) -> None:
    """No hostile fragment reaches markdown unescaped, nor HTML or a chart as markup."""
    for value in _shown_markdown(at):
        for pattern in RAW_MARKUP:
            assert not pattern.search(value), (what, pattern.pattern, value[:300])
    body = html_bodies(at).replace(lesson_ui.CLICKER_KEYS, "")  # the Lesson's own fixed script
    assert not re.search(r"<(script|img|b>)", body), (what, body[:300])
    for spec in chart_specs(at):
        assert not re.search(r"<(script|img)", json.dumps(spec)), what


def _messages(at) -> str:
    """The text of every alert, as a reader sees it (markdown escapes removed)."""
    kinds = ("info", "warning", "error", "success")
    text = "\n".join(str(e.value) for kind in kinds for e in at.get(kind))
    return text.replace("\\", "").replace("\u200b", "")


def _folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- text boxes

# surface -> (page, widget kind, widget key, what the page says for a text without words)
TEXT_BOXES = {
    "explore": (None, "text_input", "explore_sentence", "Type a sentence"),
    "word order": ("pages/word_order.py", "text_input", "order_sentence", "Type a sentence"),
    "lab A": ("pages/negation_lab.py", "text_input", "lab_a", "The first sentence is empty"),
    "lab B": ("pages/negation_lab.py", "text_input", "lab_b", "The second sentence is empty"),
    "inside the cell": ("pages/inside_the_cell.py", "text_input", "cell_sentence", "Type a sentence"),
    "why gates": ("pages/why_gates.py", "text_area", "gates_sentence", "Type a sentence"),
    "layers": ("pages/layers.py", "text_input", "layers_sentence", "Type a sentence"),
    "units": ("pages/units.py", "text_input", "units_sentence", "Type a sentence"),
}


def _open(app, page: str | None):
    at = _ok(app.run())
    if page:
        _ok(at.switch_page(page).run())
    return at


@pytest.mark.parametrize("surface", list(TEXT_BOXES))
def test_every_hostile_string_in_every_text_box(app, surface):
    page, kind, key, prompt = TEXT_BOXES[surface]
    at = _open(app, page)
    for name, text in {**HOSTILE, "100 KB": BIG}.items():
        getattr(at, kind)(key=key).set_value(text)
        _ok(at.run(), name)
        _assert_plain(at, name)
        said = _messages(at)
        if name in NO_WORDS:
            assert prompt in said or "no words" in said, (name, said)
            # no chart of the sentence (the lab's scores over many pairs and the Units page's
            # rankings over the corpus do not depend on it)
            corpus = ("Negation units", "Units that tell", "Best: ", "Unit map: ")
            pair_charts = [t for t in chart_titles(at) if not t.startswith(corpus)]
            assert not pair_charts or surface == "why gates", name
        else:
            assert chart_specs(at), (name, said)
        if name == "unknown words only" and surface != "why gates":
            assert "vocabulary" in said, said
        if name == "100 KB":
            assert re.search(r"first \d+ tokens|cut after \d+ tokens", said), said


def test_typed_pairs_made_of_hostile_sentences(app):
    at = _open(app, "pages/negation_lab.py")
    at.query_params["section"] = "pairs"  # the tab with the pairs controls, as a link opens it
    _ok(at.run())
    _ok(at.toggle(key="lab_builtin").set_value(False).run())
    for name, text in {**HOSTILE, "100 KB": BIG}.items():
        typed = f"{text} | positive\n{text} not | negative\n{text} well | positive\nnot {text} | negative"
        at.text_area(key="lab_typed").set_value(typed)
        _ok(at.run(), name)
        _assert_plain(at, name)
        said = _messages(at)
        scored = "Negation units" in str(chart_specs(at))
        assert scored or re.search("Your typed pairs|No unit scores", said), (name, said)
    for name, text in (("raw script", HOSTILE["script"]), ("raw 100 KB", BIG)):
        at.text_area(key="lab_typed").set_value(text)
        _ok(at.run(), name)
        assert "Your typed pairs, line 1: expected 'sentence | label'" in _messages(at), name


def test_the_train_probe_sentence(app):
    """The probe box exists once a training has started: one tiny run, then every string."""
    jobs.warm_up()
    at = _open(app, "pages/train.py")
    at.select_slider(key="train_size").set_value(1_000)
    at.select_slider(key="train_embedding").set_value(8)
    at.select_slider(key="train_hidden").set_value(8)
    at.slider(key="train_epochs").set_value(1)
    _ok(at.run())
    _ok(next(b for b in at.button if b.label == "Start").click().run())
    job = at.session_state[ui_train.JOB_KEY]
    try:
        job.join(120)
        _ok(at.run())
        _ok(at.run())  # the run after "done" adds the model to the picker
        assert at.session_state[ui_train.JOB_KEY].state().status == "done"
        for name, text in {**HOSTILE, "100 KB": BIG}.items():
            at.text_input(key="train_probe").set_value(text)
            _ok(at.run(), name)
            _assert_plain(at, name)
            said = _messages(at)
            if name in NO_WORDS:
                assert "Type a sentence to follow" in said or "no words" in said, (name, said)
            else:
                assert any("Prediction after each word" in json.dumps(s) for s in chart_specs(at)), name
            if name == "unknown words only":
                assert "vocabulary" in said, said
            if name == "100 KB":
                assert "tokens are read" in str([c.value for c in at.caption]), name
    finally:
        job.stop()
        job.join(30)


# --------------------------------------------------------------------------- query parameters

# page -> the query parameters it reads (the sidebar reads `model` on every page)
QUERY_PAGES = {
    None: ("sentence", "layer", "direction", "model"),
    "pages/word_order.py": ("sentence",),
    "pages/negation_lab.py": ("a", "b", "layer", "direction"),
    "pages/inside_the_cell.py": ("sentence", "layer", "direction", "unit", "word"),
    "pages/why_gates.py": ("filler", "train", "epochs", "seed"),
    "pages/layers.py": ("sentence", "layer"),
    "pages/units.py": (
        "sentence",
        "layer",
        "direction",
        "quantity",
        "change",
        "units",
        "from",
        "to",
        "b",
        "bword",
    ),
    "pages/batches.py": ("s1", "s2", "s3"),
    "pages/lesson.py": ("step", "lang"),
}
TEXT_PARAMETERS = {"sentence", "a", "b", "s1", "s2", "s3"}


def _linked(models_dir, monkeypatch, page, query):
    at = app_test(models_dir, monkeypatch, query)
    if page:
        at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("page", list(QUERY_PAGES), ids=lambda p: (p or "explore").split("/")[-1])
@pytest.mark.parametrize("name", [*SAMPLE, "100 KB"])
def test_a_link_with_hostile_values_in_every_parameter(models_dir, monkeypatch, page, name):
    """Every parameter the page reads carries the same hostile value at once."""
    value = BIG if name == "100 KB" else HOSTILE[name]
    # Streamlit ignores a whole query string over 524,288 characters: five 100 KB values fit
    names = QUERY_PAGES[page][:5] if name == "100 KB" else QUERY_PAGES[page]
    at = _ok(_linked(models_dir, monkeypatch, page, dict.fromkeys(names, value)), name)
    _assert_plain(at, name)
    said = _messages(at)
    choices = [p for p in names if p not in TEXT_PARAMETERS and p != "word"]
    assert said.count("The link asks for") >= len(choices), said  # one notice per bad choice
    if name == "100 KB" and TEXT_PARAMETERS & set(names):
        assert "has been cut" in said, said
    _ok(at.run(), name)  # the notices are about the link: the next run goes on without them
    assert "The link asks for" not in _messages(at)


@pytest.mark.parametrize("page", ["pages/inside_the_cell.py", "pages/why_gates.py"])
@pytest.mark.parametrize("value", ["²", "1e3", "-1", "99999999999999999999", "0x1", "Ⅻ"])
def test_a_link_with_strange_numbers(models_dir, monkeypatch, page, value):
    """Number parameters given what int() refuses or what looks numeric only to str.isdigit()."""
    numbers = [p for p in QUERY_PAGES[page] if p not in TEXT_PARAMETERS and p != "direction"]
    at = _ok(_linked(models_dir, monkeypatch, page, dict.fromkeys(numbers, value)), value)
    assert _messages(at).count("The link asks for") == len(numbers), _messages(at)


@pytest.mark.parametrize("name", [n for n in HOSTILE if n not in SAMPLE])
def test_a_link_with_any_hostile_sentence(models_dir, monkeypatch, name):
    """The rest of the table through the cheapest text parameter, Explore's sentence."""
    at = _ok(_linked(models_dir, monkeypatch, None, {"sentence": HOSTILE[name]}), name)
    _assert_plain(at, name)
    assert at.text_input(key="explore_sentence").value == HOSTILE[name]


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize("name", list(BAD_CHECKPOINTS))
def test_bad_checkpoint_uploads_are_refused_and_change_nothing(app, models_dir, name):
    before = _folder_state(models_dir)
    at = _ok(app.run())
    options = at.sidebar.selectbox(key="rnnviz_model").options
    content, reason = BAD_CHECKPOINTS[name]
    filename = '<img src=x onerror="alert(1)">.safetensors'
    _ok(at.sidebar.file_uploader[0].set_value((filename, content, "application/octet-stream")).run(), name)
    errors = [str(e.value).replace("\\", "") for e in at.sidebar.error]
    assert any("cannot be used" in e and reason in e for e in errors), errors
    _assert_plain(at, name)
    assert at.sidebar.selectbox(key="rnnviz_model").options == options
    assert at.sidebar.selectbox(key="rnnviz_model").value == "lstm"
    assert chart_specs(at)  # the page itself goes on with the model it had
    assert _folder_state(models_dir) == before


def _train_upload(app):
    at = _open(app, "pages/train.py")
    return _ok(at.selectbox(key="train_data").set_value("upload").run())


def test_bad_table_uploads_on_the_train_page(app):
    at = _train_upload(app)
    for name, (content, reason) in BAD_TABLES.items():
        _ok(at.file_uploader(key="train_upload").set_value((f"{name}.csv", content, "text/csv")).run(), name)
        said = _messages(at)
        assert "This table cannot be used" in said and reason in said, (name, said)
        assert next(b for b in at.button if b.label == "Start").disabled, name
    hostile = HOSTILE_TABLE.encode()
    _ok(at.file_uploader(key="train_upload").set_value(("<b>x</b>.csv", hostile, "text/csv")).run())
    _assert_plain(at, "hostile table")
    assert any(r"\<b\>pos\</b\>" in str(c.value) for c in at.caption), [c.value for c in at.caption]
    assert not next(b for b in at.button if b.label == "Start").disabled


def test_bad_pairs_uploads_on_the_negation_lab(app):
    at = _open(app, "pages/negation_lab.py")
    at.query_params["section"] = "pairs"  # the tab with the pairs controls, as a link opens it
    _ok(at.run())
    files = {
        "pickle": (pickle.dumps("x"), "not UTF-8 text"),
        "random bytes": (random.Random(1).randbytes(2_048), "not UTF-8 text"),
        "utf-16": ("good\tpositive\n".encode("utf-16"), "not UTF-8 text"),
        "latin-1": ("café\tpositive\nnot café\tnegative\n".encode("latin-1"), "not UTF-8 text"),
        "over 1 MB": (b"good\tpositive\nnot good\tnegative\n" * 40_000, "larger than 1 MB"),
        "odd lines": (b"good\tpositive\n", "this sentence has no partner"),
        "hostile labels": (b"<script>x</script>\t<b>pos</b>\nb\tnegative\n", "line 1"),
    }
    for name, (content, reason) in files.items():
        _ok(at.file_uploader(key="lab_file").set_value((f"{name}.tsv", content, "text/plain")).run(), name)
        _assert_plain(at, name)
        said = _messages(at)
        assert "The uploaded file" in said and reason in said, (name, said)


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def model_path(tmp_path):
    path = tmp_path / "m.safetensors"
    checkpoints.save(make_classifier(cell="lstm"), path)
    return path


@pytest.mark.parametrize("name", list(HOSTILE))
def test_cli_trace_with_hostile_text(model_path, capsys, name):
    status = main(["trace", "--model", str(model_path), "--text", HOSTILE[name]])
    out, err = capsys.readouterr()
    if name in NO_WORDS:
        assert status == 1 and err == "rnnviz: error: the text has no tokens to trace\n"
    else:
        assert status == 0 and not err
        assert json.loads(out)["tokens"] == tokenize(HOSTILE[name])


def test_cli_trace_of_100_kb_from_an_argument_and_from_bad_standard_input(model_path):
    """A real process: the text as one 100 KB argument, and bytes that are not UTF-8 on stdin."""
    run = [sys.executable, "-m", "rnnviz", "trace", "--model", str(model_path), "--max-tokens", "50"]
    result = subprocess.run([*run, "--text", BIG], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dropped_tokens"] == len(tokenize(BIG)) - 50
    result = subprocess.run(
        [*run, "--text", "-"], input=b"\xff\xfe not \x00 good", capture_output=True, cwd=ROOT
    )
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr


def test_cli_trace_into_a_reader_that_stops_early(model_path):
    """`python -m rnnviz trace ... | head`: the reader goes away, and no traceback follows."""
    run = [sys.executable, "-m", "rnnviz", "trace", "--model", str(model_path), "--text", "-"]
    process = subprocess.Popen(
        run, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    process.stdin.write(BIG.encode())  # about 800 KB of JSON: more than a pipe holds
    process.stdin.close()
    assert process.stdout.read(10) == b'{"model": '
    process.stdout.close()
    assert process.wait(60) == 141
    assert process.stderr.read() == b""


@pytest.mark.parametrize("name", list(BAD_CHECKPOINTS))
def test_cli_refuses_bad_model_files(tmp_path, capsys, name):
    content, reason = BAD_CHECKPOINTS[name]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    for argv in (["trace", "--text", "good"], ["evaluate", "--data", "builtin", "--builtin-size", "20"]):
        assert main([*argv, "--model", str(path)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("rnnviz: error: ") and reason in err and err.count("\n") == 1, err


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_cli_refuses_bad_tables_and_keeps_the_old_checkpoint(tmp_path, model_path, capsys, name):
    content, reason = BAD_TABLES[name]
    table = tmp_path / "table.csv"
    table.write_bytes(content)
    out = tmp_path / "out.safetensors"
    out.write_bytes(model_path.read_bytes())
    before = _folder_state(tmp_path)
    assert main(["train", "--data", str(table), "--out", str(out), "--quiet"]) == 1
    assert reason in capsys.readouterr().err
    assert main(["evaluate", "--model", str(model_path), "--data", str(table)]) == 1
    assert reason in capsys.readouterr().err
    assert _folder_state(tmp_path) == before  # nothing written, nothing half-written


def test_cli_train_into_a_place_it_cannot_write(tmp_path, monkeypatch, capsys):
    """Refused before training when --out lies under a file; one line when saving fails at the end."""
    from rnnviz.tools import cli
    from tests.test_cli_train import QUICK

    blocker = tmp_path / "a file"
    blocker.write_text("x")
    assert main(["train", "--out", str(blocker / "sub" / "m.safetensors"), "--quiet"]) == 1
    assert "cannot be written: " in capsys.readouterr().err

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "save", full_disk)
    out = tmp_path / "m.safetensors"
    assert main(["train", "--out", str(out), "--quiet", *QUICK]) == 1
    assert capsys.readouterr().err == f"rnnviz: error: cannot save {out}: No space left on device\n"


def test_cli_refuses_bad_pairs_files(tmp_path, model_path, capsys):
    files = {
        "latin-1": ("café\tpositive\nnot café\tnegative\n".encode("latin-1"), "cannot read the pairs file"),
        "utf-16": ("good\tpositive\n".encode("utf-16"), "cannot read the pairs file"),
        "pickle": (pickle.dumps("x"), "cannot read the pairs file"),
        "odd lines": (b"good\tpositive\n", "this sentence has no partner"),
        "hostile label": (b"<script>\t<b>pos</b>\n", "line 1: unknown label '<b>pos</b>'"),
        "empty": (b"", "no pairs"),
    }
    for name, (content, reason) in files.items():
        path = tmp_path / f"{name}.tsv"
        path.write_bytes(content)
        assert main(["evaluate", "--model", str(model_path), "--pairs", str(path)]) == 1, name
        assert reason in capsys.readouterr().err, name


# --------------------------------------------------------------------------- the library underneath


@pytest.mark.parametrize("name", list(BAD_CHECKPOINTS))
def test_checkpoint_reasons(name):
    content, reason = BAD_CHECKPOINTS[name]
    with pytest.raises(checkpoints.CheckpointError, match=re.escape(reason)):
        checkpoints.from_bytes(content, "upload")


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_table_reasons(name):
    content, reason = BAD_TABLES[name]
    with pytest.raises(data.TableError, match=re.escape(reason)):
        data.load_table(content, name="upload.csv")


def test_a_config_is_checked_against_the_tensors_before_a_model_is_built(monkeypatch):
    """The 600 MB model a small file's config asks for is never allocated."""
    monkeypatch.setattr(checkpoints, "SentenceClassifier", lambda *args: pytest.fail("a model was built"))
    with pytest.raises(checkpoints.CheckpointError, match="tensors do not match the config"):
        checkpoints.from_bytes(BAD_CHECKPOINTS["config far larger than its tensors"][0])
    with pytest.raises(checkpoints.CheckpointError, match="the config needs"):
        checkpoints.from_bytes(BAD_CHECKPOINTS["wrong shapes"][0])


def test_a_hostile_table_loads_as_written():
    table = data.load_table(HOSTILE_TABLE.encode(), name="upload.csv")
    assert set(table.label_names) == {"<b>pos</b>", "**neg**"}
    assert HOSTILE["script"] in table.texts


@pytest.mark.parametrize("name", list(HOSTILE))
def test_escaping_helpers(name):
    text = HOSTILE[name]
    chips = render.token_chips(tokenize(text), [False] * len(tokenize(text)))
    assert not re.search(r"<(script|img|b>)", chips)
    for value in (md_escape(text), quote(text, 1_000)):
        assert not any(pattern.search(value) for pattern in RAW_MARKUP), value
        assert "\x00" not in value and "\n" not in value
    pairs, problems = lab.collect_pairs(
        False, f"{text} | positive\nnot {text} | negative", None, ("negative", "positive")
    )
    assert pairs or problems


# Where the app may write HTML with st.html, and what it may pass: markup from rnnviz.plots.html
# (`render.…`, which escapes every piece of user text) or the match view's phrase list built on it
# (rnnviz.plots.phrases), teacher mode's fixed style block, or the Lesson's fixed key script (no
# text in it but its own).
RAW_HTML_ALLOWED = {
    "rnnviz/ui/output.py": lambda argument: argument.startswith("render."),
    "rnnviz/ui/teacher.py": lambda argument: argument in ("PROJECTOR_STYLE", "PAGE_STYLE"),
    "rnnviz/ui/units_match.py": lambda argument: argument.startswith("phrase_list("),
    "rnnviz/ui/lesson.py": lambda argument: argument == "CLICKER_KEYS unsafe_allow_javascript=True",
}


def raw_html_problems(path: str, code: str) -> list[str]:
    """Every way the source `code` of the file `path` (relative to the repository) could put text
    on the page as raw HTML, other than the allowed st.html calls."""
    problems = [
        f"{path}: {word}"
        for word in ("unsafe_allow_html", "components.html", "components.v1")
        if word in code
    ]
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit"):
            problems += [f"{path}:{node.lineno} imports html" for a in node.names if a.name == "html"]
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "html" and isinstance(node.func.value, ast.Name) and node.func.value.id == "st":
            argument = " ".join(ast.unparse(a) for a in [*node.args, *node.keywords])
            if not RAW_HTML_ALLOWED.get(path, lambda _: False)(argument):
                problems.append(f"{path}:{node.lineno} st.html({argument})")
    return problems


def test_user_text_never_reaches_raw_html():
    """The only HTML the app writes goes through st.html with markup from rnnviz.plots.html, which
    escapes every piece of user text, or is teacher mode's fixed style block; nothing uses
    unsafe_allow_html or components.html."""
    sources = {
        path.relative_to(ROOT).as_posix(): path.read_text()
        for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "rnnviz").rglob("*.py")]
    }
    assert set(RAW_HTML_ALLOWED) <= set(sources) and len(sources) > 40  # the scan reaches the subpackages
    problems = [line for path, code in sorted(sources.items()) for line in raw_html_problems(path, code)]
    assert not problems, problems
    # The allowed files really hold the st.html calls the rule lets through.
    assert all("st.html(" in sources[path] for path in RAW_HTML_ALLOWED)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("rnnviz/ui/output.py", "st.html(f'<b>{sentence}</b>')"),
        ("rnnviz/ui/output.py", "st.html(\n    sentence\n)"),
        ("pages/explore.py", "st.html(render.token_chips(tokens))"),
        ("rnnviz/ui/teacher.py", "st.html(PROJECTOR_STYLE + sentence)"),
        ("rnnviz/ui/widgets.py", "st.markdown(sentence, unsafe_allow_html=True)"),
        ("rnnviz/ui/widgets.py", "import streamlit.components.v1 as c\nc.html(sentence)"),
        ("rnnviz/ui/widgets.py", "from streamlit import html\nhtml(sentence)"),
    ],
)
def test_the_raw_html_rule_catches_user_text(path, code):
    assert raw_html_problems(path, code)


def test_the_raw_html_rule_lets_the_escaped_markup_through():
    assert not raw_html_problems("rnnviz/ui/output.py", "st.html(render.verdict(label, p, colour))")
    assert not raw_html_problems("rnnviz/ui/teacher.py", "st.html(PROJECTOR_STYLE)")
