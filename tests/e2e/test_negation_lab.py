"""Proves the Negation lab in a real Chromium: reached through the menu, typing a pair redraws every
chart on aligned columns whose labels show the inserted “not” as an insertion, and the view lands in
the link (tests/test_page_negation_lab.py proves that such a link reopens it)."""

import pytest

from rnnviz.tools.browser import go_to_page, open_app, rerun_after
from tests.e2e.helpers import axis_labels, chart_titles, exceptions_on_page, screenshot, type_into

pytestmark = pytest.mark.e2e

A, B = "the acting was great", "the acting was not great"


def _token_chips(page) -> list[list[str]]:
    """The token chips of each sentence, A then B."""
    boxes = page.locator(".rnnviz-tokens")
    return [
        boxes.nth(k).locator("bdi").evaluate_all("nodes => nodes.map(n => n.textContent)")
        for k in range(boxes.count())
    ]


def test_type_a_pair_and_see_not_as_an_insertion(page, app_server):
    # Into the app at "/" and then through the menu. Explore opens on an empty sentence, so
    # that it draws no charts: its eight charts would double this test's time on a busy
    # machine. (A link straight to /negation_lab is tested in test_deep_links.py.)
    open_app(page, app_server, query={"sentence": ""})
    go_to_page(page, "Negation lab")
    assert _token_chips(page) == [["the", "movie", "was", "good"], ["the", "movie", "was", "not", "good"]]

    rerun_after(page, lambda: type_into(page, "Sentence A (press Enter)", A))
    rerun_after(page, lambda: type_into(page, "Sentence B (press Enter)", B))

    assert _token_chips(page) == [A.split(), B.split()]
    titles = chart_titles(page)
    assert titles[0] == "Prediction after each word: P(positive) for A and B"
    assert "Hidden state h: A, B and their difference" in titles
    aligned = ["the", "acting", "was", "— / not", "great"]
    assert axis_labels(page, 0) == aligned  # the prediction chart, on the aligned columns
    assert axis_labels(page, 1) == aligned  # how far apart, for every quantity
    assert "a=the+acting+was+great" in page.url and "b=the+acting+was+not+great" in page.url
    assert not exceptions_on_page(page)
    screenshot(page, "negation_lab", readme="negation_lab.png")
