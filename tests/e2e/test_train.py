"""Proves the Train page in a real Chromium: Start trains in the background while the page redraws its
loss curve with more and more points, Stop ends it with results, and the trained model is then the
one Explore's sidebar picker shows; on a full server a second student is queued, and closing the
first student's tab frees the slot."""

import os
import re
import time

import pytest

from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import VIEWPORT, go_to_page, rerun_after, wait_for_app
from rnnviz.tools.standins import standin_models_dir
from tests.e2e.helpers import APP, ARTIFACTS, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

PATIENCE = 90_000  # ms: the machine's two cores are shared; every wait ends as soon as it can
# Retaking the README picture trains the page's defaults until the network has learnt something
# (about a minute). The ordinary run trains 20 epochs of 1,000 sentences and stops after the first;
# an epoch can pass between two polls of the page, so it waits for any epoch from the second on.
README = os.environ.get("RNNVIZ_UPDATE_SCREENSHOTS") == "1"
SENTENCES, EPOCHS, STOP_AT = (
    ("5k", 8, re.compile(r"epoch 6 of 8")) if README else ("1k", 20, re.compile(r"epoch ([2-9]|1\d) of 20"))
)
MODEL = f"GRU 1×48, grammar {SENTENCES}, lr 0.01, {EPOCHS} ep, seed 0"

# Points of the training-loss line in the newest "Loss" chart (0 before there is one). Streamlit
# keeps the previous chart until the redrawn one is ready, hence the maximum.
LOSS_POINTS = """Math.max(0, ...[...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => p.layout && p.layout.title && String(p.layout.title.text).includes('Loss'))
    .map(p => (p._fullData && p._fullData[0] && p._fullData[0].x) ? p._fullData[0].x.length : 0))"""


def go_to(page, title: str) -> None:
    go_to_page(page, title, PATIENCE)


def test_train_watch_the_curve_grow_stop_and_explore_the_model(page, app_server):
    page.set_default_timeout(PATIENCE)
    page.goto(app_server)  # the front door, then the menu, as a student would
    wait_for_app(page, PATIENCE)
    go_to(page, "Train")
    rerun_after(page, page.get_by_test_id("stButtonGroup").get_by_text("GRU", exact=True).click, PATIENCE)
    if not README:
        sentences = page.get_by_role("slider", name="Sentences")
        rerun_after(page, lambda: (sentences.focus(), sentences.press("Home")), PATIENCE)
        epochs = page.get_by_role("slider", name="Epochs")
        rerun_after(page, lambda: (epochs.focus(), epochs.press("End")), PATIENCE)
    page.get_by_role("button", name="Start").click()

    page.wait_for_function(f"n => {LOSS_POINTS} > n", arg=0)
    first = page.evaluate(f"() => {LOSS_POINTS}")
    page.wait_for_function(f"n => {LOSS_POINTS} > n", arg=first)  # redrawn while it trains
    page.get_by_text(STOP_AT).first.wait_for()  # validated epochs on the curves
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("How the trained model does on held-out data").wait_for()
    wait_for_app(page, PATIENCE)
    assert page.get_by_text("stopped after").count() == 1
    assert page.get_by_text(MODEL).count() >= 1
    assert not exceptions_on_page(page)
    screenshot(page, "train", readme="train.png")

    go_to(page, "Explore")
    chosen = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value()
    assert chosen == MODEL  # the picker has switched to the new model
    assert not exceptions_on_page(page)


def test_closing_a_tab_stops_its_training_and_the_next_in_line_starts(browser):
    env = {"RNNVIZ_MAX_TRAININGS": "1", "RNNVIZ_TRAINING_ABANDON_SECONDS": "3"}
    with AppServer(APP, standin_models_dir(), env=env, log_dir=ARTIFACTS) as server:
        tabs = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
        first, second = (tab.new_page() for tab in tabs)
        for page in (first, second):
            page.set_default_timeout(PATIENCE)
            page.goto(server.url)
            wait_for_app(page, PATIENCE)
            go_to(page, "Train")
        epochs = first.get_by_role("slider", name="Epochs")
        rerun_after(first, lambda: (epochs.focus(), epochs.press("End")), PATIENCE)  # 20 epochs: minutes
        first.get_by_role("button", name="Start").click()
        first.get_by_text("Training ·").first.wait_for()
        second.get_by_role("button", name="Start").click()
        second.get_by_text("Queued, position 1: this server trains at most 1 model at once").wait_for()

        tabs[0].close()  # the first student closes the tab: its session disconnects
        closed = time.monotonic()
        second.get_by_text("Training ·").first.wait_for()
        assert time.monotonic() - closed < 30  # 3 s without a live session, then the queue moves
        assert not exceptions_on_page(second)
        tabs[1].close()
