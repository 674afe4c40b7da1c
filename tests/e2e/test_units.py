"""Proves the Units page in a real Chromium: the "forget gate 0 at “not”" example changes the
prediction from "not" on and not before, the match view lists phrases of its 5,000 sentences where
the ranked units are on, the unit map and the state trajectories draw, and Explore's
"What if unit N were off?" opens the Units page with that unit switched off. It also takes the
README's pictures of the unit map and the trajectories."""

import re

import pytest

from rnnviz.tools.browser import open_app, rerun_after
from tests.e2e.helpers import chart_titles, exceptions_on_page, screenshot

pytestmark = pytest.mark.e2e

LINES = """() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return Object.fromEntries(chart._fullData.map(trace => [trace.name, Array.from(trace.y)]));
}"""  # the before/after chart's lines, as plotly holds them: {name: [P after each word]}
INDEX_MS = 180_000  # the match view's first use reads 5,000 sentences (10-30 s; the machine is shared)


def _show_section(page, title: str) -> None:
    """Scroll the main area so that the subheader `title` is at the top of the window."""
    page.get_by_role("heading", name=title).evaluate("node => node.scrollIntoView({block: 'start'})")


def test_change_a_gate_map_the_units_follow_two_sentences_and_come_from_explore(page, app_server):
    open_app(page, app_server, "units")
    rerun_after(page, lambda: page.get_by_role("radio", name="forget gate 0 at “not”").click())
    lines = page.evaluate(LINES)
    changed, untouched = lines["changed"], lines["untouched"]  # "the movie was not good"
    assert changed[:3] == untouched[:3]  # nothing changes before "not"
    assert abs(changed[3] - untouched[3]) > 0.01, (changed, untouched)

    # The match view: the ranked units' phrases, from the index built on first use.
    _show_section(page, "Find the units behind a hypothesis")
    toggle = page.get_by_text(re.compile(r"^Find the phrases in [\d,]+\+ sentences"))
    rerun_after(page, toggle.click, INDEX_MS)
    phrases = page.locator("ol.rnnviz-matches > li")
    assert 1 <= phrases.count() <= 20
    assert page.get_by_text(re.compile(r"^The \d+ phrases where the mean")).count() == 1  # its caption

    titles = chart_titles(page)
    assert any(re.search(r"units in 6 clusters$", title) for title in titles), titles
    unit_map = page.get_by_test_id("stPlotlyChart").filter(has_text="clusters")
    assert unit_map.locator(".hm").count() == 1  # the heatmap layer drew
    _show_section(page, "All the units at once")
    screenshot(page, "units-map", readme="units-map.png", full_page=False)

    rerun_after(page, lambda: page.get_by_role("radio", name="State trajectories").click())
    paths = page.get_by_test_id("stPlotlyChart").filter(has_text="Two sentences' states")
    assert paths.locator(".scatterlayer .trace").count() >= 2  # A and B (and the boundary line)
    assert "view=paths" in page.url
    _show_section(page, "All the units at once")
    screenshot(page, "units-trajectories", readme="units-trajectories.png", full_page=False)
    assert not exceptions_on_page(page)

    open_app(page, app_server, "", {"sentence": "the movie was not good"})
    link = page.get_by_role("link", name=re.compile(r"What if unit \d+ were off at “not”"))
    unit = re.search(r"unit (\d+)", link.inner_text()).group(1)
    rerun_after(page, link.click)
    assert re.search(rf"/units\?.*units={unit}(&|$)", page.url), page.url
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text="Units (0–")
    assert [line for line in chosen.inner_text().splitlines()[1:] if line.strip()] == [unit]
    assert not exceptions_on_page(page)
