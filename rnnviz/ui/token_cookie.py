"""The browser token's cookie: the ASGI middleware that gives each browser one, and reading it in a
session. The token keys the browser's saved models (rnnviz.training.store).

Streamlit has no public call that sets a cookie from a script, but its ASGI app (`st.App`, run by
`streamlit run asgi.py`) takes Starlette middleware. `BrowserTokenCookie` answers every HTTP
request that comes without a valid token with a `Set-Cookie` of a fresh one (the first request of
a visit is the page itself, before the websocket opens), and renews the cookie's lifetime on every
page load; the websocket's handshake then carries it, and `browser_token()` reads it from
`st.context.cookies`. The cookie is HttpOnly (no script on the page can read it), SameSite=Lax,
and Secure when the visit came over https. No address ever carries the token, so a copied link
never hands one's models to someone else.

Under plain `streamlit run app.py` there is no middleware and no cookie: models then stay in the
browser session that made them, as before.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

import streamlit as st

from rnnviz.training.store import StoreSettings, new_token, valid_token

COOKIE = "rnnviz_store"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def request_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The valid token in a request's Cookie headers, or None."""
    for name, value in headers:
        if name.lower() != b"cookie":
            continue
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(value.decode("latin-1"))
        except CookieError:
            continue
        if COOKIE in cookies and valid_token(cookies[COOKIE].value):
            return cookies[COOKIE].value
    return None


def cookie_header(token: str, max_age: int, secure: bool) -> bytes:
    """The Set-Cookie value that keeps `token` in the browser for `max_age` seconds."""
    value = f"{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
    return (value + ("; Secure" if secure else "")).encode("ascii")


class BrowserTokenCookie:
    """ASGI middleware: every HTTP response to a request without a valid token cookie sets a
    fresh one; page loads renew an existing one. Websockets and a store that is off pass through."""

    def __init__(self, app: ASGIApp, environ: MutableMapping[str, str] | None = None) -> None:
        self.app = app
        settings = StoreSettings.from_environment(os.environ if environ is None else environ)
        self.max_age = int(settings.max_age_seconds) if settings is not None else 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_age:
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        known = request_token(headers)
        token = known or new_token()
        forwarded = dict(headers).get(b"x-forwarded-proto", b"").decode("latin-1").lower()
        secure = scope.get("scheme") == "https" or forwarded == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = list(message.get("headers", []))
                page = dict(response_headers).get(b"content-type", b"").startswith(b"text/html")
                if known is None or page:
                    response_headers.append((b"set-cookie", cookie_header(token, self.max_age, secure)))
                    message = {**message, "headers": response_headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def browser_token() -> str | None:
    """This session's browser token from its cookie, or None (no cookie: the app runs without
    the middleware, or the browser refuses cookies)."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind this run (AppTest, bare mode): no cookies at all
        return None
    return token if valid_token(token) else None
