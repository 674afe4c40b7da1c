"""Proves the class deployment end to end: `python -m rnnviz.tools.serve` starts 2 replicas and nginx;
the app renders through nginx (its websocket works), a browser keeps reaching the same replica, a
model trained on the Train page of one replica is listed by the other for the same browser; when its
replica is killed, the open page reconnects to the live one with a one-time notice and the model back (the
seconds it took are printed), a student on the live replica is told nothing and cannot see the
model, a reload finds it again without a notice, and SIGTERM stops all.

Needs Debian's nginx (tests/run.sh installs it); without it the test skips, unless
RNNVIZ_REQUIRE_BROWSER=1, when it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rnnviz.tools.appserver import free_port
from rnnviz.tools.browser import TIMEOUT_MS, VIEWPORT, open_app, rerun_after, wait_for_app
from rnnviz.tools.standins import standin_models_dir
from rnnviz.training.store import new_token
from rnnviz.ui.token_cookie import COOKIE
from tests.e2e.helpers import ARTIFACTS, ROOT, exceptions_on_page

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TRAINED = re.compile(r"GRU 1×48, grammar 1k, .*, 1 ep, .*")  # the picker's name for the model trained below
LIGHT_PAGE = "train"  # the picker is on every page; Train computes nothing until Start
NOTICE = "The server process you were on stopped"  # rnnviz.ui.reconnect.notice_text
TRAINING_MS = 120_000  # one epoch of 1k sentences; generous: the machine is shared
RECONNECT_BOUND_MS = 60_000  # a sanity bound only; the goal (10 s) is printed, not asserted


@pytest.fixture(scope="module")
def served(browser, tmp_path_factory):
    """A running `serve --replicas 2` (process, its serve.json, its run directory)."""
    if not Path(NGINX).exists():
        message = f"{NGINX} is missing: install Debian's nginx package (tests/run.sh does)"
        if os.environ.get("RNNVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    run = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "RNNVIZ_MODELS_DIR": str(standin_models_dir()),
        "RNNVIZ_MODEL_STORE": str(run / "store"),
    }
    command = [sys.executable, "-m", "rnnviz.tools.serve", "--replicas", "2", "--host", "127.0.0.1"]
    command += ["--port", str(free_port()), "--run-dir", str(run), "--app", str(ROOT / "asgi.py")]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not (run / "serve.json").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield process, run
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(30)
        shutil.copytree(run / "logs", ARTIFACTS / "serve-logs", dirs_exist_ok=True)


def _state(run: Path) -> dict:
    return json.loads((run / "serve.json").read_text())


def _replica_for(url: str, token: str) -> str:
    """Which replica nginx sends a request with this browser's cookie to (HOST:PORT)."""
    request = urllib.request.Request(url + "/", headers={"Cookie": f"{COOKIE}={token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Rnnviz-Replica"]


def _address(replica: dict) -> str:
    return replica["url"].removeprefix("http://")


def _picker_options(page) -> list[str]:
    """The sidebar model picker's options, read by opening it."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = options.all_inner_texts()
    page.keyboard.press("Escape")
    return names


def _pick(page, name: str) -> None:
    """Choose `name` in the sidebar's model picker and wait for the rerun."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    rerun_after(page, lambda: page.get_by_role("option", name=name).click())


def _browser_page(browser, url: str | None = None, token: str | None = None):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    if token is not None:
        context.add_cookies([{"name": COOKIE, "value": token, "url": url}])
    return context.new_page()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _slider_value(page, name: str) -> str | None:
    return page.get_by_role("slider", name=name).get_attribute("aria-valuenow")


def test_two_replicas_behind_nginx_share_a_browsers_models(served, browser):
    process, run = served
    state = _state(run)
    url = state["url"]

    page = _browser_page(browser)
    page.goto(url)  # the page itself: its response sets the browser's token cookie
    token = next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)
    assert len(token) >= 43
    home = {_replica_for(url, token) for _ in range(4)}
    assert len(home) == 1, f"one browser reached several replicas: {home}"
    home_address = home.pop()
    other = next(r for r in state["replicas"] if not r["url"].endswith(home_address))
    # The same browser (its cookie) straight on the other replica, past nginx; loaded at the same
    # time as the first page, so that both replicas do their slow first run at once.
    there = _browser_page(browser, other["url"], token)
    there.goto(other["url"])
    wait_for_app(page)  # renders only when the websocket through nginx works
    assert not exceptions_on_page(page)
    wait_for_app(there)

    # Train a small model on the replica this browser is on: 1k grammar sentences, one epoch.
    open_app(page, url, LIGHT_PAGE)
    rerun_after(page, page.get_by_test_id("stButtonGroup").get_by_text("GRU", exact=True).click)
    for name in ("Sentences", "Epochs"):
        slider = page.get_by_role("slider", name=name)
        rerun_after(page, lambda slider=slider: (slider.focus(), slider.press("Home")))
    page.get_by_role("button", name="Start").click()
    page.get_by_text("How the trained model does on held-out data").wait_for(timeout=TRAINING_MS)
    wait_for_app(page)
    trained = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value()
    assert TRAINED.fullmatch(trained), trained  # the picker has switched to the new model
    assert trained in _picker_options(page)

    # A new session of the same browser on the other replica lists the model.
    open_app(there, other["url"], LIGHT_PAGE)
    assert trained in _picker_options(there)
    there.context.close()

    # A neighbour: another browser (a token of its own) whose cookie puts it on the other replica.
    neighbour_token = next(
        t for t in (new_token() for _ in range(64)) if _replica_for(url, t) == _address(other)
    )
    neighbour = _browser_page(browser, url, neighbour_token)
    open_app(neighbour, url, LIGHT_PAGE)

    # Kill the replica this browser is on. The open page's websocket reconnects by itself, through
    # nginx, to the live replica (a new session there). Streamlit reruns an idle page only when the
    # student acts, so the student picks another model: a one-time notice says what happened, and
    # their model is still in the picker. The neighbour, on the live replica, is told nothing.
    chosen = {name: _slider_value(page, name) for name in ("Sentences", "Epochs")}
    sockets: list[float] = []
    page.on("websocket", lambda socket: sockets.append(time.monotonic()))
    home_pid = next(r["pid"] for r in state["replicas"] if r["url"].endswith(home_address))
    os.kill(home_pid, signal.SIGKILL)
    killed = time.monotonic()
    deadline = killed + RECONNECT_BOUND_MS / 1000
    while not sockets and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert sockets, "the page did not open a new websocket after its replica was killed"
    wait_for_app(page)
    _pick(page, "GRU (shipped)")  # the training selected its model: another choice is a change, so a rerun
    notice = page.get_by_test_id("stToast").filter(has_text=NOTICE)
    notice.wait_for(timeout=RECONNECT_BOUND_MS)
    # The goal is 10 s; recorded, not asserted (the machine is shared).
    print(
        f"\nreplica killed: the page's websocket reopened after {sockets[0] - killed:.1f} s; "
        f"the student's next action showed the notice {time.monotonic() - killed:.1f} s after the kill"
    )
    assert "your saved model is back in the model picker" in notice.inner_text()
    assert "with your settings" in notice.inner_text()
    assert not exceptions_on_page(page)
    # The live replica drew the Train page with the settings the student had chosen on the dead one.
    assert {name: _slider_value(page, name) for name in chosen} == chosen
    # ...and with the student's first choice there, which came with the browser's rerun: it is
    # newer than the values the dead replica had mirrored, and must not be undone by them.
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model")
    assert picker.input_value() == "GRU (shipped)"
    assert trained in _picker_options(page)
    assert neighbour.get_by_test_id("stToast").count() == 0
    assert trained not in _picker_options(neighbour)  # and another browser sees none of it
    neighbour.get_by_test_id("stSidebar").get_by_text("Saved models (0)").wait_for()
    neighbour.context.close()

    # A reload is a fresh page, not a move: the model is back, with no notice.
    open_app(page, url, LIGHT_PAGE)
    assert not exceptions_on_page(page)
    assert trained in _picker_options(page)
    page.get_by_test_id("stSidebar").get_by_text("Saved models (1)").wait_for()
    assert page.get_by_test_id("stToast").filter(has_text=NOTICE).count() == 0
    page.context.close()

    # SIGTERM stops nginx and every replica, and the address stops answering.
    state = _state(run)  # the killed replica was started again: its new pid is here
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    pids = [state["nginx_pid"], *(r["pid"] for r in state["replicas"])]
    assert not [pid for pid in pids if _alive(pid)]
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/_stcore/health", timeout=5)
