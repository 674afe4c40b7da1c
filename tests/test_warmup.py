"""Proves the warm-up imports every rnnviz.ui module and the heavy libraries the pages need, and
starts no thread outside a Streamlit server (AppTest and scripts stay as they were)."""

import pkgutil

import rnnviz.ui
from rnnviz.ui import warmup


def test_modules_cover_every_ui_module_and_the_heavy_libraries():
    names = warmup.modules()
    for module in pkgutil.iter_modules(rnnviz.ui.__path__):
        if module.name != "warmup":
            assert f"rnnviz.ui.{module.name}" in names
    assert names[0] == "torch" and names.index("pandas") < names.index("plotly.graph_objects")
    assert names[-1] == "captum.attr"


def test_no_thread_outside_a_server():
    assert warmup.start() is None  # no runtime at all


def test_no_thread_in_apptest():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from rnnviz.ui import warmup

        st.write(str(warmup.start()))

    at = AppTest.from_function(page).run()
    assert not at.exception and at.markdown[0].value == "None"
