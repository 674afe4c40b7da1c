"""Answer time of the Negation lab page for two 30-token sentences: library work, whole page reruns
in AppTest, figure bytes, and (optionally) the browser from Enter to the last chart drawn.

Run: python -m bench.negation_lab [--rounds 9] [--browser-rounds 5] [--no-browser] [--visits 3]
     python -m bench.negation_lab --first-visit-only [--visits 3]    (section 0 alone)

Uses the shipped LSTM (models/lstm.safetensors) when it exists, else the stand-in of
bench/explore.py (1 layer × 128 units, embedding 128, vocabulary 10,000, random weights).

  0. first visit, whole script: in fresh processes, AppTest runs Explore (the app as a server has
               it after its first student), then the lab page's first run is timed: after the
               server's import warm-up (rnnviz.ui.warmup) and, apart, without it; and in this
               process, gate saturation as one padded batch against the per-sentence traces
  1. library:  what one new pair costs the page's code: two traces, the comparison, the
               contrast set's predictions and the default view's figures with their JSON;
               attributions (the "Why" tab's) apart
  2. AppTest:  the whole page script after typing a new sentence B (default tab), and after
               switching the quantity
  3. first:    the first visit of a model: captum's import, unit scores over the built-in
               pairs and gate saturation, each computed once per server and model
  4. browser:  Chromium against `streamlit run app.py`: Enter in sentence B -> every chart drawn,
               against the toy page (bench/toy_page.py) in another tab, in turns (goal: <= 4x)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.io as pio
import torch

from bench.common import APP, TOY_PAGE, app_test, enter_to_drawn, interleaved_ratio
from bench.explore import CHARTS_UPDATED, WORDS, models_dir
from rnnviz.analysis import compare as negation
from rnnviz.analysis.attribution import gate_saturation
from rnnviz.core import checkpoints
from rnnviz.core.models import Classifier
from rnnviz.core.text import tokenize
from rnnviz.core.threads import limit_torch_threads
from rnnviz.core.trace import embed_and_trace
from rnnviz.plots import pair as lab_plots
from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import VIEWPORT, go_to_page, launch_chromium, open_app
from rnnviz.ui import lab, warmup

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

PLAIN = [*(w for w in WORDS if w != "not"), "and", "very", "fun"]  # 30 tokens without a negator
NEGATED = WORDS[:30]  # 30 tokens, three of them "not"
TEXT_A, TEXT_B = " ".join(PLAIN), " ".join(NEGATED)
FILLERS = [w for w in dict.fromkeys(WORDS) if w != "not"]  # last words that make each B new


def new_b(round_: int) -> str:
    """Sentence B with its last word changed, so that nothing about it is cached."""
    return " ".join([*NEGATED[:29], FILLERS[round_ % len(FILLERS)]]) + " " * (round_ // len(FILLERS))


DEFAULT_VIEW_FIGURES = 3  # the first screen's prediction and the first tab's two charts


def page_figures(classifier: Classifier, text_b: str, scores, saturation, every_tab: bool = False) -> list:
    """The figures the page draws for a new pair with default controls (the first screen's
    prediction and the first tab's charts: rnnviz.ui.lab_view); with `every_tab`, also those of
    the other tabs, which are drawn only when the student opens them."""
    trace_a, trace_b = negation.trace_pair(classifier, TEXT_A, text_b, max_tokens=100)
    lab.pair_notes(trace_a, trace_b)
    lab.variant_rows(classifier, TEXT_A, 100)
    comparison = negation.compare(trace_a, trace_b, 0, "forward")
    hidden = comparison.quantities["hidden"]
    cell = trace_a.trace.cell_type
    figures = [
        lab_plots.pair_prediction_chart(comparison, 1),
        lab_plots.divergence_chart(comparison),
        lab_plots.pair_heatmaps(comparison, "hidden", cell, hidden.top(16)),
        # the other tabs: units that differ most, negation units across many pairs, why
        lab_plots.pair_unit_lines(comparison, "hidden", cell, hidden.top(3)),
        lab_plots.unit_score_chart(scores),
        lab_plots.pair_unit_lines(comparison, "hidden", cell, hidden.top(1)),
        lab_plots.saturation_chart(saturation, "forward"),
    ]
    return figures if every_tab else figures[:DEFAULT_VIEW_FIGURES]


def timed(run) -> float:
    """Seconds of one call of `run`."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def median_ms(times: list[float]) -> str:
    """The median of `times` in ms, with their range."""
    return (
        f"{statistics.median(times) * 1e3:7.0f} ms (min {min(times) * 1e3:.0f}, max {max(times) * 1e3:.0f})"
    )


def lab_app_test(folder: Path | None) -> AppTest:
    """An AppTest of the lab page with the benchmark's model."""
    at = app_test(folder, timeout=300)
    at.query_params.update({"a": TEXT_A, "b": TEXT_B})
    at.switch_page("pages/negation_lab.py")
    return at


def check(at) -> None:
    """Fail loudly if the AppTest run showed an exception."""
    assert not at.exception, [e.value for e in at.exception]


_DONE = """(last) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const finished = app.getAttribute('data-test-script-state') === 'notRunning';
    const stale = document.querySelector('[data-stale="true"]');
    if (!window.__rnnvizStateChanges || !finished || stale) return false;
    const chips = document.querySelectorAll('.rnnviz-tokens');
    const words = chips.length > 1 ? chips[1].querySelectorAll('bdi') : [];
    if (!words.length || words[words.length - 1].textContent !== last) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    if (charts.length < 3 || !charts.every(chart => chart.querySelector('.main-svg'))) return false;
    window.__rnnvizDone = performance.now();
    return true;
}"""


def browser_seconds(folder: Path | None, rounds: int) -> dict[str, list[float]]:
    """Seconds from pressing Enter in sentence B to every chart drawn with the new B, and from
    pressing Enter on the toy page (the same text) to its chart drawn: two tabs of one Chromium,
    each with its own server, taking turns round by round."""
    from playwright.sync_api import sync_playwright

    with (
        AppServer(APP, folder) as server,
        AppServer(TOY_PAGE, None) as toy,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        lab_page = browser.new_page(viewport=VIEWPORT)
        open_app(lab_page, server.url, query={"sentence": ""})
        go_to_page(lab_page, "Negation lab")
        toy_page = browser.new_page(viewport=VIEWPORT)
        open_app(toy_page, toy.url)
        tabs = {
            "Negation lab": (lab_page, "Sentence B (press Enter)", _DONE),
            "toy page": (toy_page, "Type a sentence and press Enter", CHARTS_UPDATED.replace("COUNT", "1")),
        }
        times: dict[str, list[float]] = {name: [] for name in tabs}
        for round_ in range(rounds + 1):  # round 0 warms both pages up and is not counted
            text = new_b(round_ + 100)
            for name in list(tabs)[round_ % 2 :] + list(tabs)[: round_ % 2]:  # each goes first in turn
                page, label, done = tabs[name]
                page.bring_to_front()
                box = page.get_by_role("textbox", name=label, exact=True)
                seconds = enter_to_drawn(page, box, [text], done, 120_000, warm_up=False)
                if round_:
                    times[name].extend(seconds)
        browser.close()
    return times


def first_visit_child(warmed: bool) -> None:
    """In a fresh process: Explore's first run, the warm-up if `warmed`, then print the seconds of
    the lab's first run and which of captum and pandas that run imported (one JSON line)."""
    limit_torch_threads()
    folder, _ = models_dir()
    at = app_test(folder, timeout=300)
    at.run()
    check(at)
    if warmed:
        warmup.warm()  # what a server's warm-up thread has done a few seconds after its first run
    before = {name for name in ("captum", "pandas") if name in sys.modules}
    at.switch_page("pages/negation_lab.py")
    seconds = timed(at.run)
    check(at)
    imported = sorted(name for name in ("captum", "pandas") if name in sys.modules and name not in before)
    print(json.dumps({"seconds": seconds, "imported": imported}))


def first_visit_seconds(warmed: bool) -> tuple[float, list[str]]:
    """`first_visit_child` in a fresh Python process: (seconds, modules the lab's run imported)."""
    command = [sys.executable, "-m", "bench.negation_lab", "--first-visit-child"]
    done = subprocess.run(
        [*command, *(["--warmed"] if warmed else [])],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["seconds"], found["imported"]


def saturation_per_sentence(classifier: Classifier) -> None:
    """Gate saturation's tracing as it was before batches: one exact trace per sentence."""
    with torch.inference_mode():
        for text in lab.saturation_sentences():
            ids = classifier.vocab.encode(tokenize(text)[:100])
            if ids:
                embed_and_trace(classifier, ids)


def first_visit(classifier: Classifier, visits: int) -> None:
    """Section 0 of the module's docstring, printed."""
    print("\nfirst visit of the lab, whole script in AppTest after Explore (fresh process each):")
    for warmed in (True, False):
        runs = [first_visit_seconds(warmed) for _ in range(visits)]
        imported = ", ".join(sorted({m for _, found in runs for m in found})) or "nothing heavy"
        what = "after the server's warm-up" if warmed else "without the warm-up   "
        print(f"  {what}  {median_ms([t for t, _ in runs])}  (imported {imported}; goal <= 1500 ms)")
    count = len(lab.saturation_sentences())
    ratio, batched, alone = interleaved_ratio(
        lambda: gate_saturation(classifier, lab.saturation_sentences()),
        lambda: saturation_per_sentence(classifier),
        rounds=5,
        calls=1,
    )
    print(
        f"  gate saturation, {count} sentences: one padded batch {batched * 1e3:.0f} ms, traced one by "
        f"one {alone * 1e3:.0f} ms: ratio {ratio:.2f}"
    )


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--browser-rounds", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--visits", type=int, default=3, help="fresh processes per first-visit figure")
    parser.add_argument("--first-visit-only", action="store_true")
    parser.add_argument("--first-visit-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warmed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_visit_child:
        first_visit_child(args.warmed)
        return

    limit_torch_threads()  # as app.py does
    folder, description = models_dir()
    classifier = checkpoints.load(Path(folder or checkpoints.MODELS_DIR) / checkpoints.SHIPPED["lstm"])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread; model: {description}")
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    first_visit(classifier, args.visits)
    if args.first_visit_only:
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    print(f"sentences: {len(PLAIN)} and {len(NEGATED)} tokens")

    pairs = lab.builtin_pair_texts()
    first = {
        "captum import + attributions of A and B": timed(
            lambda: [lab.attributions(classifier, t, 100) for t in (TEXT_A, TEXT_B)]
        ),
        f"unit scores, {len(pairs)} built-in pairs, hidden": timed(
            lambda: lab.unit_scores(classifier, pairs, 0, "forward", "hidden")
        ),
        f"gate saturation, {len(lab.saturation_sentences())} sentences": timed(
            lambda: lab.saturation(classifier)
        ),
    }
    scores = lab.unit_scores(classifier, pairs, 0, "forward", "hidden")
    saturation = lab.saturation(classifier)
    library = [
        timed(lambda r=r: page_figures(classifier, new_b(r), scores, saturation)) for r in range(args.rounds)
    ]
    with_json = [
        timed(
            lambda r=r: [
                pio.to_json(f, validate=False) for f in page_figures(classifier, new_b(r), scores, saturation)
            ]
        )
        for r in range(args.rounds)
    ]
    attributions = [
        timed(lambda r=r: [lab.attributions(classifier, t, 100) for t in (TEXT_A, new_b(r))])
        for r in range(args.rounds)
    ]
    steps = [lab.attributions(classifier, t, 100).n_steps for t in (TEXT_A, TEXT_B)]
    sizes = [
        len(pio.to_json(f, validate=False)) for f in page_figures(classifier, TEXT_B, scores, saturation)
    ]
    every_tab = page_figures(classifier, TEXT_B, scores, saturation, every_tab=True)
    every_tab_kb = sum(len(pio.to_json(f, validate=False)) for f in every_tab) / 1024

    at = lab_app_test(folder)
    cold = timed(at.run)
    check(at)
    new_sentence, cached = [], []
    for round_ in range(args.rounds):
        new_sentence.append(timed(at.text_input(key="lab_b").set_value(new_b(round_ + 50)).run))
        check(at)
        quantity = ("cell_state", "hidden")[round_ % 2]
        cached.append(timed(at.segmented_control(key="lab_quantity").set_value(quantity).run))
        check(at)

    print("\nfirst visit of a model (once per server and model):")
    for what, seconds in first.items():
        print(f"  {what:46} {seconds * 1e3:7.0f} ms")
    print(f"  whole page, first run in AppTest               {cold * 1e3:7.0f} ms")
    print(f"\nevery new pair (median of {args.rounds}):")
    print(f"  library: traces, comparison, variants, {len(sizes)} figures {median_ms(library)}")
    print(f"  the same + figure JSON                          {median_ms(with_json)}")
    print(f"  attributions of A and B ({steps} steps)         {median_ms(attributions)}")
    print(f"  whole page rerun in AppTest, new sentence B     {median_ms(new_sentence)}")
    print(f"  whole page rerun in AppTest, other quantity     {median_ms(cached)}  (scores cached)")
    total, largest = sum(sizes) / 1024, max(sizes) / 1024
    print(f"  figure JSON per update: {total:.0f} KB in {len(sizes)} figures (largest {largest:.0f} KB)")
    print(f"  (all four tabs: {every_tab_kb:.0f} KB in {len(every_tab)} figures)")
    if not args.no_browser:
        times = browser_seconds(folder, args.browser_rounds)
        ratios = [
            lab_s / toy_s for lab_s, toy_s in zip(times["Negation lab"], times["toy page"], strict=True)
        ]
        print(f"  browser, Enter in B -> every chart drawn       {median_ms(times['Negation lab'])}")
        print(f"  browser, toy page, Enter -> its chart drawn    {median_ms(times['toy page'])}")
        print(
            f"  Negation lab / toy page, median of {len(ratios)} rounds: {statistics.median(ratios):.2f} "
            f"(rounds {min(ratios):.2f}-{max(ratios):.2f}; goal <= 4)"
        )
    print(f"goal: under 1 s for a new pair -> {statistics.median(new_sentence) * 1e3:.0f} ms in AppTest")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
