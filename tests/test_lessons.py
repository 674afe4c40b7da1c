"""Proves the lesson data and its live answers: the shipped lesson file parses into its steps (0-12)
and quizzes; malformed files fail with a message naming the line and the step; each live
question's revealed answer follows the model it is asked of (forcing a model's bias flips it, and a
too-close model skips the question); the Croatian catalogue translates every msgid, those of the
views the Lesson reuses included; and the teacher tally counts across threads."""

from __future__ import annotations

import threading

import pytest
import torch

from rnnviz.lessons import i18n, questions
from rnnviz.lessons import lesson as lesson_data
from rnnviz.lessons.lesson import LessonError, LiveQuestion, Text, parse
from rnnviz.lessons.tally import Tally
from tests.conftest import make_classifier

GOOD_STEP = """
[[step]]
name = "one"
view = "prediction"
sentence = "the movie was good"
title_en = "One"
title_hr = "Jedan"
text_en = "Text"
text_hr = "Tekst"
"""


def _question(kind: str, **fields) -> LiveQuestion:
    blank = Text("x", "x")
    return LiveQuestion(kind=kind, prompt=blank, options=(blank, blank), explain=blank, **fields)


def test_the_shipped_lesson_has_the_issues_steps_in_order():
    found = lesson_data.load()
    assert list(found.numbers) == list(range(13))
    assert found.step(0).quiz == "pre" and found.step(12).quiz == "post"
    views = [found.step(n).view for n in range(1, 12)]
    assert views == [
        "word_order", "prediction", "cell", "embedding", "head", "gradients", "gates", "gates",
        "directions", "batch", "train",
    ]  # fmt: skip
    assert found.step(7).model == "lstm" and found.step(8).model == "gru" and found.step(9).model == "bilstm"
    assert all(found.step(n).question is not None for n in range(1, 12))
    assert 5 <= len(found.quizzes["pre"]) <= 8 and 5 <= len(found.quizzes["post"]) <= 8
    for step in found.steps:  # every text in both languages, and Croatian with its own letters
        assert step.title.en and step.title.hr and step.text.en and step.text.hr
    croatian = " ".join(s.text.hr for s in found.steps)
    assert all(letter in croatian for letter in "čćšž")


def test_a_toml_syntax_error_names_the_line():
    with pytest.raises(LessonError, match=r"not valid TOML: .*line 3"):
        parse('[[step]]\nname = "a"\ntitle_en = "unclosed\n')


def test_missing_fields_name_the_line_and_the_step():
    broken = GOOD_STEP + GOOD_STEP.replace('name = "one"', 'name = "two"').replace('text_hr = "Tekst"\n', "")
    with pytest.raises(LessonError) as error:
        parse(broken)
    assert 'lesson.toml line 11, step 2 ("two"): text_hr is missing or not a text' in str(error.value)


def test_bad_question_kind_view_and_answer_are_all_reported():
    source = GOOD_STEP.replace('view = "prediction"', 'view = "slides"') + (
        '[step.question]\nkind = "guess"\n'
        '[[quiz]]\nphase = "pre"\nprompt_en = "Q"\nprompt_hr = "P"\noptions_en = ["a", "b"]\n'
        'options_hr = ["a", "b"]\nanswer = 3\nexplain_en = "E"\nexplain_hr = "O"\n'
    )
    with pytest.raises(LessonError) as error:
        parse(source)
    message = str(error.value)
    assert 'line 2, step 1 ("one"): view must be one of' in message
    assert "question: kind must be one of" in message
    assert "quiz question 1: answer must be the number of the right option, 1 to 2" in message


def test_a_lesson_without_steps_is_refused():
    with pytest.raises(LessonError, match="no steps"):
        parse('title = "empty"\n')


def _force_head(classifier, positive: bool):
    with torch.no_grad():
        classifier.model.head.weight.zero_()
        classifier.model.head.bias.copy_(torch.tensor([0.0, 3.0] if positive else [3.0, 0.0]))


def test_positive_follows_the_model_and_skips_a_coin_flip():
    classifier = make_classifier(cell="lstm")
    question = _question("positive", sentence="the movie was not bad")
    _force_head(classifier, positive=True)
    assert questions.answer(classifier, question).correct == 0
    _force_head(classifier, positive=False)
    assert questions.answer(classifier, question).correct == 1
    with torch.no_grad():
        classifier.model.head.bias.zero_()  # p = 0.5 exactly: too close to call
    skipped = questions.answer(classifier, question)
    assert skipped.correct is None and skipped.reason == "too_close"


