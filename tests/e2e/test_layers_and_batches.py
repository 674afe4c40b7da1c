"""Proves in a real Chromium, on a 1280x720 projector in teacher mode, that the first screen of Layers &
directions holds both directions of the BiLSTM side by side, and that of Padding & packing holds the
answer, the padded ids and the mask; takes the README's pictures of both pages."""

from __future__ import annotations

import pytest

from rnnviz.tools.browser import open_app
from tests.e2e.helpers import chart_titles, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=PROJECTOR)
    context.set_default_timeout(90_000)
    yield context.new_page()
    context.close()


def _on_first_screen(page, locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not on the page"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"], (
        f"{what} is below the fold: {box}"
    )


def test_layers_first_screen_shows_both_directions(projector, app_server):
    page = projector
    open_app(
        page, app_server, "layers", {"teacher": "1", "model": "bilstm", "sentence": "the movie was not good"}
    )
    assert not exceptions_on_page(page)
    titles = chart_titles(page)
    assert titles[:2] == ["→ Forward h · layer 2", "← Backward h · layer 2"]
    charts = page.get_by_test_id("stPlotlyChart")
    forward, backward = charts.nth(0).bounding_box(), charts.nth(1).bounding_box()
    assert abs(forward["y"] - backward["y"]) < 2 and forward["x"] + forward["width"] <= backward["x"] + 1
    for k, what in ((0, "forward chart"), (1, "backward chart")):
        _on_first_screen(page, charts.nth(k), what)
    assert page.get_by_text("read right to left, from the last word").count() == 1
    screenshot(page, "layers", readme="layers.png", full_page=False)


def test_batches_first_screen_holds_the_answer(projector, app_server):
    page = projector
    open_app(page, app_server, "batches", {"teacher": "1"})
    assert not exceptions_on_page(page)
    _on_first_screen(page, page.get_by_test_id("stAlertContentSuccess"), "the summary")
    charts = page.get_by_test_id("stPlotlyChart")
    for k, what in ((0, "padded ids"), (1, "mask")):
        _on_first_screen(page, charts.nth(k), what)
    assert chart_titles(page)[2].startswith(
        "pack_padded_sequence: data [10], batch_sizes [3, 2, 1, 1, 1, 1, 1]"
    )
    screenshot(page, "batches", readme="batches.png", full_page=False)
