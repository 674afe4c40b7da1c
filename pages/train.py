"""Train: train a small classifier live and watch it learn, word by word and epoch by epoch.

Reads the settings -> starts, pauses or stops this session's training job (rnnviz.training.training_job,
a background job the server caps and queues) -> draws the job's state, polling it once a
second while it is active. A finished job's models go into the sidebar's model picker.
"""

import streamlit as st

from rnnviz.ui import probe as ui_probe
from rnnviz.ui import session
from rnnviz.ui import teacher as ui_teacher
from rnnviz.ui import train as ui_train

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

manager = ui_train.manager_or_stop()
job = ui_train.session_job()
state = job.state() if job else None
names = ui_train.offer_finished_models()
if job is not None and state is not None:
    ui_train.show_job_settings(job, state)  # the locked controls show what is training

st.title("Train: watch a network learn negation")
st.caption(
    "Pick data and a network, press Start and watch the loss fall, the accuracy rise and the probe "
    "sentence's prediction flip at “not” as the network learns. The trained model then appears in the "
    "sidebar, for Explore and the other pages."
)
settings = ui_train.train_controls(
    locked=bool(state and state.active), paused=bool(state and state.status == "paused")
)
action = ui_train.action_buttons(state, can_start=settings.config is not None)
if action in ("start", "race"):
    ui_train.start_job(manager, settings, race=action == "race")
elif action == "pause" and job:
    job.pause()
elif action == "resume" and job:
    job.resume(lr=settings.lr)
elif action == "stop" and job:
    job.stop()
elif action == "reset":
    ui_train.reset_job()
if action:
    st.rerun()


def live_view() -> None:
    """Status and curves, redrawn every POLL_SECONDS while the job is active."""
    job.touch()
    now = job.state()
    if now.status != state.status:  # queued -> loading -> running -> … -> done: redraw the page
        st.rerun()  # (app.py then puts a finished job's models into the sidebar's picker)
    ui_train.show_status(now)
    ui_train.show_curves(now)


def probe_view() -> None:
    """The probe sentence epoch by epoch; its widgets rerun only this part."""
    ui_probe.show_probe(job, job.state())


if job is None or state is None:
    st.info(
        "Press **Start** to train one network, or **Race** to train a plain RNN, a GRU and an LSTM "
        f"side by side. {manager.server.capitalize()} trains up to {manager.capacity} at once; others "
        "wait in a queue.",
        icon=":material/model_training:",
    )
else:
    st.fragment(live_view, run_every=ui_train.POLL_SECONDS if state.active else None)()
    st.fragment(probe_view, run_every=ui_train.PROBE_POLL_SECONDS if state.active else None)()
    ui_train.show_results(state, names)
ui_teacher.link_box()
