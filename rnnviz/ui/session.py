"""The Streamlit side shared by every page: cached models, the sidebar model picker, URL
helpers, small widgets that return plain values, and safe output of user text.

The only module under rnnviz/ that imports streamlit. Models shipped with the app are
loaded once per server (`st.cache_resource`) and shared read-only by every session;
everything that belongs to one browser session lives in `st.session_state` under the
keys below.

Session state keys:
    rnnviz_model            name of the model chosen in the sidebar (the picker's widget key)
    rnnviz_model_request    a model name to select on the next run (`add_session_model`)
    rnnviz_session_models   {name: Classifier} trained or uploaded in this session
    rnnviz_uploads          {upload file id: ("ok", model name) | ("error", message)}
    rnnviz_query_seen       {query parameter: value} last read from or written to the URL
    rnnviz_routed           set by app.py just before it runs the page (`ensure_routed`)
    rnnviz_teacher          the sidebar's Teacher mode toggle (rnnviz.ui.teacher)
    <key>_shared            the sentence a page last exchanged with Explore (`follow_sentence`)
    <key>_word, _playing, _due, _timer   a step player's state (`step_player`)
"""

from __future__ import annotations

import hashlib
import json
import re
import runpy
import time
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import streamlit as st
import torch

from rnnviz.analysis import units as analysis
from rnnviz.core import checkpoints
from rnnviz.core.checkpoints import CheckpointError
from rnnviz.core.models import CELL_NAMES, Classifier, ModelConfig
from rnnviz.core.trace import DIRECTIONS, Direction, SentenceTrace
from rnnviz.plots import base as plots
from rnnviz.plots import html as render
from rnnviz.plots.base import ColourRange

T = TypeVar("T")

MODEL_KEY = "rnnviz_model"
MODEL_REQUEST_KEY = "rnnviz_model_request"
SESSION_MODELS_KEY = "rnnviz_session_models"
UPLOADS_KEY = "rnnviz_uploads"
QUERY_SEEN_KEY = "rnnviz_query_seen"
ROUTED_KEY = "rnnviz_routed"
TEACHER_KEY = "rnnviz_teacher"
ROUTER = Path(__file__).resolve().parents[2] / "app.py"

SHIPPED_TITLES = {"lstm": "LSTM (shipped)", "gru": "GRU (shipped)", "rnn": "plain RNN (shipped)"}
DEFAULT_MODEL = "lstm"
MAX_NAME_CHARS = 60  # model names shown in the picker and written to URLs

# --------------------------------------------------------------------------- server


