"""The guided lesson as data: its steps, the predict-then-reveal question of each step and the pre-
and post-lesson quizzes, read from rnnviz/resources/lessons/lesson.toml (English and Croatian).

A teacher edits or reorders the TOML file, never code. Every problem of a file is collected into
one LessonError whose message names the line and the step, e.g.

    lesson.toml line 41, step 3 ("cell"): the question has no prompt_hr

The answers of live questions are not in the file: rnnviz.lessons.questions computes them from
the model at the moment the student commits.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

LANGUAGES = ("en", "hr")  # every text field exists once per language: text_en, text_hr
# The live views a step can show (rnnviz.ui.lesson draws each) and the page each one comes from.
VIEWS = {
    "quiz": "",
    "word_order": "word_order",
    "prediction": "",
    "cell": "inside_the_cell",
    "embedding": "inside_the_cell",
    "head": "layers",
    "gradients": "why_gates",
    "gates": "negation_lab",
    "directions": "layers",
    "batch": "batches",
    "train": "train",
}
# Live question kinds (rnnviz.lessons.questions answers each) and the fields each one needs.
KINDS = {
    "positive": ("sentence",),  # is P(label) > 0.5 for the sentence?
    "same_answer": ("sentence", "other"),  # do both sentences get the same class?
    "gate": ("sentence", "word", "gate"),  # is the gate of the busiest unit at `word` near 1?
    "hidden_sign": ("sentence", "word"),  # is h_t of the busiest unit at `word` positive?
    "closer": ("word", "near", "far"),  # is `word`'s embedding closer to `near` than to `far`?
    "gradient_fades": ("sentence",),  # does the signal at the first word fall below `threshold`?
    "padding_changes": ("sentences",),  # does padding without packing move the shortest sentence?
}
QUIZ_PHASES = ("pre", "post")
MODELS = ("lstm", "gru", "rnn", "bilstm")  # shipped models a step may show instead of the chosen one


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the line and the step."""


@dataclass(frozen=True)
class Text:
    """One text in every language of the lesson."""

    en: str
    hr: str

    def __call__(self, lang: str) -> str:
        return self.hr if lang == "hr" else self.en


@dataclass(frozen=True)
class LiveQuestion:
    """A predict-then-reveal question; option 0 is the answer when the kind's test is true."""

    kind: str  # one of KINDS
    prompt: Text  # may contain {unit} and {model}, filled in from the live model
    options: tuple[Text, Text]  # (test true, test false)
    explain: Text  # shown after the reveal, whatever the answer
    sentence: str = ""
    other: str = ""
    word: str = ""
    gate: str = ""  # gate name as in the PyTorch docs: forget, update, ...
    near: str = ""
    far: str = ""
    sentences: tuple[str, ...] = ()
    label: str = "positive"  # the class of `positive`
    threshold: float = 0.01  # `gradient_fades`: first word / last word; `padding_changes`: max |Δh|


@dataclass(frozen=True)
class QuizQuestion:
    """A concept question of the pre- or post-lesson quiz."""

    prompt: Text
    options: tuple[Text, ...]
    answer: int  # index into options
    explain: Text


@dataclass(frozen=True)
class Step:
    """One projector screen of the lesson."""

    number: int  # the step's ?step= link: 1 for the first lesson step, 0 for a pre-lesson quiz before it
    name: str  # short id, used in messages and widget keys
    title: Text
    text: Text
    view: str  # one of VIEWS
    sentence: str  # the sentence the view starts from ("" for quiz steps)
    model: str | None  # a shipped model (MODELS) the view shows, or None: the one chosen in the sidebar
    question: LiveQuestion | None
    quiz: str | None  # "pre" / "post": this step is that quiz
    typing: bool  # the student types here: the page says that the models read English only

    @property
    def page(self) -> str:
        """The app page this step's view comes from ('' when it has none)."""
        return VIEWS[self.view]


@dataclass(frozen=True)
class Lesson:
    steps: tuple[Step, ...]
    quizzes: dict[str, tuple[QuizQuestion, ...]]

    @property
    def numbers(self) -> range:
        """The step numbers, in order: 0 is the pre-lesson quiz when the lesson opens with it."""
        return range(self.steps[0].number, self.steps[-1].number + 1)

    def step(self, number: int) -> Step:
        """The step with this number (one of `numbers`)."""
        return self.steps[number - self.steps[0].number]


