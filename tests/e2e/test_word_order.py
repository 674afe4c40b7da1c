"""Proves the Word order page in a real Chromium, on a 1280x720 projector in teacher mode: the first
screen holds the sentence, the chart with one row per ordering and the verdict that the bag of
embeddings gives them all the same answer; typing a sentence redraws it and lands in the link."""

import re

import pytest

from rnnviz.tools.browser import open_app, rerun_after
from tests.e2e.helpers import chart_titles, exceptions_on_page, screenshot, type_into

pytestmark = pytest.mark.e2e

BOX = "Type a sentence and press Enter"


def _rows(page) -> list[str]:
    """The chart's row labels (y-axis ticks), top to bottom."""
    ticks = page.get_by_test_id("stPlotlyChart").first.locator(".yaxislayer-above .ytick text")
    return ticks.evaluate_all("nodes => nodes.map(n => n.textContent)")[::-1]


def test_first_screen_holds_the_answer_and_a_new_sentence_redraws(browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(90_000)
    page = context.new_page()
    try:
        open_app(page, app_server, "word_order", {"teacher": "1"})
        verdict = page.get_by_text(re.compile(r"gives all \d+ orderings exactly the same answer"))
        for what, locator in {
            "text box": page.get_by_role("textbox", name=BOX, exact=True),
            "chart": page.get_by_test_id("stPlotlyChart").first,
            "verdict": verdict,
        }.items():
            box = locator.first.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720, (
                f"{what} not on the first screen"
            )
        assert chart_titles(page) == ["Same words, other orders: P(positive) from each model"]
        assert _rows(page)[:2] == ["1. as typed", "2. clauses swapped around “but”"]
        screenshot(page, "word-order-projector", readme="word_order.png", full_page=False)

        rerun_after(page, lambda: type_into(page, BOX, "the movie was not good but the acting was great"))
        assert "3. “good” and “great” swapped" in _rows(page)
        assert "4. “not” moved before “great”" in _rows(page)
        assert "sentence=the+movie+was+not+good+but+the+acting+was+great" in page.url
        assert verdict.count() == 1 and not exceptions_on_page(page)
    finally:
        context.close()
