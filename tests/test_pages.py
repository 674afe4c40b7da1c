"""Proves the Explore page in Streamlit's AppTest: every input (hostile ones too), links with good,
bad and stale query parameters, model and layer/direction switching, uploads and missing models
all end in a page without an exception, showing what they should."""

import shutil

import pytest

from rnnviz.core import checkpoints
from tests.conftest import make_classifier
from tests.pages_support import app_test, chart_specs, chart_titles, html_bodies

TEXT_BOX = "explore_sentence"
LSTM_QUANTITIES = [  # Explore's heatmaps of an LSTM layer, in the switch's order
    "Hidden state h",
    "Cell state c",
    "Input gate i",
    "Forget gate f",
    "Candidate (cell gate) g",
    "Output gate o",
]


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _heatmap_titles(at):
    return [title for title in chart_titles(at) if " · layer " in title]


def test_default_view(app):
    at = _ok(app.run())
    assert at.text_input(key=TEXT_BOX).value == "the movie was not good"
    assert "<bdi>not</bdi>" in html_bodies(at)
    assert "Prediction for the whole sentence" in html_bodies(at)
    titles = chart_titles(at)
    assert titles[0] == "Prediction after each word"
    assert _heatmap_titles(at) == ["Hidden state h · layer 1"]  # one heatmap per update at first
    assert titles[-1].startswith("Hidden state h of units")
    assert len(titles) == 3
    spec = chart_specs(at)[0]
    assert spec["layout"]["xaxis"]["ticktext"] == ["the", "movie", "was", "not", "good"]
    assert len(at.get("download_button")) == 2
    assert at.query_params == {
        "model": "lstm",
        "sentence": "the movie was not good",
        "layer": "1",
        "direction": "forward",
    }


def test_the_stand_in_flips_on_not(app):
    at = _ok(app.run())
    assert "negative" in html_bodies(at)
    _ok(at.text_input(key=TEXT_BOX).set_value("the movie was good").run())
    assert "<bdi>positive</bdi>" in html_bodies(at)
    assert at.query_params["sentence"] == "the movie was good"


def test_preset_pills_fill_the_text_box(app):
    at = _ok(app.run())
    _ok(at.pills(key="explore_preset").set_value("the movie was not bad").run())
    assert at.text_input(key=TEXT_BOX).value == "the movie was not bad"
    assert at.pills(key="explore_preset").value is None
    assert "<bdi>bad</bdi>" in html_bodies(at)


HOSTILE_INPUTS = {
    "script": ("<script>alert(1)</script>", "<bdi>&lt;</bdi>"),
    "html attribute": ('"><img src=x onerror=alert(1)>', "<bdi>&quot;</bdi>"),
    "markdown": ("**bold** _it_ [link](http://x) $x^2$ :smile: # head", "<bdi>**</bdi>"),
    "emoji": ("the movie was 😀😀 good 👍🏽", "<bdi>👍🏽</bdi>"),
    "right to left": ("הסרט לא טוב the movie مرحبا", "<bdi>הסרט</bdi>"),
    "control characters": ("the\x00 movie\x07 was\x1b not\u200b good\r\n", "<bdi>movie</bdi>"),
    "numbers only": ("123 456 7.5", "<bdi>123</bdi>"),
}


def test_hostile_text_is_shown_as_plain_text(app):
    at = _ok(app.run())
    _ok(at.segmented_control(key="explore_view").set_value("all").run())  # every chart gets the text
    for name, (text, expected) in HOSTILE_INPUTS.items():
        _ok(at.text_input(key=TEXT_BOX).set_value(text).run())
        body = html_bodies(at)
        assert expected in body, name
        assert "<script" not in body and "<img" not in body, name
        assert len(chart_specs(at)) == 8, name


