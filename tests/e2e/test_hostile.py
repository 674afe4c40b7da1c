"""Proves in a real Chromium what tests/test_hostile.py proves in AppTest, for a representative subset:
hostile text typed into Explore and the Negation lab, deep links with hostile values, a pickle
renamed .safetensors in the sidebar, a latin-1 CSV and a million-row one on the Train page each end in a clear
message, with no Streamlit exception box, and `<script>` stays literal text that never runs."""

import pickle

import pytest

from rnnviz.core.text import tokenize
from rnnviz.tools.browser import app_url, go_to_page, open_app, rerun_after, wait_for_app
from tests.e2e.helpers import exceptions_on_page, type_into

pytestmark = pytest.mark.e2e

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(1)">'
MARKDOWN = "**bold** [link](javascript:alert(1)) $\\frac{1}{0}$"
EXPLORE_BOX = "Type a sentence and press Enter"
MILLION_ROWS = b"text,label\n" + b"good,1\nbad,0\n" * 500_000  # 6.5 MB: under the 10 MB limit


def _chips(page) -> list[list[str]]:
    """The token chips of each sentence on the page."""
    boxes = page.locator(".rnnviz-tokens")
    return [
        boxes.nth(k).locator("bdi").evaluate_all("nodes => nodes.map(n => n.textContent)")
        for k in range(boxes.count())
    ]


def _nothing_ran(page) -> None:
    """No alert() fired, no element the hostile text describes exists, no exception box."""
    assert page.dialogs == []
    main = page.get_by_test_id("stMain")
    assert main.locator("script").count() == 0
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    assert main.locator(".katex").count() == 0  # no page here draws LaTeX from user text
    assert not exceptions_on_page(page)


def _visible(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(state="visible", timeout=30_000)
    wait_for_app(page)


def test_hostile_text_typed_into_explore_and_the_negation_lab(page, app_server):
    open_app(page, app_server)
    rerun_after(page, lambda: type_into(page, EXPLORE_BOX, SCRIPT))
    assert _chips(page) == [tokenize(SCRIPT)]
    _nothing_ran(page)
    rerun_after(page, lambda: type_into(page, EXPLORE_BOX, MARKDOWN))
    assert _chips(page) == [tokenize(MARKDOWN)]
    _nothing_ran(page)
    rerun_after(page, lambda: type_into(page, EXPLORE_BOX, "zebra quokka"))
    _visible(page, "None of these words are in the model's vocabulary")
    rerun_after(page, lambda: type_into(page, EXPLORE_BOX, " \t "))
    _visible(page, "Type a sentence above")
    _nothing_ran(page)

    go_to_page(page, "Negation lab")
    rerun_after(page, lambda: type_into(page, "Sentence A (press Enter)", SCRIPT))
    rerun_after(page, lambda: type_into(page, "Sentence B (press Enter)", "\u200b\u200d"))
    _visible(page, "The second sentence is empty")
    _nothing_ran(page)
    rerun_after(page, lambda: type_into(page, "Sentence B (press Enter)", IMAGE))
    assert _chips(page)[:2] == [tokenize(SCRIPT), tokenize(IMAGE)]
    _nothing_ran(page)


def test_deep_links_with_hostile_values(page, app_server):
    query = {"sentence": SCRIPT, "model": IMAGE, "layer": MARKDOWN, "direction": "\u202e<b>x</b>"}
    open_app(page, app_server, query=query)
    for notice in (
        "The link asks for the model",
        "The link asks for layer",
        "The link asks for the direction",
    ):
        _visible(page, notice)
    assert _chips(page) == [tokenize(SCRIPT)]
    _nothing_ran(page)

    # The lab's own address, now that app.py has run on this server (see test_negation_lab.py).
    page.goto(app_url(app_server, "negation_lab", {"a": IMAGE, "b": "", "layer": "0"}))
    wait_for_app(page)
    _visible(page, "The second sentence is empty")
    _visible(page, "The link asks for layer")
    _nothing_ran(page)


def test_a_pickle_renamed_safetensors_in_the_sidebar(page, app_server):
    open_app(page, app_server, query={"sentence": ""})
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload a checkpoint").click()
    upload = {"name": "model.safetensors", "mimeType": "application/octet-stream"}
    upload["buffer"] = pickle.dumps({"weights": [1.0]}, protocol=4)
    sidebar.locator('input[type="file"]').set_input_files(files=[upload])  # uploads, then reruns
    _visible(page, "“model.safetensors” cannot be used: this file is a Python pickle")
    assert sidebar.get_by_role("combobox", name="Model").input_value() == "LSTM (shipped)"
    _nothing_ran(page)


def test_a_latin1_csv_and_a_million_rows_on_the_train_page(page, app_server):
    open_app(page, app_server, query={"sentence": ""})
    go_to_page(page, "Train")
    page.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name="My own table (CSV or TSV)").click()
    _visible(page, "Upload a CSV or TSV table to train on it.")
    table = {"name": "café.csv", "mimeType": "text/csv"}
    table["buffer"] = "text,label\ncafé was good,pos\nbad,neg\n".encode("latin-1")
    main = page.get_by_test_id("stMain")
    main.locator('input[type="file"]').set_input_files(files=[table])
    _visible(page, "This table cannot be used: café.csv, line 2: not UTF-8 text (byte 0xe9)")
    assert page.get_by_role("button", name="Start").is_disabled()
    _nothing_ran(page)
    table = {"name": "million.csv", "mimeType": "text/csv", "buffer": MILLION_ROWS}
    main.locator('input[type="file"]').set_input_files(files=[table])
    _visible(page, "This table cannot be used: million.csv, line 50002: more than 50,000 rows")
    # Over the server's maxUploadSize (.streamlit/config.toml) the browser refuses the file itself.
    table = {"name": "huge.csv", "mimeType": "text/csv", "buffer": MILLION_ROWS * 4}
    main.locator('input[type="file"]').set_input_files(files=[table])
    uploader = main.get_by_test_id("stFileUploader")
    uploader.get_by_text("File must be 20.0MB or smaller").wait_for(state="attached")
    _nothing_ran(page)
