"""rnnviz: the router. Each page is a file in pages/; all of them share the sidebar's teacher mode
switch and model picker.

Run: streamlit run app.py

The file is read twice over. `streamlit run app.py` imports it once as the server's app (Streamlit
finds the `st.App` below by reading the file), whose lifespan imports what the pages need and
loads the shipped models before the server answers its first browser (rnnviz.ui.warmup). Each
browser session's run then executes it as "__main__": the router, `main()`.
"""

import streamlit as st


def main() -> None:
    """One run of the router: the shared sidebar, then the chosen page."""
    import pandas  # noqa: F401  (before any page: see below)

    from rnnviz.core.threads import limit_torch_threads
    from rnnviz.ui import models, output, reconnect, saved_models, session, teacher, train, turns, warmup

    # Teacher mode (a projector) starts with the sidebar folded away: the page gets the whole width.
    st.set_page_config(
        page_title="rnnviz",
        page_icon=":material/neurology:",
        layout="wide",
        initial_sidebar_state="collapsed" if teacher.opened_in_teacher_mode() else "auto",
    )
    limit_torch_threads()
    # pandas is imported above, by every run before its page: plotly looks pandas up in sys.modules
    # without importing it, so a figure built while another thread (another session's run, the
    # warm-up) is importing pandas saw a half-initialised module ("partially initialized module
    # 'pandas' has no attribute 'Series'"); an import statement waits for that import to finish.

    # One line per page, in menu order: the guided Lesson first (the class as steps), then Explore (the
    # app's one question, the page a bare address opens), then the lesson's order — word order, the
    # cell, vanishing gradients, gates at "not", layers, batches, training.
    menu = [
        st.Page("pages/lesson.py", title="Lesson", icon=":material/school:"),
        st.Page("pages/explore.py", title="Explore", icon=":material/visibility:", default=True),
        st.Page("pages/word_order.py", title="Word order", icon=":material/swap_horiz:"),
        st.Page("pages/inside_the_cell.py", title="Inside the cell", icon=":material/memory:"),
        st.Page("pages/why_gates.py", title="Why gates", icon=":material/trending_down:"),
        st.Page("pages/negation_lab.py", title="Negation lab", icon=":material/compare_arrows:"),
        st.Page("pages/units.py", title="Units", icon=":material/tune:"),
        st.Page("pages/layers.py", title="Layers & directions", icon=":material/stacks:"),
        st.Page("pages/batches.py", title="Padding & packing", icon=":material/view_column:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    ]

    page = st.navigation(menu)
    teacher.remember_page(page.url_path)  # for the copy-link box
    reconnect.take_over()  # a page whose replica was killed: the control values it had, before any widget
    saved_models.mirror_controls()  # a value a widget just changed, on disk before the page's work
    session.begin_query()
    teacher.teacher_switch()
    train.offer_finished_models()  # a training that ended while the student was elsewhere
    models.model_picker()
    reconnect.notice_if_moved()  # a page that lost its server process to a killed or restarted replica
    with st.sidebar:
        output.image_format_picker()  # what every chart's camera button saves: PNG (2x) or SVG
    session.mark_routed()
    try:
        # A class's runs take turns, a core's worth at a time (rnnviz.ui.turns); training workers
        # stop while a page runs (rnnviz.training.pause).
        with turns.PAGES.turn(), train.page_running():
            page.run()
        session.flush_query()  # the run's view, written to the URL in one change
        saved_models.mirror_controls()  # what the page itself set (a preset, a link)
    finally:  # after the page, even one that stopped: the other pages' imports, in the background, once
        warmup.page_drawn()
        warmup.start()


if __name__ == "__main__":  # a browser session's run
    main()
else:  # the server, once: only streamlit and the lifespan here; the lifespan does the rest
    from rnnviz.ui.warmup import lifespan

    app = st.App("app.py", lifespan=lifespan)
