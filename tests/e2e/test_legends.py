"""Proves from element bounding boxes in a real Chromium, at 1280x720 in teacher mode and 1366x768, that
no chart's legend overlaps its title and no two flip labels of a prediction chart overprint each other,
on every page that draws legends (Explore, the Negation lab, Why gates)."""

from __future__ import annotations

import pytest

from rnnviz.tools.browser import open_app
from tests.e2e.helpers import exceptions_on_page

pytestmark = pytest.mark.e2e

SIZES = {  # name -> (viewport, query)
    "projector": ({"width": 1280, "height": 720}, {"teacher": "1"}),
    "laptop": ({"width": 1366, "height": 768}, {}),
}
LONG = "i do not think the movie was good at all , it was long and the actors were bored and tired"
PAGES = {"": {"sentence": LONG}, "negation_lab": {}, "why_gates": {}}


def _intersect(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    viewport, query = SIZES[request.param]
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(90_000)
    yield context.new_page(), query
    context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_legends_never_cover_titles(sized, app_server, path):
    page, query = sized
    open_app(page, app_server, path, {**query, **PAGES[path]})
    assert exceptions_on_page(page) == []
    charts = page.locator(".js-plotly-plot")
    checked = 0
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        legend, title = chart.locator("g.legend"), chart.locator(".gtitle")
        if not legend.count() or not title.count():
            continue
        legend_box, title_box = legend.first.bounding_box(), title.first.bounding_box()
        assert legend_box and title_box
        assert not _intersect(legend_box, title_box), (path, title.first.text_content())
        flips = chart.locator(".annotation-text", has_text="→")
        boxes = [flips.nth(k).bounding_box() for k in range(flips.count())]
        for k in range(1, len(boxes)):
            assert not _intersect(boxes[k - 1], boxes[k]), (path, "flip labels overprint")
        checked += 1
    assert checked >= 1
