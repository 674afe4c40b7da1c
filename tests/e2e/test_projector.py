"""Proves from element bounding boxes in a real Chromium, on a 1280x720 projector in teacher mode and a
1366x768 laptop: Explore's first screen holds the text box, the tokens, the verdict and the whole
prediction chart; no page scrolls sideways or clips a control; teacher mode's title is one line.
It also takes the first screen of every page at both sizes for the README."""

from __future__ import annotations

import pytest

from rnnviz.tools.browser import open_app
from tests.e2e.helpers import exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

SIZES = {  # name -> (viewport, query)
    "projector": ({"width": 1280, "height": 720}, {"teacher": "1"}),
    "laptop": ({"width": 1366, "height": 768}, {}),
}
PAGES = (
    "",
    "word_order",
    "negation_lab",
    "units",
    "train",
    "inside_the_cell",
    "why_gates",
    "layers",
    "batches",
)


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    viewport, query = SIZES[request.param]
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(90_000)
    yield request.param, context.new_page(), viewport, query
    context.close()


def _box(page, locator) -> dict:
    box = locator.first.bounding_box()
    assert box is not None, f"{locator} is not on the page"
    return box


def test_explores_first_screen_holds_the_answer(sized, app_server):
    name, page, viewport, query = sized
    open_app(page, app_server, "", {**query, "sentence": "the movie was not good"})
    height = viewport["height"]
    for what, locator in {
        "text box": page.get_by_role("textbox", name="Type a sentence and press Enter", exact=True),
        "tokens": page.locator(".rnnviz-tokens"),
        "verdict": page.get_by_text("Prediction for the whole sentence"),
        "prediction chart": page.get_by_test_id("stPlotlyChart"),
    }.items():
        box = _box(page, locator)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (
            f"{what} is not on the first screen: {box}"
        )
    screenshot(page, f"first-screen-{name}", full_page=False)


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_or_clips_a_control(sized, app_server, path):
    name, page, viewport, query = sized
    open_app(page, app_server, path, query)
    assert not exceptions_on_page(page)
    main = page.get_by_test_id("stMain")
    overflow = main.evaluate("node => node.scrollWidth - node.clientWidth")
    assert overflow <= 1, f"{path or 'explore'} scrolls sideways by {overflow} px at {name}"
    clipped = page.evaluate(
        """(width) => [...document.querySelectorAll(
                '[data-testid="stMain"] [data-testid="stButtonGroup"] button,'
                + '[data-testid="stMain"] [data-testid="stWidgetLabel"],'
                + '[data-testid="stMain"] button')]
            .map(el => [el.innerText.trim().slice(0, 30), el.getBoundingClientRect()])
            .filter(([text, r]) => r.width > 0 && (r.right > width + 1 || r.left < -1))
            .map(([text]) => text)""",
        viewport["width"],
    )
    assert not clipped, f"controls cut off at the right edge ({name}): {clipped}"
    if name == "projector":
        title = _box(page, page.locator("h1"))
        assert title["height"] < 60, f"the title wraps ({title['height']} px tall)"
    shot = f"{name}-{path or 'explore'}"  # the README's first-screen gallery (RNNVIZ_UPDATE_SCREENSHOTS=1)
    screenshot(page, shot, readme=f"{shot}.png", full_page=False)
