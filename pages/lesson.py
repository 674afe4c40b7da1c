"""Lesson: the 45-minute class as steps, each a projector screen with a short text, a live view and a
question that the live model answers, then the quizzes; in English and Croatian.

Reads the lesson file (rnnviz.lessons.lesson), the language and the step (state layer, links,
Page Down / Page Up) -> draws the step with rnnviz.ui.lesson.
"""

import streamlit as st

from rnnviz.core.markup import md_escape
from rnnviz.lessons.lesson import LessonError, load
from rnnviz.ui import lesson as ui_lesson
from rnnviz.ui import models, session, teacher

session.ensure_routed(__file__)  # a link straight to this page runs app.py first

_ = ui_lesson.language()
ui_lesson.quiz_mode(_)
chosen = models.require_model()
try:
    lesson = load()
except LessonError as error:
    st.error(_("The lesson file cannot be read:") + "\n\n" + md_escape(str(error)), icon=":material/error:")
    lesson = None
if lesson is not None:
    step = ui_lesson.current_step(lesson, _)
    ui_lesson.step_header(step)
    if step.quiz is not None:
        ui_lesson.quiz(lesson, step.quiz, _)
    else:
        wide = step.view in ui_lesson.WIDE_VIEWS
        text_side, view_side = st.columns([1, 2] if wide else [2, 3], gap="medium")
        with text_side:  # the model's note above the question: the view keeps the row's height
            classifier = ui_lesson.step_model(step, chosen, _)
        with view_side:
            if ui_lesson.view_waits(step, classifier):
                st.info(_("Commit your answer first: this view shows the answer."), icon=":material/lock:")
            else:
                ui_lesson.view(step, classifier, _)
        with text_side:
            ui_lesson.live_question(step, classifier, _)
            if step.typing:
                ui_lesson.english_only(_)
    ui_lesson.overview(_)
teacher.link_box(_)
