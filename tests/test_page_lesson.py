"""Proves the Lesson page in AppTest: it walks every step with the Next button in English and in
Croatian without an exception, each step shows its own title and a live view or quiz, `?step=` and
`lang=hr` links open that step in that language, a committed answer reveals the live model's answer
and is counted in the teacher overview, and the quiz scores. In Croatian every step asks the catalogue
only for translated msgids and shows none of the reused views' English captions; step 11 trains a
network for this student through the server's job manager (queued when the server is full) and its
question then asks the trained network."""

import re
import time
import urllib.parse

import pytest

from rnnviz.lessons import batching as batching_words
from rnnviz.lessons import cell_views as cell_words
from rnnviz.lessons import i18n, questions
from rnnviz.lessons import lesson as lesson_data
from rnnviz.lessons import stacking as stacking_words
from rnnviz.lessons.i18n import translator
from rnnviz.plots import gates as gate_plots
from rnnviz.plots import word_order as word_order_plots
from rnnviz.training import jobs
from rnnviz.training.config import TrainConfig
from rnnviz.training.training_job import TrainingJob
from rnnviz.ui import lesson as ui_lesson
from rnnviz.ui import probe
from rnnviz.ui import train as ui_train
from tests.pages_support import app_test, chart_specs, page_text

PAGE = "pages/lesson.py"
LESSON = lesson_data.load()


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _titles(at) -> list[str]:
    return [element.value for element in at.title]


# English words of the reused charts' titles, axis titles, legends, annotations, colour bars, hovers
# (not the sentences' tokens nor the models' own names and class labels, which stay English).
ENGLISH_CHART_WORDS = re.compile(
    r"\b(word order|bag of embeddings|answer:|largest change|erase|keep|take new|embedding vector|"
    r"no gate|thick black|cell ·|layer|value|row \d|numbers|classifier|prediction|forward|backward|"
    r"read (left|right)|unit|sentence|position|Padded|Mask|length|word|probability)\b",
    re.IGNORECASE,
)


def _text(part) -> str:
    return (part.get("text") or "") if isinstance(part, dict) else (part or "")


def chart_words(at) -> list[str]:
    """The words drawn inside the run's charts, tick labels of tokens aside: titles, axis titles,
    legend entries, annotations, colour bars and hover texts."""
    found = []
    for spec in chart_specs(at):
        layout = spec["layout"]
        found.append(_text(layout.get("title")))
        found += [_text(axis.get("title")) for key, axis in layout.items() if key[:5] in ("xaxis", "yaxis")]
        found += [note.get("text", "") for note in layout.get("annotations", [])]
        for trace in spec["data"]:
            found += [trace.get("name") or "", trace.get("hovertemplate") or ""]
            bar = trace.get("colorbar") or {}
            found += [_text(bar.get("title")), *bar.get("ticktext", [])]
    return [text for text in found if text]


@pytest.mark.parametrize("lang", ["en", "hr"])
def test_next_walks_every_step(models_dir, monkeypatch, lang):
    at = _open(models_dir, monkeypatch, {"lang": lang, "step": "0"})
    _ = translator(lang)
    english_in_charts = {}
    for number in LESSON.numbers:
        english_in_charts[number] = sorted(
            {
                match.group(0).lower()
                for text in chart_words(at)
                for match in ENGLISH_CHART_WORDS.finditer(text)
            }
        )
        step = LESSON.step(number)
        assert step.title(lang) in _titles(at), number
        assert at.query_params["step"] == [str(number)] or at.query_params["step"] == str(number)
        if step.view == "train":  # nothing trained yet: the button that starts it
            assert at.button(key="lesson_train").label == _("Train a small network now")
        elif step.quiz is None:
            assert at.get("plotly_chart") or at.get("arrow_data_frame") or at.dataframe, number
        else:
            first = _("Question {number} of {total}").format(number=1, total=len(LESSON.quizzes[step.quiz]))
            assert first in page_text(at)
        next_button = at.button(key="lesson_next")
        assert next_button.label == _("Next")
        if number == LESSON.numbers[-1]:
            assert next_button.disabled
        else:
            _ok(next_button.click().run())
    left = {number: words for number, words in english_in_charts.items() if words}
    if lang == "hr":  # every chart of every step speaks Croatian
        assert not left, left
    else:  # the words the check looks for are there in English, on every step with a chart
        assert len(left) >= 9, english_in_charts


def test_a_step_link_in_croatian(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"step": "7", "lang": "hr"})
    assert LESSON.step(7).title.hr in _titles(at)
    assert at.button(key="lesson_previous").label == "Natrag"
    _ok(at.button(key="lesson_previous").click().run())
    assert LESSON.step(6).title.hr in _titles(at)


