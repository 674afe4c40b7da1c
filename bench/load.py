"""A classroom on one server: update latency of many students at once, against one student alone.

Run: python -m bench.load [--students 10] [--updates 6] [--standin] [--no-training | --trainer-away] [--wire]

One `streamlit run app.py` server (the shipped models unless --standin) and one headless
Chromium with a context (a separate browser profile: its own session) per student. Each student
alternates between Explore (a new 30-word sentence, Enter) and the Negation lab (a new sentence
B, Enter), `updates` times, looking at the page for 2 to 6 s (`--pause`) between updates. Every
sentence is new to the server, so no student profits from another's cached results.

1. alone: one student, nobody training; the reference.
2. class: `students` students at once, all starting together, while one more session trains
   on the Train page (default settings with 20,000 sentences and 20 epochs, so that the training,
   in a worker process of its own, outlasts the class phase; the bench prints whether it did).
   With --no-training nobody trains: what the class alone costs. With --trainer-away the training
   session goes to Explore once its training runs (it stays connected, so the training goes on,
   and no page polls it): what the training costs without anyone watching it.

In a classroom every student's browser runs on the student's own machine; here they share the
server's two cores. So Chromium runs at the lowest priority (`nice -n 19`), leaving the server
the CPU first, as separate machines would. Two times per update:

  server  how long the server ran the page script (every script run, timed inside the server
          by a `sitecustomize` module on its PYTHONPATH, see bench.server_runs; the
          trainer's fragment polls are left out)
  drawn   from pressing Enter until the page shows the new sentence in its charts, nothing is
          stale and every chart has drawn (this includes the low-priority browser's work)

With --wire the students (alone and in the class) have no browser: each is a websocket session
that speaks Streamlit's own protocol (bench.wire), so the server runs the same page scripts but
nothing on the machine draws their charts, as when every student has a computer of their own
(the training session keeps its browser). "drawn" is then "answered": Enter until the server
has finished the run.

It prints medians, 95th percentiles and the ratios class/alone, every exception box or timeout,
and the server's resident memory with one session and with all of them (the difference over the
extra sessions is the memory per session).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import APP
from bench.server_runs import RunLog, timed_runs
from bench.wire import WireStudent, take_turns
from rnnviz.tools.appserver import AppServer
from rnnviz.tools.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from rnnviz.tools.standins import standin_models_dir

PATIENCE = 180_000  # ms: a class on two cores is slow, and a timeout is counted, not raised
BOXES = {"Explore": "Type a sentence and press Enter", "Negation lab": "Sentence B (press Enter)"}
WORDS = (
    "the movie was not good and the acting felt flat but the music was lovely although the story "
    "dragged on for far too long i did not think the ending worked yet my friends really enjoyed "
    "it and we laughed at the jokes during the second half of the film which surprised us all"
).split()

_READY = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(chart => chart.querySelector('.main-svg'));
}"""

# Done when the app is idle and a chart's axis shows the update's last word (a word no other
# update uses); the time is taken in the page, the start just before Enter.
_SHOWN = f"""(marker) => {{
    if (!({_READY})()) return false;
    const ticks = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .xtick text')];
    if (!ticks.some(tick => tick.textContent.includes(marker))) return false;
    window.__rnnvizDone = performance.now();
    return true;
}}"""

NICE_CHROMIUM = f"""#!/bin/sh
exec nice -n 19 {CHROMIUM} "$@"
"""


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def resident_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def new_sentence(student) -> tuple[str, str]:
    """A new 30-word sentence for `student` and its last word, which no other update uses."""
    student.updates += 1
    marker = f"s{student.number}u{student.updates}"
    return " ".join([*student.random.sample(WORDS, 29), marker]), marker


