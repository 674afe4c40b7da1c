"""Proves from element bounding boxes in a real Chromium, on a 1280x720 projector in teacher mode and a
1366x768 laptop: Explore's first screen holds the text box, the tokens, the verdict and the whole
prediction chart, and the Negation lab's both boxes, both verdicts and the prediction chart; no page
(every page of app.py's menu) scrolls sideways, clips a control or a chart title, or shows chart
axis text under 7:1 (projector) or 4.5:1 (laptop) contrast; teacher mode's title is one line; a
30-word heatmap labels every word with no two labels overlapping. It also takes the first screen of
every page at both sizes for the README's "First screens"."""

from __future__ import annotations

import pytest

from rnnviz.plots import colours
from rnnviz.tools.browser import open_app
from tests.e2e.helpers import app_pages, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

SIZES = {  # name -> (viewport, query)
    "projector": ({"width": 1280, "height": 720}, {"teacher": "1"}),
    "laptop": ({"width": 1366, "height": 768}, {}),
}
PAGES = app_pages()  # URL path -> file name, for every page in app.py's menu
LONG = (  # 30 tokens: past the 12 words whose labels stay flat
    "i do not think the movie was good at all , it was long and the actors were bored "
    "and tired of the wonderful plot so i left early today"
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


def test_the_negation_labs_first_screen_holds_both_verdicts_and_the_prediction(sized, app_server):
    name, page, viewport, query = sized
    open_app(page, app_server, "negation_lab", query)
    height = viewport["height"]
    for what, locator in {
        "sentence A": page.get_by_role("textbox", name="Sentence A (press Enter)", exact=True),
        "sentence B": page.get_by_role("textbox", name="Sentence B (press Enter)", exact=True),
        "verdict A": page.get_by_text("Sentence A: prediction for the whole sentence"),
        "verdict B": page.get_by_text("Sentence B: prediction for the whole sentence"),
        "tokens": page.locator(".rnnviz-tokens"),
        "prediction chart": page.get_by_test_id("stPlotlyChart"),
    }.items():
        box = _box(page, locator)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (
            f"{what} is not on the first screen at {name}: {box}"
        )
    assert "Prediction after each word" in page.get_by_test_id("stPlotlyChart").first.inner_text()


def test_why_gates_on_a_projector_opens_on_the_whole_gradient_chart(browser, app_server):
    viewport, query = SIZES["projector"]
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(90_000)
    page = context.new_page()
    try:
        open_app(page, app_server, "why_gates", query)
        chart = page.get_by_test_id("stPlotlyChart").first
        chart.get_by_text("plain RNN (shipped)").first.wait_for()  # the legend, at the chart's foot
        box = _box(page, chart)
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
        assert "How much the prediction depends" in chart.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("path", list(PAGES))
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
    cut_titles = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].flatMap(chart => {
            const svg = chart.querySelector('.main-svg').getBoundingClientRect();
            return [...chart.querySelectorAll('.gtitle')]
                .filter(t => t.getBoundingClientRect().right > svg.right + 1)
                .map(t => t.textContent.slice(0, 40)); })"""
    )
    assert not cut_titles, f"chart titles cut off at the right ({name}): {cut_titles}"
    axis_text = page.evaluate(
        """() => [...new Set([...document.querySelectorAll(
                '[data-testid="stPlotlyChart"] :is(.xaxislayer-above, .yaxislayer-above, .g-xtitle,'
                + ' .g-ytitle, .colorbar) text')].map(n => getComputedStyle(n).fill))]"""
    )
    least = 7 if name == "projector" else 4.5  # charts' axis and colour-bar text on white
    faint = [fill for fill in axis_text if colours.contrast(fill, colours.WHITE) < least]
    assert not faint, f"chart axis text below {least}:1 at {name}: {faint}"
    if name == "projector":
        title = _box(page, page.locator("h1"))
        assert title["height"] < 60, f"the title wraps ({title['height']} px tall)"
    shot = f"{name}-{PAGES[path]}"  # the README's "First screens" gallery (RNNVIZ_UPDATE_SCREENSHOTS=1)
    screenshot(page, shot, readme=f"{shot}.png", full_page=False)


def _overlapping(boxes: list[dict]) -> list[tuple[int, int]]:
    """Pairs of boxes (by index) that intersect by more than half a pixel each way."""
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], i + 1)
        if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    ]


def test_a_30_word_heatmap_labels_every_word_apart_and_scrolls_inside_its_box(sized, app_server):
    name, page, _, query = sized
    assert len(LONG.split()) == 30
    open_app(page, app_server, "", {**query, "sentence": LONG})
    assert not exceptions_on_page(page)
    heatmap = page.get_by_test_id("stPlotlyChart").nth(1)  # the first heatmap (after the prediction)
    heatmap.scroll_into_view_if_needed()
    labels = heatmap.locator(".xaxislayer-above .xtick text").evaluate_all(
        """nodes => nodes.map(n => { const r = n.getBoundingClientRect();
            return {text: n.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"""
    )
    assert [label["text"] for label in labels] == LONG.split()  # every word, in order
    assert not _overlapping(labels), f"word labels overlap at {name}: {_overlapping(labels)[:5]}"
    main = page.get_by_test_id("stMain")
    assert main.evaluate("node => node.scrollWidth - node.clientWidth") <= 1  # the page never scrolls
    box = page.locator('[class*="st-key-rnnviz_wide_explore_heat_"]').first  # the heatmap's own box may
    assert box.evaluate("node => getComputedStyle(node).overflowX") == "auto"
    screenshot(page, f"heatmap-30-words-{name}", full_page=False)
