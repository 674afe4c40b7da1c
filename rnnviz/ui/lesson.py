"""The Lesson page's parts: the step and language controls (state layer, `?step=` and `lang=` links,
Page Down / Page Up), each step's live view (drawn with the other pages' own view functions), the
predict-then-reveal question, the quizzes and the teacher overview.

Every interface string goes through `_` (rnnviz.lessons.i18n, gettext catalogues in English and
Croatian); the steps' own texts come from the lesson file (rnnviz.lessons.lesson).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from rnnviz.analysis import stacking as stacking_analysis
from rnnviz.analysis import units as analysis
from rnnviz.analysis import word_order
from rnnviz.analysis.batching import pack_batch, run_batch
from rnnviz.analysis.embeddings import word_similarities
from rnnviz.analysis.gradients import gradient_flow
from rnnviz.core.markup import md_escape
from rnnviz.core.models import Classifier
from rnnviz.core.text import tokenize
from rnnviz.core.trace import SentenceTrace, classifier_step_detail, trace_sentence
from rnnviz.lessons import glossary, i18n, questions
from rnnviz.lessons.i18n import N_
from rnnviz.lessons.lesson import Lesson, LiveQuestion, QuizQuestion, Step
from rnnviz.lessons.tally import Tally
from rnnviz.plots import diagrams
from rnnviz.plots import gates as gate_plots
from rnnviz.plots import stacking as stacking_plots
from rnnviz.plots import trace as trace_plots
from rnnviz.training.config import TrainConfig
from rnnviz.training.jobs import ACTIVE
from rnnviz.ui import batching, cache, cell_views, models, output, session, stacking, state
from rnnviz.ui import probe as ui_probe
from rnnviz.ui import train as ui_train
from rnnviz.ui import word_order as ui_order

LANG = state.Control("lesson_lang", "en", tuple(i18n.LANGUAGE_NAMES))
STEP = state.Control("lesson_step", 1, check=lambda v: isinstance(v, int) and not isinstance(v, bool))
QUIZ_MODE = state.Control("lesson_quiz_mode", False, (True, False))  # quiz=1: views wait for the commit
JUST_COMMITTED_KEY = "lesson_just_committed"  # a commit in quiz mode: redraw the whole step, view included
COMMITTED_KEY = "lesson_committed"  # session_state: {question key: the option index the student committed}
MAX_TOKENS = 100
PAGES = {  # a step's view -> the page that shows it whole
    "word_order": "pages/word_order.py",
    "inside_the_cell": "pages/inside_the_cell.py",
    "layers": "pages/layers.py",
    "why_gates": "pages/why_gates.py",
    "negation_lab": "pages/negation_lab.py",
    "batches": "pages/batches.py",
    "train": "pages/train.py",
}
WIDE_VIEWS = (
    "cell",
    "embedding",
    "gradients",
    "directions",
    "batch",
)  # views that need two thirds of the width
SHOWN_UNITS = 8  # heatmap rows on a step: the chart fits beside the text on a projector
DIRECTION_UNITS = 5  # rows of step 9's heatmaps, whose upright word labels take room from the rows
GRADIENT_HEIGHT = 245  # px of the gradient chart on a step, legend row not counted (x1.35 on a projector)
GRADIENT_AXIS = N_("‖∂ log p / ∂ hₜ‖, scaled")  # step 6's y axis: 1 at the last word
GRADIENT_TICKS = 7  # labelled words that stay upright in the step's chart column on a projector
GRADIENT_CAPTION = N_("Falls steeply to the left: the first words barely reach the prediction (log scale).")
PROBE_HEIGHT = 230  # px of step 11's epoch-by-epoch chart (five rows), so its words stay on a projector
# Step 11's network: small enough to train in well under a minute on a shared 2-core server,
# big enough to learn that "not" flips "good" (the Train page's controls can do more).
TRAINING = TrainConfig(
    data=("builtin",),
    builtin_size=5_000,
    cell="gru",
    embedding_dim=16,
    hidden_size=32,
    lexicon_prior=True,  # the words' valence given (VADER): the network only has to learn "not"
    lr=0.01,
    batch_size=32,
    epochs=4,
    seed=0,
)
EMBEDDING_HEIGHT = 160  # px of the embedding strip on a step (x1.35 on a projector): the table fits under it
CELL_HEIGHT = 280  # px of the cell diagram on a step (x1.35 on a projector): it fits beside the question


@st.cache_resource
def tally() -> Tally:
    """The server's answer counts, shared by every session (rnnviz.lessons.tally)."""
    return Tally()