class Student:
    """One browser context on the app, doing timed updates."""

    def __init__(self, context, number: int, pause: tuple[float, float]) -> None:
        self.context, self.number, self.pause = context, number, pause
        self.random = random.Random(number)
        self.page = None
        self.showing = "Explore"  # the app opens on Explore
        self.updates = 0
        self.times: list[tuple[str, float]] = []  # (page, drawn s)
        self.failures: list[str] = []

    async def open(self, url: str) -> None:
        """Open the app in a new page and wait until it is drawn."""
        self.page = await self.context.new_page()
        self.page.set_default_timeout(PATIENCE)
        await self.page.goto(url)
        await self.page.wait_for_function(_READY, timeout=PATIENCE, polling=100)

    async def go_to(self, title: str) -> None:
        """Click `title` in the page menu and wait until that page is drawn."""
        page = self.page
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
        path = urlsplit(await link.get_attribute("href")).path
        await link.click()
        await page.wait_for_function("path => location.pathname === path", arg=path, timeout=PATIENCE)
        await page.get_by_role("textbox", name=BOXES[title], exact=True).wait_for(timeout=PATIENCE)
        await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)

    def sentence(self) -> tuple[str, str]:
        """A new 30-word sentence and its last word, which no other update uses."""
        return new_sentence(self)

    async def update(self, title: str) -> None:
        """One timed update on page `title`: a new sentence, Enter, until its charts show it."""
        page = self.page
        try:
            if self.showing != title:
                await self.go_to(title)
                self.showing = title
            box = page.get_by_role("textbox", name=BOXES[title], exact=True)
            text, marker = self.sentence()
            await box.fill(text)
            await page.evaluate("() => { window.__rnnvizStart = performance.now(); }")
            await box.press("Enter")
            await page.wait_for_function(_SHOWN, arg=marker, timeout=PATIENCE, polling=50)
            seconds = await page.evaluate("() => (window.__rnnvizDone - window.__rnnvizStart) / 1000")
            self.times.append((title, seconds))
        except Exception as error:  # a timeout is a result here, not a crash of the bench
            self.failures.append(f"student {self.number}, {title}: {type(error).__name__}: {error}"[:300])

    async def work(self, updates: int) -> None:
        """`updates` updates, Explore and the lab in turn, with a pause to read after each."""
        await take_turns(self, updates)
        boxes = await self.page.locator('[data-testid="stException"]').all_inner_texts()
        self.failures += [f"student {self.number}: exception box: {text[:200]}" for text in boxes]

    async def close(self) -> None:
        """Leave the app."""
        await self.context.close()


async def start_training(context, url: str):
    """A new session that starts 20 epochs of 20,000 sentences on the Train page and leaves them
    running; returns its page."""
    page = await context.new_page()
    page.set_default_timeout(PATIENCE)
    # A page's own address opens inside the router (rnnviz.ui.session.ensure_routed).
    await page.goto(f"{url}/train")
    await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)
    sentences = page.get_by_role("slider", name="Sentences")
    await sentences.focus()
    await sentences.press("End")  # the most sentences: longer than the bench
    await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)
    epochs = page.get_by_role("slider", name="Epochs")
    await epochs.focus()
    await epochs.press("End")  # 20 epochs: longer than the bench
    await page.wait_for_function("() => document.querySelector('input[aria-label=Epochs]').value === '20'")
    await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)
    await page.get_by_role("button", name="Start").click()
    await page.get_by_text("Training ·").first.wait_for(timeout=PATIENCE)
    return page


async def open_page(page, title: str) -> None:
    """Go to another page of the app through the sidebar menu (the session stays the same)."""
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)


async def training_progress(page) -> str:
    """The trainer's progress line now ("Training · epoch …"), or how it ended."""
    line = page.get_by_text("Training ·").first
    if await line.count():
        return (await line.inner_text()).strip()
    if await page.get_by_text("How the trained model does on held-out data").count():
        return "finished before the end (its results are on the page)"
    return "not training"


