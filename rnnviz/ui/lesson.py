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
from rnnviz.lessons import i18n, questions
from rnnviz.lessons.i18n import N_
from rnnviz.lessons.lesson import Lesson, LiveQuestion, QuizQuestion, Step
from rnnviz.lessons.tally import Tally
from rnnviz.plots import diagrams
from rnnviz.plots import gates as gate_plots
from rnnviz.plots import stacking as stacking_plots
from rnnviz.plots import trace as trace_plots
from rnnviz.ui import batching, cache, models, output, session, stacking, state
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
WIDE_VIEWS = ("cell", "gradients", "directions", "batch")  # views that need two thirds of the width
SHOWN_UNITS = 8  # heatmap rows on a step: the chart fits beside the text on a projector
GRADIENT_HEIGHT = 265  # px of the gradient chart on a step, legend row not counted (x1.35 on a projector)
CELL_HEIGHT = 270  # px of the cell diagram on a step (x1.35 on a projector): it fits beside the question


@st.cache_resource
def tally() -> Tally:
    """The server's answer counts, shared by every session (rnnviz.lessons.tally)."""
    return Tally()


# --------------------------------------------------------------------------- language and step


def language() -> Callable[[str], str]:
    """The language control (`lang=hr` links too) as a gettext function for the page."""
    wanted = session.query_choice(
        session.incoming_query(["lang"]), "lang", LANG.choices, str, "language", "the language chosen before",
        "which this page does not have (en, hr)",
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


def quiz_mode() -> bool:
    """Whether views wait until the student has committed (a `quiz=1` link, for students' laptops)."""
    wanted = session.incoming_query(["quiz"]).get("quiz")
    if wanted is not None:
        state.set_value(QUIZ_MODE, wanted.strip() == "1")
    on = state.value(QUIZ_MODE)
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
        "step",
        "the first step",
        "which this lesson does not have",
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
    session.set_query(step=str(number))
    return lesson.step(number)


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
            ui_order.show_answers(answers, models.model_title(models.selected_model()[0]))
        _link(step, _, {"sentence": step.sentence})
    elif step.view in ("prediction", "train"):
        sentence = _sentence(classifier, step.sentence)
        output.show_tokens(sentence.tokens, sentence.unknown)
        chart = trace_plots.prediction_chart(sentence.tokens, sentence.prefix_probabilities, sentence.labels)
        output.chart(chart, key=key, first_screen=True)
        st.caption(
            _("The model's answer after each word: the chart is the unrolled network, one column per step.")
        )
        if step.view == "train":
            _link(step, _, {})
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
        figure = diagrams.cell_diagram(detail, word)
        figure.update_layout(
            height=CELL_HEIGHT
        )  # the diagram fits beside the question (x1.35 on a projector)
        output.chart(figure, key=key)
        _link(step, _, {"sentence": step.sentence, "unit": str(unit), "word": str(at + 1)})
    elif step.view == "embedding":
        similarity_table(classifier, tokenize(step.sentence), _)
        _link(step, _, {"sentence": step.sentence})
    elif step.view == "head":
        head_view(classifier, _sentence(classifier, step.sentence))
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
        stacking.directions(sentence, sentence.trace.num_layers - 1, SHOWN_UNITS)
        _link(step, _, {"sentence": step.sentence})
    elif step.view == "batch":
        texts = [text.strip() for text in step.sentence.split("|")]
        batch = pack_batch(classifier, [tokenize(text) for text in texts])
        batching.summary(batch, run_batch(classifier, batch))
        batching.padded(batch)
        _link(step, _, {f"s{k + 1}": text for k, text in enumerate(texts)})


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


def head_view(classifier: Classifier, sentence: SentenceTrace) -> None:
    """Layers & directions' readout chart (the vector the head reads) and its check against the model."""
    result = stacking_analysis.readout(classifier, sentence)
    figure = stacking_plots.readout_chart(result, sentence.tokens, sentence.trace.cell_type)
    output.chart(figure, key="lesson_head", first_screen=True)
    stacking.readout_caption(result, sentence)


def similarity_table(classifier: Classifier, words: list[str], _: Callable[[str], str]) -> None:
    """Cosine similarities of the words' embedding rows (the model's own nn.Embedding)."""
    known = [word for word in words if word in classifier.vocab]
    if len(known) < 2:
        st.info(_("This model does not know these words."), icon=":material/info:")
        return
    similarity = word_similarities(classifier, known)  # [words, words]
    rows = [
        {"": word, **{other: f"{similarity[i, j]:.2f}" for j, other in enumerate(known)}}
        for i, word in enumerate(known)
    ]
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
    figure = gate_plots.gradient_chart(flows, "hidden", True, height=GRADIENT_HEIGHT)
    output.chart(figure, key="lesson_gradients")
    st.caption(gate_plots.GRADIENT_CAPTION)


def gate_heatmap(step: Step, classifier: Classifier, key: str, _: Callable[[str], str]) -> None:
    """The heatmap of the question's gate (forget, update...) for the units that change most."""
    sentence = _sentence(classifier, step.sentence)
    layer = sentence.trace.state(0, "forward")
    gate = step.question.gate if step.question and step.question.gate in layer.gates else None
    if gate is None:
        st.info(
            _("This model has no such gate: choose an LSTM or a GRU in the sidebar."), icon=":material/info:"
        )
        return
    units = analysis.top_units(layer.hidden, "changed", SHOWN_UNITS)
    figure = trace_plots.state_heatmap(
        layer.gates[gate], sentence.tokens, gate, sentence.trace.cell_type, units=units
    )
    output.chart(figure, key=key, first_screen=True)


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


def _ask(key: str, prompt: str, options: list[str], correct: int, _: Callable[[str], str]) -> bool:
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
        st.caption(_("Commit your answer to see what the model says."))
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
    if _ask(key, question.prompt(lang), [o(lang) for o in question.options], question.answer, _):
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
