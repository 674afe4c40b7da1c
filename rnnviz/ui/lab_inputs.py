"""The Negation lab's inputs beyond its two text boxes: the contrast set that can fill sentence B,
and the pairs its unit scores are computed over (built-in, typed, uploaded).

Session state keys:
    lab_b                   sentence B's text box, filled from a chosen variant
    lab_variants_<version>  the contrast-set table, one per sentence A (`widgets.table_picker`)
    lab_variant_used        the variant rows chosen last, so a choice fills sentence B once
    lab_builtin, lab_typed, lab_file   the pairs inputs
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from rnnviz.ui import widgets
from rnnviz.ui.teacher import hidden_value, teacher_mode

PAIRS_EXAMPLE = "the soup was hot | positive\nthe soup was not hot | negative"
MAX_TYPED_CHARS = 20_000
MAX_UPLOAD_MB = 1


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
            st.session_state["lab_b"] = variants[chosen[0]]["sentence"]  # before B's box is drawn
        st.session_state["lab_variant_used"] = chosen


def pairs_inputs(about: str, about_own: str, builtin_count: int) -> tuple[bool, str, bytes | None]:
    """Which pairs to score units over: (use the `builtin_count` built-in pairs, pairs typed
    one per line, an uploaded pairs file's bytes or None), after the caption `about` (and
    `about_own`, on how to give one's own). Teacher mode shows no inputs to type or upload:
    the built-in pairs and any typed before are used."""
    if teacher_mode():
        st.caption(about)
        return hidden_value("lab_builtin", True), hidden_value("lab_typed", ""), None
    st.caption(f"{about} {about_own}")
    builtin = st.toggle(f"Use the {builtin_count} built-in pairs", value=True, key="lab_builtin")
    left, right = st.columns(2)
    typed = left.text_area(
        "Your own pairs", key="lab_typed", placeholder=PAIRS_EXAMPLE, max_chars=MAX_TYPED_CHARS
    )
    upload = right.file_uploader(
        "Or upload a pairs file", type=["tsv", "txt"], key="lab_file", max_upload_size=MAX_UPLOAD_MB
    )
    return builtin, typed, None if upload is None else upload.getvalue()
