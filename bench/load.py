"""A classroom on one server: update latency of many students at once, against one student alone.

Run: python -m bench.load [--students 10] [--updates 6] [--standin]

One `streamlit run app.py` server (the shipped models unless --standin) and one headless
Chromium with a context (a separate browser profile: its own session) per student. Each student
alternates between Explore (a new 30-word sentence, Enter) and the Negation lab (a new sentence
B, Enter), `updates` times, looking at the page for 2 to 6 s (`--pause`) between updates. Every
sentence is new to the server, so no student profits from another's cached results.

1. alone: one student, nobody training; the reference.
2. class: `students` students at once, all starting together, while one more session trains
   on the Train page (default settings with 20 epochs, as a student would).

Per update it records "answered", from pressing Enter until the server has finished the rerun
(what the browser sees of the server: queueing, the script, the messages) and "drawn", until no
element is stale and every chart has drawn (it includes Chromium laying out the page; on this
machine every student's browser shares the server's two cores, which in a classroom they do
not). It prints the medians and 95th percentiles of both and their ratios class/alone, any
exception box or timeout, and the server's resident memory with one session and with all of
them connected (the difference divided by the extra sessions is the memory per session).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from pathlib import Path

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, AppServer
from tests.pages_support import standin_models_dir

PATIENCE = 180_000  # ms: a class on two cores is slow, and a timeout is counted, not raised
EXPLORE_BOX = "Type a sentence and press Enter"
LAB_BOX = "Sentence B (press Enter)"
WORDS = (
    "the movie was not good and the acting felt flat but the music was lovely although the story "
    "dragged on for far too long i did not think the ending worked yet my friends really enjoyed "
    "it and we laughed at the jokes during the second half of the film which surprised us all"
).split()

# Times one update: its start, and when the server's rerun has finished (the app's script state
# has gone "running" and back). A mutation observer with a 10 ms poll as backup (Chromium
# sometimes delivers the observer nothing in a second browser context).
_WATCH = """() => {
    const state = () => document.querySelector('[data-testid="stApp"]')
        ?.getAttribute('data-test-script-state');
    let ran = false;
    window.__rnnvizServerDone = null;
    const check = () => {
        const now = state();
        if (now === 'running') ran = true;
        else if (ran && now === 'notRunning' && window.__rnnvizServerDone === null) {
            window.__rnnvizServerDone = performance.now();
        }
    };
    if (window.__rnnvizBench) window.__rnnvizBench.disconnect();
    clearInterval(window.__rnnvizBenchPoll);
    window.__rnnvizBench = new MutationObserver(check);
    const watched = {attributes: true, childList: true, subtree: true};
    window.__rnnvizBench.observe(document.documentElement, watched);
    window.__rnnvizBenchPoll = setInterval(check, 10);
    window.__rnnvizStart = performance.now();
}"""

_READY = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(chart => chart.querySelector('.main-svg'));
}"""

_DRAWN = f"""() => {{
    if (window.__rnnvizServerDone === null) return false;
    if (!({_READY})()) return false;
    window.__rnnvizDone = performance.now();
    return true;
}}"""


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


class Student:
    """One browser context on the app, doing timed updates."""

    def __init__(self, context, number: int, pause: tuple[float, float]) -> None:
        self.context, self.number, self.pause = context, number, pause
        self.random = random.Random(number)
        self.page = None
        self.showing = "Explore"  # the app opens on Explore
        self.times: list[tuple[str, float, float]] = []  # (page, answered s, drawn s)
        self.failures: list[str] = []

    async def open(self, url: str) -> None:
        self.page = await self.context.new_page()
        self.page.set_default_timeout(PATIENCE)
        await self.page.goto(url)
        await self.page.wait_for_function(_READY, timeout=PATIENCE, polling=100)

    async def go_to(self, title: str) -> None:
        page = self.page
        await page.evaluate(_WATCH)
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        await page.wait_for_function(_DRAWN, timeout=PATIENCE, polling=100)

    def sentence(self) -> str:
        words = self.random.sample(WORDS, 29)
        return " ".join([*words, f"s{self.number}u{len(self.times)}"])  # new to the server

    async def update(self, title: str, box_label: str) -> None:
        page = self.page
        try:
            if self.showing != title:
                await self.go_to(title)
                self.showing = title
            box = page.get_by_role("textbox", name=box_label, exact=True)
            await box.fill(self.sentence())
            await page.evaluate(_WATCH)
            await box.press("Enter")
            await page.wait_for_function(_DRAWN, timeout=PATIENCE, polling="raf")
            start, answered, drawn = await page.evaluate(
                "() => [window.__rnnvizStart, window.__rnnvizServerDone, window.__rnnvizDone]"
            )
            self.times.append((title, (answered - start) / 1000, (drawn - start) / 1000))
        except Exception as error:  # a timeout is a result here, not a crash of the bench
            self.failures.append(f"student {self.number}, {title}: {type(error).__name__}: {error}"[:300])

    async def work(self, updates: int) -> None:
        for index in range(updates):
            if index % 2:
                await self.update("Negation lab", LAB_BOX)
            else:
                await self.update("Explore", EXPLORE_BOX)
            await asyncio.sleep(self.random.uniform(*self.pause))  # reading the page
        boxes = await self.page.locator('[data-testid="stException"]').all_inner_texts()
        self.failures += [f"student {self.number}: exception box: {text[:200]}" for text in boxes]