def limit_torch_threads() -> None:
    """One torch thread per computation: the app's tensors are tiny and every browser
    session already runs in its own thread, so torch's intra-op pool only adds contention.
    On the 2-core class machine a 30-token trace took 550 ms with torch's default of 2
    threads while other work ran, and 2 ms with 1 (bench/explore.py)."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def mark_routed() -> None:
    """app.py, just before `page.run()`: the page about to run was chosen by the router."""
    st.session_state[ROUTED_KEY] = True


def ensure_routed() -> None:
    """First line of every page: when the page runs without app.py, run app.py instead (which
    then runs this page inside it, with the sidebar) and stop this bare run.

    Until some session has called st.navigation, Streamlit 1.67 treats our pages/ folder the
    legacy way: the first visit to a page's own address (a shared link such as
    `/negation_lab?a=…`) runs that file alone. app.py's st.navigation then resolves the same
    address to the same page and keeps the link's query parameters.
    """
    if st.session_state.pop(ROUTED_KEY, False):
        return
    runpy.run_path(str(ROUTER), run_name="__main__")
    st.stop()


# --------------------------------------------------------------------------- teacher mode


def teacher_mode() -> bool:
    """Whether teacher mode is on: the sidebar switch or a `teacher=1` link (rnnviz.ui.teacher).
    Pages then leave out the controls they count as advanced, and charts are drawn larger."""
    return bool(st.session_state.get(TEACHER_KEY))


def hidden_value(key: str, default: T) -> T:
    """The value of widget `key` while teacher mode leaves it out: its last value (or a
    link's), kept for when the widget is shown again, else `default`."""
    value = st.session_state.get(key, default)
    st.session_state[key] = value  # a widget not drawn in a run loses its value; a plain value stays
    return value


# --------------------------------------------------------------------------- safe text


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


def notice(message: str) -> None:
    """A visible warning about a link or input we could not follow. `message` must already
    be safe markdown (build user parts with `quote`)."""
    st.warning(message, icon=":material/info:")


# --------------------------------------------------------------------------- URL


def incoming_query(names: Sequence[str]) -> dict[str, str]:
    """The query parameters among `names` that arrived from outside this session's own
    writes, i.e. from a link that was opened; each is reported once.

    Values this session wrote itself (`set_query`) or already reported are not returned
    again, so a page applies a link once and the user's own choices win afterwards.
    """
    seen = st.session_state.setdefault(QUERY_SEEN_KEY, {})
    found = {}
    for name in names:
        if name in st.query_params:
            value = st.query_params[name]
            if seen.get(name) != value:
                found[name] = value
            seen[name] = value
    return found


def set_query(**values: str | None) -> None:
    """Write `values` to the URL (None removes a parameter), touching only what changed."""
    seen = st.session_state.setdefault(QUERY_SEEN_KEY, {})
    for name, value in values.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
            seen.pop(name, None)
        else:
            if st.query_params.get(name) != value:
                st.query_params[name] = value
            seen[name] = value


def query_choice(
    incoming: dict[str, str],
    name: str,
    options: Sequence[T],
    parse: Callable[[str], T],
    what: str,
    fallback_text: str,
    missing: str = "which this model does not have",
) -> T | None:
    """The option the opened link asks for under `name`, or None when it asks for none or
    for something invalid or stale (then a notice says so, with `missing`, and names
    `fallback_text`)."""
    if name not in incoming:
        return None
    raw = incoming[name]
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        value = None
    if value is not None and value in options:
        return value
    notice(f"The link asks for {what} {quote(raw)}, {missing}; showing {fallback_text}.")
    return None


def text_from_query(incoming: dict[str, str], name: str, key: str, max_chars: int) -> None:
    """Put the text the opened link carries under `name` into the widget `key` (call before
    the widget is drawn), cut to `max_chars` with a notice."""
    if name in incoming:
        text, cut = clean_text(incoming[name], max_chars)
        if cut:
            notice(f"The link's text was longer than {max_chars} characters and has been cut.")
        st.session_state[key] = text


# --------------------------------------------------------------------------- one sentence for all pages

SHARED_SENTENCE_KEY = "explore_sentence"  # Explore's text box: other pages start from its sentence


def follow_sentence(key: str, default: str) -> None:
    """Before drawing text box `key`: take the sentence last typed on Explore if it changed
    since this page last saw it, else keep the box's own text (`default` the first time).
    Call before `text_from_query`, so that an opened link still wins."""
    state = st.session_state
    shared = state.get(SHARED_SENTENCE_KEY)
    if isinstance(shared, str) and shared != state.get(f"{key}_shared"):
        state[key] = shared
        state[f"{key}_shared"] = shared
    state.setdefault(key, default)


def share_sentence(key: str, text: str) -> None:
    """After reading text box `key`: hand `text` to Explore's text box, so a student who
    goes back finds the same sentence there."""
    state = st.session_state
    state[f"{key}_shared"] = text
    if state.get(SHARED_SENTENCE_KEY) != text:
        state[SHARED_SENTENCE_KEY] = text


# --------------------------------------------------------------------------- models


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


def add_session_model(name: str, classifier: Classifier, select: bool = True) -> str:
    """Offer `classifier` in this session's model picker under `name` (made unique, e.g.
    'x (2)'); with `select`, the picker switches to it on its next draw (call st.rerun()
    to see it at once when the picker has already been drawn in this run). Returns the
    name used."""
    models = session_models()
    base = " ".join(str(name).split())[:MAX_NAME_CHARS] or "model"
    unique, n = base, 2
    while unique in models or unique in checkpoints.SHIPPED:
        unique, n = f"{base} ({n})", n + 1
    models[unique] = classifier
    if select:
        st.session_state[MODEL_REQUEST_KEY] = unique
    return unique


def available_models() -> dict[str, Classifier]:
    """Every model this session can pick: the shipped ones that load, then its own."""
    return {**shipped_models()[0], **session_models()}


def model_title(name: str) -> str:
    """The picker's label for a model name (plain text)."""
    return SHIPPED_TITLES.get(name, name)


def describe_model(classifier: Classifier) -> str:
    """One plain-text line: cell, size, direction, labels, vocabulary."""
    config = classifier.config
    layers = f"{config.num_layers} layer{'s' if config.num_layers > 1 else ''}"
    text = f"{CELL_NAMES[config.cell]} · {layers} × {config.hidden_size} units"
    if config.bidirectional:
        text += " · bidirectional"
    return f"{text} · labels: {', '.join(config.labels)} · vocabulary: {len(classifier.vocab):,} tokens"


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
                classifier = checkpoints.from_bytes(file.getvalue(), "this file")
            except CheckpointError as error:
                done[file.file_id] = ("error", str(error))
            else:
                stem = file.name[: -len(".safetensors")] if file.name.endswith(".safetensors") else file.name
                name = add_session_model(f"{stem} (uploaded)", classifier)
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
    with st.sidebar:
        picker = st.container()
        if not teacher_mode():
            _upload_box()
    shipped, problems = shipped_models()
    models = {**shipped, **session_models()}
    state = st.session_state
    wanted = incoming_query(["model"]).get("model")
    if wanted is not None:
        if wanted in models:
            state[MODEL_KEY] = wanted
        else:
            why = (
                f"is not installed on this server ({md_escape(problems[wanted])})"
                if wanted in problems
                else "is not available here (uploaded and trained models stay in the browser session "
                "that made them)"
            )
            notice(f"The link asks for the model {quote(wanted)}, which {why}. Showing the default model.")
    requested = state.pop(MODEL_REQUEST_KEY, None)
    if requested in models:
        state[MODEL_KEY] = requested
    if state.get(MODEL_KEY) not in models:
        state[MODEL_KEY] = DEFAULT_MODEL if DEFAULT_MODEL in models else next(iter(models), None)
    with picker:
        if not models:
            state.pop(MODEL_KEY, None)
            st.error(
                "No model is available: " + md_escape("; ".join(f"{n}: {p}" for n, p in problems.items()))
            )
            return None
        name = st.selectbox("Model", list(models), key=MODEL_KEY, format_func=model_title)
        st.caption(md_escape(describe_model(models[name])))
        if problems:
            missing = ", ".join(SHIPPED_TITLES[n] for n in problems)
            st.caption(
                f"Not available on this server: {md_escape(missing)}.",
                help=md_escape("; ".join(f"{n}: {p}" for n, p in problems.items())),
            )
    set_query(model=name)
    return name, models[name]


def selected_model() -> tuple[str, Classifier] | None:
    """The (name, classifier) chosen in the sidebar in this run, or None."""
    name = st.session_state.get(MODEL_KEY)
    models = available_models()
    return (name, models[name]) if name in models else None


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


# --------------------------------------------------------------------------- cached work

_FINGERPRINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_fingerprint(classifier: Classifier) -> str:
    """A digest of everything that decides a classifier's answers: config, vocabulary and
    weights. Computed once per model object, and again if a weight was changed in place
    (torch counts in-place edits of a tensor in its `_version`)."""
    model = classifier.model
    tensors = [*model.parameters(), *model.buffers()]
    versions = (id(classifier.vocab), *(t._version for t in tensors))
    known = _FINGERPRINTS.get(model)
    if known is not None and known[0] == versions:
        return known[1]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps(classifier.config.to_dict(), sort_keys=True).encode())
    digest.update(classifier.vocab.to_json().encode())
    for tensor in tensors:
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    _FINGERPRINTS[model] = (versions, digest.hexdigest())
    return digest.hexdigest()