def summary(name: str, seconds: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) of `seconds`, printed on one line."""
    median, p95 = statistics.median(seconds), percentile(seconds, 0.95)
    print(f"  {name:28s} {len(seconds):4d}   median {median * 1e3:6.0f} ms   p95 {p95 * 1e3:6.0f} ms")
    return median, p95


def script_runs(runs: RunLog) -> list[float]:
    """Seconds of the page-script runs logged since the last call, without the trainer's
    polls: the runs of every session that ran no fragment."""
    new = runs.new_runs()
    polling = {session for session, _, fragment in new if fragment}
    return [seconds for session, seconds, _ in new if session not in polling]


async def run(args) -> None:
    """The whole bench: one student alone, then the class while one more session trains."""
    from playwright.async_api import async_playwright

    scratch = Path(tempfile.mkdtemp(prefix="rnnviz-load-"))
    chromium = scratch / "chromium"
    chromium.write_text(NICE_CHROMIUM)
    chromium.chmod(0o755)
    runs, env = timed_runs(scratch)
    models = standin_models_dir() if args.standin else None
    with AppServer(APP, models, env=env) as server:
        pid = server.process.pid
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
            )

            def context():
                return browser.new_context(viewport=VIEWPORT)

            async def student(number: int):
                if args.wire:
                    options = dict(boxes=BOXES, patience=PATIENCE / 1000, sentence=new_sentence)
                    return WireStudent(server.url, number, args.pause, options)
                return Student(await context(), number, args.pause)

            alone = await student(0)
            await alone.open(server.url)
            await alone.work(2)  # warm-up: imports, shipped models, first figures
            alone.times.clear()
            script_runs(runs)
            memory_one = resident_mb(pid)
            await alone.work(args.updates * 2)
            alone_server = script_runs(runs)
            await alone.close()

            trainer = None if args.no_training else await start_training(await context(), server.url)
            if trainer and args.trainer_away:
                await open_page(trainer, "Explore")
            students = [await student(number) for number in range(1, args.students + 1)]
            script_runs(runs)
            began = time.monotonic()
            await asyncio.gather(*(student.open(server.url) for student in students))
            await asyncio.gather(*(student.work(args.updates) for student in students))
            seconds = time.monotonic() - began
            class_server = script_runs(runs)
            if trainer and args.trainer_away:
                await open_page(trainer, "Train")
            training_at_end = await training_progress(trainer) if trainer else "nobody trained"
            memory_all = resident_mb(pid)
            await browser.close()

    print(f"\nserver: {'stand-in' if args.standin else 'shipped'} models; {os.cpu_count()} cores")
    print(
        f"class phase: {args.students} students x {args.updates} updates in {seconds:.0f} s, pauses "
        f"{args.pause[0]:g}-{args.pause[1]:g} s, {'no' if args.no_training else 'one more'} session "
        f"training; {'students without a browser (--wire), ' if args.wire else ''}Chromium at nice 19"
    )
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"the training at the end of the class phase: {training_at_end}")
    everyone = [t for student in students for t in student.times]
    print("server time of each page-script run:")
    server_alone = summary("alone", alone_server)
    server_class = summary("class", class_server)
    print("answered (Enter to the run's end), per update:" if args.wire else "drawn, per update:")
    drawn_alone = summary("alone", [t for _, t in alone.times])
    drawn_class = summary("class", [t for _, t in everyone])
    for title in ("Explore", "Negation lab"):
        summary(f"alone, {title}", [t for page, t in alone.times if page == title])
        summary(f"class, {title}", [t for page, t in everyone if page == title])
    # Every student presses Enter the first time at the same moment (as when the teacher says
    # "now type it"); after that, their pauses spread them out.
    summary("class, first (together)", [student.times[0][1] for student in students if student.times])
    summary("class, later", [t for student in students for _, t in student.times[1:]])
    print(
        f"ratios class/alone: server median {server_class[0] / server_alone[0]:.2f}x, "
        f"p95 {server_class[1] / server_alone[1]:.2f}x; {'answered' if args.wire else 'drawn'} median "
        f"{drawn_class[0] / drawn_alone[0]:.2f}x, "
        f"p95 {drawn_class[1] / drawn_alone[1]:.2f}x"
    )
    failures = [f for student in (alone, *students) for f in student.failures]
    print(f"errors and timeouts: {len(failures)}")
    for failure in failures:
        print("  " + failure)
    extra = args.students + (0 if args.no_training else 1)  # the students and the trainer
    print(
        f"server memory: {memory_one:.0f} MB with one session, {memory_all:.0f} MB with {extra + 1}; "
        f"{(memory_all - memory_one) / extra:.0f} MB per extra session"
    )
    print("goal: p95 <= 3x alone, no errors")


def main() -> None:
    """Measure and print the results (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument(
        "--updates", type=int, default=6, help="updates per student (Explore and Lab in turn)"
    )
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("MIN", "MAX"),
        help="seconds a student looks at the page between updates (uniform)",
    )
    parser.add_argument(
        "--standin", action="store_true", help="random stand-in models instead of the shipped ones"
    )
    parser.add_argument("--wire", action="store_true", help="students without a browser (bench.wire)")
    away = parser.add_mutually_exclusive_group()
    away.add_argument("--no-training", action="store_true", help="the class without a training")
    away.add_argument("--trainer-away", action="store_true", help="the training session on Explore")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