async def start_training(context, url: str) -> None:
    page = await context.new_page()
    page.set_default_timeout(PATIENCE)
    await page.goto(f"{url}/train")
    await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)
    if not await page.get_by_role("slider", name="Epochs").count():  # opened without the router
        await page.goto(url)
        await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train").click()
    epochs = page.get_by_role("slider", name="Epochs")
    await epochs.focus()
    await epochs.press("End")  # 20 epochs: longer than the bench
    await page.wait_for_function("() => document.querySelector('input[aria-label=Epochs]').value === '20'")
    await page.wait_for_function(_READY, timeout=PATIENCE, polling=100)
    await page.get_by_role("button", name="Start").click()
    await page.get_by_text("Training ·").first.wait_for(timeout=PATIENCE)


def summary(name: str, times: list[tuple[str, float, float]]) -> dict[str, float]:
    answered = [a for _, a, _ in times]
    drawn = [d for _, _, d in times]
    result = {
        "answered median": statistics.median(answered),
        "answered p95": percentile(answered, 0.95),
        "drawn median": statistics.median(drawn),
        "drawn p95": percentile(drawn, 0.95),
    }
    cells = "   ".join(f"{key} {value * 1e3:6.0f} ms" for key, value in result.items())
    print(f"{name:6s} {len(times):3d} updates   {cells}", flush=True)
    return result


async def run(args) -> None:
    from playwright.async_api import async_playwright

    models = standin_models_dir() if args.standin else None
    with AppServer(models) as server:
        pid = server.process.pid
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )

            def context():
                return browser.new_context(viewport=VIEWPORT)

            alone = Student(await context(), 0, args.pause)
            await alone.open(server.url)
            await alone.work(2)  # warm-up: imports, shipped models, first figures
            alone.times.clear()
            memory_one = resident_mb(pid)
            await alone.work(args.updates * 2)
            await alone.context.close()

            await start_training(await context(), server.url)
            students = [
                Student(await context(), number, args.pause) for number in range(1, args.students + 1)
            ]
            began = time.monotonic()
            await asyncio.gather(*(student.open(server.url) for student in students))
            await asyncio.gather(*(student.work(args.updates) for student in students))
            seconds = time.monotonic() - began
            memory_all = resident_mb(pid)
            await browser.close()

    print(f"\nserver: {'stand-in' if args.standin else 'shipped'} models; {os.cpu_count()} cores")
    print(
        f"class phase: {args.students} students x {args.updates} updates in {seconds:.0f} s, pauses "
        f"{args.pause[0]:g}-{args.pause[1]:g} s, one more session training"
    )
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    base = summary("alone", alone.times)
    everyone = [t for student in students for t in student.times]
    loaded = summary("class", everyone)
    print("ratios class/alone: " + "   ".join(f"{key} {loaded[key] / base[key]:.2f}x" for key in base))
    for title in ("Explore", "Negation lab"):
        mine = [t for t in everyone if t[0] == title]
        alone_mine = [t for t in alone.times if t[0] == title]
        if mine and alone_mine:
            ratio = percentile([a for _, a, _ in mine], 0.95) / percentile(
                [a for _, a, _ in alone_mine], 0.95
            )
            print(f"  {title:12s} answered p95 ratio {ratio:.2f}x")
    failures = [f for student in (alone, *students) for f in student.failures]
    print(f"errors and timeouts: {len(failures)}")
    for failure in failures:
        print("  " + failure)
    extra = args.students + 1  # the students and the trainer
    print(
        f"server memory: {memory_one:.0f} MB with one session, {memory_all:.0f} MB with {extra + 1}; "
        f"{(memory_all - memory_one) / extra:.0f} MB per extra session"
    )
    print("goal: answered p95 <= 3x alone, no errors")


def main() -> None:
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
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
