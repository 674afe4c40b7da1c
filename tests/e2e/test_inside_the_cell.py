"""Proves the Inside-the-cell page in a real Chromium: Next moves the highlighted word, the diagram
and the equations together; Play advances one word a second on its own and stops at the last word;
the view control under the diagram shows the unrolled network, the embedding and the classifier head
(with its sum check), follows Next and is carried by the link."""

import os
import shutil

import pytest

from rnnviz.tools.browser import go_to_page, open_app, rerun_after
from tests.e2e.helpers import ARTIFACTS, README_SCREENSHOTS, chart_titles, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e


def _current(page) -> str:
    return page.locator(".rnnviz-current bdi").inner_text()


def test_step_and_play_through_a_sentence(page, app_server):
    open_app(page, app_server)
    go_to_page(page, "Inside the cell")
    assert _current(page) == "the"
    assert chart_titles(page)[0].startswith("LSTM cell · layer 1, forward · unit ")
    assert page.locator(".katex-display").count() == 6  # i, f, g, o, c, h

    rerun_after(page, lambda: page.get_by_role("button", name="Next").click())
    assert _current(page) == "movie"
    assert chart_titles(page)[0].endswith("word 2 “movie”")
    assert "word=2" in page.url

    page.get_by_role("button", name="Play").click()
    # One word a second: "was", "not", "good", then playback stops by itself.
    page.wait_for_function("() => document.querySelector('.rnnviz-current bdi')?.textContent === 'good'")
    page.get_by_role("button", name="Play").wait_for()  # "Pause" became "Play" again
    assert _current(page) == "good"
    assert page.get_by_role("button", name="Next").is_disabled()
    assert not exceptions_on_page(page)
    screenshot(page, "inside-the-cell", readme="inside-the-cell.png")


def _chart_shot(locator, readme: str) -> None:
    """One chart's picture in the artifacts, and in docs/screenshots/ when missing or when
    RNNVIZ_UPDATE_SCREENSHOTS=1 (as helpers.screenshot does for whole pages)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / readme
    locator.screenshot(path=str(path))
    target = README_SCREENSHOTS / readme
    if not target.exists() or os.environ.get("RNNVIZ_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(path, target)


def test_the_views_under_the_diagram(page, app_server):
    open_app(page, app_server, "inside_the_cell", {"sentence": "the movie was not good"})
    views = page.get_by_test_id("stButtonGroup").filter(has_text="Cell equations")
    rerun_after(page, lambda: views.get_by_text("Unrolled", exact=True).click())
    assert "view=unrolled" in page.url
    assert chart_titles(page)[1].endswith("word 1 of 5")
    rerun_after(page, lambda: page.get_by_role("button", name="Next").click())
    assert chart_titles(page)[1].endswith("word 2 of 5")
    _chart_shot(page.locator(".st-key-cell_unrolled"), "inside-the-cell-unrolled.png")
    rerun_after(page, lambda: views.get_by_text("Embedding", exact=True).click())
    assert chart_titles(page)[1].startswith("The embedding of “movie”")
    assert chart_titles(page)[2] == "The 8 words nearest to “movie”"
    assert page.get_by_role("cell", name="rnn.weight_ih_l0").count() == 1
    rerun_after(page, lambda: views.get_by_text("Classifier head", exact=True).click())
    page.get_by_text("Check: for every class the contributions plus the bias equal").wait_for()
    assert chart_titles(page)[1].startswith("How the logit of")
    assert "view=head" in page.url and not exceptions_on_page(page)
    _chart_shot(page.locator(".st-key-cell_head_waterfall"), "inside-the-cell-head.png")
