"""Proves the Padding & packing page in AppTest: the default batch of three sentences shows the padded
ids with <pad>, the mask, pack_padded_sequence's data and batch_sizes, and the final states of the
packed run equal each sentence alone while the unpacked run is off for the shorter ones; links fill
the boxes, and empty, hostile and over-long sentences end without an exception."""

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz.core.models import pad_ids
from rnnviz.core.text import tokenize
from tests.pages_support import app_test, chart_specs, chart_titles, page_text

PAGE = "pages/batches.py"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _chart(at, title):
    (spec,) = [s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith(title)]
    return spec


def test_the_default_batch(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"model": "bilstm"})
    assert [at.text_input(key=f"batch_{k}").value for k in (1, 2, 3)] == [
        "not good",
        "the movie was not bad at all",
        "great",
    ]
    titles = chart_titles(at)
    assert titles[:2] == [
        "Padded ids [3 × 7]: &lt;pad&gt; (id 0) after each sentence's end",
        "Mask [3 × 7] and lengths",
    ]
    assert titles[2] == "pack_padded_sequence: data [10], batch_sizes [3, 2, 1, 1, 1, 1, 1]"
    ids = _chart(at, "Padded ids")["data"][0]["text"]
    assert (
        ids[0][0].startswith("not<br>")
        and ids[0][2] == "&lt;pad&gt;<br>0"
        and ids[2][1] == "&lt;pad&gt;<br>0"
    )
    mask = _chart(at, "Mask")["data"][0]
    assert mask["text"][0] == ["1", "1", "0", "0", "0", "0", "0"] and mask["y"] == [
        "length 2",
        "length 7",
        "length 1",
    ]
    packed = _chart(at, "pack_padded_sequence")["data"][0]
    assert packed["y"][0] == "sentence 2 · length 7"  # longest first
    cells = packed["text"]  # token, [row of data], id
    assert cells[0][0].startswith("the<br>[0]<br>") and cells[1][0].startswith("not<br>[1]<br>")
    assert cells[2][0].startswith("great<br>[2]<br>") and cells[1][1].startswith("good<br>[4]<br>")
    summary = at.success[0].value
    assert "**Packed**, every sentence's final state equals" in summary
    assert "sentences 1 and 3 read `<pad>`" in summary
    bars = _chart(at, "Each sentence's final state")["data"]
    assert [bar["name"] for bar in bars] == ["packed batch", "padded batch, not packed"]
    (table,) = at.dataframe
    unpacked = [float(v) for v in table.value["max |Δ| not packed"]]
    assert unpacked[1] < 1e-5 and unpacked[0] > 1e-3 and unpacked[2] > 1e-3  # the longest has no padding
    assert at.query_params["s2"] == "the movie was not bad at all"


def test_the_packed_data_is_torchs(models_dir, monkeypatch):
    """The ids on the page, read back in packed order, are pack_padded_sequence's data."""
    from rnnviz.core import checkpoints

    at = _open(models_dir, monkeypatch, {"s1": "great acting", "s2": "dull", "s3": "the plot was fun"})
    classifier = checkpoints.load(models_dir / checkpoints.SHIPPED["lstm"])
    texts = ["great acting", "dull", "the plot was fun"]
    ids, lengths = pad_ids([classifier.vocab.encode(tokenize(t)) for t in texts])
    packed = pack_padded_sequence(ids, lengths, batch_first=True, enforce_sorted=False)
    grid = _chart(at, "Padded ids")["data"][0]["text"]
    shown = np.array([[int(cell.split("<br>")[1]) for cell in row] for row in grid])
    np.testing.assert_array_equal(shown, ids.numpy())
    cells = _chart(at, "pack_padded_sequence")["data"][0]["text"]
    order = packed.sorted_indices.tolist()
    by_row, shown_data = {}, {}
    for slot, row in enumerate(cells):
        for t, cell in enumerate(row):
            if cell:  # "token<br>[r]<br>id"
                _, r, value = cell.split("<br>")
                r = r.strip("[]")
                by_row[int(r)] = shown[order[slot], t]  # the id matrix's cell this row came from
                shown_data[int(r)] = int(value)
    assert [by_row[r] for r in range(len(by_row))] == packed.data.tolist()
    assert [shown_data[r] for r in range(len(shown_data))] == packed.data.tolist()
    assert f"batch_sizes [{', '.join(map(str, packed.batch_sizes.tolist()))}]" in chart_titles(at)[2]
    assert torch.equal(packed.batch_sizes, torch.tensor([3, 2, 1, 1]))


def test_empty_hostile_and_long_sentences(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    _ok(at.text_input(key="batch_2").set_value("").run())
    assert "Empty boxes are left out" in page_text(at) and chart_titles(at)[0].startswith(
        "Padded ids [2 × 2]"
    )
    assert "s2" not in at.query_params
    for k in (1, 3):
        _ok(at.text_input(key=f"batch_{k}").set_value("  ").run())
    assert not chart_titles(at) and "Type at least one sentence" in page_text(at)
    _ok(at.text_input(key="batch_1").set_value("<script>x</script> **b** $x$ " + "word " * 30).run())
    assert "cut after 20 tokens" in page_text(at)
    text = " ".join(" ".join(row) for row in _chart(at, "Padded ids")["data"][0]["text"])
    assert "&lt;script&gt;" not in text and "&lt;" in text and "<script" not in text
    assert "All sentences have the same length" in at.success[0].value  # one sentence: nothing padded
