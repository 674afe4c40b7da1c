"""rnnviz served with the browser-token cookie that keys each browser's saved models: app.py inside
Streamlit's ASGI app, behind rnnviz.ui.token_cookie's middleware; like app.py's own st.App, its
lifespan deletes the model store's expired models and warms the pages' imports when the server
starts (rnnviz.ui.warmup.lifespan).

Run: streamlit run asgi.py       (what each replica of `python -m rnnviz.tools.serve` runs)
`streamlit run app.py` runs the same app without the cookie: models then last as long as the tab.
"""

import streamlit as st
from starlette.middleware import Middleware

from rnnviz.ui.token_cookie import BrowserTokenCookie
from rnnviz.ui.warmup import lifespan

app = st.App("app.py", middleware=[Middleware(BrowserTokenCookie)], lifespan=lifespan)