# --------------------------------------------------------------------------- language and step


def language() -> Callable[[str], str]:
    """The language control (`lang=hr` links too) as a gettext function for the page."""
    _ = i18n.translator(state.value(LANG))  # a link's notice speaks the language shown so far
    wanted = session.query_choice(
        session.incoming_query(["lang"]), "lang", LANG.choices, str, _("language"),
        _("the language chosen before"), _("which this page does not have (en, hr)"), _,
    )  # fmt: skip
    if wanted is not None:
        state.set_value(LANG, wanted)
    with st.sidebar:
        lang = state.widget(
            st.segmented_control,
            LANG,
            "Language · Jezik",
            list(LANG.choices),
            format_func=i18n.LANGUAGE_NAMES.get,
            required=True,
        )
    session.set_query(lang=lang if lang != LANG.default else None)
    return i18n.translator(lang)


def quiz_mode(_: Callable[[str], str]) -> bool:
    """Whether views wait until an answer is committed: the sidebar's "Answer first" switch (a
    teacher polls the room, commits its answer, then the view shows), or a `quiz=1` link (for
    students' laptops)."""
    wanted = session.incoming_query(["quiz"]).get("quiz")
    if wanted is not None:
        state.set_value(QUIZ_MODE, wanted.strip() == "1")
    with st.sidebar:
        on = state.widget(
            st.toggle,
            QUIZ_MODE,
            _("Answer first"),
            help=_("Each step's view shows the answer: with this on, it waits until an answer is committed."),
        )
    session.set_query(quiz="1" if on else None)
    return on


def view_waits(step: Step, classifier: Classifier) -> bool:
    """In quiz mode, whether the step's view must wait: its question is asked and not committed yet."""
    if not state.value(QUIZ_MODE) or step.question is None:
        return False
    answered = f"step {step.number}" in st.session_state.get(COMMITTED_KEY, {})
    return not answered and cache.cached(questions.answer, classifier, step.question).correct is not None


def _go(number: int) -> None:
    state.set_value(STEP, number)


def current_step(lesson: Lesson, _: Callable[[str], str]) -> Step:
    """The step the session is on (a `?step=` link wins once), with Previous / Next buttons
    bound to Page Up / Page Down, the keys a presentation clicker sends."""
    numbers = list(lesson.numbers)
    wanted = session.query_choice(
        session.incoming_query(["step"]),
        "step",
        numbers,
        session.whole_number,
        _("step"),
        _("the first step"),
        _("which this lesson does not have"),
        _,
    )
    if wanted is not None:
        state.set_value(STEP, wanted)
    number = state.value(STEP, choices=numbers, default=numbers[0])  # a class opens on the pre-lesson quiz
    # On the right: top left is where the folded sidebar's button sits in teacher mode.
    with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        st.button(
            _("Previous"),
            key="lesson_previous",
            icon=":material/arrow_back:",
            shortcut="PageUp",
            disabled=number == numbers[0],
            on_click=_go,
            args=(number - 1,),
        )
        st.button(
            _("Next"),
            key="lesson_next",
            icon=":material/arrow_forward:",
            shortcut="PageDown",
            disabled=number == numbers[-1],
            on_click=_go,
            args=(number + 1,),
        )
        st.caption(
            _("Step {number} of {last} · Page Down / Page Up also turn the steps").format(
                number=number, last=numbers[-1]
            ),
            width="content",
        )
    clicker_keys()
    session.set_query(step=str(number))
    return lesson.step(number)


