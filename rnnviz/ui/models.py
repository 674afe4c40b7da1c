"""Which models a session can look at and which one it is looking at: the shipped models loaded
once per server, the session's own (trained, uploaded), and the sidebar model picker.

Models shipped with the app are loaded once per server (`st.cache_resource`) and shared
read-only by every session; the models one browser session trained or uploaded live in its
`st.session_state`, and in the browser's model store when it has one (rnnviz.ui.saved_models),
from which a new session of the same browser gets them back.

Session state keys:
    rnnviz_model            name of the model chosen in the sidebar (the picker's widget key)
    rnnviz_model_request    a model name to select on the next run (`add_session_model`)
    rnnviz_session_models   {name: Classifier} trained or uploaded in this session
    rnnviz_uploads          {upload file id: ("ok", model name) | ("error", message)}
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import CheckpointError
from rnnviz.core.markup import md_escape, quote
from rnnviz.core.models import CELL_NAMES, Classifier
from rnnviz.training.config import READOUT_NAMES, UPLOADS
from rnnviz.training.store import Kind
from rnnviz.ui import saved_models, session
from rnnviz.ui import state as ui_state
from rnnviz.ui.teacher import teacher_mode

MODEL_KEY = "rnnviz_model"
SESSION_MODELS_KEY = "rnnviz_session_models"
UPLOADS_KEY = "rnnviz_uploads"

SHIPPED_TITLES = {
    "lstm": "LSTM (shipped)",
    "gru": "GRU (shipped)",
    "rnn": "plain RNN (shipped)",
    "bilstm": "BiLSTM, 2 layers (shipped)",
}
DEFAULT_MODEL = "lstm"
# The picker's control (rnnviz.ui.state): its valid values are this session's models at each draw.
MODEL = ui_state.Control(MODEL_KEY, DEFAULT_MODEL)
MAX_NAME_CHARS = 60  # model names shown in the picker and written to URLs


@st.cache_resource(max_entries=16, show_spinner="Loading a model…")
def _load_checkpoint_file(path: str, modified_ns: int, size: int) -> Classifier:
    """One checkpoint file, loaded once per server and per version of the file (the
    modification time and size are part of the cache key). Shared: never mutate it."""
    return checkpoints.load(path)


def shipped_models() -> tuple[dict[str, Classifier], dict[str, str]]:
    """The shipped default models that load, by name ('lstm', 'gru', 'rnn'), and a
    one-line reason for each one that does not (e.g. its file is missing)."""
    loaded, problems = {}, {}
    folder = Path(checkpoints.MODELS_DIR)  # read at call time: tests point it elsewhere
    for name, filename in checkpoints.SHIPPED.items():
        path = folder / filename
        try:
            stat = path.stat()
        except OSError:
            problems[name] = f"its file {path} is missing"
            continue
        try:
            loaded[name] = _load_checkpoint_file(str(path), stat.st_mtime_ns, stat.st_size)
        except CheckpointError as error:
            problems[name] = f"its file cannot be loaded: {error}"
    return loaded, problems


def session_models() -> dict[str, Classifier]:
    """Models trained or uploaded in this browser session, by name (mutable dict)."""
    return st.session_state.setdefault(SESSION_MODELS_KEY, {})


def add_session_model(
    name: str, classifier: Classifier, select: bool = True, save_as: Kind | None = None
) -> str:
    """Offer `classifier` in this session's model picker under `name` (made unique, e.g.
    'x (2)'); with `select`, the picker switches to it on its next draw (call st.rerun()
    to see it at once when the picker has already been drawn in this run); with `save_as`
    ("trained", "uploaded"), the browser's model store keeps it too. Returns the name used."""
    models = session_models()
    base = " ".join(str(name).split())[:MAX_NAME_CHARS] or "model"
    unique, n = base, 2
    while unique in models or unique in checkpoints.SHIPPED:
        unique, n = f"{base} ({n})", n + 1
    models[unique] = classifier
    if select:
        ui_state.set_value(MODEL, unique)
    if save_as is not None:
        saved_models.save(unique, classifier, save_as)
    return unique


def _restore_saved() -> None:
    """A new session of a browser with saved models: put them back in the picker."""
    for name, classifier, entry in saved_models.restore():
        saved_models.remember(add_session_model(name, classifier, select=False), entry)


def _forget(name: str) -> None:
    """Take a deleted saved model out of this session's picker."""
    session_models().pop(name, None)


def request_model(name: str) -> None:
    """Make the picker switch to model `name` on its next draw (a button's on_click: the
    picker, drawn by app.py before the page, then shows it in the same run)."""
    ui_state.set_value(MODEL, name)


