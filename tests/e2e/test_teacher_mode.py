"""Proves teacher mode in a real Chromium: `?teacher=1` switches it on, the text is larger than without
it, advanced controls are gone, and the page's "copy link to this view" box holds the address the browser
is on (not the server's own) that opens the same view, in teacher mode, in a fresh browser."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from rnnviz.tools.browser import VIEWPORT, open_app, wait_for_app
from tests.e2e.helpers import exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

SENTENCE = "the movie was not bad"
TEXT_BOX = "Type a sentence and press Enter"


def _font_px(page, label: str) -> float:
    """The computed font size of the text box labelled `label` (its typed text)."""
    box = page.get_by_role("textbox", name=label, exact=True)
    return box.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")


def _chips(page) -> list[str]:
    return page.locator(".rnnviz-tokens bdi").evaluate_all("nodes => nodes.map(n => n.textContent)")


def _switch(page):
    return page.get_by_test_id("stSidebar").get_by_role("switch", name="Teacher mode")


def test_teacher_link_enlarges_the_page_and_its_copy_link_reopens_the_view(page, browser, app_server):
    # The browser is on "localhost", not the server's own 127.0.0.1: the link must say localhost.
    app_server = app_server.replace("//127.0.0.1:", "//localhost:")
    open_app(page, app_server, query={"sentence": SENTENCE, "model": "rnn"})
    plain_px = _font_px(page, TEXT_BOX)
    assert not _switch(page).is_checked()

    open_app(page, app_server, query={"sentence": SENTENCE, "model": "rnn", "teacher": "1"})
    assert _switch(page).is_checked()
    teacher_px = _font_px(page, TEXT_BOX)
    assert teacher_px >= 1.3 * plain_px, (plain_px, teacher_px)
    assert page.get_by_role("button", name="Download the trace as JSON").count() == 0
    assert page.get_by_text("Order units by").count() == 0
    assert not exceptions_on_page(page)

    link = page.get_by_test_id("stCode").locator("code").inner_text().strip()
    address = urlsplit(link)
    assert f"{address.scheme}://{address.netloc}" == app_server  # the browser's own address
    assert address.hostname == "localhost" and address.path == "/"
    assert dict(parse_qsl(address.query)) == dict(parse_qsl(urlsplit(page.url).query))
    assert {"teacher": "1", "sentence": SENTENCE, "model": "rnn"}.items() <= dict(
        parse_qsl(address.query)
    ).items()
    screenshot(page, "teacher-mode", readme="teacher-mode.png", full_page=False)

    fresh = browser.new_context(viewport=VIEWPORT)
    try:
        other = fresh.new_page()
        other.goto(link)
        wait_for_app(other)
        assert _switch(other).is_checked()
        assert other.get_by_role("textbox", name=TEXT_BOX, exact=True).input_value() == SENTENCE
        assert _chips(other) == SENTENCE.split()
        picker = other.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Model")
        assert picker.locator("input").first.input_value() == "plain RNN (shipped)"
        assert _font_px(other, TEXT_BOX) == teacher_px
        assert not exceptions_on_page(other)
    finally:
        fresh.close()