@st.cache_data(max_entries=1024, show_spinner=False)  # a lesson's worth; entries are mostly a few KB
def _cached_call(key: tuple, _compute: Callable, _classifier: Classifier):
    return _compute(_classifier, *key[2])


def cached(compute: Callable[..., T], classifier: Classifier, *args) -> T:
    """`compute(classifier, *args)`, computed once per server for each model (by content, so
    every session's copy of a shipped model shares it and an uploaded model never gets
    another's answers) and each `args` (plain hashable values). `compute` is known by its
    module and name, so pass a module-level function. Each caller gets its own copy of the
    result; exceptions are not cached."""
    key = (f"{compute.__module__}.{compute.__qualname__}", model_fingerprint(classifier), args)
    return _cached_call(key, compute, classifier)


@st.cache_resource
def experiment_board():
    """The server's long-range experiments, shared by every session: the same settings are
    trained once, one experiment at a time, in a worker process (rnnviz.training.experiment.JobBoard)."""
    from rnnviz.training.experiment import JobBoard

    return JobBoard()


# --------------------------------------------------------------------------- widgets


def _keep_valid(key: str, options: Sequence[T], default: T, requested: T | None) -> None:
    """Before drawing widget `key`: apply a requested value, else keep the current one if it
    is still an option, else fall back to `default`."""
    if requested is not None:
        st.session_state[key] = requested
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default