def test_commit_reveals_the_live_answer_and_counts_it(models_dir, monkeypatch):
    ui_lesson.tally().clear()
    at = _open(models_dir, monkeypatch, {"step": "2", "model": "lstm"})
    step = LESSON.step(2)
    from rnnviz.core import checkpoints

    right = questions.answer(checkpoints.load(f"{models_dir}/lstm.safetensors"), step.question)
    assert right.correct is not None  # the stand-in is sure about this sentence
    radio = at.radio(key="lesson_choice_step 2")
    assert radio.value is None
    assert at.button(key="lesson_commit_step 2").disabled  # nothing chosen, nothing to commit
    _ok(radio.set_value(right.correct).run())
    _ok(at.button(key="lesson_commit_step 2").click().run())
    text = page_text(at)
    assert f"Right: {step.question.options[right.correct].en}" in text
    assert ui_lesson.tally().snapshot()["step 2"].answers == 1
    assert ui_lesson.tally().snapshot()["step 2"].right == 1


def test_the_quiz_scores(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"step": "0"})
    found = LESSON.quizzes["pre"]
    for index, question in enumerate(found):
        key = f"pre {index + 1}"
        wrong = (question.answer + 1) % len(question.options)
        _ok(at.radio(key=f"lesson_choice_{key}").set_value(question.answer if index else wrong).run())
        _ok(at.button(key=f"lesson_commit_{key}").click().run())
        assert question.explain.en in page_text(at)
        _ok(at.button(key="lesson_quiz_next_pre").click().run())
    assert f"Your score: {len(found) - 1} of {len(found)}" in page_text(at)


def test_a_quiz_link_keeps_the_view_until_the_commit(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"step": "2", "quiz": "1", "model": "lstm"})
    assert not at.get("plotly_chart")  # the prediction chart would give the answer away
    assert "Commit your answer first: this view shows the answer." in page_text(at)
    _ok(at.radio(key="lesson_choice_step 2").set_value(0).run())
    assert not at.get("plotly_chart")
    _ok(at.button(key="lesson_commit_step 2").click().run())
    assert at.get("plotly_chart") and at.query_params["quiz"] in ("1", ["1"])
    plain = _open(models_dir, monkeypatch, {"step": "2"})
    assert plain.get("plotly_chart")  # the teacher's projector: the view at once


def test_the_answer_first_switch_holds_the_view_back_on_the_projector_and_is_kept(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"step": "2", "model": "lstm"})
    assert at.get("plotly_chart") and at.toggle(key="lesson_quiz_mode").value is False
    _ok(at.toggle(key="lesson_quiz_mode").set_value(True).run())
    assert not at.get("plotly_chart") and at.query_params["quiz"] in ("1", ["1"])
    _ok(at.button(key="lesson_next").click().run())  # the next step waits too
    assert at.toggle(key="lesson_quiz_mode").value is True and not at.get("plotly_chart")
    hr = _open(models_dir, monkeypatch, {"step": "2", "lang": "hr"})
    assert hr.toggle(key="lesson_quiz_mode").label == "Prvo odgovor"


def test_the_lstm_step_links_to_an_intervention_preset_on_the_units_page(models_dir, monkeypatch):
    at = _open(models_dir, monkeypatch, {"step": "7", "lang": "hr"})
    (link,) = [each.proto for each in at.get("page_link") if each.proto.page == "units"]
    assert link.label.startswith("Što ako su sva vrata zaboravljanja")  # in the lesson's language
    query = dict(urllib.parse.parse_qsl(link.query_string))
    units = _ok(app_test(models_dir, monkeypatch, query).switch_page("pages/units.py").run())
    assert not units.warning
    assert units.selectbox(key="units_quantity").value == "forget"
    assert units.toggle(key="units_every").value is True
    assert units.selectbox(key="units_mode").value == "zero"
    at_not = units.text_input(key="units_sentence").value.split().index("not")
    chosen = (units.selectbox(key="units_words_from").value, units.selectbox(key="units_words_to").value)
    assert chosen == (at_not, at_not)


ENGLISH_CAPTIONS = (  # the reused views' own captions, which the Croatian page must not show
    word_order_plots.CAPTION,
    gate_plots.GRADIENT_CAPTION,
    stacking_words.DIRECTIONS_CAPTION,
    batching_words.IDS_CAPTION,
    cell_words.EMBEDDING_CAPTION,
    probe.EPOCHS_CAPTION,
)


