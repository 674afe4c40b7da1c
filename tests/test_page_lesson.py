"""Proves the Lesson page in AppTest: it walks every step with the Next button in English and in
Croatian without an exception, each step shows its own title and a live view or quiz, `?step=` and
`lang=hr` links open that step in that language, a committed answer reveals the live model's answer
and is counted in the teacher overview, and the quiz scores."""

import urllib.parse

import pytest

from rnnviz.lessons import lesson as lesson_data
from rnnviz.lessons import questions
from rnnviz.lessons.i18n import translator
from rnnviz.ui import lesson as ui_lesson
from tests.pages_support import app_test, page_text

PAGE = "pages/lesson.py"
LESSON = lesson_data.load()


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(models_dir, monkeypatch, query=None):
    return _ok(app_test(models_dir, monkeypatch, query).switch_page(PAGE).run())


def _titles(at) -> list[str]:
    return [element.value for element in at.title]


@pytest.mark.parametrize("lang", ["en", "hr"])
def test_next_walks_every_step(models_dir, monkeypatch, lang):
    at = _open(models_dir, monkeypatch, {"lang": lang, "step": "0"})
    _ = translator(lang)
    for number in LESSON.numbers:
        step = LESSON.step(number)
        assert step.title(lang) in _titles(at), number
        assert at.query_params["step"] == [str(number)] or at.query_params["step"] == str(number)
        if step.quiz is None:
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
