"""The Streamlit side of the Train page: its widgets (which return plain values), the server's
job manager, this session's job, and the drawing of a job's state. The training itself lives in
rnnviz.training.training_job, which never touches Streamlit; this module only reads job states and draws them.

Session state keys:
    rnnviz_train_job       this session's TrainingJob (the latest one started), or absent
    rnnviz_train_tables    {upload file id: ("ok", TextDataset) | ("error", message)}
    rnnviz_train_offered   {job id: names under which its models were added to the picker}
Widget keys start with "train_".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import streamlit as st

# Private Streamlit modules, on purpose: knowing whether the browser session that started a job
# is still connected has no public API (st.context offers headers, cookies, locale and such, but
# no session id or liveness; checked for Streamlit 1.67). Without it a closed tab would hold its
# training slot until RNNVIZ_TRAINING_ABANDON_SECONDS pass after its last poll.
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnnviz.core import checkpoints
from rnnviz.core.markup import md_escape, quote
from rnnviz.core.models import CELL_NAMES
from rnnviz.data import tables
from rnnviz.data.dataset import TextDataset
from rnnviz.data.written import written_size
from rnnviz.lessons import glossary
from rnnviz.lessons.i18n import N_, Translate, english
from rnnviz.plots import training as train_plots
from rnnviz.training.config import CLASS_SERVER, READOUT_NAMES, TrainConfig
from rnnviz.training.history import curves
from rnnviz.training.jobs import Alive, JobManager
from rnnviz.training.pause import PAGES_FIRST
from rnnviz.training.training_job import TrainingJob, TrainingState
from rnnviz.training.training_task import TASK
from rnnviz.ui import models as ui_models
from rnnviz.ui import output
from rnnviz.ui import state as ui_state
from rnnviz.ui import teacher as ui_teacher

T = TypeVar("T")

JOB_KEY = "rnnviz_train_job"
TABLES_KEY = "rnnviz_train_tables"
OFFERED_KEY = "rnnviz_train_offered"
POLL_SECONDS = 1.0  # refresh of the progress and the curves while a job is active
PROBE_POLL_SECONDS = 3.0  # refresh of the probe, which changes once per epoch

# The choices are rnnviz.training.config.CLASS_SERVER: what a CPU class server survives.
DATASETS = {
    "builtin": "Built-in negation grammar (offline)",
    "movies": "Movie review snippets",
    "amazon": "Amazon review snippets",
    "nyt": "New York Times editorial snippets",
    "tweets": "Tweets",
    "vader-all": "All four human-rated corpora",
    "written": "Everyday sentences (offline)",
    "upload": "My own table (CSV or TSV)",
}
LIMITS = (
    f"Limits keep one shared CPU server usable by the whole class: at most {CLASS_SERVER.widths[-1]} "
    f"units and embedding dimensions, {CLASS_SERVER.max_layers} layers, {CLASS_SERVER.max_epochs} epochs, "
    f"{CLASS_SERVER.grammar_sizes[-1]:,} grammar sentences, a {CLASS_SERVER.max_vocab:,}-word vocabulary, "
    f"and tables up to {tables.MAX_TABLE_BYTES // 2**20} MB "
    f"or {tables.MAX_TABLE_ROWS:,} rows."
)


# --------------------------------------------------------------------------- the server and the session


def page_running():
    """Around a page's run (app.py): the server's training workers are stopped meanwhile, so that
    on a small server the pages get every core while they run (rnnviz.training.pause)."""
    return PAGES_FIRST.page_running()


@st.cache_resource(show_spinner="Preparing the training engine (once per server)…")
def training_manager() -> JobManager:
    """One job manager per server process, shared by every session (settings from the environment);
    its trainings run in niced worker processes, one starts now."""
    manager = JobManager.from_environment(tasks=(TASK,))
    manager.warm_up()
    return manager


def manager_or_stop() -> JobManager:
    """The server's manager, with a worker process ready for the next training (one that ended
    after a quiet quarter of an hour starts again); a misconfigured cap is explained and stops the page."""
    try:
        manager = training_manager()
        manager.warm_up()
        return manager
    except ValueError as error:
        st.error(f"Training is not available on this server: {md_escape(str(error))}")
        st.stop()


def session_alive() -> Alive | None:
    """A probe the manager's watchdog calls from its own thread: is this browser session still
    connected? (Streamlit's runtime knows; None outside a real server, e.g. in AppTest.)"""
    context = get_script_run_ctx()
    if context is None or not runtime.exists():
        return None
    session_id, server = context.session_id, runtime.get_instance()
    return lambda: server.is_active_session(session_id)


def session_job() -> TrainingJob | None:
    """This session's latest training job, if any."""
    return st.session_state.get(JOB_KEY)


def start_job(manager: JobManager, settings: TrainSettings, race: bool = False) -> None:
    """Submit a training of `settings` (a race of RNN, GRU and LSTM with `race`) for this
    session, replacing and stopping any earlier one."""
    if settings.config is None:
        return
    if race:
        job = TrainingJob.race(settings.config, settings.tables)
    else:
        job = TrainingJob([settings.config], settings.tables)
    reset_job()
    st.session_state[JOB_KEY] = manager.submit(job, alive=session_alive())


def reset_job() -> None:
    """Forget this session's job, stopping it."""
    job = st.session_state.pop(JOB_KEY, None)
    if job is not None:
        job.stop()


def offer_finished_models() -> list[str]:
    """Add this session's finished job's models to the sidebar picker, once per job (the last
    one is selected, so Explore opens on it), whichever page the student is on when it ends.
    app.py calls it before drawing the picker. Returns their names in the picker."""
    job = session_job()
    job_state = job.state() if job is not None else None
    if job_state is None or job_state.status != "done":
        return []
    offered = st.session_state.setdefault(OFFERED_KEY, {})
    if job_state.id not in offered:
        results = [run.result for run in job_state.runs if run.result]
        offered[job_state.id] = [
            ui_models.add_session_model(
                result.name, result.classifier, select=i == len(results) - 1, save_as="trained"
            )
            for i, result in enumerate(results)
        ]
    return offered[job_state.id]


# --------------------------------------------------------------------------- controls


@dataclass(frozen=True)
class TrainSettings:
    """What the controls ask for. config is None while something is missing (the controls
    say what)."""

    config: TrainConfig | None
    tables: dict[str, TextDataset] = field(default_factory=dict)  # uploads named in config.data
    lr: float = 0.01


# Every setting is a control of rnnviz.ui.state: kept through teacher mode, page visits and Reset.
_SETTING = {  # field of TrainConfig -> its control (the dataset's is DATA; a table's upload UPLOAD)
    "builtin_size": ui_state.Control(
        "train_size", CLASS_SERVER.grammar_sizes[2], tuple(CLASS_SERVER.grammar_sizes)
    ),
    "cell": ui_state.Control("train_cell", "lstm", tuple(CLASS_SERVER.cells)),
    "embedding_dim": ui_state.Control("train_embedding", 32, tuple(CLASS_SERVER.widths)),
    "hidden_size": ui_state.Control("train_hidden", 48, tuple(CLASS_SERVER.widths)),
    "num_layers": ui_state.Control("train_layers", 1, tuple(range(1, CLASS_SERVER.max_layers + 1))),
    "bidirectional": ui_state.Control("train_bidirectional", False, (False, True)),
    "readout": ui_state.Control("train_readout", "last", tuple(READOUT_NAMES)),
    "lr": ui_state.Control("train_lr", 0.01, tuple(CLASS_SERVER.learning_rates)),
    "batch_size": ui_state.Control("train_batch", 32, tuple(CLASS_SERVER.batch_sizes)),
    "epochs": ui_state.Control("train_epochs", 8, tuple(range(1, CLASS_SERVER.max_epochs + 1))),
    "dropout": ui_state.Control("train_dropout", 0.0, tuple(CLASS_SERVER.dropouts)),
    "seed": ui_state.Control("train_seed", 0, tuple(range(CLASS_SERVER.max_seed + 1))),
}
DATA = ui_state.Control("train_data", "builtin", tuple(DATASETS))
UPLOAD = ui_state.Control(
    "train_table", None, check=lambda v: v is None or isinstance(v, tuple)
)  # (name, dataset)


def show_job_settings(job: TrainingJob, state_now: TrainingState) -> None:
    """While a job is active, its controls show the job's own settings (they are locked), so a
    student who comes back to the page sees what is training; the learning rate shows the
    rate chosen for Resume while paused."""
    if not state_now.active:
        return
    config = job.configs[0]
    for name, control in _SETTING.items():
        if name == "lr" and state_now.status == "paused" and ui_state.has_value(control):
            continue
        if name == "cell" and job.is_race:
            continue
        value = getattr(config, name)
        if control.valid(value):
            ui_state.set_value(control, value)
    source = config.data[0] if config.data else "builtin"
    ui_state.set_value(DATA, source if source in DATASETS else "upload")


def _table_changed() -> None:
    # The student removed the file (not: the uploader was drawn again, empty, after a page visit).
    if st.session_state.get("train_upload") is None:
        ui_state.forget(UPLOAD)


def _upload() -> tuple[str, TextDataset | None]:
    """The table uploader, with its verdict drawn under it: (name in the config, dataset or None).
    The last good table is kept (UPLOAD) until the student removes it."""
    file = st.file_uploader(
        "A table with a text column and a label column",
        type=["csv", "tsv", "txt"],
        key="train_upload",
        on_change=_table_changed,
        help="UTF-8, a header row, columns named e.g. text and label; 2 to 10 label values.",
    )
    if file is not None:
        seen = st.session_state.setdefault(TABLES_KEY, {})
        if file.file_id not in seen:
            try:
                seen[file.file_id] = ("ok", tables.load_table(file.getvalue(), name=file.name))
            except tables.TableError as error:
                seen[file.file_id] = ("error", str(error))
        status, value = seen[file.file_id]
        if status == "error":
            st.error(f"This table cannot be used: {md_escape(value)}", icon=":material/error:")
            return "", None
        name = file.name if file.name.lower().endswith(tables.TABLE_SUFFIXES) else "upload.csv"
        ui_state.set_value(UPLOAD, (name, value))
    kept = ui_state.value(UPLOAD)
    if kept is None:
        st.info("Upload a CSV or TSV table to train on it.", icon=":material/upload_file:")
        return "", None
    name, value = kept
    if file is None:
        st.caption(f"Using {quote(name)}, uploaded before.")
    counts = ", ".join(f"{md_escape(k)} {v:,}" for k, v in value.class_counts().items())
    st.caption(f"{len(value):,} rows · {counts}")
    return name, value


def _advanced(name: str, draw: Callable[..., T], label: str, *args, **kwargs) -> T:
    """An advanced setting: drawn, or in teacher mode left out, keeping its value."""
    control = _SETTING[name]
    if ui_teacher.teacher_mode():
        return ui_state.value(control)
    return ui_state.widget(draw, control, label, *args, **kwargs)


def train_controls(locked: bool, paused: bool) -> TrainSettings:
    """Every setting of a training; disabled while a job is active, except the learning rate
    while paused (it applies on Resume). Teacher mode leaves out the embedding size, batch
    size, dropout and seed."""
    st.caption(LIMITS)
    setting = _SETTING
    source_column, network, optimiser = st.columns([1.2, 1, 1], gap="large")
    with source_column:
        source = ui_state.widget(
            st.selectbox, DATA, "Dataset", list(DATASETS), format_func=DATASETS.get, disabled=locked
        )
        size, named_tables, ready = ui_state.value(setting["builtin_size"]), {}, True
        if source == "builtin":
            size = ui_state.widget(
                st.select_slider,
                setting["builtin_size"],
                "Sentences",
                CLASS_SERVER.grammar_sizes,
                disabled=locked,
                format_func="{:,}".format,
            )
        elif source == "upload":
            name, table = _upload()
            ready = table is not None
            if ready:
                source, named_tables = name, {name: table}
        elif source == "written":
            st.caption(
                f"{written_size():,} sentences written by hand about food, travel, gadgets, films, services, "
                "shopping and everyday life, in ten ways of saying and negating an opinion; a tenth is kept "
                "for the test."
            )
        else:
            st.caption(
                "Human-rated snippets (Hutto & Gilbert, 2014). The first use downloads them once for the "
                "whole server: about 2.5 MB through pip, some 20 seconds."
            )
    with network:
        cell = ui_state.widget(
            st.segmented_control,
            setting["cell"],
            "Cell",
            CLASS_SERVER.cells,
            format_func=CELL_NAMES.get,
            disabled=locked,
            required=True,
        )
        embedding = _advanced(
            "embedding_dim", st.select_slider, "Embedding size", CLASS_SERVER.widths, disabled=locked
        )
        hidden = ui_state.widget(
            st.select_slider, setting["hidden_size"], "Hidden units", CLASS_SERVER.widths, disabled=locked
        )
        # Layers and directions share a row, so the readout fits the first screen of a projector.
        stack, directions = st.columns([1, 1.4], vertical_alignment="bottom")
        with stack:
            layers = ui_state.widget(
                st.segmented_control,
                setting["num_layers"],
                "Layers",
                range(1, CLASS_SERVER.max_layers + 1),
                disabled=locked,
                required=True,
            )
        with directions:
            bidirectional = ui_state.widget(
                st.toggle, setting["bidirectional"], "Bidirectional", disabled=locked
            )
        readout = ui_state.widget(
            st.selectbox,
            setting["readout"],
            "Readout",
            list(READOUT_NAMES),
            format_func=READOUT_NAMES.get,
            disabled=locked,
            help="What the classifier reads: the state after the last word, or the mean or the "
            "maximum of the states over all the words (each unit on its own).",
        )
    with optimiser:
        lr = ui_state.widget(
            st.select_slider,
            setting["lr"],
            "Learning rate",
            CLASS_SERVER.learning_rates,
            disabled=locked and not paused,
            help="Far too high (3 or 10, say) and the loss explodes: the run stops and keeps its best "
            "weights. While paused, a new rate applies when you press Resume.",
        )
        batch = _advanced(
            "batch_size", st.select_slider, "Batch size", CLASS_SERVER.batch_sizes, disabled=locked
        )
        epochs = ui_state.widget(
            st.slider, setting["epochs"], "Epochs", 1, CLASS_SERVER.max_epochs, disabled=locked
        )
        dropout = _advanced("dropout", st.select_slider, "Dropout", CLASS_SERVER.dropouts, disabled=locked)
        seed = _advanced("seed", st.number_input, "Seed", 0, CLASS_SERVER.max_seed, disabled=locked)
    if not ready:
        return TrainSettings(None, lr=lr)
    config = TrainConfig(
        data=(source,),
        builtin_size=size,
        cell=cell,
        embedding_dim=embedding,
        hidden_size=hidden,
        num_layers=layers,
        bidirectional=bidirectional,
        readout=readout,
        dropout=dropout,
        lr=lr,
        batch_size=batch,
        epochs=epochs,
        seed=int(seed),
        max_vocab=CLASS_SERVER.max_vocab,
    )
    return TrainSettings(config, named_tables, lr=lr)


Action = Literal["start", "race", "pause", "resume", "stop", "reset"]


def action_buttons(state: TrainingState | None, can_start: bool) -> Action | None:
    """Start, Race, Pause/Resume, Stop and Reset, enabled as the job's state allows; returns
    the one pressed in this run, if any."""
    active = state is not None and state.active
    running = state is not None and state.status in ("running", "loading", "queued")
    row = st.container(horizontal=True)
    pressed: dict[Action, bool] = {
        "start": row.button(
            "Start", type="primary", icon=":material/play_arrow:", disabled=active or not can_start
        ),
        "race": row.button(
            "Race: RNN vs GRU vs LSTM",
            icon=":material/sprint:",
            disabled=active or not can_start,
            help="Trains a plain RNN, a GRU and an LSTM with these settings and seed, one step each in turn.",
        ),
    }
    if state is not None and state.status == "paused":
        pressed["resume"] = row.button("Resume", icon=":material/play_arrow:")
    else:
        pressed["pause"] = row.button("Pause", icon=":material/pause:", disabled=not running)
    pressed["stop"] = row.button("Stop", icon=":material/stop:", disabled=not active)
    pressed["reset"] = row.button("Reset", icon=":material/restart_alt:", disabled=state is None)
    return next((action for action, clicked in pressed.items() if clicked), None)


# --------------------------------------------------------------------------- live view


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _progress_text(state: TrainingState, _: Translate) -> str:
    parts = []
    for run in state.runs:
        if run.trainer is None:
            continue
        name = f"{run.title}: " if len(state.runs) > 1 else ""
        parts.append(
            name
            + _("epoch {epoch} of {epochs}, step {step:,} of {steps:,}").format(
                epoch=max(1, run.trainer.epoch),
                epochs=run.config.epochs,
                step=run.trainer.step,
                steps=run.trainer.total_steps,
            )
        )
    text = " · ".join(parts) or _("starting")
    if state.eta_seconds is not None:
        text += " · " + _("about {duration} to go").format(duration=_duration(state.eta_seconds))
    rates = [rate for rate in state.examples_per_second if rate]
    if rates:
        text += " · " + _("{rate:,.0f} examples/s").format(rate=sum(rates))
    return text


STATUS_LABELS = {
    "paused": N_("Paused"),
    "evaluating": N_("Scoring on held-out data"),
    "running": N_("Training"),
}


def show_status(state: TrainingState, _: Translate = english) -> None:
    """Where the job is: queue position, download progress, training progress, or its end (the
    words in the language of `_`; the training layer's own messages stay English)."""
    status = state.status
    if status == "queued":  # the job's waiting message (a msgid): the server's cap is reached
        st.info(md_escape(_(state.message)), icon=":material/hourglass_top:")
    elif status == "loading":
        fraction, what = state.progress or (0.0, _("loading the data"))
        st.progress(
            min(1.0, max(0.0, fraction)), text=_("Loading the data: {what}").format(what=md_escape(what))
        )
    elif status in ("running", "paused", "evaluating"):
        fraction = state.step / state.total_steps if state.total_steps else 0.0
        label = _(STATUS_LABELS[status])
        st.progress(min(1.0, fraction), text=f"**{label}** · {md_escape(_progress_text(state, _))}")
        if status == "paused":
            st.info(
                _(
                    "Paused. You can change the learning rate now; it is used from the first step after "
                    "Resume."
                )
                + (f" {md_escape(state.message)}" if state.message else ""),  # e.g. its slot went to others
                icon=":material/pause:",
            )
    elif status == "failed":
        st.error(md_escape(state.message), icon=":material/error:")
    elif status == "stopped":
        st.info(md_escape(state.message), icon=":material/stop:")
    for run in state.runs:
        if run.warning and run.message:
            st.warning(f"**{md_escape(run.title)}**: {md_escape(run.message)}", icon=":material/warning:")
    if state.data:
        train, val, test = state.data
        st.caption(
            _("{train:,} training, {val:,} validation and {test:,} test examples.").format(
                train=train, val=val, test=test
            )
        )


def show_curves(state: TrainingState) -> None:
    """The loss and accuracy curves of every run that has started."""
    runs = [curves(run) for run in state.runs if run.trainer is not None]
    if not runs:
        return
    left, right = st.columns(2)
    with left:
        output.chart(train_plots.loss_curves(runs), key="train_loss")
        st.caption(
            "How wrong the model is, on average: the solid line follows each batch as it trains, the "
            "dashed one is measured on validation sentences it never trains on."
        )
    with right:
        output.chart(train_plots.accuracy_curves(runs), key="train_accuracy")
        st.caption(
            "Share of sentences classified right after each epoch. When training keeps rising while "
            "validation falls behind, the model is memorising rather than learning."
        )


def show_results(state: TrainingState, names: list[str]) -> None:
    """Test accuracy, confusion matrix, per-class accuracy and negation pairs of each model,
    where it went in the picker, and a checkpoint download."""
    results = [(run, run.result) for run in state.runs if run.result is not None]
    if not results:
        return
    st.subheader("How the trained model does on held-out data")
    for run, result in results:
        near_chance = result.test and glossary.chance_warning(result.test.accuracy, len(result.test.labels))
        if near_chance:  # an honest signal: no green check for a model that only guesses
            said = f"**{md_escape(run.title)}**: {md_escape(run.message)} {md_escape(near_chance)}"
            st.warning(said, icon=":material/warning:")
        elif not run.warning and run.message:
            st.success(f"**{md_escape(run.title)}**: {md_escape(run.message)}", icon=":material/check:")
    columns = st.columns(len(results))
    for column, (run, result), name in zip(columns, results, names, strict=False):
        with column:
            st.markdown(f"**{md_escape(run.title)}**")
            test = f"{result.test.accuracy:.1%}" if result.test else "—"
            pairs = f"{result.pairs.both_right:.0%}" if result.pairs else "—"
            metrics = st.container(horizontal=True)
            metrics.metric(
                "Test accuracy", test, help=f"{result.test.n:,} held-out examples" if result.test else None
            )
            metrics.metric(
                "Negation pairs both right",
                pairs,
                help="Hand-written minimal pairs such as “the movie was good” / “the movie was not good”: "
                "the share where the model gets both sentences right.",
            )
            for note in result.notes:
                st.caption(md_escape(note))
            st.caption(f"In the sidebar's model picker as {quote(name, ui_models.MAX_NAME_CHARS)}.")
            if not ui_teacher.teacher_mode():
                _download(result.classifier, name, key=f"train_download_{state.id}_{run.title}")
    tested = [(run, result) for run, result in results if result.test]
    if not tested:
        return
    labels = tested[0][1].test.labels
    left, right = st.columns(2)
    with left:
        run, result = tested[-1]
        title = f"Confusion matrix (test set){' · ' + run.title if len(tested) > 1 else ''}"
        output.chart(train_plots.confusion_chart(result.test.confusion, labels, title), key="train_confusion")
        st.caption("Rows are the true classes, columns what the model said: the diagonal is right.")
    with right:
        per_class = {run.title: result.test.per_class_accuracy for run, result in tested}
        output.chart(train_plots.per_class_chart(per_class, labels), key="train_per_class")
        st.caption(
            "A model can look accurate overall while it gets one class mostly wrong: compare the bars."
        )


def _download(classifier, name: str, key: str) -> None:
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:60] or "model"
    st.download_button(
        "Download as a checkpoint",
        data=lambda: checkpoints.to_bytes(classifier),
        file_name=f"rnnviz-{slug}.safetensors",
        mime="application/octet-stream",
        on_click="ignore",
        key=key,
        icon=":material/download:",
        help="A .safetensors file: upload it in the sidebar of any rnnviz server to look inside it again.",
    )
