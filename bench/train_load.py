"""Does one student's training slow another student's Explore page? Latency ratios on a real server.

Run: python -m bench.train_load [--rounds 7] [--blocks 2] [--nice 10]

One `streamlit run app.py` server and two Chromium sessions. Session A updates Explore with a
30-token sentence (as bench.explore does) `rounds` times per block; session B, between blocks,
starts or stops a training on the Train page (default settings with 20 epochs: an LSTM with 48
units on 5,000 grammar sentences). Blocks cycle through three conditions, `blocks` times:

  idle      nobody trains
  training  B trains and has gone to Explore (its session stays open, so the job goes on)
  watching  B trains and watches its Train page, which redraws its charts once a second

It also reports the server time of the Train page's polls (its fragment reruns).

For each update two times are recorded: how long the server ran the page script ("server",
measured inside the server process: a `sitecustomize` module, written to a temporary folder on
the server's PYTHONPATH for this bench only, times every ScriptRunner run), and the time from
pressing Enter until every chart shows the new sentence ("drawn"; it includes Chromium drawing
8 charts on the same two cores, which in a classroom happens on each student's own machine).
The ratios are the medians under load divided by the idle medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench.common import APP
from bench.explore import CHARTS_UPDATED, SENTENCES
from bench.server_runs import RunLog, timed_runs
from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import VIEWPORT, go_to_page, launch_chromium, wait_for_app
from rnnviz.tools.standins import standin_models_dir

PATIENCE = 120_000  # ms: pages on a machine busy with training need more than the tests' waits

_WATCH = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__rnnvizStateChanges = 0;
    window.__rnnvizServerDone = null;
    let ran = false;
    if (window.__rnnvizBench) window.__rnnvizBench.disconnect();
    window.__rnnvizBench = new MutationObserver(() => {
        window.__rnnvizStateChanges += 1;
        const state = app.getAttribute('data-test-script-state');
        if (state === 'running') ran = true;
        else if (ran && state === 'notRunning' && window.__rnnvizServerDone === null) {
            window.__rnnvizServerDone = performance.now();
        }
    });
    window.__rnnvizBench.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    window.__rnnvizStart = performance.now();
}"""


def explore_update(page, text: str, runs: RunLog, session: str | None) -> tuple[float, float]:
    """(server seconds, drawn seconds) of one Explore update to `text` by `session`."""
    runs.new_runs()
    box = page.get_by_role("textbox", name="Type a sentence and press Enter", exact=True)
    box.fill(text)
    page.evaluate(_WATCH)
    box.press("Enter")
    page.wait_for_function(CHARTS_UPDATED, arg=text.split()[-1], polling="raf", timeout=PATIENCE)
    page.wait_for_function("() => window.__rnnvizServerDone !== null", timeout=PATIENCE)
    drawn = page.evaluate("() => window.__rnnvizDone - window.__rnnvizStart") / 1000
    mine = [seconds for who, seconds, fragment in runs.new_runs() if not fragment and who == session]
    return (mine[-1] if mine else float("nan")), drawn


def start_training(page) -> None:
    """On the Train page, start 20 epochs and wait until the loss curve has a few points."""
    if "/train" not in page.url:
        go_to_page(page, "Train", PATIENCE)
    epochs = page.get_by_role("slider", name="Epochs")
    epochs.focus()
    epochs.press("End")  # 20 epochs: longer than any block
    page.wait_for_function("() => document.querySelector('input[aria-label=Epochs]').value === '20'")
    wait_for_app(page, PATIENCE)
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Training ·").first.wait_for(timeout=PATIENCE)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
            .some(p => p._fullData && p._fullData[0] && p._fullData[0].x.length > 5)""",
        timeout=PATIENCE,
    )


def stop_training(page) -> None:
    """On the Train page, stop the training, wait for its results, and reset the page."""
    if "/train" not in page.url:
        go_to_page(page, "Train", PATIENCE)
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Reset").and_(page.locator(":enabled")).wait_for(timeout=PATIENCE)
    page.get_by_text("How the trained model does").wait_for(timeout=PATIENCE)
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Press Start").first.wait_for(timeout=PATIENCE)


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="Explore updates per block")
    parser.add_argument("--blocks", type=int, default=2, help="times each condition is measured")
    parser.add_argument("--nice", type=int, default=None, help="RNNVIZ_TRAINING_NICE for the server")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    runs, env = timed_runs(Path(tempfile.mkdtemp(prefix="rnnviz-bench-")))
    if args.nice is not None:
        env["RNNVIZ_TRAINING_NICE"] = str(args.nice)
    times: dict[str, list[tuple[float, float]]] = {"idle": [], "training": [], "watching": []}
    with AppServer(APP, standin_models_dir(), env=env) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        pages = []
        for _ in range(2):
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(PATIENCE)
            page.goto(server.url)
            wait_for_app(page, PATIENCE)
            pages.append(page)
        explorer, trainer = pages
        go_to_page(trainer, "Train", PATIENCE)  # creates the server's job manager (and its warm-up) up front
        runs.new_runs()
        for _ in range(3):  # warm up Explore
            explore_update(explorer, SENTENCES[0], runs, None)
            explore_update(explorer, SENTENCES[1], runs, None)
        explore_update(explorer, SENTENCES[0], runs, None)
        with open(runs.path) as log:  # the explorer's session: the one that ran last, alone
            session = log.read().splitlines()[-1].split()[0]
        flip = 0  # the warm-up ended on SENTENCES[0]: the next update must change the text
        for block in range(args.blocks):
            for condition in times:
                if condition != "idle":
                    start_training(trainer)
                    if condition == "training":
                        go_to_page(trainer, "Explore", PATIENCE)
                for _ in range(args.rounds):
                    flip += 1
                    times[condition].append(explore_update(explorer, SENTENCES[flip % 2], runs, session))
                if condition != "idle":
                    stop_training(trainer)
                server_median = statistics.median(s for s, _ in times[condition][-args.rounds :])
                print(
                    f"block {block + 1}, {condition:9s} server median {server_median * 1e3:6.0f} ms",
                    flush=True,
                )
        browser.close()

    base = {i: statistics.median(t[i] for t in times["idle"]) for i in (0, 1)}
    print(f"\nExplore update, 30 tokens, medians of {args.rounds * args.blocks} updates per condition")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"training workers' niceness: {args.nice if args.nice is not None else 'default'}")
    for condition, values in times.items():
        server = statistics.median(s for s, _ in values)
        drawn = statistics.median(d for _, d in values)
        print(
            f"  {condition:9s} server {server * 1e3:6.0f} ms ({server / base[0]:.2f}x)   "
            f"drawn {drawn * 1e3:6.0f} ms ({drawn / base[1]:.2f}x)"
        )
    polls = [seconds for _, seconds, fragment in RunLog(runs.path).new_runs() if fragment]
    if polls:
        print(
            f"a watching student's page: {len(polls)} fragment reruns (progress and curves every second, "
            f"probe every 3 s), median {statistics.median(polls) * 1e3:.0f} ms of server time each"
        )
    print("goal: server ratio <= 2 while one student trains")


if __name__ == "__main__":
    main()