# Streamlit ignores a button's shortcut while an <input> (a radio too) has the focus, but a teacher
# who has just clicked an option still turns the step with the clicker: in that case this listener
# takes the focus away and presses Next / Previous itself. Elsewhere the shortcuts act as usual.
CLICKER_KEYS = """<script>
if (!window.rnnvizLessonKeys) {
  window.rnnvizLessonKeys = true;
  document.addEventListener("keydown", (event) => {
    const button = {PageDown: "lesson_next", PageUp: "lesson_previous"}[event.key];
    const target = event.target;
    if (!button || !target || !["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
    const pressed = document.querySelector(`.st-key-${button} button:not([disabled])`);
    if (!pressed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    target.blur();
    pressed.click();
  }, true);
}
</script>"""


def clicker_keys() -> None:
    """Page Down / Page Up turn the steps even from inside an input (see CLICKER_KEYS)."""
    st.html(CLICKER_KEYS, unsafe_allow_javascript=True)


# --------------------------------------------------------------------------- the step's model and view


def step_model(step: Step, chosen: tuple[str, Classifier], _: Callable[[str], str]) -> Classifier:
    """The shipped model the step asks for, else the model chosen in the sidebar (with a note)."""
    name, classifier = chosen
    if step.model is None or step.model == name:
        return classifier
    shipped, _problems = models.shipped_models()
    if step.model in shipped:
        st.caption(
            _("This step shows the shipped model “{model}”, whatever the sidebar says.").format(
                model=md_escape(models.model_title(step.model))
            )
        )
        return shipped[step.model]
    st.caption(
        _("The shipped model “{model}” is not installed here: this step uses the chosen model.").format(
            model=md_escape(models.model_title(step.model))
        )
    )
    return classifier


def _link(step: Step, _: Callable[[str], str], query: dict[str, str]) -> None:
    if step.page in PAGES:
        st.page_link(
            PAGES[step.page],
            label=_("Open the whole page"),
            icon=":material/open_in_new:",
            query_params=query,
        )


def _sentence(classifier: Classifier, text: str):
    return trace_sentence(classifier, text, max_tokens=MAX_TOKENS)


