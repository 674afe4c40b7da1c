"""Proves ui.py's pure helpers: markdown neutralised, outside text cleaned, models described."""

import pytest

from rnnviz.ui import session as ui
from tests.conftest import make_classifier


@pytest.mark.parametrize(
    "text",
    ["**bold**", "_x_", "# head", "[a](b)", "$x$", "<b>", "1. item", "`code`", "a|b", "~~s~~", "&amp;"],
)
def test_md_escape_escapes_every_markdown_special(text):
    escaped = ui.md_escape(text)
    for ch in "*_#[]()$<>.`|~&":
        assert ch not in escaped.replace("\\" + ch, "")


def test_md_escape_breaks_shortcodes_and_lines():
    assert ui.md_escape(":smile:") == ":\u200bsmile:\u200b"
    assert ui.md_escape(":red[x]") == ":\u200bred\\[x\\]"
    assert ui.md_escape("a\nb\x00c") == "a b c"


def test_quote_and_clean_text():
    assert ui.quote("x" * 100, limit=10) == "“" + "x" * 9 + "…”"
    assert ui.clean_text("ab\ud800c", 10) == ("ab?c", False)
    assert ui.clean_text("abcdef", 3) == ("abc", True)


def test_describe_model():
    text = ui.describe_model(make_classifier(cell="gru", num_layers=2, bidirectional=True, hidden_size=6))
    assert text.startswith("GRU · 2 layers × 6 units · bidirectional · labels: negative, positive")


def test_model_fingerprint_follows_content_not_identity():
    import torch

    from rnnviz.core import checkpoints

    first = make_classifier(cell="lstm", hidden_size=4)
    copy = checkpoints.from_bytes(checkpoints.to_bytes(first), "copy")
    assert ui.model_fingerprint(first) == ui.model_fingerprint(copy)
    assert ui.model_fingerprint(first) != ui.model_fingerprint(
        make_classifier(seed=1, cell="lstm", hidden_size=4)
    )
    with torch.no_grad():
        copy.model.rnn.weight_hh_l0.add_(0.5)  # an in-place edit, as an optimiser step makes
    assert ui.model_fingerprint(first) != ui.model_fingerprint(copy)


def test_cached_computes_once_per_model_content_and_arguments():
    calls = []

    def double_probability(classifier, text):
        calls.append(text)
        return classifier.predict_proba([text]) * 2

    first = make_classifier(cell="gru", hidden_size=3)
    result = ui.cached(double_probability, first, "the movie was good")
    again = ui.cached(double_probability, first, "the movie was good")
    assert calls == ["the movie was good"] and (result == again).all()
    ui.cached(double_probability, first, "not good")
    ui.cached(double_probability, make_classifier(seed=2, cell="gru", hidden_size=3), "not good")
    assert calls == ["the movie was good", "not good", "not good"]


@pytest.mark.parametrize("raw", ["1_0", " 7", "٣", "²", "-1", "1e3", ""])
def test_whole_number_takes_ascii_digits_only(raw):
    with pytest.raises(ValueError):
        ui.whole_number(raw)
    assert ui.whole_number("042") == 42
