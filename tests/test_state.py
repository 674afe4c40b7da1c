"""Proves the UI state layer keeps every control's value through runs that do not draw it
(teacher mode, st.stop(), another page), validates it on read, and shows it when drawn again."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from rnnviz.ui import state

    order = state.Control("order", "changed", choices=("index", "active", "changed"))
    unit = state.Control("unit", 0, check=lambda n: isinstance(n, int) and n >= 0)
    hide = st.session_state.get("hide", False)
    if st.session_state.get("stop_early"):
        st.write("stopped")
        st.stop()
    chosen = state.value(order) if hide else state.widget(st.selectbox, order, "Order", list(order.choices))
    size = st.session_state.get("size", 8)
    if hide:
        n = state.value(unit)
    else:
        n = state.widget(st.number_input, unit, "Unit", min_value=0, max_value=size - 1)
    st.markdown(f"used: {chosen} {n}")


def _used(at: AppTest) -> str:
    return [m.value for m in at.markdown if m.value.startswith("used:")][-1]


def test_a_value_survives_runs_that_do_not_draw_its_widget():
    at = AppTest.from_function(_app).run()
    assert _used(at) == "used: changed 0"
    at.selectbox(key="order").select("active").run()
    at.number_input(key="unit").set_value(5).run()
    assert _used(at) == "used: active 5"
    at.session_state["hide"] = True
    at.run()
    assert _used(at) == "used: active 5"
    at.session_state["stop_early"] = True
    at.run()
    at.session_state["stop_early"] = False
    at.session_state["hide"] = False
    at.run()
    assert at.selectbox(key="order").value == "active"
    assert at.number_input(key="unit").value == 5
    assert _used(at) == "used: active 5"
    assert not at.exception


def test_an_invalid_value_falls_back_to_the_default_without_a_crash():
    at = AppTest.from_function(_app).run()
    at.session_state["rnnviz_state"] = {"order": None, "unit": -3}
    at.run()
    assert not at.exception
    assert _used(at) == "used: changed 0"
    assert at.selectbox(key="order").value == "changed"
