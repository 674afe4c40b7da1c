"""Browser-test fixtures: one streamlit server and one Chromium per test session.

Stand-in models are used unless RNNVIZ_E2E_REAL_MODELS=1 (then the server reads the shipped
models in models/). Without /usr/bin/chromium the tests skip, unless RNNVIZ_REQUIRE_BROWSER=1
(tests/run.sh sets it), when they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import CHROMIUM, TIMEOUT_MS, VIEWPORT, launch_chromium
from rnnviz.tools.standins import standin_models_dir
from tests.e2e.helpers import APP, ARTIFACTS


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (tests/run.sh does)"
        if os.environ.get("RNNVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_server(browser):
    """Base URL of a running `streamlit run app.py` (started after the browser check)."""
    real = os.environ.get("RNNVIZ_E2E_REAL_MODELS") == "1"
    with AppServer(APP, None if real else standin_models_dir(), log_dir=ARTIFACTS) as server:
        yield server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # any alert() a test provoked, e.g. by injected script
    yield page
    context.close()
