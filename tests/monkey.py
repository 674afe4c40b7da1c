"""A seeded "monkey" for the app: random sequences of everything a student can do on a page,
with the checks that nothing crashes and nothing the student set is lost or changed behind
their back. Used by tests/test_monkey.py (AppTest, fast) and the named regressions there.

An action is a plain tuple, so a failing seed prints a list that reproduces it:

    ("set", key, value)           give widget `key` a value (text, option, number, flag)
    ("click", key)                press a button
    ("teacher",)                  teacher mode on, run, off again: every control must come back
    ("visit", page)               go to another page and back: every control must come back
    ("empty", key)                empty a text box, run, type its text again: nothing else changes

After every step: no exception on the page, and every control shows the value the page used.
After the three round trips: every widget the page drew before shows the value it had.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import element_tree


# AppTest's selects, select sliders, segmented controls and pills know their options only as
# displayed text, and their set_value wants the underlying value. The monkey picks displayed
# options, so a widget it set sends that text as its state, exactly as the browser does.
def _sends_displayed_choice(widget_class, field: str) -> None:
    original = widget_class._widget_state

    def state(self):
        chosen = getattr(self, "monkey_choice", None)
        if chosen is None:
            return original.fget(self)
        ws = WidgetState()
        ws.id = self.id
        if field == "string_value":
            ws.string_value = chosen[0]
        else:
            getattr(ws, field).data[:] = chosen
        return ws

    widget_class._widget_state = property(state)


_sends_displayed_choice(element_tree.Selectbox, "string_value")
_sends_displayed_choice(element_tree.SelectSlider, "string_array_value")
_sends_displayed_choice(element_tree.ButtonGroup, "string_array_value")

HOSTILE_TEXTS = (
    "",
    " ",
    "the movie was not good",
    "the movie was good",
    "not",
    "zzqx blorf wibble",
    "<script>alert(1)</script> **bold** _x_ $x^2$ [link](http://x)",
    "😀🎬👍 the film 💔",
    "\x00\x07\x1b[31m red \u202e reversed \u200b",
    "i did not think the plot was bad, but the acting was awful",
    "word " * 400,
    "a" * 5000,
)
PAGES = (
    "pages/lesson.py",
    "pages/explore.py",
    "pages/word_order.py",
    "pages/negation_lab.py",
    "pages/units.py",
    "pages/train.py",
    "pages/inside_the_cell.py",
    "pages/why_gates.py",
    "pages/layers.py",
    "pages/batches.py",
)
TEACHER_KEY = "rnnviz_teacher"
STORE_KEY = "rnnviz_state"  # rnnviz.ui.state.STORE_KEY: the values the pages used
KINDS = (
    "text_input",
    "text_area",
    "selectbox",
    "multiselect",
    "radio",
    "checkbox",
    "toggle",
    "slider",
    "select_slider",
    "number_input",
    "segmented_control",
    "pills",
    "button",
)
# Widgets the monkey leaves alone: the teacher switch has its own round trip, and buttons that
# start minutes of background work would only make the run slow.
SKIPPED_KEYS = frozenset({TEACHER_KEY})
SKIPPED_LABELS = frozenset({"Start", "Race: RNN vs GRU vs LSTM", "Run the experiment", "Play"})


@dataclass
class Report:
    """What one monkey run did, for the failure message."""

    page: str
    teacher: bool
    seed: int
    actions: list[tuple] = field(default_factory=list)

    def __str__(self) -> str:
        steps = "\n".join(f"  {i:3d}. {action!r}" for i, action in enumerate(self.actions))
        return f"page {self.page}, teacher={self.teacher}, seed {self.seed}; actions:\n{steps}"


def widgets(at) -> list:
    """The keyed, enabled widgets the last run drew (main area and sidebar)."""
    found = []
    for kind in KINDS:
        for element in at.get(kind):
            key = getattr(element, "key", None)
            enabled = not getattr(element, "disabled", False)
            if (
                key
                and key not in SKIPPED_KEYS
                and enabled
                and getattr(element, "label", None) not in SKIPPED_LABELS
            ):
                found.append(element)
    return found


def snapshot(at) -> dict[str, object]:
    """key -> displayed value of every keyed widget except buttons (they have no value to keep)."""
    values = {}
    for kind in KINDS:
        if kind == "button":
            continue
        for element in at.get(kind):
            key = getattr(element, "key", None)
            if key and key != TEACHER_KEY:
                value = element.value
                values[key] = list(value) if isinstance(value, (list, tuple)) else value
    return values


def random_value(element, rng: random.Random) -> object | None:
    """A value a student could give this widget, or None when it has nothing to choose."""
    kind = element.type
    if kind in ("text_input", "text_area"):
        return rng.choice(HOSTILE_TEXTS)
    if kind in ("checkbox", "toggle"):
        return not element.value
    if kind in ("selectbox", "select_slider"):
        options = list(element.options)
        return [rng.choice(options)] if options else None
    if kind == "radio":
        options = list(element.options)
        return rng.choice(options) if options else None
    if kind == "multiselect":
        options = list(element.options)
        return rng.sample(options, rng.randint(0, min(3, len(options)))) if options else None
    if kind in ("button_group", "segmented_control", "pills"):
        options = [option.content for option in element.proto.options]
        return [rng.choice(options)] if options else None
    if kind in ("slider", "number_input"):
        low, high = element.min, element.max
        if low is None or high is None:
            return None
        if isinstance(low, float) or isinstance(high, float):
            return round(rng.uniform(low, high), 4)
        return rng.randint(int(low), int(high))
    return None


def apply(at, action: tuple) -> None:
    """Carry out one action on an AppTest and run it."""
    verb = action[0]
    if verb == "set":
        _, key, value = action
        element = at.get_by_key(key) if hasattr(at, "get_by_key") else None
        element = element or find(at, key)
        if element is None:
            return
        if element.type in ("button_group", "selectbox", "select_slider"):
            element.monkey_choice = list(value)
            element._value = None  # the next run reads the page's own value back
        elif element.type in ("text_input", "text_area"):
            element.input(value)
        else:
            element.set_value(value)
        at.run()
    elif verb == "click":
        element = find(at, action[1])
        if element is not None:
            element.click().run()
    elif verb == "teacher":
        at.sidebar.toggle(key=TEACHER_KEY).set_value(True).run()
        at.sidebar.toggle(key=TEACHER_KEY).set_value(False).run()
    elif verb == "visit":
        here = action[2]
        at.switch_page(action[1]).run()
        at.switch_page(here).run()
    elif verb == "empty":
        element = find(at, action[1])
        if element is not None:
            text = element.value
            element.input("").run()
            again = find(at, action[1])
            if again is not None:
                again.input(text).run()
    else:
        raise ValueError(f"unknown action {action!r}")


def find(at, key: str):
    """The widget with `key` that the last run drew, or None."""
    for kind in KINDS:
        for element in at.get(kind):
            if getattr(element, "key", None) == key:
                return element
    return None


def choose(at, rng: random.Random, page: str) -> tuple:
    """The next action: mostly widget changes, now and then a round trip."""
    roll = rng.random()
    if roll < 0.08:
        return ("teacher",)
    if roll < 0.14:
        return ("visit", rng.choice([p for p in PAGES if p != page]), page)
    candidates = widgets(at)
    texts = [w for w in candidates if w.type in ("text_input", "text_area") and w.value]
    if roll < 0.20 and texts:
        return ("empty", rng.choice(texts).key)
    if not candidates:
        return ("teacher",)
    element = rng.choice(candidates)
    if element.type == "button":
        return ("click", element.key)
    value = random_value(element, rng)
    if value is None:
        return ("teacher",)
    return ("set", element.key, value)


def shown_differs_from_used(at) -> list[str]:
    """Controls whose widget shows another value than the one the page used (the value the
    state layer handed the page, rnnviz.ui.state)."""
    used = at.session_state[STORE_KEY] if STORE_KEY in at.session_state else {}  # noqa: SIM401 (no .get)
    wrong = []
    for key, shown in snapshot(at).items():
        if key in used:
            value = used[key]
            value = list(value) if isinstance(value, (list, tuple)) else value
            if value != shown:
                wrong.append(f"control {key!r} shows {shown!r} but the page used {value!r}")
    return wrong


def problems(at) -> list[str]:
    """What is wrong with the page as the last run left it: exceptions, tracebacks, and
    controls that show another value than the page used."""
    found = [f"exception: {e.value}" for e in at.exception] + shown_differs_from_used(at)
    for error in at.error:
        if "Traceback" in str(error.value):
            found.append(f"traceback shown: {str(error.value)[:200]}")
    return found


def round_trip_losses(before: dict, after: dict, action: tuple) -> list[str]:
    """Controls whose value a round trip changed or lost."""
    lost = []
    for key, value in before.items():
        if key not in after:
            lost.append(f"{action[0]}: control {key!r} ({value!r}) is gone")
        elif after[key] != value:
            lost.append(f"{action[0]}: control {key!r} changed {value!r} -> {after[key]!r}")
    return lost


def run_monkey(at, page: str, seed: int, steps: int, teacher: bool) -> Report:
    """Drive `at` (already on `page`) through `steps` random actions; raise AssertionError with
    the reproducing action list at the first problem."""
    rng = random.Random(f"{page}:{teacher}:{seed}")
    report = Report(page, teacher, seed)
    if teacher:
        at.sidebar.toggle(key=TEACHER_KEY).set_value(True).run()
    for _ in range(steps):
        action = choose(at, rng, page)
        report.actions.append(action)
        before = snapshot(at)
        if action[0] == "teacher" and teacher:
            action = ("teacher-off-on",)
            at.sidebar.toggle(key=TEACHER_KEY).set_value(False).run()
            at.sidebar.toggle(key=TEACHER_KEY).set_value(True).run()
        else:
            apply(at, action)
        found = problems(at)
        if action[0] in ("teacher", "teacher-off-on", "visit"):
            found += round_trip_losses(before, snapshot(at), action)
        elif action[0] == "empty":
            kept = {k: v for k, v in before.items() if k != action[1]}
            found += round_trip_losses(kept, snapshot(at), action)
        if found:
            raise AssertionError("\n".join(found) + "\n" + str(report))
    return report


def replay(at, actions: Iterable[tuple]) -> list[str]:
    """Apply a recorded action list; the problems found after the last one."""
    for action in actions:
        apply(at, action)
    return problems(at)
