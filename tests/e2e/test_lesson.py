"""Proves in a real Chromium, on a 1280x720 projector in teacher mode with `lang=hr`, that Page Down
alone walks the Lesson from the pre-lesson quiz to the post-lesson quiz, even right after a click
on an answer (the focus then sits in a radio input, where Streamlit itself ignores shortcuts); that
every step is Croatian (its title, the step counter, none of the reused views' English captions)
and fits one screen (title, question, Commit and the view); that every live question, answered,
reveals on that screen the answer the live model gives (computed here with the same model through
the library); and that both quizzes, answered in full, show their score. Takes the README's
pictures of step 7 in Croatian and in English."""

from __future__ import annotations

import os
import re

import pytest

from rnnviz.core import checkpoints
from rnnviz.lessons import lesson as lesson_data
from rnnviz.lessons import questions
from rnnviz.lessons.i18n import translator
from rnnviz.tools.browser import open_app, wait_for_app
from rnnviz.tools.standins import standin_models_dir
from tests.e2e.helpers import exceptions_on_page, screenshot
from tests.test_page_lesson import ENGLISH_CAPTIONS

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api").expect  # the browser fixtures skip without it too

PROJECTOR = {"width": 1280, "height": 720}
REVEALED = re.compile(r"Točno: |Ovaj put ne: ")  # "Right" / "Not this time" in Croatian
README_STEP = 7  # the LSTM's forget gate at "not": the lesson's picture in the README


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=PROJECTOR)
    context.set_default_timeout(90_000)
    yield context.new_page()
    context.close()


def _models() -> dict:
    """The models the server reads: the shipped ones, or the stand-ins (the bag is not asked)."""
    if os.environ.get("RNNVIZ_E2E_REAL_MODELS") == "1":
        return {name: checkpoints.load_classifier(name) for name in checkpoints.SHIPPED}
    return {
        p.stem: checkpoints.load(p) for p in standin_models_dir().glob("*.safetensors") if p.stem != "bag"
    }


def _fits(locator, what: str) -> None:
    box = locator.first.bounding_box()
    assert box is not None, f"{what} is not on the page"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"], (
        f"{what} is below the fold: {box}"
    )


def _commit(page, option: int, _, away_and_back: tuple[str, str] | None = None) -> str:
    """Click option `option` and Commit; the verdict's text. With `away_and_back` (the titles of
    the next step and of this one), Page Down and Page Up first, with the focus in the radio.
    Each action waits for what it must show: a fragment's rerun need not change the app's script
    state, which rerun_after waits for (15 s in vain each time)."""
    commit = page.get_by_role("button", name=_("Commit"))
    page.get_by_test_id("stRadioOption").nth(option).click()
    expect(commit).to_be_enabled()
    if away_and_back is not None:
        assert page.evaluate("() => document.activeElement.tagName") == "INPUT"  # a clicker's case
        for key, title in zip(("PageDown", "PageUp"), away_and_back, strict=True):
            page.keyboard.press(key)
            expect(page.locator("h1").first).to_have_text(title)
        wait_for_app(page)
    commit.click()
    revealed = page.get_by_test_id("stAlertContainer").filter(has_text=REVEALED)
    revealed.first.wait_for()
    _fits(revealed, "the revealed answer")
    return revealed.first.inner_text().replace("\u200b", "")  # md_escape's zero-width spaces


def _answer_the_quiz(page, found, _) -> None:
    """Every question of a quiz with its right option, then the score."""
    for index, question in enumerate(found):
        counter = _("Question {number} of {total}").format(number=index + 1, total=len(found))
        page.get_by_text(counter).wait_for()
        verdict = _commit(page, question.answer, _)
        assert question.options[question.answer].hr in verdict, (index, verdict)
        label = _("Next question") if index + 1 < len(found) else _("See the score")
        page.get_by_role("button", name=label).click()
    score = _("Your score: {right} of {total}").format(right=len(found), total=len(found))
    page.get_by_text(score).wait_for()
    _fits(page.get_by_text(score), "the quiz's score")


def test_page_down_walks_and_answers_the_lesson_in_croatian(projector, app_server):
    models = _models()
    lesson = lesson_data.load()
    _ = translator("hr")
    page = projector
    open_app(page, app_server, "lesson", {"teacher": "1", "lang": "hr"})
    for number in lesson.numbers:
        step = lesson.step(number)
        main = page.get_by_test_id("stMain")
        assert not exceptions_on_page(page), number
        assert page.locator("h1").first.inner_text() == step.title.hr, number
        shown = main.inner_text().replace("\u200b", "")
        assert f"Korak {number} od {lesson.numbers[-1]}" in shown
        assert not [caption for caption in ENGLISH_CAPTIONS if caption in shown], number
        _fits(page.locator("h1"), f"step {number}'s title")
        if step.view == "train":
            _fits(page.get_by_role("button", name=_("Train a small network now")), "step 11's Train button")
        elif step.quiz is None:
            view = page.get_by_test_id("stPlotlyChart").or_(page.get_by_test_id("stDataFrame"))
            _fits(view, f"step {number}'s view")
        if step.quiz is not None:
            _fits(page.get_by_role("button", name=_("Commit")), f"step {number}'s Commit")
            _answer_the_quiz(page, lesson.quizzes[step.quiz], _)
        elif step.question is not None:
            model = models.get(step.model or "lstm", models["lstm"])  # the sidebar's default: the LSTM
            result = questions.answer(model, step.question)  # what the live model says, computed here
            if result.correct is None:  # too close to call for this model: skipped, with a note
                assert _("Commit") not in main.inner_text(), number
            else:
                _fits(page.get_by_role("button", name=_("Commit")), f"step {number}'s Commit")
                wrong = result.correct if number % 2 else 1 - result.correct  # right and wrong answers
                turn = (lesson.step(number + 1).title.hr, step.title.hr) if number == 1 else None
                verdict = _commit(page, wrong, _, turn)
                assert step.question.options[result.correct].hr in verdict, (number, verdict)
                assert ("Točno" if wrong == result.correct else "Ovaj put ne") in verdict, verdict
        if number == README_STEP:
            screenshot(page, "lesson-hr", readme="lesson-hr.png", full_page=False)
        if number != lesson.numbers[-1]:
            # No blur here: after a click on an answer or a quiz button, a clicker's Page Down must work.
            page.keyboard.press("PageDown")
            expect(page.locator("h1").first).to_have_text(lesson.step(number + 1).title.hr)
            wait_for_app(page)
    assert page.get_by_role("button", name=_("Next")).is_disabled()
    page.keyboard.press("PageUp")
    expect(page.locator("h1").first).to_have_text(lesson.step(lesson.numbers[-2]).title.hr)

    # The README's English picture: the same step, answered, in English.
    open_app(page, app_server, "lesson", {"teacher": "1", "lang": "en", "step": str(README_STEP)})
    step = lesson.step(README_STEP)
    result = questions.answer(models.get(step.model, models["lstm"]), step.question)
    if result.correct is not None:
        page.get_by_test_id("stRadioOption").nth(result.correct).click()
        expect(page.get_by_role("button", name="Commit")).to_be_enabled()
        page.get_by_role("button", name="Commit").click()
        page.get_by_text("Right: ").wait_for()
    screenshot(page, "lesson-en", readme="lesson-en.png", full_page=False)