def _layers(config: ModelConfig) -> list[int]:
    return list(range(config.num_layers))


def _directions(config: ModelConfig) -> list[Direction]:
    return list(DIRECTIONS[: config.num_directions])


def view_from_query(
    incoming: dict[str, str], config: ModelConfig, layer_key: str, direction_key: str
) -> None:
    """Apply an opened link's `layer` (counted from 1) and `direction` to the layer and
    direction pickers' keys, with a notice for values this model does not have. Call it
    near the top of a page, before the pickers are drawn."""
    layer = query_choice(incoming, "layer", _layers(config), lambda v: int(v) - 1, "layer", "layer 1")
    direction = query_choice(incoming, "direction", _directions(config), str, "the direction", "forward")
    _keep_valid(layer_key, _layers(config), 0, layer)
    _keep_valid(direction_key, _directions(config), "forward", direction)


def whole_number(raw: str) -> int:
    """An ASCII decimal number from a link ("12"); ValueError for anything int() would also
    take, such as "1_0", " 7 " or other scripts' digits."""
    if not (raw.isascii() and raw.isdecimal()):
        raise ValueError(f"not a whole number: {raw!r}")
    return int(raw)


def numbers_from_query(incoming: dict[str, str], settings: dict[str, tuple[str, Sequence[int], int]]) -> None:
    """Before drawing number widgets: for each query parameter `name -> (widget key, allowed
    values, default)`, put the opened link's value into the widget's key when it is allowed
    (a notice when it is not), else keep the widget's current value or the default."""
    for name, (key, options, default) in settings.items():
        wanted = query_choice(
            incoming,
            name,
            options,
            whole_number,
            f"{name} =",
            f"{default}",
            "which is not one of its choices",
        )
        _keep_valid(key, options, default, wanted)


def layer_picker(config: ModelConfig, key: str) -> int:
    """Layer selector for stacked models: returns the 0-based layer (shown as 1, 2, …);
    draws nothing and returns 0 for a one-layer model."""
    layers = _layers(config)
    _keep_valid(key, layers, 0, None)
    if len(layers) == 1:
        return 0
    chosen = st.segmented_control(
        "Layer",
        layers,
        key=key,
        required=True,
        format_func=lambda layer: f"{layer + 1}",
        help="Layer 1 reads the words; each layer above reads the hidden states of the one below.",
    )
    return int(chosen)


def direction_picker(config: ModelConfig, key: str) -> Direction:
    """Direction selector for bidirectional models: 'forward' or 'backward'; draws nothing
    and returns 'forward' for a one-directional model."""
    directions = _directions(config)
    _keep_valid(key, directions, "forward", None)
    if len(directions) == 1:
        return "forward"
    labels = {"forward": "forward →", "backward": "← backward"}
    return st.segmented_control(
        "Direction",
        directions,
        key=key,
        required=True,
        format_func=labels.get,
        help="A bidirectional layer has a second RNN reading the sentence right to left, from the "
        "last word; in every chart, column t is still word t.",
    )


def unit_ordering_picker(key: str) -> str:
    """How to order units in heatmaps: 'index', 'active' or 'changed' (see rnnviz.analysis.units);
    not drawn in teacher mode."""
    st.session_state.setdefault(key, "index")
    if teacher_mode():
        return hidden_value(key, "index")
    return st.segmented_control(
        "Order units by",
        list(analysis.ORDERINGS),
        key=key,
        required=True,
        format_func=analysis.ORDERINGS.get,
        help=analysis.ORDERING_HELP,
    )


def units_shown_picker(hidden_size: int, key: str) -> int:
    """How many units (rows) the heatmaps show, first ones under the chosen ordering; not
    drawn in teacher mode."""
    choices = [n for n in (8, 16, 32, 64) if n < hidden_size] + [hidden_size]
    _keep_valid(key, choices, hidden_size, None)
    if len(choices) == 1:
        return hidden_size
    if teacher_mode():
        return hidden_value(key, hidden_size)
    return st.selectbox(
        "Units shown",
        choices,
        key=key,
        width=160,
        format_func=lambda n: f"all {n}" if n == hidden_size else f"first {n}",
        help="With 'most changed' ordering, 'first 16' shows the 16 units that react most.",
    )


