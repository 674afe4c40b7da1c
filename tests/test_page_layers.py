"""Proves the Layers & directions page in AppTest: on the stacked bidirectional stand-in it draws both
directions side by side with the reading order marked, layer 2's input and the classifier's readout
with their checks against torch, and the re-reading table; a one-layer model gets the explanation and a
button that switches the sidebar's model to the BiLSTM; links, layer changes and empty or hostile
text end without an exception."""

from tests.pages_support import app_test, chart_specs, chart_titles, page_text

PAGE = "pages/layers.py"
BOX = "layers_sentence"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def test_the_bilstm_both_ways_and_layer_on_layer(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"model": "bilstm", "sentence": "the movie was not good"})
    titles = chart_titles(at)
    assert titles[:2] == ["→ Forward h · layer 2", "← Backward h · layer 2"]
    assert "Layer 2's input x_t: [→ h, layer 1; ← h, layer 1] at each word" in titles
    assert "What the classifier reads: [12] ⊕ [12] = [24] numbers" in titles
    assert "Prediction after each word" in titles
    forward, backward = chart_specs(at)[:2]
    assert "read right to left" in backward["layout"]["xaxis"]["title"]["text"]
    assert forward["layout"]["xaxis"]["ticktext"] == ["the", "movie", "was", "not", "good"]
    # the outline marks the state the classifier reads: forward at the last word, backward at the first
    assert forward["layout"]["shapes"][0]["x0"] == 3.5 and backward["layout"]["shapes"][0]["x0"] == -0.5
    text = page_text(at)
    assert "\\[12\\] ⊕ \\[12\\] = \\[24\\]" in text or "[12] ⊕ [12] = [24]" in text
    assert "weight_ih_l1" in text and "[48 × 24]" in text  # 4 gates × 12 units, 24 inputs
    assert "this is *not* the model changing its mind" in text
    assert "Checked with PyTorch" in text and "max |difference|" in text
    (table,) = at.dataframe
    rows = table.value
    changes = rows["max |change| of h"].tolist()  # layer 1 forward, layer 1 backward, layer 2 …
    assert changes[0] == "0" and len(changes) == 4 and all(float(c) > 0 for c in changes[1:])
    assert at.query_params["layer"] == "2" and at.query_params["sentence"] == "the movie was not good"

    _ok(at.segmented_control(key="layers_layer").set_value(0).run())
    titles = chart_titles(at)
    assert titles[:2] == ["→ Forward h · layer 1", "← Backward h · layer 1"]
    assert "shapes" not in chart_specs(at)[0]["layout"]  # layer 1 is not what the classifier reads
    assert at.query_params["layer"] == "1"


def test_a_one_layer_model_is_explained_with_a_way_to_the_bilstm(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    assert "one layer that reads one way" in page_text(at)
    assert chart_titles(at)[0] == "→ Forward h · layer 1" and not at.main.get("segmented_control")
    assert not any(t.startswith("Layer 2's input") for t in chart_titles(at))
    assert "reads left to right only" in page_text(at)
    _ok(at.button(key="layers_switch").click().run())
    assert at.sidebar.selectbox(key="rnnviz_model").value == "bilstm"
    assert chart_titles(at)[:2] == ["→ Forward h · layer 2", "← Backward h · layer 2"]


def test_the_gru_stand_in_and_bad_links(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"model": "gru", "layer": "3", "sentence": "<b>not</b> $x$ good"})
    assert "The link asks for layer “3”" in " ".join(w.value for w in at.warning)
    assert chart_titles(at)[0] == "→ Forward h · layer 2"
    assert "weight_ih_l1" in page_text(at) and "[36 × 24]" in page_text(at)  # 3 gates × 12 units
    ticks = " ".join(chart_specs(at)[0]["layout"]["xaxis"]["ticktext"])
    assert "&lt;" in ticks and "<b>" not in ticks


def test_empty_and_unreadable_text(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"model": "bilstm"})
    for text, message in (("", "Type a sentence"), ("\u200b \u200b", "no words the model could read")):
        _ok(at.text_input(key=BOX).set_value(text).run())
        assert not chart_titles(at) and message in at.info[0].value
        assert at.segmented_control(key="layers_layer").value == 1  # the controls stay
    _ok(at.text_input(key=BOX).set_value("good").run())  # one word: nothing to cut, no table
    assert chart_titles(at) and not at.dataframe