def available_models() -> dict[str, Classifier]:
    """Every model this session can pick: the shipped ones that load, then its own."""
    return {**shipped_models()[0], **session_models()}


def model_title(name: str) -> str:
    """The picker's label for a model name (plain text)."""
    return SHIPPED_TITLES.get(name, name)


def describe_model(classifier: Classifier) -> str:
    """One plain-text line: cell, size, direction, labels, vocabulary, readout."""
    config = classifier.config
    layers = f"{config.num_layers} layer{'s' if config.num_layers > 1 else ''}"
    text = f"{CELL_NAMES[config.cell]} · {layers} × {config.hidden_size} units"
    if config.bidirectional:
        text += " · bidirectional"
    return (
        f"{text} · labels: {', '.join(config.labels)} · vocabulary: {len(classifier.vocab):,} tokens"
        f" · readout: {READOUT_NAMES[config.readout]}"
    )


def _upload_box() -> None:
    """Sidebar uploader: a valid checkpoint becomes a session model and is selected."""
    with st.expander("Upload a checkpoint"):
        file = st.file_uploader(
            "A .safetensors file saved by rnnviz",
            type=["safetensors"],
            key="rnnviz_upload",
            help="Checkpoints are only read as tensors and JSON: nothing in them is executed.",
        )
        if file is None:
            return
        done = st.session_state.setdefault(UPLOADS_KEY, {})
        if file.file_id not in done:
            try:
                classifier = checkpoints.from_bytes(file.getvalue(), "this file", UPLOADS.problems)
            except CheckpointError as error:
                done[file.file_id] = ("error", str(error))
            else:
                stem = file.name[: -len(".safetensors")] if file.name.endswith(".safetensors") else file.name
                name = add_session_model(f"{stem} (uploaded)", classifier, save_as="uploaded")
                done[file.file_id] = ("ok", name)
        status, text = done[file.file_id]
        if status == "error":
            st.error(f"{quote(file.name)} cannot be used: {md_escape(text)}")
        else:
            st.success(f"Added to the model list as {quote(text, MAX_NAME_CHARS)}.")


def model_picker() -> tuple[str, Classifier] | None:
    """The sidebar model picker every page shares; call it once per run, from app.py.

    Lists the shipped models that load and this session's own (trained, uploaded),
    follows a link's `model` query parameter (with a notice when it is unknown), writes
    the choice back to the URL, and remembers it across pages. Returns (name, classifier),
    or None when no model is available at all.
    """
    _restore_saved()
    with st.sidebar:
        picker = st.container()
        if not teacher_mode():
            _upload_box()
            saved_models.saved_box(_forget)
    shipped, problems = shipped_models()
    models = {**shipped, **session_models()}
    wanted = session.incoming_query(["model"]).get("model")
    if wanted in models:
        ui_state.set_value(MODEL, wanted)
    elif wanted is not None:
        why = (
            f"is not installed on this server ({md_escape(problems[wanted])})"
            if wanted in problems
            else "is not available here (uploaded and trained models belong to the browser that made them)"
        )
        session.notice(
            f"The link asks for the model {quote(wanted)}, which {why}. Showing the default model."
        )
    with picker:
        if not models:
            ui_state.forget(MODEL)
            st.error(
                "No model is available: " + md_escape("; ".join(f"{n}: {p}" for n, p in problems.items()))
            )
            return None
        choices = list(models)
        name = ui_state.widget(
            st.selectbox,
            MODEL,
            "Model",
            choices,
            choices=choices,
            default=_fallback(models),
            format_func=model_title,
        )
        st.caption(md_escape(describe_model(models[name])))
        if problems:
            missing = ", ".join(SHIPPED_TITLES[n] for n in problems)
            st.caption(
                f"Not available on this server: {md_escape(missing)}.",
                help=md_escape("; ".join(f"{n}: {p}" for n, p in problems.items())),
            )
    session.set_query(model=name)
    return name, models[name]


def selected_model() -> tuple[str, Classifier] | None:
    """The (name, classifier) chosen in the sidebar in this run, or None."""
    models = available_models()
    if not models:
        return None
    name = ui_state.value(MODEL, list(models), _fallback(models))
    return name, models[name]


def _fallback(models: dict[str, Classifier]) -> str:
    """The model shown when none is chosen (or the chosen one is gone): the LSTM, else the first."""
    return DEFAULT_MODEL if DEFAULT_MODEL in models else next(iter(models))


def require_model() -> tuple[str, Classifier]:
    """The chosen model; when there is none, explain what to do and stop the page."""
    chosen = selected_model()
    if chosen is None:
        st.info(
            "There is no model to look at yet. The shipped models are missing from this server's "
            "`models/` folder: upload a checkpoint in the sidebar, or train one on the Train page."
        )
        st.stop()
    return chosen