def unit_picker(hidden_size: int, key: str, default: int = 0, requested: int | None = None) -> int:
    """A unit number 0..hidden_size-1, kept valid when the model changes (`default` then);
    `requested` (e.g. from a link) wins when given."""
    _keep_valid(key, list(range(hidden_size)), min(default, hidden_size - 1), requested)
    return int(
        st.number_input(
            "Unit",
            min_value=0,
            max_value=hidden_size - 1,
            step=1,
            key=key,
            width=150,
            help=f"Which of the layer's {hidden_size} units to follow (numbered from 0).",
        )
    )


# --------------------------------------------------------------------------- stepping through words

PLAY_SECONDS = 1.0  # one word per second while a step player plays
_PLAY_SLACK = 0.3  # a timer rerun this early still advances (browser timers drift)


def timer(key: str, on: bool, seconds: float = PLAY_SECONDS) -> float | None:
    """The `run_every` for a fragment that must rerun every `seconds` while `on` (a playing
    animation, a running job), else None; remembered under `key`. Call it where the
    fragment is defined, in the full run: `@st.fragment(run_every=ui.timer(key, on))`."""
    interval = seconds if on else None
    st.session_state[f"{key}_timer"] = interval
    return interval


def sync_timer(key: str, on: bool) -> None:
    """Inside the fragment: if `on` no longer matches the timer it was defined with (the
    animation ended, the job finished), rerun the whole page so that the fragment is
    defined again with or without its timer."""
    if on != bool(st.session_state.get(f"{key}_timer")):
        st.rerun()


def play_interval(key: str) -> float | None:
    """The `run_every` for the fragment that draws step player `key`: PLAY_SECONDS while it
    plays, else None: `@st.fragment(run_every=ui.play_interval(key))`."""
    return timer(key, bool(st.session_state.get(f"{key}_playing")))


def _step_to(key: str, word: int, steps: int) -> None:
    """Button/slider callback: go to `word` (1-based, clipped) and stop playing."""
    st.session_state[f"{key}_word"] = min(max(1, word), steps)
    st.session_state[f"{key}_playing"] = False


def _step_by(key: str, delta: int, steps: int) -> None:
    _step_to(key, int(st.session_state.get(f"{key}_word", 1)) + delta, steps)


def _play_or_pause(key: str, steps: int) -> None:
    state = st.session_state
    if state.get(f"{key}_playing"):
        state[f"{key}_playing"] = False
        return
    if int(state.get(f"{key}_word", 1)) >= steps:  # at the end: play from the start
        state[f"{key}_word"] = 1
    state[f"{key}_playing"] = True
    state[f"{key}_due"] = time.monotonic() + PLAY_SECONDS


def go_to_step(key: str, step: int) -> None:
    """Make step player `key` show `step` (0-based, e.g. from a link) and stop playing; call
    it outside the player's fragment, before the fragment is drawn."""
    st.session_state[f"{key}_word"] = step + 1
    st.session_state[f"{key}_playing"] = False


def step_player(steps: int, key: str) -> int:
    """Previous / play-pause / next buttons and a slider over `steps` words; returns the
    0-based step shown (kept within the sentence when it gets shorter).

    Call it inside a fragment defined with `run_every=play_interval(key)`. While playing,
    each timer rerun advances one word and playback stops by itself at the last word; any
    manual step pauses it. Starting or stopping reruns the whole page once, so that the
    fragment is defined again with or without its timer. Page Up / Page Down (what a
    presenter's clicker sends) step back and forward.
    """
    state = st.session_state
    word_key, playing_key = f"{key}_word", f"{key}_playing"
    word = min(max(1, int(state.get(word_key, 1))), steps)
    playing = bool(state.get(playing_key)) and word < steps
    if playing and time.monotonic() >= state.get(f"{key}_due", 0.0) - _PLAY_SLACK:
        word += 1
        state[f"{key}_due"] = time.monotonic() + PLAY_SECONDS
        playing = word < steps
    state[word_key], state[playing_key] = word, playing
    sync_timer(key, playing)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        st.button(
            "Previous",
            key=f"{key}_previous",
            icon=":material/skip_previous:",
            disabled=word <= 1,
            on_click=_step_by,
            args=(key, -1, steps),
            shortcut="PageUp",
        )
        st.button(
            "Pause" if playing else "Play",
            key=f"{key}_play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            type="primary",
            disabled=steps <= 1,
            on_click=_play_or_pause,
            args=(key, steps),
            help=f"Step through the sentence, one word every {PLAY_SECONDS:g} s.",
        )
        st.button(
            "Next",
            key=f"{key}_next",
            icon=":material/skip_next:",
            disabled=word >= steps,
            on_click=_step_by,
            args=(key, 1, steps),
            shortcut="PageDown",
        )
        if steps > 1:
            st.slider(
                "Word",
                min_value=1,
                max_value=steps,
                key=word_key,
                on_change=lambda: state.__setitem__(playing_key, False),
            )
    return word - 1


