"""Proves, in a real Chromium at 1280×720 in teacher mode and 1366×768 without, that on Inside the cell
no two text elements of the LSTM, GRU or plain-RNN diagram intersect and none leaves the chart, and that
no equation is wider than its column or scrolled sideways, at every word of the sentence; that the
unrolled network's text never overprints either, with a window of words and "…" for a long sentence,
forwards and backwards; and that teacher mode's first screen holds the text box, the step buttons
and the whole cell diagram."""

import pytest

from rnnviz.tools.browser import open_app, rerun_after
from tests.e2e.helpers import ARTIFACTS, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

SCREENS = {
    "projector": ({"width": 1280, "height": 720}, {"teacher": "1"}),
    "laptop": ({"width": 1366, "height": 768}, {}),
}
# The stand-in models, each in a view with its longest labels: the GRU's second layer read
# backwards ("x_t: the hidden states of layer 1 …", "h_t+1").
VIEWS = {"lstm": {}, "gru": {"layer": "2", "direction": "backward"}, "rnn": {}}
# Words the stand-ins know and one they do not, long enough to be cut in the diagram's title.
SENTENCE = "the movie extraordinarilyunbelievablysuperlative was not good but the ending was great"
WORDS = 5  # words stepped through with Next, from the first
DIAGRAM = ".st-key-cell_diagram"

# Every text element plotly draws in the diagram, with its page box (CSS px).
_TEXT_BOXES = """chart => {
    const found = [];
    for (const node of chart.querySelectorAll('.annotation-text, .gtitle, .legendtext, .textpoint text')) {
        const box = node.getBoundingClientRect();
        if (box.width > 0 && box.height > 0 && node.textContent.trim())
            found.push({text: node.textContent, left: box.left, right: box.right,
                        top: box.top, bottom: box.bottom});
    }
    const outer = chart.querySelector('.main-svg').getBoundingClientRect();
    const edges = {left: outer.left, right: outer.right, top: outer.top, bottom: outer.bottom};
    return {texts: found, chart: edges};
}"""

# Each displayed equation: how wide it is against the column that holds it and the box that shows
# it. KaTeX's display box always scrolls 2 px further than it shows, even for a short equation (its
# struts); a clipped equation scrolls by the width it lost.
_EQUATIONS = """() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"] .katex-display')]
    .map(display => {
        const column = display.closest('[data-testid="stElementContainer"]');
        const katex = display.querySelector('.katex').getBoundingClientRect();
        const shown = column.getBoundingClientRect();
        return {
            text: display.textContent.slice(0, 60),
            left: katex.left, right: katex.right, width: katex.width,
            shownWidth: display.clientWidth, columnLeft: shown.left, columnRight: shown.right,
            scrolledBy: display.scrollWidth - display.clientWidth,
        };
    })"""


def _overlap(a: dict, b: dict) -> float:
    """The area (px²) two boxes share."""
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(0.0, width) * max(0.0, height)


def _check_diagram(page, where: str, chart: str = DIAGRAM) -> None:
    found = page.locator(chart).evaluate(_TEXT_BOXES)
    texts, chart = found["texts"], found["chart"]
    assert len(texts) >= 8, (where, texts)
    for text in texts:
        inside = (
            text["left"] >= chart["left"] - 0.5
            and text["right"] <= chart["right"] + 0.5
            and text["top"] >= chart["top"] - 0.5
            and text["bottom"] <= chart["bottom"] + 0.5
        )
        assert inside, (where, "leaves the chart", text, chart)
    for k, a in enumerate(texts):
        for b in texts[k + 1 :]:
            assert _overlap(a, b) < 1.0, (where, "overprints", a, b)


def _check_equations(page, where: str, expected: int) -> None:
    shown = page.evaluate(_EQUATIONS)
    assert len(shown) == expected, (where, shown)
    for equation in shown:
        inside = (
            equation["columnLeft"] - 0.5 <= equation["left"]
            and equation["right"] <= equation["columnRight"] + 0.5
        )
        assert inside, (where, "sticks out of its column", equation)
        assert equation["width"] <= equation["shownWidth"] + 0.5, (where, "wider than its box", equation)
        assert equation["scrolledBy"] <= 2, (where, "scrolled sideways", equation)


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("model", list(VIEWS))
def test_diagram_texts_and_equations_fit(page, app_server, model, screen):
    viewport, flags = SCREENS[screen]
    page.set_viewport_size(viewport)
    open_app(
        page, app_server, "inside_the_cell", {"model": model, "sentence": SENTENCE, **VIEWS[model], **flags}
    )
    assert not exceptions_on_page(page)
    equations = {"lstm": 6, "gru": 4, "rnn": 1}[model]
    for word in range(1, WORDS + 1):
        where = f"{model} at {screen}, word {word}"
        _check_diagram(page, where)
        _check_equations(page, where, equations)
        if (
            word == 3
        ):  # to look at (the long word): the diagram alone, then the screen that shows the equations
            page.locator(DIAGRAM).screenshot(path=str(ARTIFACTS / f"diagram-{model}-{screen}.png"))
            page.locator(".katex-display").first.scroll_into_view_if_needed()
            screenshot(page, f"equations-{model}-{screen}", full_page=False)
        if word < WORDS:
            rerun_after(page, lambda: page.get_by_role("button", name="Next").click())
    assert not exceptions_on_page(page)


UNROLLED = ".st-key-cell_unrolled"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_unrolled_network_texts_fit_and_the_first_screen_is_complete(page, app_server, screen):
    viewport, flags = SCREENS[screen]
    page.set_viewport_size(viewport)
    open_app(
        page,
        app_server,
        "inside_the_cell",
        {"sentence": "the movie was not good", "view": "unrolled", **flags},
    )
    if screen == "projector":  # the first screen: text box, step buttons and the whole diagram
        for what, locator in {
            "text box": page.get_by_role("textbox", name="Type a sentence and press Enter", exact=True),
            "Next": page.get_by_role("button", name="Next"),
            "diagram": page.locator(DIAGRAM),
        }.items():
            box = locator.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (what, box)
    _check_diagram(page, f"unrolled at {screen}, the whole sentence", UNROLLED)
    # A word in the middle of 12, read backwards by the GRU's second layer: "…" at both ends.
    query = {"sentence": SENTENCE, "view": "unrolled", "model": "gru", "layer": "2", "direction": "backward"}
    open_app(page, app_server, "inside_the_cell", {**query, "word": "6", **flags})
    _check_diagram(page, f"unrolled gru backward at {screen}, word 6", UNROLLED)
    texts = page.locator(UNROLLED).evaluate(_TEXT_BOXES)["texts"]
    assert sum(t["text"] == "…" for t in texts) == 2, texts
    page.locator(UNROLLED).screenshot(path=str(ARTIFACTS / f"unrolled-{screen}.png"))
    assert not exceptions_on_page(page)
