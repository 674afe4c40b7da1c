"""Proves the Explore page in a real Chromium: typing a sentence and pressing Enter redraws the
tokens, the prediction and every chart, and the heatmap switch lays every state and gate side by
side; a shared link reopens the same view; hostile text stays plain text."""

import os
import re

import pytest

from rnnviz.tools.browser import open_app, rerun_after
from tests.e2e.helpers import axis_labels, chart_titles, exceptions_on_page, screenshot, type_into
from tests.test_pages import LSTM_QUANTITIES

pytestmark = pytest.mark.e2e

TEXT_BOX = "Type a sentence and press Enter"


def _token_chips(page) -> list[str]:
    return page.locator(".rnnviz-tokens bdi").evaluate_all("nodes => nodes.map(n => n.textContent)")


def test_type_a_sentence_and_press_enter(page, app_server):
    open_app(page, app_server)
    assert _token_chips(page) == ["the", "movie", "was", "not", "good"]

    sentence = "i do not think this movie is good"
    rerun_after(page, lambda: type_into(page, TEXT_BOX, sentence))

    tokens = sentence.split()
    assert _token_chips(page) == tokens
    titles = chart_titles(page)  # one heatmap per update at first: the prediction, h, the unit lines
    assert titles[0] == "Prediction after each word" and len(titles) == 3
    assert titles[1] == "Hidden state h · layer 1"
    for index in range(3):
        assert axis_labels(page, index) == tokens, titles[index]
    switch = page.get_by_test_id("stButtonGroup").filter(has_text="All side by side")
    rerun_after(page, lambda: switch.get_by_text("All side by side", exact=True).click())
    titles = chart_titles(page)
    assert [title.split(" · ")[0] for title in titles[1:7]] == LSTM_QUANTITIES
    for index in range(7):  # the prediction chart and the six LSTM heatmaps side by side
        assert axis_labels(page, index) == tokens, titles[index]
    verdict = page.get_by_text(re.compile(r"^(negative|positive) \d+\.\d%$"))
    assert verdict.count() == 1
    assert "sentence=i+do+not+think" in page.url
    assert not exceptions_on_page(page)
    screenshot(page, "explore", readme="explore.png")


def test_a_shared_link_with_hostile_text(page, app_server):
    query = {
        "sentence": '<img src=x onerror="alert(1)"> **not** $x$ good',
        "model": "gru",
        "layer": "2",
        "direction": "backward",
    }
    open_app(page, app_server, query=query)
    assert _token_chips(page)[:4] == ["<", "img", "src", "="]
    assert page.locator('img[src="x"]').count() == 0
    assert page.dialogs == []
    if os.environ.get("RNNVIZ_E2E_REAL_MODELS") == "1":  # the shipped GRU: one layer, one direction
        page.get_by_text("The link asks for layer “2”, which this model does not have").wait_for()
        assert "Hidden state h · layer 1" in chart_titles(page)
    else:  # the stand-in GRU: two layers, both directions
        assert "Hidden state h · layer 2, backward" in chart_titles(page)
        backward = page.get_by_role("radio", name="backward").count() + page.get_by_text("← backward").count()
        assert backward >= 1
    assert not exceptions_on_page(page)
    screenshot(page, "explore-link")