def preset_pills(presets: Sequence[tuple[str, str]], target_key: str, key: str) -> None:
    """A row of example sentences as (lesson, sentence); clicking one puts it in `target_key`."""

    def _use() -> None:
        sentence = st.session_state.get(key)
        if sentence:
            st.session_state[target_key] = sentence
        st.session_state[key] = None

    lessons = dict((sentence, lesson) for lesson, sentence in presets)
    st.pills(
        "Try an example",
        [sentence for _, sentence in presets],
        key=key,
        format_func=lambda s: f"{lessons[s]}: {s}",
        on_change=_use,
    )


def example_pills(examples: dict[str, dict[str, str]], key: str, label: str = "Try an example") -> None:
    """A row of examples that each fill several widgets: {pill text: {widget key: value}};
    clicking a pill writes its values into those widgets' keys (for the next run)."""

    def _use() -> None:
        st.session_state.update(examples.get(st.session_state.get(key), {}))
        st.session_state[key] = None

    st.pills(label, list(examples), key=key, on_change=_use)


def table_picker(
    rows: Sequence[dict], key: str, mode: str = "single-row", version: object = None
) -> list[int]:
    """A table of `rows` (plain dicts, shown as text) whose rows can be selected; returns the
    selected row indices. `mode` is st.dataframe's selection_mode; a new `version` of the rows
    (e.g. the sentence they were made from) starts with nothing selected, or with the first
    row for "single-row-required"."""
    widget = key if version is None else f"{key}_{hashlib.blake2b(repr(version).encode()).hexdigest()[:12]}"
    event = st.dataframe(list(rows), key=widget, on_select="rerun", selection_mode=mode, hide_index=True)
    return [int(row) for row in event.selection.rows if 0 <= row < len(rows)]


# --------------------------------------------------------------------------- output

# Plotly's toolbar (zoom, pan, save) costs the browser time on every chart and is noise on
# a projector; hover stays on.
CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}


def chart(figure, key: str) -> None:
    """Draw a plotly figure the way every page does: full width, no toolbar; in teacher mode
    with larger fonts and a taller plot (plots.for_projector)."""
    if teacher_mode():
        figure = plots.for_projector(figure)
    st.plotly_chart(figure, width="stretch", key=key, config=CHART_CONFIG)


def show_tokens(tokens: Sequence[str], unknown: Sequence[bool], current: int | None = None) -> None:
    """The tokens as the model sees them, unknown ones marked, token `current` highlighted
    (escaped HTML)."""
    st.html(render.token_chips(tokens, unknown, current))


def show_coloured_tokens(tokens: Sequence[str], values: np.ndarray, scale: ColourRange, what: str) -> None:
    """The sentence coloured by `values` [steps] on `scale` (escaped HTML)."""
    st.html(render.coloured_tokens(tokens, values, scale, what))


def show_verdict(label: str, probability: float, colour: str) -> None:
    """The final prediction, large."""
    st.html(render.verdict(label, probability, colour))


def trace_json(sentence: SentenceTrace, classifier: Classifier) -> str:
    """The CLI's JSON for one sentence: {"model": config, **SentenceTrace.to_dict()}."""
    return json.dumps({"model": classifier.config.to_dict(), **sentence.to_dict()}, ensure_ascii=False)


def trace_downloads(sentence: SentenceTrace, classifier: Classifier, key: str) -> None:
    """JSON (as `python -m rnnviz trace` prints) and CSV download buttons, built on click."""
    row = st.container(horizontal=True)
    row.download_button(
        "Download the trace as JSON",
        data=lambda: trace_json(sentence, classifier),
        file_name="rnnviz-trace.json",
        mime="application/json",
        on_click="ignore",
        key=f"{key}_json",
        icon=":material/download:",
    )
    row.download_button(
        "Download the trace as CSV",
        data=sentence.to_csv,
        file_name="rnnviz-trace.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
        icon=":material/download:",
    )
