"""Proves that a link straight to a page works on a server nobody has visited yet: the page it names
opens inside the router (sidebar model picker, menu) with the link's query parameters applied and kept.

Each case starts its own server, because Streamlit's legacy pages/ handling (the bug, fixed by
ui.ensure_routed) only happens until the first session anywhere has run app.py.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest

from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import VIEWPORT, app_url, wait_for_app
from rnnviz.tools.standins import standin_models_dir
from tests.e2e.helpers import APP, ARTIFACTS, exceptions_on_page

pytestmark = pytest.mark.e2e

MENU = [
    "Lesson",
    "Explore",
    "Word order",
    "Inside the cell",
    "Why gates",
    "Negation lab",
    "Units",
    "Layers & directions",
    "Padding & packing",
    "Train",
]

# path -> (query, page title, the model the picker should show, {text box label: expected text})
LINKS = {
    "explore": (
        {"sentence": "the movie was not bad", "model": "rnn"},  # the RNN: 3 charts, the GRU's 2 layers 9
        "Explore: watch a recurrent network read",
        "plain RNN (shipped)",
        {"Type a sentence and press Enter": "the movie was not bad"},
    ),
    "negation_lab": (
        {"a": "the plot was fun", "b": "the plot was not fun", "model": "rnn"},
        "Negation lab: what changes inside at “not”?",
        "plain RNN (shipped)",
        {"Sentence A (press Enter)": "the plot was fun", "Sentence B (press Enter)": "the plot was not fun"},
    ),
    "train": ({"model": "gru"}, "Train: watch a network learn negation", "GRU (shipped)", {}),
    "inside_the_cell": (
        {"sentence": "the acting was great", "unit": "3", "word": "2"},
        "Inside the cell: every number of one step",
        "LSTM (shipped)",
        {"Type a sentence and press Enter": "the acting was great"},
    ),
    "why_gates": (
        {"filler": "30", "seed": "7"},
        "Why gates? Carrying a word across many others",
        "LSTM (shipped)",
        {},
    ),
}


@pytest.mark.parametrize("path", list(LINKS))
def test_a_link_to_a_page_opens_it_inside_the_router(browser, path):
    query, title, model, boxes = LINKS[path]
    with AppServer(APP, standin_models_dir(), log_dir=ARTIFACTS) as server:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(app_url(server.url, path, query))
            wait_for_app(page, timeout=60_000)
            assert not exceptions_on_page(page)
            assert page.locator("h1").first.inner_text() == title
            sidebar = page.get_by_test_id("stSidebar")
            links = sidebar.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
            assert [text.split("\n")[-1] for text in links] == MENU  # each text is "icon\n\ntitle"
            picker = sidebar.get_by_test_id("stSelectbox").filter(has_text="Model")
            assert picker.locator("input").first.input_value() == model
            for label, text in boxes.items():
                assert page.get_by_label(label, exact=True).input_value() == text
            address = urlsplit(page.url)
            assert address.path == ("/" if path == "explore" else f"/{path}")  # the default page is "/"
            kept = dict(parse_qsl(address.query))
            assert {name: kept.get(name) for name in query} == query  # the link's view stays in the URL
        finally:
            context.close()
