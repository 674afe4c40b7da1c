"""Proves in a real Chromium, with seeded random clicking on every page in normal and teacher mode,
that no action shows an exception and that teacher mode and page visits give back every control
exactly as the browser showed it (the bugs AppTest cannot see: the browser's own widget state)."""

from __future__ import annotations

import os
import random

import pytest

from rnnviz.tools.browser import go_to_page, open_app, open_sidebar, rerun_after
from tests.e2e.helpers import exceptions_on_page

pytestmark = pytest.mark.e2e

STEPS = int(os.environ.get("RNNVIZ_BROWSER_MONKEY_STEPS", "4"))  # per page and mode (CI budget)
PAGES = {  # menu title -> path
    "Lesson": "lesson",
    "Explore": "",
    "Word order": "word_order",
    "Negation lab": "negation_lab",
    "Units": "units",
    "Train": "train",
    "Inside the cell": "inside_the_cell",
    "Why gates": "why_gates",
    "Layers & directions": "layers",
    "Padding & packing": "batches",
}
TEXTS = ("the movie was not good", "", "zzqx blorf", "<b>bold</b> **x** 😀", "i did not think it was bad")
SKIPPED_BUTTONS = ("Start", "Race", "Train the three cells", "Play", "Pause", "Stop", "Reset", "Resume")

# Every control in the main area, by kind and label (and a counter for repeated labels) -> what
# the browser shows in it.
SNAPSHOT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const out = {};
    const label = el => (el.querySelector('[data-testid="stWidgetLabel"]')?.innerText || '').trim();
    const put = (kind, el, value) => {
        let i = 0;
        while (`${kind}:${label(el)}#${i}` in out) i++;
        out[`${kind}:${label(el)}#${i}`] = value;
    };
    const each = (id, f) => main.querySelectorAll(`[data-testid="${id}"]`).forEach(f);
    each('stTextInput', el => put('text', el, el.querySelector('input').value));
    each('stTextArea', el => put('area', el, el.querySelector('textarea').value));
    each('stNumberInput', el => put('number', el, el.querySelector('input').value));
    each('stSelectbox', el => put('select', el, (el.querySelector('[data-baseweb="select"]') || el)
        .innerText.replace(label(el), '').trim()));
    each('stButtonGroup', el => put('group', el, [...el.querySelectorAll('button')]
        .filter(b => (b.getAttribute('data-testid') || '').endsWith('Active'))
        .map(b => b.innerText.trim()).join('|')));
    each('stSlider', el => put('slider', el, [...el.querySelectorAll('[role="slider"]')]
        .map(s => s.getAttribute('aria-valuenow')).join('|')));
    each('stCheckbox', el => put('check', el, !!el.querySelector('input')?.checked));
    return out;
}"""


def _snapshot(page) -> dict:
    return page.evaluate(SNAPSHOT)


def _main(page):
    return page.get_by_test_id("stMain")


def _candidates(page) -> list[tuple[str, object]]:
    """(kind, locator) of every enabled control a student could change now."""
    main = _main(page)
    found = []
    for box in main.locator('[data-testid="stTextInput"] input:not([disabled])').all():
        found.append(("text", box))
    for box in main.locator('[data-testid="stTextArea"] textarea:not([disabled])').all():
        found.append(("area", box))
    for button in main.locator('[data-testid="stButtonGroup"] button:not([disabled])').all():
        testid = button.get_attribute("data-testid") or ""
        if not testid.endswith("Active"):
            found.append(("click", button))
    for switch in main.locator('[data-testid="stCheckbox"] label').all():
        if switch.locator("input:not([disabled])").count():
            found.append(("click", switch))
    return [(kind, each) for kind, each in found if each.is_visible()]  # not inside a folded expander


def _teacher(page):
    """The Teacher mode switch, with the sidebar opened first (teacher mode folds it away)."""
    open_sidebar(page)
    return page.get_by_test_id("stSidebar").get_by_role("switch", name="Teacher mode")


def _act(page, rng: random.Random, title: str) -> tuple[str, str]:
    """One random action; returns (what, detail) for the report."""
    roll = rng.random()
    if roll < 0.15:
        before = _teacher(page).is_checked()

        def flip():  # the label takes the click; turning teacher mode on folds the sidebar again
            _teacher(page).locator("xpath=ancestor::label[1]").click()

        rerun_after(page, flip)
        rerun_after(page, flip)
        assert _teacher(page).is_checked() == before
        return ("teacher", "")
    if roll < 0.30:
        other = rng.choice([t for t in PAGES if t != title])
        go_to_page(page, other)
        go_to_page(page, title)
        return ("visit", other)
    candidates = _candidates(page)
    if not candidates:
        return ("none", "")
    kind, target = rng.choice(candidates)
    if kind in ("text", "area"):
        current = target.input_value()
        text = rng.choice([t for t in TEXTS if t != current])
        target.fill(text)
        key = "Control+Enter" if kind == "area" else "Enter"
        rerun_after(page, lambda: target.press(key), timeout=60_000)
        return (kind, text)
    label = target.inner_text().strip()[:40]
    rerun_after(page, target.click, timeout=60_000)
    return ("click", label)


@pytest.mark.parametrize("teacher", [False, True], ids=["normal", "teacher"])
@pytest.mark.parametrize("title", list(PAGES))
def test_random_clicks_never_crash_or_lose_a_setting(page, app_server, title, teacher):
    rng = random.Random(f"{title}:{teacher}")
    open_app(page, app_server, PAGES[title], {"teacher": "1"} if teacher else None)
    done = []
    for _ in range(STEPS):
        before = _snapshot(page)
        action = _act(page, rng, title)
        done.append(action)
        report = f"{title}, teacher={teacher}, actions: {done}"
        assert not exceptions_on_page(page), report
        if action[0] in ("teacher", "visit"):
            after = _snapshot(page)
            changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
            assert not changed, f"{changed} after {action}; {report}"