class _Reader:
    """Reads one table of the file, collecting problems with where they are."""

    def __init__(self, table: dict[str, Any], where: str, problems: list[str]) -> None:
        self.table, self.where, self.problems = table, where, problems

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def text(self, name: str, optional: bool = False) -> Text:
        found = []
        for lang in LANGUAGES:
            value = self.table.get(f"{name}_{lang}")
            if not isinstance(value, str) or not value.strip():
                if not optional or value is not None:
                    self.problem(f"{name}_{lang} is missing or not a text")
                value = ""
            found.append(value.strip())
        return Text(*found)

    def string(self, name: str, default: str | None = None) -> str:
        value = self.table.get(name, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.problem(f"{name} is missing or not a text")
            return ""
        return value

    def options(self) -> tuple[Text, ...]:
        english, croatian = self.table.get("options_en"), self.table.get("options_hr")
        if not (isinstance(english, list) and isinstance(croatian, list)) or not all(
            isinstance(o, str) and o.strip() for o in [*english, *croatian]
        ):
            self.problem("options_en and options_hr must be lists of texts")
            return ()
        if len(english) != len(croatian) or len(english) < 2:
            self.problem("options_en and options_hr must have the same number of options, at least 2")
            return ()
        return tuple(Text(a, b) for a, b in zip(english, croatian, strict=True))


def _live_question(table: Any, where: str, problems: list[str]) -> LiveQuestion | None:
    if not isinstance(table, dict):
        problems.append(f"{where}: question must be a table ([step.question])")
        return None
    read = _Reader(table, f"{where}, question", problems)
    kind = table.get("kind")
    if kind not in KINDS:
        read.problem(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        return None
    options = read.options()
    if options and len(options) != 2:
        read.problem("a live question has exactly two options: the test true, the test false")
    fields: dict[str, Any] = {}
    for name in KINDS[kind]:
        if name == "sentences":
            value = table.get(name)
            if not (
                isinstance(value, list)
                and len(value) >= 2
                and all(isinstance(s, str) and s.strip() for s in value)
            ):
                read.problem("sentences must be a list of at least two texts")
                value = []
            fields[name] = tuple(value)
        else:
            fields[name] = read.string(name)
    for name in ("label",):
        if name in table:
            fields[name] = read.string(name)
    if "threshold" in table:
        if isinstance(table["threshold"], int | float) and table["threshold"] > 0:
            fields["threshold"] = float(table["threshold"])
        else:
            read.problem("threshold must be a positive number")
    return LiveQuestion(
        kind=kind,
        prompt=read.text("prompt"),
        options=options[:2] if len(options) >= 2 else (Text("", ""), Text("", "")),
        explain=read.text("explain"),
        **fields,
    )


def _step(table: Any, number: int, where: str, problems: list[str]) -> Step | None:
    if not isinstance(table, dict):
        problems.append(f"{where}: a step must be a table ([[step]])")
        return None
    name = table.get("name") if isinstance(table.get("name"), str) else "?"
    where = f'{where} ("{name}")'
    read = _Reader(table, where, problems)
    read.string("name")
    view = table.get("view")
    if view not in VIEWS:
        read.problem(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
        view = "quiz"
    model = table.get("model")
    if model is not None and model not in MODELS:
        read.problem(f"model must be one of {', '.join(MODELS)}, not {model!r}")
        model = None
    quiz = table.get("quiz")
    if (view == "quiz") != (quiz is not None) or (quiz is not None and quiz not in QUIZ_PHASES):
        read.problem(f'a step with view = "quiz" needs quiz = one of {", ".join(QUIZ_PHASES)}, and only it')
        quiz = None
    question = _live_question(table["question"], where, problems) if "question" in table else None
    typing = table.get("typing", False)
    if not isinstance(typing, bool):
        read.problem("typing must be true or false")
    return Step(
        number=number,
        name=name,
        title=read.text("title"),
        text=read.text("text"),
        view=view,
        sentence=read.string("sentence", default="") if view != "quiz" else "",
        model=model,
        question=question,
        quiz=quiz,
        typing=bool(typing),
    )


def _quiz_question(table: Any, where: str, problems: list[str]) -> tuple[str, QuizQuestion] | None:
    if not isinstance(table, dict):
        problems.append(f"{where}: a quiz question must be a table ([[quiz]])")
        return None
    read = _Reader(table, where, problems)
    phase = table.get("phase")
    if phase not in QUIZ_PHASES:
        read.problem(f"phase must be one of {', '.join(QUIZ_PHASES)}, not {phase!r}")
    options = read.options()
    answer = table.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= max(len(options), 1):
        read.problem(f"answer must be the number of the right option, 1 to {len(options)}")
        answer = 1
    question = QuizQuestion(read.text("prompt"), options, answer - 1, read.text("explain"))
    return str(phase), question


def _header_lines(source: str, header: str) -> list[int]:
    """The 1-based line of each `[[header]]` in the file, in order (for messages)."""
    return [n for n, line in enumerate(source.splitlines(), 1) if line.strip() == f"[[{header}]]"]


def parse(source: str, filename: str = "lesson.toml") -> Lesson:
    """The lesson in `source` (TOML text); LessonError listing every problem, each with its line."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{filename} is not valid TOML: {error}") from None
    problems: list[str] = []
    step_lines, quiz_lines = _header_lines(source, "step"), _header_lines(source, "quiz")
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise LessonError(f"{filename} has no steps: add [[step]] tables")
    steps = []
    # A pre-lesson quiz first is step 0, so that the lesson's own steps keep their numbers 1, 2, ...
    first = 0 if isinstance(raw_steps[0], dict) and raw_steps[0].get("quiz") == "pre" else 1
    for index, table in enumerate(raw_steps):
        line = f" line {step_lines[index]}" if index < len(step_lines) else ""
        step = _step(table, first + index, f"{filename}{line}, step {first + index}", problems)
        if step is not None:
            steps.append(step)
    quizzes: dict[str, list[QuizQuestion]] = {phase: [] for phase in QUIZ_PHASES}
    raw_quiz = data.get("quiz", [])
    for index, table in enumerate(raw_quiz if isinstance(raw_quiz, list) else []):
        line = f" line {quiz_lines[index]}" if index < len(quiz_lines) else ""
        found = _quiz_question(table, f"{filename}{line}, quiz question {index + 1}", problems)
        if found is not None and found[0] in quizzes:
            quizzes[found[0]].append(found[1])
    for phase in {step.quiz for step in steps if step.quiz}:
        if not quizzes[phase]:
            problems.append(f"{filename}: a step shows the {phase} quiz, but it has no questions")
    names = [step.name for step in steps]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(f'{filename}: two steps are named "{name}"')
    if problems:
        raise LessonError("\n".join(problems))
    return Lesson(tuple(steps), {phase: tuple(found) for phase, found in quizzes.items()})


def load() -> Lesson:
    """The lesson shipped with the package."""
    source = resources.files("rnnviz.resources").joinpath("lessons/lesson.toml").read_text(encoding="utf-8")
    return parse(source)