def test_every_step_in_croatian_asks_only_translated_msgids(models_dir, monkeypatch):
    asked: set[str] = set()
    real = i18n.translator

    def recording(lang):
        translate = real(lang)
        return lambda msgid: asked.add(msgid) or translate(msgid)

    monkeypatch.setattr(i18n, "translator", recording)
    croatian = {m.id: m.string for m in i18n.read_catalog("hr") if m.id}
    # the English words before a msgid's first placeholder, where they are long enough to be telling
    english = [m.id.split("{")[0].strip() for m in i18n.read_catalog("en") if m.id]
    english = [prefix for prefix in english if len(prefix.split()) >= 4]
    at = _open(models_dir, monkeypatch, {"lang": "hr", "step": "0"})
    for number in LESSON.numbers:
        assert LESSON.step(number).title.hr in _titles(at), number
        text = page_text(at).replace("\\", "").replace("\u200b", "")  # markdown escapes
        left = [prefix for prefix in english if prefix in text]
        assert not left, (number, left)
        assert not [caption for caption in ENGLISH_CAPTIONS if caption in text], number
        if number != LESSON.numbers[-1]:
            _ok(at.button(key="lesson_next").click().run())
    untranslated = sorted(msgid for msgid in asked if not croatian.get(msgid, "").strip())
    assert asked and not untranslated, untranslated


@pytest.fixture
def tiny_training(monkeypatch):
    """Step 11 trains a network of 4 units on 200 sentences (the preset itself: the browser test)."""
    monkeypatch.setattr(
        ui_lesson, "TRAINING", TrainConfig(builtin_size=200, embedding_dim=4, hidden_size=4, epochs=2)
    )
    jobs.warm_up()
    yield
    manager = ui_train.training_manager()
    manager.stop_all()


def _job_state(at):
    return at.session_state[ui_train.JOB_KEY].state()


def test_step_11_trains_live_and_the_trained_network_answers(models_dir, monkeypatch, tiny_training):
    at = _open(models_dir, monkeypatch, {"step": "11", "lang": "hr"})
    assert "Još se ništa ne trenira" in page_text(at)
    _ok(at.button(key="lesson_train").click().run())
    deadline = time.monotonic() + 60
    while _job_state(at).status != "done" and time.monotonic() < deadline:
        time.sleep(0.3)
        _ok(at.run())  # as the polling fragment does
    assert _job_state(at).status == "done"
    _ok(at.run())
    assert "Istrenirano: nova mreža sada je odabrani model" in page_text(at)
    rows = [s for s in chart_specs(at) if "epohu po epohu" in s["layout"]["title"]["text"]]
    assert rows and rows[0]["data"][0]["y"] == ["netrenirano", "epoha 1", "epoha 2"]
    assert not [text for text in chart_words(at) if ENGLISH_CHART_WORDS.search(text)]
    trained = _job_state(at).runs[0].result.classifier
    right = questions.answer(trained, LESSON.step(11).question)
    if right.correct is not None:  # the question now asks the trained network
        _ok(at.radio(key="lesson_choice_step 11").set_value(right.correct).run())
        _ok(at.button(key="lesson_commit_step 11").click().run())
        assert "Točno: " in page_text(at)


def test_step_11_on_a_full_server_says_queued(models_dir, monkeypatch, tiny_training):
    server = jobs.JobManager(max_running=1)
    monkeypatch.setattr(ui_train, "training_manager", lambda: server)
    holder = TrainingJob([TrainConfig(builtin_size=200, embedding_dim=4, hidden_size=4, epochs=1000)])
    holder.pause()
    server.submit(holder, alive=lambda: True)
    try:
        at = _open(models_dir, monkeypatch, {"step": "11", "lang": "hr"})
        _ok(at.button(key="lesson_train").click().run())
        assert _job_state(at).status == "queued"
        assert "U redu čekanja, mjesto 1" in page_text(at)
        assert at.button(key="lesson_train").disabled  # one job per student
    finally:
        server.stop_all()


@pytest.mark.parametrize(
    "number", [s.number for s in LESSON.steps if s.question and s.question.kind == "gate"]
)
def test_a_gate_steps_heatmap_shows_the_unit_its_question_asks_about_first(models_dir, monkeypatch, number):
    at = _open(models_dir, monkeypatch, {"step": str(number)})
    asked = re.search(r"unit (\d+)", " ".join(radio.label for radio in at.radio))
    if asked is None:  # the question is skipped for this model (too close to call): nothing to show
        return
    (heatmap,) = [spec for spec in chart_specs(at) if spec["data"][0]["type"] == "heatmap"]
    assert heatmap["data"][0]["y"][0] == asked.group(1)
