"""Proves rnnviz.ui.token_cookie's middleware: a request without a valid token cookie gets a fresh,
unguessable, HttpOnly one on any response; a page load renews a valid one unchanged; other responses
to a browser with a token and websockets are left alone; https adds Secure; with the store off
nothing is set; a forged or malformed cookie is replaced."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
from pathlib import Path

import pytest

from rnnviz.training.store import new_token, valid_token
from rnnviz.ui.token_cookie import COOKIE, BrowserTokenCookie, request_token

ENV = {"RNNVIZ_MODEL_STORE_DAYS": "2"}


def _call(scope_type="http", cookie=None, content_type=b"text/html", env=ENV, forwarded=None, **scope):
    """Run the middleware around an app answering `content_type`; the response headers sent."""
    sent = []

    async def app(scope, receive, send):
        headers = [(b"content-type", content_type)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    headers = [(b"cookie", cookie.encode())] if cookie is not None else []
    if forwarded is not None:
        headers.append((b"x-forwarded-proto", forwarded.encode()))
    middleware = BrowserTokenCookie(app, dict(env))
    scope = {"type": scope_type, "headers": headers, "scheme": "http", **scope}
    # in a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return [value.decode() for name, value in start["headers"] if name == b"set-cookie"]


def _token(set_cookie: str) -> str:
    return set_cookie.split(";")[0].removeprefix(f"{COOKIE}=")


def test_a_first_visit_gets_a_fresh_http_only_token():
    [first] = _call()
    assert valid_token(_token(first)) and len(_token(first)) == 43
    assert "HttpOnly" in first and "SameSite=Lax" in first and "Path=/" in first
    assert f"Max-Age={2 * 86400}" in first and "Secure" not in first
    [second] = _call()
    assert _token(second) != _token(first)


def test_any_response_without_a_token_sets_one_but_a_known_browser_only_on_page_loads():
    assert len(_call(content_type=b"application/json")) == 1  # e.g. a cached page's first request
    token = new_token()
    [renewed] = _call(cookie=f"other=1; {COOKIE}={token}")
    assert _token(renewed) == token
    assert _call(cookie=f"{COOKIE}={token}", content_type=b"application/javascript") == []


def test_a_malformed_cookie_is_replaced():
    [replaced] = _call(cookie=f"{COOKIE}=../../etc")
    assert _token(replaced) != "../../etc" and valid_token(_token(replaced))


def test_https_adds_secure_and_an_off_store_sets_nothing():
    assert "Secure" in _call(scheme="https")[0]
    assert "Secure" in _call(forwarded="https")[0]  # nginx terminated https in front
    assert _call(env={"RNNVIZ_MODEL_STORE": "off"}) == []


def test_websockets_pass_through_untouched():
    assert _call(scope_type="websocket") == []


def test_request_token_reads_only_a_valid_cookie():
    token = new_token()
    assert request_token([(b"cookie", f"a=b; {COOKIE}={token}".encode())]) == token
    assert request_token([(b"cookie", f"{COOKIE}=short".encode())]) is None
    assert request_token([(b"cookie", b"garbage;;;===")]) is None
    assert request_token([]) is None


def test_the_app_files_and_the_cookie_import_nothing_heavy():
    """Importing app.py or asgi.py as the server's app loads none of torch, pandas or captum: their
    lifespan does, in a thread that keeps the server's event loop free (rnnviz.ui.warmup.ready)."""
    code = (
        "import sys; import app; import asgi; import rnnviz; rnnviz.__all__; "
        "print(sorted(m for m in ('torch', 'pandas', 'captum') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", ["app.py", "asgi.py"])
def test_streamlit_runs_both_app_files_as_an_st_app_whose_lifespan_warms_up(name):
    """`streamlit run app.py` (the README's command) takes the st.App path, as asgi.py does, so the
    warm-up starts with the server, not after its first page: Streamlit decides by reading the file."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    root = Path(__file__).resolve().parent.parent
    assert discover_asgi_app(root / name).is_asgi_app
    code = f"import {name[:-3]} as m, rnnviz.ui.warmup as w; print(m.app._user_lifespan is w.lifespan)"
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_the_packages_names_are_imported_on_first_use():
    import rnnviz

    assert rnnviz.trace_module.__module__ == "rnnviz.core.trace"
    assert rnnviz.load_classifier.__module__ == "rnnviz.core.checkpoints"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        rnnviz.nothing  # noqa: B018
