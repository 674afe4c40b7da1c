"""Proves in a real Chromium, on a 1280x720 projector in teacher mode with `lang=hr`, that Page Down
alone walks the Lesson from the pre-lesson quiz to the post-lesson quiz; that every step is
Croatian and fits one screen (title, question, Commit and the view's chart); and that every live
question, answered, reveals on that screen the answer the live (stand-in) model gives. Takes the
README's picture of step 7 in Croatian."""

from __future__ import annotations

import os
import re

import pytest

from rnnviz.core import checkpoints
from rnnviz.lessons import lesson as lesson_data
from rnnviz.lessons import questions
from rnnviz.lessons.i18n import translator
from rnnviz.tools.browser import open_app, rerun_after
from rnnviz.tools.standins import standin_models_dir
from tests.e2e.helpers import exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}
REVEALED = re.compile(r"Točno: |Ovaj put ne: ")  # "Right" / "Not this time" in Croatian
README_STEP = 7  # the LSTM's forget gate at "not": the lesson's picture in the README


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=PROJECTOR)
    context.set_default_timeout(90_000)
    yield context.new_page()
    context.close()


def _fits(page, locator, what: str) -> None:
    box = locator.first.bounding_box()
    assert box is not None, f"{what} is not on the page"
    assert box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"], (
        f"{what} is below the fold: {box}"
    )


def test_page_down_walks_the_lesson_in_croatian(projector, app_server):
    if os.environ.get("RNNVIZ_E2E_REAL_MODELS") == "1":
        models = {name: checkpoints.load_classifier(name) for name in checkpoints.SHIPPED}
    else:
        models = {
            p.stem: checkpoints.load(p) for p in standin_models_dir().glob("*.safetensors") if p.stem != "bag"
        }
    lesson = lesson_data.load()
    _ = translator("hr")
    page = projector
    open_app(page, app_server, "lesson", {"teacher": "1", "lang": "hr"})
    for number in lesson.numbers:
        step = lesson.step(number)
        assert not exceptions_on_page(page), number
        assert page.locator("h1").first.inner_text() == step.title.hr, number
        assert f"Korak {number} od {lesson.numbers[-1]}" in page.get_by_test_id("stMain").inner_text()
        _fits(page, page.locator("h1"), f"step {number}'s title")
        if step.quiz is None:
            _fits(
                page, page.get_by_test_id("stPlotlyChart").or_(page.get_by_test_id("stDataFrame")), "the view"
            )
        question = step.question
        result = (
            questions.answer(models.get(step.model or "lstm", models["lstm"]), question) if question else None
        )
        if step.quiz is not None:  # answering and scoring: tests/test_page_lesson.py (AppTest, faster)
            _fits(page, page.get_by_role("button", name=_("Commit")), f"step {number}'s Commit")
        elif result is not None and result.correct is not None:
            _fits(page, page.get_by_role("button", name=_("Commit")), f"step {number}'s Commit")
            rerun_after(page, lambda: page.get_by_test_id("stRadioOption").first.click())
            rerun_after(page, lambda: page.get_by_role("button", name=_("Commit")).click())
            revealed = page.get_by_test_id("stAlertContainer").filter(has_text=REVEALED)
            verdict = revealed.first.inner_text().replace("\u200b", "")  # md_escape's zero-width spaces
            assert question.options[result.correct].hr in verdict, (number, verdict)
            _fits(page, revealed, f"step {number}'s revealed answer")
        elif question is not None:
            assert _("Commit") not in page.get_by_test_id("stMain").inner_text()  # skipped, with a note
        if number == README_STEP:
            screenshot(page, "lesson-hr", readme="lesson-hr.png", full_page=False)
        if number != lesson.numbers[-1]:
            # Streamlit ignores shortcuts while an input (here a quiz's radio) has the focus; a
            # clicker's teacher has not clicked into the page.
            page.evaluate("() => document.activeElement && document.activeElement.blur()")
            rerun_after(page, lambda: page.keyboard.press("PageDown"))
    assert page.get_by_role("button", name=_("Next")).is_disabled()
