"""The Negation lab's inputs beyond its two text boxes: the contrast set that can fill sentence B,
and the pairs its unit scores are computed over (built-in, typed, uploaded).

Controls (rnnviz.ui.state) and session state keys:
    lab_b                   sentence B's text control, filled from a chosen variant
    lab_variants_<version>  the contrast-set table, one per sentence A (`widgets.table_picker`)
    lab_variant_used        the variant rows chosen last, so a choice fills sentence B once
    lab_builtin, lab_typed  the pairs controls
    lab_file                the uploader; the last file's (name, bytes) is kept in the control
                            lab_upload, so it survives teacher mode and page visits until removed
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from rnnviz.core.markup import quote
from rnnviz.ui import state, widgets
from rnnviz.ui.lab import DEFAULT_PAIR
from rnnviz.ui.teacher import teacher_mode

PAIRS_EXAMPLE = "the soup was hot | positive\nthe soup was not hot | negative"
MAX_TYPED_CHARS = 20_000
MAX_UPLOAD_MB = 1
SENTENCE_A = state.Control("lab_a", DEFAULT_PAIR[0], check=lambda v: isinstance(v, str))
SENTENCE_B = state.Control("lab_b", DEFAULT_PAIR[1], check=lambda v: isinstance(v, str))
BUILTIN = state.Control("lab_builtin", True, (True, False))
TYPED = state.Control("lab_typed", "", check=lambda v: isinstance(v, str))
UPLOAD = state.Control("lab_upload", None, check=lambda v: v is None or isinstance(v, tuple))


def contrast_set(variants: Sequence[dict], text_a: str) -> None:
    """The variants of sentence A (rows with a "sentence") in a closed expander; selecting one
    puts it in sentence B's box. Call it before that box is drawn."""
    title = f"Contrast set: {len(variants)} variants of sentence A; select one to make it sentence B"
    with st.expander(title):
        if not variants:
            st.caption(
                "No rule applies to sentence A: try one with “was”, “is”, “do” or a verb like “loved”."
            )
        chosen = widgets.table_picker(variants, "lab_variants", version=text_a) if variants else []
        if chosen and chosen != st.session_state.get("lab_variant_used"):
            state.set_value(SENTENCE_B, variants[chosen[0]]["sentence"])  # before B's box is drawn
        st.session_state["lab_variant_used"] = chosen


def _upload_changed() -> None:
    # The student removed the file from the uploader (not: the uploader was drawn again empty).
    if st.session_state.get("lab_file") is None:
        state.forget(UPLOAD)


def pairs_inputs(about: str, about_own: str, builtin_count: int) -> tuple[bool, str, bytes | None]:
    """Which pairs to score units over: (use the `builtin_count` built-in pairs, pairs typed
    one per line, an uploaded pairs file's bytes or None), after the caption `about` (and
    `about_own`, on how to give one's own). Teacher mode shows no inputs to type or upload;
    the built-in switch, typed pairs and uploaded file set before stay in force."""
    if teacher_mode():
        st.caption(about)
        upload = state.value(UPLOAD)
        return state.value(BUILTIN), state.value(TYPED), upload[1] if upload else None
    st.caption(f"{about} {about_own}")
    builtin = state.widget(st.toggle, BUILTIN, f"Use the {builtin_count} built-in pairs")
    left, right = st.columns(2)
    typed = state.widget(
        left.text_area, TYPED, "Your own pairs", placeholder=PAIRS_EXAMPLE, max_chars=MAX_TYPED_CHARS
    )
    with right:
        file = st.file_uploader(
            "Or upload a pairs file",
            type=["tsv", "txt"],
            key="lab_file",
            max_upload_size=MAX_UPLOAD_MB,
            on_change=_upload_changed,
        )
        if file is not None:
            state.set_value(UPLOAD, (file.name, file.getvalue()))
        kept = state.value(UPLOAD)
        if file is None and kept:
            st.caption(f"Using {quote(kept[0])}, uploaded before.")
            st.button("Remove it", key="lab_file_remove", on_click=state.forget, args=(UPLOAD,))
    upload = state.value(UPLOAD)
    return builtin, typed, upload[1] if upload else None
