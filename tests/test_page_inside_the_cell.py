"""Proves the Inside-the-cell page in AppTest: stepping with next/previous/slider/play moves the
highlighted word, diagram and equations together and stops at the end; every layer, direction and
unit of the 2-layer bidirectional stand-in works; model changes, links and hostile text end in a
page without an exception; the sentence is shared with Explore."""

import re

from tests.pages_support import app_test, chart_titles, html_bodies, page_text

PAGE = "pages/inside_the_cell.py"
TEXT_BOX = "cell_sentence"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    """The page opened directly, as a link to it would (the query is read by this page only)."""
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _current_word(at) -> str:
    found = re.search(r'class="rnnviz-current"[^>]*><bdi>(.*?)</bdi>', html_bodies(at))
    return found.group(1) if found else ""


def _equations(at) -> list[str]:
    return [element.value for element in at.get("latex")]


def test_default_view_shows_diagram_equations_and_vectors(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    assert at.text_input(key=TEXT_BOX).value == "the movie was not good"
    titles = chart_titles(at)
    assert titles[0].startswith("LSTM cell · layer 1, forward · unit ")
    assert titles[0].endswith("word 1 “the”")
    assert titles[1] == "All units of this layer at word 1 “the”"
    latex = _equations(at)
    assert [re.search(r"([a-z])_t &=", e).group(1) for e in latex] == ["i", "f", "g", "o", "c", "h"]
    assert _current_word(at) == "the"
    unit = at.number_input(key="cell_unit").value
    assert at.query_params["unit"] == str(unit) and at.query_params["word"] == "1"


def test_step_with_next_previous_slider_and_play(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    assert at.button(key="cell_previous").disabled
    _ok(at.button(key="cell_next").click().run())
    assert _current_word(at) == "movie" and "word 2 “movie”" in chart_titles(at)[0]
    _ok(at.button(key="cell_previous").click().run())
    assert _current_word(at) == "the"
    _ok(at.slider(key="cell_word").set_value(4).run())
    assert _current_word(at) == "not" and at.query_params["word"] == "4"
    before = _equations(at)
    _ok(at.slider(key="cell_word").set_value(5).run())
    assert at.button(key="cell_next").disabled and _equations(at) != before

    # Play from the end starts again at the first word; each timer tick advances one word.
    _ok(at.button(key="cell_play").click().run())
    assert at.session_state["cell_playing"] and _current_word(at) == "the"
    assert at.button(key="cell_play").label == "Pause"
    for expected in ("movie", "was", "not", "good"):
        at.session_state["cell_due"] = 0.0  # the timer's second has passed
        _ok(at.run())
        assert _current_word(at) == expected
    assert not at.session_state["cell_playing"]  # stopped by itself at the last word
    assert at.button(key="cell_play").label == "Play"

    # A manual step pauses playback.
    _ok(at.button(key="cell_play").click().run())
    _ok(at.button(key="cell_next").click().run())
    assert not at.session_state["cell_playing"] and _current_word(at) == "movie"


def test_every_layer_direction_and_unit_of_a_bidirectional_model(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"model": "gru", "word": "3"})
    for layer, direction, unit in ((0, "backward", 11), (1, "forward", 0), (1, "backward", 7)):
        at.segmented_control(key="cell_layer").set_value(layer)
        at.segmented_control(key="cell_direction").set_value(direction)
        _ok(at.number_input(key="cell_unit").set_value(unit).run())
        title = chart_titles(at)[0]
        assert f"GRU cell · layer {layer + 1}, {direction} · unit {unit} · word 3" in title
        latex = " ".join(_equations(at))
        assert ("h_{t+1}" in latex) == (direction == "backward")
        assert len(_equations(at)) == 4
    assert at.query_params["layer"] == "2" and at.query_params["direction"] == "backward"


def test_model_and_sentence_changes_keep_step_and_unit_valid(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)  # the LSTM stand-in: 24 units
    _ok(at.number_input(key="cell_unit").set_value(23).run())
    _ok(at.slider(key="cell_word").set_value(5).run())
    _ok(at.selectbox(key="rnnviz_model").set_value("rnn").run())  # 16 units
    assert at.number_input(key="cell_unit").value < 16
    assert chart_titles(at)[0].startswith("RNN (tanh) cell")
    assert len(_equations(at)) == 1
    _ok(at.text_input(key=TEXT_BOX).set_value("not good").run())
    assert _current_word(at) == "good"  # word 5 no longer exists: the last word is shown
    _ok(at.text_input(key=TEXT_BOX).set_value("good").run())  # one word: no slider, no play
    assert not at.get("slider") and at.button(key="cell_play").disabled


HOSTILE = (
    "<script>alert(1)</script> $x^2$ **not** :smile: good",
    "\\begin{aligned} \\end{document} } {",
    "הסרט לא טוב 😀",
)


def test_empty_and_hostile_text(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch)
    for text in ("", "   ", "\u200b\u200d"):
        _ok(at.text_input(key=TEXT_BOX).set_value(text).run())
        assert not chart_titles(at) and at.info
    for text in HOSTILE:
        _ok(at.text_input(key=TEXT_BOX).set_value(text).run())
        assert "<script" not in html_bodies(at)
        title = chart_titles(at)[0]
        assert "word 1 “" in title and "<" not in title  # the token is escaped for plotly
        for latex in _equations(at):  # numbers and fixed symbols only
            assert not re.search(r"script|smile|document|[א-ת😀]", latex)


def test_links_open_the_same_view_and_bad_values_fall_back(models_dir, monkeypatch):
    query = {"model": "gru", "sentence": "the plot was not dull", "layer": "2", "direction": "backward"}
    at = _open(models_dir, monkeypatch, {**query, "unit": "5", "word": "4"})
    assert chart_titles(at)[0] == "GRU cell · layer 2, backward · unit 5 · word 4 “not”"
    _ok(at.button(key="cell_next").click().run())  # the link's word applies once, not forever
    assert _current_word(at) == "dull"
    at = _open(models_dir, monkeypatch, {**query, "unit": "99", "word": "40"})
    text = page_text(at)
    assert "unit “99”" in text and "word “40”" in text
    assert _current_word(at) == "the"


def test_the_sentence_is_shared_with_explore(models_dir, monkeypatch):
    at = _ok(app_test(models_dir, monkeypatch).run())
    _ok(at.text_input(key="explore_sentence").set_value("the acting was great").run())
    _ok(at.switch_page(PAGE).run())
    assert at.text_input(key=TEXT_BOX).value == "the acting was great"
    _ok(at.text_input(key=TEXT_BOX).set_value("the plot was dull").run())
    _ok(at.switch_page("pages/explore.py").run())
    assert at.text_input(key="explore_sentence").value == "the plot was dull"