def test_empty_whitespace_and_invisible_text_get_a_prompt(app):
    at = _ok(app.run())
    for text in ("", "   ", "\u200b\u200d\ufeff"):
        _ok(at.text_input(key=TEXT_BOX).set_value(text).run())
        assert not chart_specs(at)
        assert at.info and ("Type a sentence" in at.info[0].value or "no words" in at.info[0].value)
        assert not at.error


def test_only_unknown_words_are_explained(app):
    at = _ok(app.run())
    _ok(at.text_input(key=TEXT_BOX).set_value("zebra quokka xylophone").run())
    assert any("vocabulary" in info.value for info in at.info)
    assert html_bodies(at).count("<sup>?</sup>") == 3
    assert len(chart_specs(at)) == 3  # the prediction, the heatmap of h and the unit lines


def test_long_text_is_cut_to_the_limit(app):
    at = _ok(app.run())
    _ok(at.text_input(key=TEXT_BOX).set_value("the movie was not good " * 50).run())  # 250 tokens
    assert any("first 200 tokens" in w.value and "50 were cut" in w.value for w in at.warning)
    assert len(chart_specs(at)[0]["layout"]["xaxis"]["categoryarray"]) == 200
    assert "sentence" not in at.query_params  # 1150 characters: too long for a link


def test_a_link_opens_the_same_view(models_dir, monkeypatch):
    query = {"sentence": "the movie was not bad", "model": "gru", "layer": "2", "direction": "backward"}
    at = _ok(app_test(models_dir, monkeypatch, query).run())
    assert not at.warning
    assert at.text_input(key=TEXT_BOX).value == "the movie was not bad"
    assert at.sidebar.selectbox(key="rnnviz_model").value == "gru"
    assert _heatmap_titles(at) == ["Hidden state h · layer 2, backward"]
    assert at.query_params == query


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"model": "transformer"}, "the model “transformer”"),
        ({"model": "my net (uploaded)"}, "belong to the browser that made them"),
        ({"layer": "2"}, "layer “2”"),  # stale: the default LSTM has one layer
        ({"layer": "zero"}, "layer “zero”"),
        ({"direction": "backward"}, "direction “backward”"),
        ({"direction": "<b>sideways</b>"}, "direction “\\<b\\>sideways\\</b\\>”"),
        ({"model": "gru", "layer": "-1"}, "layer “\\-1”"),
        ({"sentence": "good " * 1200}, "longer than 5000 characters"),
    ],
)
def test_bad_or_stale_links_fall_back_with_a_notice(models_dir, monkeypatch, query, notice):
    at = _ok(app_test(models_dir, monkeypatch, query).run())
    warnings = [w.value for w in at.warning]
    assert any(notice in w for w in warnings), warnings
    assert next(iter(at.main.children.values())).type == "warning"  # at the top, above the title
    assert chart_specs(at)
    assert at.query_params["layer"] == "1" and at.query_params["direction"] == "forward"
    _ok(at.run())  # the notice is about the link: it is not repeated on the next run
    assert not [w for w in at.warning if "link" in w.value]


def test_the_heatmap_switch_shows_one_quantity_or_every_gate_side_by_side(app):
    at = _ok(app.run())
    switch = at.segmented_control(key="explore_view")
    assert switch.options == [*LSTM_QUANTITIES, "All side by side"]
    _ok(switch.set_value("forget").run())
    assert _heatmap_titles(at) == ["Forget gate f · layer 1"]
    spec = chart_specs(at)[1]
    assert spec["layout"]["xaxis"]["ticktext"] == ["the", "movie", "was", "not", "good"]
    _ok(at.segmented_control(key="explore_view").set_value("all").run())
    assert [t.split(" · ")[0] for t in _heatmap_titles(at)] == LSTM_QUANTITIES
    _ok(at.text_input(key=TEXT_BOX).set_value("the acting was great").run())  # the view stays
    assert len(_heatmap_titles(at)) == 6
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("gru").run())  # r, z, n: still all
    assert [t.split(" · ")[0] for t in _heatmap_titles(at)] == [
        "Hidden state h",
        "Reset gate r",
        "Update gate z",
        "Candidate (new gate) n",
    ]
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("rnn").run())  # h only: no switch
    assert not [w for w in at.main.segmented_control if w.key == "explore_view"]
    assert len(_heatmap_titles(at)) == 1