def view(step: Step, classifier: Classifier, _: Callable[[str], str]) -> None:
    """The step's live view, preset to the setting that makes its point, and a link to its page."""
    key = f"lesson_{step.name}"
    if step.view == "word_order":
        bag, _missing = ui_order.bag_model()
        if bag is None or tuple(bag.labels) != tuple(classifier.labels):
            st.info(_("The bag of embeddings is not available for this model."), icon=":material/info:")
        else:
            answers = word_order.order_answers(classifier, bag, word_order.variants(step.sentence))
            title = models.model_title(models.selected_model()[0])
            ui_order.show_answers(answers, title, _, verdict_first=True)
        _link(step, _, {"sentence": step.sentence})
    elif step.view == "train":
        training(step, _)
        _link(step, _, {})
    elif step.view == "prediction":
        sentence = _sentence(classifier, step.sentence)
        output.show_tokens(sentence.tokens, sentence.unknown)
        chart = trace_plots.prediction_chart(
            sentence.tokens,
            sentence.prefix_probabilities,
            sentence.labels,
            title=_("Prediction after each word"),
            _=_,
        )
        output.chart(output.translated_axes(chart, _), key=key, first_screen=True)
        st.caption(
            _("The model's answer after each word: the chart is the unrolled network, one column per step.")
        )
    elif step.view == "cell":
        sentence = _sentence(classifier, step.sentence)
        word = (
            step.question.word
            if step.question and step.question.word in sentence.tokens
            else sentence.tokens[-1]
        )
        at = sentence.tokens.index(word)
        unit = questions.busiest_unit(sentence, at)
        detail = classifier_step_detail(classifier, sentence.trace.state(0, "forward"), at, unit)
        figure = diagrams.cell_diagram(detail, word, _)
        figure.update_layout(
            height=CELL_HEIGHT
        )  # the diagram fits beside the question (x1.35 on a projector)
        output.chart(figure, key=key)
        _link(step, _, {"sentence": step.sentence, "unit": str(unit), "word": str(at + 1)})
    elif step.view == "embedding":
        words = tokenize(step.sentence)  # the word the step is about first: "great good bad"
        word = words[0]
        cell_views.embedding_strip(classifier, word, key, EMBEDDING_HEIGHT, _)  # Inside the cell's view
        similarity_table(classifier, words, _)  # the numbers the step's question asks about
        _link(step, _, {"sentence": step.sentence, "view": "embedding", "word": str(words.index(word) + 1)})
    elif step.view == "head":
        head_view(classifier, _sentence(classifier, step.sentence), _)
        _link(step, _, {"sentence": step.sentence})
    elif step.view == "gradients":
        gradients(_)
        _link(step, _, {})
    elif step.view == "gates":
        gate_heatmap(step, classifier, key, _)
        _link(step, _, {"a": step.sentence.replace("not ", ""), "b": step.sentence})
        intervention_link(classifier, step.sentence, _)
    elif step.view == "directions":
        sentence = _sentence(classifier, step.sentence)
        layer = sentence.trace.num_layers - 1
        stacking.directions(sentence, layer, DIRECTION_UNITS, _, upright_words=True)
        _link(step, _, {"sentence": step.sentence})
    elif step.view == "batch":
        texts = [text.strip() for text in step.sentence.split("|")]
        batch = pack_batch(classifier, [tokenize(text) for text in texts])
        batching.summary(batch, run_batch(classifier, batch), _)
        batching.padded(batch, _, narrow=True)
        _link(step, _, {f"s{k + 1}": text for k, text in enumerate(texts)})


def _start_training() -> None:
    # on_click: the Train page's own start, so this student's job is the one that page shows.
    ui_train.start_job(ui_train.training_manager(), ui_train.TrainSettings(TRAINING))


def training(step: Step, _: Callable[[str], str]) -> None:
    """Step 11: this student trains the TRAINING preset as the Train page's job (the server's cap
    and queue apply), and watches the step's sentence read after every epoch, polled while it runs."""
    try:
        ui_train.training_manager()
    except ValueError as error:
        st.error(_("Training is not available on this server:") + " " + md_escape(str(error)))
        return
    job = ui_train.session_job()
    status = job.state().status if job is not None else None
    st.button(
        _("Train a small network now"),
        key="lesson_train",
        type="primary",
        icon=":material/model_training:",
        disabled=status in ACTIVE,
        on_click=_start_training,
        help=_(
            "A GRU with {units} units, {epochs} epochs on {sentences:,} sentences of the built-in grammar."
        ).format(units=TRAINING.hidden_size, epochs=TRAINING.epochs, sentences=TRAINING.builtin_size),
    )
    if job is None:
        st.caption(_("Nothing trains yet: press the button, then watch the rows appear, one per epoch."))
        return
    poll = ui_train.POLL_SECONDS if status in ACTIVE else None
    st.fragment(_training_progress, run_every=poll)(job, status, step.sentence, _)


