"""Proves with axe-core (the npm package, injected into the real page in Chromium) that no page has a
serious or critical accessibility violation, in normal mode and in teacher mode, and that every
control on a page can be reached with the Tab key."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnviz.tools.browser import open_app

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = (
    "",
    "word_order",
    "negation_lab",
    "units",
    "train",
    "inside_the_cell",
    "why_gates",
    "layers",
    "batches",
)
# Teacher mode asks for projector contrast (7:1, WCAG's enhanced level) on top of the usual rules.
RULES = {False: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"], True: ["wcag2a", "wcag2aa", "wcag2aaa"]}


def _violations(page, teacher: bool) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        RULES[teacher],
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(node["target"])[:80] for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): {targets}")
    return found


@pytest.mark.parametrize("teacher", [False, True], ids=["normal", "teacher"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page, app_server, path, teacher):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: tests/run.sh installs axe-core with npm")
    open_app(page, app_server, path, {"teacher": "1"} if teacher else None)
    violations = _violations(page, teacher)
    assert not violations, f"{path or 'explore'} (teacher={teacher}):\n" + "\n".join(violations)


# A control: a text box, slider or button, except that a row of options (segmented control,
# pills) is one control whose options the arrow keys move between (one Tab stop, as ARIA asks).
CONTROLS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const found = new Set();
    main.querySelectorAll('input, textarea, button, [role="slider"]').forEach(el => {
        // tabindex -1: a part of another control that owns its keys (a select's open arrow, a
        // number box's steppers, a chip's remove cross), or a toolbar shown on hover
        if (el.disabled || el.offsetParent === null || el.type === 'file' || el.tabIndex < 0) return;
        if (el.closest('[data-testid="stElementToolbar"]')) return;  // a table's toolbar, on its focus
        found.add(el.closest('[data-testid="stButtonGroup"]') || el);
    });
    window.__rnnvizControls = [...found];
    return found.size;
}"""


@pytest.mark.parametrize("path", PAGES)
def test_every_control_is_reachable_by_keyboard(page, app_server, path):
    open_app(page, app_server, path)
    controls = page.evaluate(CONTROLS)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached = set()
    for _ in range(2 * controls + 40):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                """() => { const el = document.activeElement;
                    if (!el) return null;
                    const control = el.closest('[data-testid="stButtonGroup"]') || el;
                    const index = window.__rnnvizControls.indexOf(control);
                    return index >= 0 ? index : null; }"""
            )
        )
    reached.discard(None)
    missing = page.evaluate(
        "(reached) => window.__rnnvizControls.map((el, i) => reached.includes(i) ? null "
        ": (el.getAttribute('aria-label') || el.innerText || el.tagName).slice(0, 40)).filter(x => x)",
        sorted(reached),
    )
    assert not missing, f"Tab never reaches {missing} on {path or 'explore'}"
