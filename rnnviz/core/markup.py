"""User text made safe to show: literal inside markdown, quoted and clipped in messages, cleaned for widgets.

Streamlit runs markdown (and its own `:emoji:` / `:red[colour]` shortcodes and `$LaTeX$`) in
st.markdown, st.caption, alerts and widget labels; every piece of user text that reaches one
of them passes through `md_escape` or `quote` first. HTML snippets are built in
rnnviz.plots.html instead.
"""

from __future__ import annotations

import re
import unicodedata

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&=^\"'])")


def md_escape(text: str) -> str:
    """`text` as literal characters inside Streamlit markdown (st.markdown, st.caption,
    st.warning, widget labels): markdown and HTML punctuation backslash-escaped, `$`
    (LaTeX) escaped, ':' followed by a zero-width space so ':smile:' or ':red[x]' never
    become emoji or colours, and line breaks and control characters turned into spaces."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(text))
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace(":", ":\u200b")


def quote(value: str, limit: int = 40) -> str:
    """A user-supplied value shortened and escaped for a message: “value”."""
    value = str(value)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"“{md_escape(value)}”"


def clean_text(value: str, max_chars: int) -> tuple[str, bool]:
    """Text from outside (a URL, an upload) made safe to hand to widgets: lone surrogates
    replaced, cut to `max_chars`. Returns (text, whether it was cut)."""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return text[:max_chars], len(text) > max_chars


QUOTE_CHARS = 80  # at most this much of a file's own text (names, keys, values) in a message


def clip(value: object, limit: int = QUOTE_CHARS) -> str:
    """`value` as text for a message, cut to `limit` characters with "…" (plain text: callers
    that draw it as markdown escape it)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed(names: list[str], most: int = 4) -> str:
    """At most `most` names, each clipped, and how many more: "a, b, c, d and 96 more" ("none")."""
    shown = ", ".join(clip(n, 40) for n in names[:most]) or "none"
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")