def _training_progress(job, status: str, text: str, _: Callable[[str], str]) -> None:
    """The job's progress (the Train page's status) and the sentence epoch by epoch (its probe)."""
    job.touch()  # someone is watching: the manager keeps the job
    now = job.state()
    if now.status != status:  # queued -> running -> done: app.py puts the finished model in the picker
        st.rerun(scope="app")
    if now.status == "done":
        # one line (not a box): the epoch rows and their words stay on the projector's screen
        st.caption(
            ":material/check: "
            + _("Trained: the new network is now the chosen model, so the question on the left asks it.")
        )
    elif now.status == "queued":  # the server's cap is reached: say so in the lesson's language
        st.info(
            _(
                "Queued, position {position}: this server trains at most {count} networks at once; yours "
                "starts as soon as one is free."
            ).format(position=now.position or 1, count=ui_train.training_manager().max_running),
            icon=":material/hourglass_top:",
        )
    else:
        ui_train.show_status(now, _)
    try:
        ui_probe.epoch_by_epoch(job.probe(text, 0), "lesson_train_epochs", _, height=PROBE_HEIGHT)
    except (LookupError, ValueError):
        st.caption(_("The sentence appears here as soon as training starts."))


def intervention_link(classifier: Classifier, text: str, _: Callable[[str], str]) -> None:
    """For an LSTM: the Units page preset that sets every forget gate to 0 at the sentence's
    "not" (the model forgets everything before it), to try after the gates step."""
    words = tokenize(text)
    if classifier.config.cell != "lstm" or "not" not in words:
        return
    at = str(words.index("not") + 1)
    query = {"sentence": text, "quantity": "f", "change": "zero", "units": "all", "from": at, "to": at}
    st.page_link(
        "pages/units.py",
        label=_("What if every forget gate were 0 at “not”? Try it on the Units page"),
        icon=":material/tune:",
        query_params=query,
    )


def head_view(classifier: Classifier, sentence: SentenceTrace, _: Callable[[str], str]) -> None:
    """Layers & directions' readout chart (the vector the head reads) and its check against the model."""
    result = stacking_analysis.readout(classifier, sentence)
    figure = stacking_plots.readout_chart(result, sentence.tokens, sentence.trace.cell_type, _=_)
    output.chart(output.translated_axes(figure, _), key="lesson_head", first_screen=True)
    stacking.readout_caption(result, sentence, _)


def similarity_table(classifier: Classifier, words: list[str], _: Callable[[str], str]) -> None:
    """Cosine similarities of the first word's embedding row to the others' (the model's own
    nn.Embedding): one row, so that it fits under the embedding strip."""
    known = [word for word in words if word in classifier.vocab]
    if len(known) < 2 or known[0] != words[0]:
        st.info(_("This model does not know these words."), icon=":material/info:")
        return
    similarity = word_similarities(classifier, known)  # [words, words]
    rows = [{"": known[0], **{other: f"{similarity[0, j]:.2f}" for j, other in enumerate(known) if j}}]
    st.dataframe(rows, hide_index=True)
    st.caption(
        _(
            "Cosine similarity of the words' embedding vectors ({size} numbers each): 1 = same direction."
        ).format(size=classifier.config.embedding_dim)
    )


def gradients(_: Callable[[str], str]) -> None:
    """Why gates' gradient chart for the shipped models on its long sentence."""
    shipped, _problems = models.shipped_models()
    flows = {
        models.model_title(name): (
            model.config.cell,
            cache.cached(gradient_flow, model, gate_plots.LONG_SENTENCE, 150),
        )
        for name, model in shipped.items()
        if not model.config.bidirectional
    }
    if not flows:
        st.info(_("No shipped model is installed on this server."), icon=":material/info:")
        return
    figure = gate_plots.gradient_chart(flows, "hidden", True, GRADIENT_HEIGHT, _, GRADIENT_TICKS)
    # The Why gates title is too long for this height, and a label every power of ten overprints.
    figure.update_yaxes(title_text=GRADIENT_AXIS, dtick=2)
    output.chart(output.translated_axes(figure, _), key="lesson_gradients")
    st.caption(_(GRADIENT_CAPTION))


