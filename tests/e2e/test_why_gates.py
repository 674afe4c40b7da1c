"""Proves the Why-gates page in a real Chromium: the gradient chart compares the shipped models, and
the long-range experiment, run at small size, trains in the background while the page polls its
progress, then draws accuracy against N and states what it measured."""

import os
import re

import pytest

from rnnviz.tools.browser import go_to_page, open_app, rerun_after, wait_for_app
from tests.e2e.helpers import chart_titles, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e


def test_gradients_and_a_small_long_range_experiment(page, app_server):
    open_app(page, app_server)
    go_to_page(page, "Why gates")
    assert chart_titles(page)[0].startswith("How much the prediction depends on each word")
    assert page.get_by_text(re.compile(r"^plain RNN \(shipped\):\u200b? at the first word")).count() == 1

    # A small run (N = 20, 200 sentences, 2 epochs) opened by a link that carries the settings;
    # with RNNVIZ_UPDATE_SCREENSHOTS=1 the default run, for the README's picture.
    full = os.environ.get("RNNVIZ_UPDATE_SCREENSHOTS") == "1"
    settings = {} if full else {"filler": "20", "train": "200", "epochs": "2"}
    open_app(page, app_server, "why_gates", settings)
    rerun_after(page, lambda: page.get_by_role("button", name="Train the three cells").click())
    n = settings.get("filler", "50")
    summary = page.get_by_text(re.compile(rf"^After {n} filler words the plain RNN scored \d\.\d\d"))
    summary.wait_for(timeout=120_000)
    wait_for_app(page)
    assert f"Remembering one word across N filler words (trained on N = 0 … {n})" in chart_titles(page)
    assert page.get_by_text(re.compile(rf"training sentences with 0–{n} filler words")).count() == 1
    assert not exceptions_on_page(page)
    screenshot(page, "why-gates", readme="why-gates.png")