def test_switching_models_layers_and_directions(app):
    at = _ok(app.run())
    assert [w.key for w in at.main.segmented_control] == ["explore_order", "explore_view"]  # one layer
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("gru").run())
    assert _heatmap_titles(at)[0] == "Hidden state h · layer 1, forward"
    _ok(at.segmented_control(key="explore_layer").set_value(1).run())
    _ok(at.segmented_control(key="explore_direction").set_value("backward").run())
    assert _heatmap_titles(at)[0] == "Hidden state h · layer 2, backward"
    assert (at.query_params["model"], at.query_params["layer"], at.query_params["direction"]) == (
        "gru",
        "2",
        "backward",
    )
    _ok(at.segmented_control(key="explore_order").set_value("changed").run())
    _ok(at.selectbox(key="explore_shown").set_value(8).run())
    assert len(chart_specs(at)[1]["data"][0]["y"]) == 8
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("rnn").run())
    assert _heatmap_titles(at) == ["Hidden state h · layer 1"]
    assert at.query_params["layer"] == "1" and at.query_params["direction"] == "forward"
    _ok(at.sidebar.selectbox(key="rnnviz_model").set_value("lstm").run())
    assert _heatmap_titles(at) == ["Hidden state h · layer 1"]


def test_unit_focus(app):
    at = _ok(app.run())
    units = at.multiselect[0]
    assert len(units.value) == 3
    _ok(units.set_value([5]).run())
    assert chart_titles(at)[-1] == "Hidden state h of unit 5, word by word"
    assert "h of unit 5" in html_bodies(at)
    _ok(at.selectbox(key="explore_focus_quantity_lstm").set_value("forget").run())
    assert chart_titles(at)[-1] == "Forget gate f of unit 5, word by word"
    _ok(at.multiselect[0].set_value([]).run())
    assert any("Pick one or more units" in info.value for info in at.info)


def test_uploads(app):
    at = _ok(app.run())
    good = checkpoints.to_bytes(make_classifier(cell="gru", num_layers=2, bidirectional=True))
    _ok(
        at.sidebar.file_uploader[0]
        .set_value(("my <b>net</b>.safetensors", good, "application/octet-stream"))
        .run()
    )
    assert at.sidebar.selectbox(key="rnnviz_model").value == "my <b>net</b> (uploaded)"
    assert any("Added to the model list" in s.value for s in at.sidebar.success)
    assert _heatmap_titles(at)[0] == "Hidden state h · layer 1, forward"
    _ok(at.sidebar.file_uploader[0].set_value(("bad.safetensors", b"\x80\x04not a model", "x")).run())
    assert any("pickle" in e.value for e in at.sidebar.error)
    assert at.sidebar.selectbox(key="rnnviz_model").value == "my <b>net</b> (uploaded)"


def test_missing_shipped_models(tmp_path, models_dir, monkeypatch):
    shutil.copy(models_dir / "lstm.safetensors", tmp_path / "lstm.safetensors")
    at = _ok(app_test(tmp_path, monkeypatch, {"model": "gru"}).run())
    assert any("not installed on this server" in w.value for w in at.warning)
    assert at.sidebar.selectbox(key="rnnviz_model").options == ["LSTM (shipped)"]
    assert any("Not available on this server" in c.value for c in at.sidebar.caption)
    empty = tmp_path / "empty"
    empty.mkdir()
    at = _ok(app_test(empty, monkeypatch).run())
    assert any("no model to look at" in info.value for info in at.info)
    assert any("No model is available" in e.value for e in at.sidebar.error)
    assert not chart_specs(at)