def gate_heatmap(step: Step, classifier: Classifier, key: str, _: Callable[[str], str]) -> None:
    """The heatmap of the question's gate (forget, update...) for the units that change most, the
    question's own unit (the one that changes most at its word) in the top row."""
    sentence = _sentence(classifier, step.sentence)
    layer = sentence.trace.state(0, "forward")
    gate = step.question.gate if step.question and step.question.gate in layer.gates else None
    if gate is None:
        st.info(
            _("This model has no such gate: choose an LSTM or a GRU in the sidebar."), icon=":material/info:"
        )
        return
    units = analysis.top_units(layer.hidden, "changed", SHOWN_UNITS)
    asked = cache.cached(questions.answer, classifier, step.question).unit
    if asked is not None:  # the sentence's busiest units need not include the word's
        units = [asked, *(unit for unit in units if unit != asked)][:SHOWN_UNITS]
    figure = trace_plots.state_heatmap(
        layer.gates[gate],
        sentence.tokens,
        gate,
        sentence.trace.cell_type,
        units=units,
        title=glossary.title(gate, _),
        _=_,
    )
    output.chart(output.translated_axes(figure, _), key=key, first_screen=True)


# --------------------------------------------------------------------------- predict, then reveal


def _measure(question: LiveQuestion, result: questions.Answer, _: Callable[[str], str]) -> str:
    texts = {
        "positive": _("P({label}) = {value:.2f}"),
        "same_answer": _("largest difference in probability: {value:.2f}"),
        "gate": _("{gate} gate of unit {unit} at “{word}”: {value:.3f}"),
        "hidden_sign": _("h_t of unit {unit} at “{word}”: {value:.3f}"),
        "closer": _("similarity to “{near}” minus similarity to “{far}”: {value:.2f}"),
        "gradient_fades": _("signal at the first word / signal at the last word: {value:.2g}"),
        "padding_changes": _("largest change of the short sentence's final state: {value:.3f}"),
    }
    return texts[question.kind].format(
        label=question.label,
        value=result.value,
        gate=question.gate,
        unit=result.unit,
        word=question.word,
        near=question.near,
        far=question.far,
    )


REASONS = {
    "too_close": N_(
        "This model's answer is too close to call ({measure}), so this question is skipped here."
    ),
    "no_gate": N_("This model has no {gate} gate, so this question is skipped: choose an LSTM or a GRU."),
    "no_label": N_("This model has no class “{label}”, so this question is skipped."),
    "unknown_words": N_("This model does not know the words of this question, so it is skipped."),
    "no_tokens": N_("This question has no words to read, so it is skipped."),
}


@st.fragment  # choosing and committing rerun the question only, not the step's view
def live_question(step: Step, classifier: Classifier, _: Callable[[str], str]) -> None:
    """The step's question: the student commits an option, then the live model's answer is shown."""
    question = step.question
    if question is None:
        return
    result = cache.cached(questions.answer, classifier, question)  # computed from the model shown now
    lang = state.value(LANG)
    if result.correct is None:
        st.info(
            _(REASONS[result.reason]).format(
                measure=_measure(question, result, _), gate=question.gate, label=question.label
            ),
            icon=":material/info:",
        )
        return
    prompt = question.prompt(lang).format(unit=result.unit)
    options = [option(lang) for option in question.options]
    answered = _ask(f"step {step.number}", prompt, options, result.correct, _)
    if answered and st.session_state.pop(JUST_COMMITTED_KEY, False) and state.value(QUIZ_MODE):
        st.rerun(scope="app")  # the view waited for this commit
    if answered:
        st.caption(_measure(question, result, _) + " · " + question.explain(lang))


def _commit(key: str, control: state.Control, correct: int) -> None:
    # on_click: runs before the rerun, so the rerun already shows the revealed answer.
    choice = state.value(control)
    if choice is None:
        return
    st.session_state.setdefault(COMMITTED_KEY, {})[key] = choice
    st.session_state[JUST_COMMITTED_KEY] = True
    tally().record(key, choice == correct)


