"""rnnviz served with the browser-token cookie that keys each browser's saved models: app.py inside
Streamlit's ASGI app, behind rnnviz.ui.token_cookie's middleware; the model store's expired
models are deleted and the pages' imports are warmed up (rnnviz.ui.warmup) when the server starts.

Run: streamlit run asgi.py       (what each replica of `python -m rnnviz.tools.serve` runs)
`streamlit run app.py` runs the same app without the cookie: models then last as long as the tab.
"""

import contextlib
import threading

import streamlit as st
from starlette.middleware import Middleware

from rnnviz.ui import warmup
from rnnviz.ui.token_cookie import BrowserTokenCookie


def _clean_store() -> None:
    from rnnviz.ui.saved_models import cleanup_store  # imports torch: not before the server answers

    cleanup_store()


@contextlib.asynccontextmanager
async def lifespan(app):
    # Streamlit binds the port before it imports this file and runs this; until both are done,
    # a connection is accepted but not answered (nginx waits on a restarted replica). So this
    # file imports nothing heavy, and the heavy work runs in the background.
    warmup.start(server_only=False)  # the pages' imports, in a background thread, before any browser
    threading.Thread(target=_clean_store, name="rnnviz-store-cleanup", daemon=True).start()
    yield


app = st.App("app.py", middleware=[Middleware(BrowserTokenCookie)], lifespan=lifespan)