@pytest.mark.parametrize(("cell", "gate"), [("lstm", "forget"), ("gru", "update")])
def test_gate_question_follows_the_gate_bias(cell, gate):
    classifier = make_classifier(cell=cell)
    hidden = classifier.config.hidden_size
    question = _question("gate", sentence="the movie was not bad", word="not", gate=gate)
    for bias, expected in ((20.0, 0), (-20.0, 1)):  # sigmoid(±20): the gate near 1 / near 0
        with torch.no_grad():
            classifier.model.rnn.bias_ih_l0[hidden : 2 * hidden] = bias  # chunk 2: f (LSTM), z (GRU)
        result = questions.answer(classifier, question)
        assert result.correct == expected and result.word == "not" and 0 <= result.unit < hidden
    no_gate = questions.answer(make_classifier(cell="rnn_tanh"), question)
    assert no_gate.correct is None and no_gate.reason == "no_gate"


def test_same_answer_closer_and_padding_questions_are_measured():
    classifier = make_classifier(cell="gru")
    _force_head(classifier, positive=True)
    same = _question("same_answer", sentence="the movie was good", other="good was the movie")
    assert questions.answer(classifier, same).correct == 0  # the head ignores everything: same class
    closer = _question("closer", word="good", near="great", far="bad")
    with torch.no_grad():
        table = classifier.model.embedding.weight
        ids = classifier.vocab.encode(["good", "great", "bad"])
        table[ids[1]] = table[ids[0]]  # "great" made identical to "good"
        table[ids[2]] = -table[ids[0]]
    assert questions.answer(classifier, closer).correct == 0
    with torch.no_grad():
        table[ids[1]], table[ids[2]] = -table[ids[0]], table[ids[0]].clone()
    assert questions.answer(classifier, closer).correct == 1
    unknown = _question("closer", word="good", near="zebra", far="bad")
    assert questions.answer(classifier, unknown).reason == "unknown_words"
    padding = _question("padding_changes", sentences=("not good", "the movie was not bad", "great"))
    result = questions.answer(classifier, padding)
    assert result.correct == 0 and result.value > 0.01  # random GRU: pads read as words move h


def test_gradient_question_measures_the_first_word():
    classifier = make_classifier(cell="rnn_tanh")
    with torch.no_grad():
        classifier.model.rnn.weight_hh_l0.zero_()  # no path back through time at all: ratio 0
    fades = _question("gradient_fades", sentence="the movie was good not bad", threshold=0.01)
    result = questions.answer(classifier, fades)
    assert result.correct == 0 and result.value < 1e-6


def test_every_msgid_has_a_croatian_translation():
    english = {message.id for message in i18n.read_catalog("en") if message.id}
    croatian = {message.id: message.string for message in i18n.read_catalog("hr") if message.id}
    assert english and english == set(croatian)
    assert all(croatian[msgid].strip() for msgid in english), [m for m in english if not croatian[m]]
    _ = i18n.translator("hr")
    assert _("Next") == "Dalje" and _("Commit") == "Potvrdi"
    assert i18n.translator("en")("Next") == "Next"


# The Lesson page and every module whose words it shows: its own strings and the reused views'
# captions and notices (`_(...)` calls and N_(...) marks), as `pybabel extract -k _ -k N_` sees them.
LESSON_SOURCES = (
    "pages/lesson.py",
    "rnnviz/ui/lesson.py",
    "rnnviz/ui/word_order.py",
    "rnnviz/ui/stacking.py",
    "rnnviz/ui/batching.py",
    "rnnviz/ui/cell_views.py",
    "rnnviz/ui/probe.py",
    "rnnviz/ui/train.py",
    "rnnviz/ui/session.py",
    "rnnviz/ui/teacher.py",
    "rnnviz/lessons/glossary.py",
    "rnnviz/lessons/stacking.py",
    "rnnviz/lessons/batching.py",
    "rnnviz/lessons/cell_views.py",
    "rnnviz/plots/word_order.py",
    "rnnviz/plots/gates.py",
    "rnnviz/plots/trace.py",
    "rnnviz/plots/base.py",
    "rnnviz/plots/diagrams.py",
    "rnnviz/plots/embeddings.py",
    "rnnviz/plots/stacking.py",
    "rnnviz/plots/batching.py",
    "rnnviz/plots/training.py",
)


def test_every_string_of_the_lesson_ui_is_in_the_catalogue():
    from babel.messages.extract import extract_from_file

    found = set()
    for path in LESSON_SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", path, keywords={"_": None, "N_": None}
        ):
            found.add(message)
    croatian = {message.id: message.string for message in i18n.read_catalog("hr") if message.id}
    assert found and not {msgid for msgid in found if not croatian.get(msgid, "").strip()}, [
        msgid for msgid in found if not croatian.get(msgid, "").strip()
    ]


def test_the_tally_counts_across_threads_and_clears():
    tally = Tally()
    threads = [threading.Thread(target=lambda k=k: tally.record("step 7", k % 4 == 0)) for k in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = tally.snapshot()["step 7"]
    assert (counts.answers, counts.right, counts.share_right) == (40, 10, 0.25)
    tally.clear()
    assert tally.snapshot() == {}