def _ask(
    key: str, prompt: str, options: list[str], correct: int, _: Callable[[str], str], hint: str = ""
) -> bool:
    """A radio and a Commit button; after the commit, right or wrong. Returns whether committed."""
    committed = st.session_state.setdefault(COMMITTED_KEY, {})
    control = state.Control(f"lesson_choice_{key}", None, (None, *range(len(options))))
    choice = state.widget(
        st.radio,
        control,
        prompt,
        list(range(len(options))),
        format_func=lambda k: options[k],
        disabled=key in committed,
    )
    if key not in committed:
        st.button(
            _("Commit"),
            key=f"lesson_commit_{key}",
            disabled=choice is None,
            icon=":material/lock:",
            on_click=_commit,
            args=(key, control, correct),
        )
        st.caption(hint or _("Commit your answer to see what the model says."))
        return False
    if committed[key] == correct:
        st.success(_("Right: {answer}").format(answer=md_escape(options[correct])), icon=":material/check:")
    else:
        st.error(
            _("Not this time: the answer is {answer}").format(answer=md_escape(options[correct])),
            icon=":material/close:",
        )
    return True


@st.fragment  # answering reruns the quiz only
def quiz(lesson: Lesson, phase: str, _: Callable[[str], str]) -> None:
    """The pre- or post-lesson quiz, one question at a time, then the score."""
    lang = state.value(LANG)
    found: tuple[QuizQuestion, ...] = lesson.quizzes[phase]
    at = state.Control(f"lesson_quiz_{phase}", 0, tuple(range(len(found) + 1)))
    index = state.value(at)
    committed = st.session_state.setdefault(COMMITTED_KEY, {})
    if index == len(found):
        right = sum(committed.get(f"{phase} {k + 1}") == q.answer for k, q in enumerate(found))
        st.success(
            _("Your score: {right} of {total}").format(right=right, total=len(found)),
            icon=":material/school:",
        )
        st.button(
            _("Start the quiz again"),
            key=f"lesson_again_{phase}",
            on_click=_restart,
            args=(phase, len(found)),
        )
        return
    question = found[index]
    st.caption(_("Question {number} of {total}").format(number=index + 1, total=len(found)))
    key = f"{phase} {index + 1}"
    hint = _("Commit your answer to see the right one and why.")
    if _ask(key, question.prompt(lang), [o(lang) for o in question.options], question.answer, _, hint):
        st.caption(question.explain(lang))
        label = _("Next question") if index + 1 < len(found) else _("See the score")
        st.button(label, key=f"lesson_quiz_next_{phase}", on_click=state.set_value, args=(at, index + 1))


def _restart(phase: str, count: int) -> None:
    committed = st.session_state.setdefault(COMMITTED_KEY, {})
    for k in range(count):
        committed.pop(f"{phase} {k + 1}", None)
        state.forget(state.Control(f"lesson_choice_{phase} {k + 1}", None))
    state.forget(state.Control(f"lesson_quiz_{phase}", 0))


# --------------------------------------------------------------------------- the teacher overview


def overview(_: Callable[[str], str]) -> None:
    """Counts of answers and the share right per question, for everyone on this server."""
    with st.expander(_("Teacher overview: answers on this server"), icon=":material/groups:"):
        counts = tally().snapshot()
        if not counts:
            st.caption(_("No answers yet."))
        else:
            st.dataframe(
                [
                    {_("question"): key, _("answers"): c.answers, _("share right"): f"{c.share_right:.0%}"}
                    for key, c in counts.items()
                ],
                hide_index=True,
            )
        st.caption(
            _("Counts only: no names, kept in this server's memory until it restarts or you clear them.")
        )
        if st.button(_("Clear the counts"), key="lesson_clear", icon=":material/delete:"):
            tally().clear()
            st.rerun()


def english_only(_: Callable[[str], str]) -> None:
    """Where students type: the models were trained on English."""
    st.caption(_("Type in English on the linked page: the models were trained on English sentences only."))


def step_header(step: Step) -> None:
    """The step's title and its one short text, in the chosen language."""
    lang = state.value(LANG)
    st.title(step.title(lang))
    st.markdown(step.text(lang))
