"""Proves every refusal of a user's table, pairs file, data source or checkpoint is a short plain
sentence (issue 13, item 11): a 10,000-column header, a 100,000-character label and odd bytes
give messages of a few hundred characters at most, quoting clipped text and a few names, with no
Python internals (tracebacks, object reprs, exception class names, codec words), and labels
longer than MAX_LABEL_CHARS are refused."""

import csv
import json
import random
import re

import pytest
import torch
from safetensors.torch import save as save_safetensors

from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import MAX_LABEL_CHARS, CheckpointError
from rnnviz.data.pairs import decode_pairs, parse_pairs, parse_typed_pairs
from rnnviz.data.sources import load_splits, source_problem
from rnnviz.data.tables import TableError, load_table
from tests.conftest import make_classifier

LONGEST = 300  # characters: a sentence a student reads, whatever the file holds
INTERNALS = re.compile(r"Traceback|object at 0x|\b\w*(Error|Exception)\b|codec|\\x[0-9a-f]{2}|\bNone\b")
HUGE = "x" * 100_000


def assert_plain(error: BaseException) -> str:
    """The message of `error`: short, one line, no Python internals."""
    message = str(error)
    assert len(message) <= LONGEST, (len(message), message[:400])
    assert "\n" not in message and not INTERNALS.search(message), message
    return message


def refusal(kind: type[BaseException], call, *args, **kwargs) -> str:
    with pytest.raises(kind) as caught:
        call(*args, **kwargs)
    return assert_plain(caught.value)


def test_error_messages_are_short():
    wide = ",".join(f"column{i}" for i in range(10_000)).encode() + b"\n" + b"a," * 9_999 + b"b\n"
    message = refusal(TableError, load_table, wide, name="wide.csv")
    assert "'column0', 'column1', 'column2', 'column3' and 9,996 more" in message
    long_names = f"{HUGE},{HUGE}\nx,y\n".encode()
    assert "…" in refusal(TableError, load_table, long_names, name="long.csv")
    refusal(TableError, load_table, b"text,label\ngood,pos\n", text_column=HUGE)
    refusal(TableError, load_table, b"text,label\ngood,pos\n", name=HUGE)
    assert len(load_table(b"text,label\ngood,pos\nbad,neg\n", name=HUGE).name) <= 80  # shown in captions
    assert len(source_problem(HUGE)) <= LONGEST
    eleven = "text,label\n" + "".join(f"t{i},{'L' * 39}{i}\n" for i in range(11))
    refusal(TableError, load_table, eleven.encode())
    refusal(ValueError, parse_pairs, f"a\t{HUGE}\nnot a\tneg\n", ["neg", "pos"])
    refusal(ValueError, parse_typed_pairs, f"a | {HUGE}\nnot a | neg\n", ["neg", "pos"])


def test_a_huge_label_is_refused():
    message = refusal(TableError, load_table, f"text,label\ngood,{HUGE}\nbad,neg\n".encode())
    assert "line 2: the label 'xxx" in message and f"longer than {MAX_LABEL_CHARS} characters" in message
    fits = load_table(f"text,label\ngood,{'p' * MAX_LABEL_CHARS}\nbad,neg\n".encode())
    assert len(fits.label_names[1]) == MAX_LABEL_CHARS

    classifier = make_classifier(labels=("negative", "p" * 1_000))
    message = refusal(CheckpointError, checkpoints.from_bytes, checkpoints.to_bytes(classifier), "big")
    assert f"is longer than {MAX_LABEL_CHARS} characters" in message


@pytest.mark.parametrize("seed", range(5))
def test_odd_bytes_get_plain_messages(seed):
    noise = random.Random(seed).randbytes(2_000)
    refusal(TableError, load_table, noise, name="noise.csv")
    refusal(ValueError, decode_pairs, noise)
    refusal(CheckpointError, checkpoints.from_bytes, noise, "noise.safetensors")
    header_noise = len(noise).to_bytes(8, "little") + noise  # a "header" of random bytes
    refusal(CheckpointError, checkpoints.from_bytes, header_noise, "noise.safetensors")


def test_the_csv_readers_own_words_are_translated():
    open_quote = b'text,label\n"' + b"a" * (csv.field_size_limit() + 10) + b",pos\n"
    assert "longer than" in refusal(TableError, load_table, open_quote)


def test_checkpoint_contents_are_quoted_clipped():
    good = checkpoints.to_bytes(make_classifier())
    tensors = checkpoints.load_safetensors(good)
    header = json.loads(good[8 : 8 + int.from_bytes(good[:8], "little")])
    metadata = header["__metadata__"]
    extra = {**tensors, **{f"{HUGE[:5_000]}{i}": torch.zeros(1) for i in range(50)}}
    message = refusal(CheckpointError, checkpoints.from_bytes, save_safetensors(extra, metadata=metadata))
    assert "and 46 more" in message
    for changes in ({"version": HUGE}, {"config": json.dumps({"vocab_size": 3, "labels": [HUGE, "b"]})}):
        refusal(
            CheckpointError,
            checkpoints.from_bytes,
            save_safetensors(tensors, metadata={**metadata, **changes}),
        )
    missing = {key: value for key, value in metadata.items() if key != "vocab"}
    assert "no vocab" in refusal(
        CheckpointError, checkpoints.from_bytes, save_safetensors(tensors, metadata=missing)
    )
    refusal(CheckpointError, checkpoints.from_bytes, good[:500], HUGE)


def test_a_data_mix_too_small_names_itself_briefly(tmp_path):
    path = tmp_path / ("t" * 200 + ".csv")
    path.write_text("text,label\ngood,pos\nbad,neg\n")
    refusal(ValueError, load_splits, [str(path)], with_test=False)
