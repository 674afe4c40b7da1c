"""Proves the Inside-the-cell page in a real Chromium: Next moves the highlighted word, the diagram
and the equations together; Play advances one word a second on its own and stops at the last word."""

import pytest

from rnnviz.tools.browser import go_to_page, open_app, rerun_after
from tests.e2e.helpers import chart_titles, exceptions_on_page, screenshot

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
