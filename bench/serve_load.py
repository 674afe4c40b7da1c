"""A class through nginx: the load test of bench.load against `python -m rnnviz.tools.serve` with 1
and with 2 replicas, for 10 and 20 students, as ratios to one student alone in the same run; and a
fault run that kills a replica in the middle of the load and times its students' reconnection.

Run: python -m bench.serve_load [--classes 10 20] [--replicas 1 2] [--updates 6] [--standin]
     python -m bench.serve_load --quick          # small settings: a check that it runs (a few minutes)

For each replica count, one `serve` run (nginx on a free port, the replicas on loopback, a model
store in a temporary folder); in it:

1. alone: one student, nobody training (bench.load's student: Explore and the Negation lab in
   turn, a new 30-word sentence each time); the reference for this replica count.
2. one class per size in --classes: that many students at once while one more session trains on
   the Train page, as in bench.load; each class's sessions are closed before the next.

Every browser carries its own `rnnviz_store` cookie, chosen so the students alternate between the
replicas (what a large class's random cookies do on average; the spread is printed); nginx hashes
it to keep each on its replica. Chromium runs at nice 19 so the server gets the CPU first (see
bench.load). "server" times every page-script run inside the replicas (bench.server_runs),
"drawn" is Enter until the charts show the new sentence.

3. fault (--fault, on by default with 2 or more replicas): a class of --fault-students with 2
   replicas; --kill-after seconds into the load one replica is killed (SIGKILL). For each student
   who was on it: the seconds from the kill until the page opened a new websocket (through nginx,
   to the live replica) and until the one-time notice (rnnviz.ui.reconnect) showed, which needs
   the student's next update, since Streamlit reruns an idle page only then; for the students on
   the live replica, that none of them reconnected or got a notice. serve starts the killed
   replica again, as it would in class.

Two cores cap what this shows: on this machine both replicas share the same two cores, so a
second replica adds isolation (a stuck run blocks half the class, not all of it) and parallel
script runs only as far as the cores allow. The sizing rule needs this bench on the class's own
server (README, Serving a class).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import NICE_CHROMIUM, Student, resident_mb, script_runs, start_training, summary
from bench.server_runs import RunLog, timed_runs
from rnnviz.tools.appserver import free_port
from rnnviz.tools.browser import CHROMIUM_ARGS, VIEWPORT
from rnnviz.tools.standins import standin_models_dir
from rnnviz.training.store import new_token
from rnnviz.ui.reconnect import notice_text
from rnnviz.ui.token_cookie import COOKIE

ROOT = Path(__file__).resolve().parent.parent
NOTICE = notice_text(0)[:40]  # the notice's first words (rnnviz.ui.reconnect)
START_SECONDS = 180  # for serve to start its replicas and nginx on a loaded machine


@dataclass
class Served:
    """One `python -m rnnviz.tools.serve` run of this bench."""

    process: subprocess.Popen
    run_dir: Path
    url: str
    replicas: list[dict]  # serve.json's: url, port, pid
    runs: RunLog
    tokens: dict[str, list[str]] = field(default_factory=dict)  # replica address -> unused tokens

    def replica_of(self, token: str) -> str:
        """HOST:PORT of the replica nginx sends this browser's cookie to."""
        request = urllib.request.Request(self.url + "/", headers={"Cookie": f"{COOKIE}={token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.headers["X-Rnnviz-Replica"]

    def token_for(self, index: int) -> tuple[str, str]:
        """A fresh browser token that lands on replica `index % replicas`, and that replica."""
        address = self.replicas[index % len(self.replicas)]["url"].removeprefix("http://")
        waiting = self.tokens.setdefault(address, [])
        while not waiting:
            token = new_token()
            self.tokens.setdefault(self.replica_of(token), []).append(token)
        return waiting.pop(), address

    def memory_mb(self) -> float:
        """Resident memory of every replica, together (MB)."""
        return sum(resident_mb(replica["pid"]) for replica in self.replicas)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(replicas: int, scratch: Path, standin: bool, name: str) -> Served:
    """Start `serve --replicas N` on a free port, its replicas timing their script runs; its files
    in `scratch/name`."""
    run_dir = scratch / name
    run_dir.mkdir()
    runs, timing = timed_runs(run_dir)
    env = {
        **os.environ,
        **timing,
        "RNNVIZ_MODEL_STORE": str(run_dir / "store"),
        "RNNVIZ_TRAINING_ABANDON_SECONDS": "3",  # a closed class's trainer frees its slot soon
    }
    if standin:
        env["RNNVIZ_MODELS_DIR"] = str(standin_models_dir())
    command = [sys.executable, "-m", "rnnviz.tools.serve", "--replicas", str(replicas)]
    command += ["--host", "127.0.0.1", "--port", str(free_port()), "--run-dir", str(run_dir)]
    command += ["--app", str(ROOT / "asgi.py")]
    log = open(run_dir / "serve.out", "wb")  # noqa: SIM115 - open as long as serve runs
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_SECONDS
    while not (run_dir / "serve.json").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"serve did not start:\n{(run_dir / 'serve.out').read_text()[-3000:]}")
        time.sleep(0.3)
    state = json.loads((run_dir / "serve.json").read_text())
    return Served(process, run_dir, state["url"], state["replicas"], runs)


class Browser:
    """The low-priority Chromium all sessions of one serve run share, a context per student."""

    def __init__(self, browser, served: Served) -> None:
        self.browser, self.served = browser, served

    async def context(self, index: int):
        """A new browser profile whose cookie lands on replica `index % replicas`."""
        return (await self.placed(index))[0]

    async def placed(self, index: int):
        """`context(index)` and the HOST:PORT of the replica its cookie lands on."""
        token, address = self.served.token_for(index)
        context = await self.browser.new_context(viewport=VIEWPORT)
        await context.add_cookies([{"name": COOKIE, "value": token, "url": self.served.url}])
        return context, address


def measured(name: str, seconds: list[float]) -> tuple[float, float]:
    """bench.load's summary line; (nan, nan) and a line saying so when nothing was measured."""
    if not seconds:
        print(f"  {name:28s}    0   (nothing measured: see the errors)")
        return math.nan, math.nan
    return summary(name, seconds)


def ratios(name: str, alone: tuple[float, float], crowd: tuple[float, float]) -> str:
    return f"{name} median {crowd[0] / alone[0]:.2f}x, p95 {crowd[1] / alone[1]:.2f}x"


async def one_serve_run(args, playwright, chromium: Path, replicas: int, scratch: Path) -> None:
    """Alone, then each class size, on one `serve --replicas N`."""
    served = serve(replicas, scratch, args.standin, f"serve-{replicas}")
    try:
        browser = Browser(
            await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
            ),
            served,
        )
        # Warm-up of every replica: imports, models, first figures; not measured.
        warmers = [Student(await browser.context(r), 1000 + r, args.pause) for r in range(replicas)]
        await asyncio.gather(*(warmer.open(served.url) for warmer in warmers))
        await asyncio.gather(*(warmer.work(2) for warmer in warmers))
        for warmer in warmers:
            await warmer.context.close()
        alone = Student(await browser.context(0), 0, args.pause)
        await alone.open(served.url)
        script_runs(served.runs)
        memory_one = served.memory_mb()
        await alone.work(args.updates * 2)
        alone_server = script_runs(served.runs)
        await alone.context.close()
        print(
            f"\n=== {replicas} replica(s) behind nginx ({'stand-in' if args.standin else 'shipped'} models)"
        )
        print("alone (one student, nobody training):")
        server_alone = measured("server", alone_server)
        drawn_alone = measured("drawn", [t for _, t in alone.times])
        for size in args.classes:
            trainer = await browser.context(replicas - 1)
            await start_training(trainer, served.url)
            students = [Student(await browser.context(n), n, args.pause) for n in range(1, size + 1)]
            spread = [sum(1 for n in range(1, size + 1) if n % replicas == r) for r in range(replicas)]
            script_runs(served.runs)
            began = time.monotonic()
            await asyncio.gather(*(student.open(served.url) for student in students))
            await asyncio.gather(*(student.work(args.updates) for student in students))
            seconds = time.monotonic() - began
            class_server = script_runs(served.runs)
            memory_all = served.memory_mb()
            everyone = [t for student in students for _, t in student.times]
            print(
                f"class of {size} (+1 training), students per replica {spread}, "
                f"{args.updates} updates each in {seconds:.0f} s:"
            )
            server_class = measured("server", class_server)
            drawn_class = measured("drawn", everyone)
            print(
                f"  ratios to alone: {ratios('server', server_alone, server_class)}; "
                f"{ratios('drawn', drawn_alone, drawn_class)}"
            )
            failures = [f for student in students for f in student.failures]
            print(f"  errors and timeouts: {len(failures)}")
            for failure in failures:
                print("    " + failure)
            print(
                f"  replicas' memory: {memory_one:.0f} MB after the warm-up, {memory_all:.0f} MB "
                f"with the class"
            )
            for student in students:
                await student.context.close()
            await trainer.close()
        await browser.browser.close()
    finally:
        served.stop()


async def fault_run(args, playwright, chromium: Path, scratch: Path) -> None:
    """A class on 2 replicas; one replica is killed during the load (see the module docstring)."""
    served = serve(2, scratch, args.standin, "fault")
    try:
        browser = Browser(
            await playwright.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
            ),
            served,
        )
        students, homes = [], []
        for n in range(args.fault_students):  # alternating between the replicas, as above
            context, home = await browser.placed(n)
            students.append(Student(context, n, args.pause))
            homes.append(home)
        victim = served.replicas[0]
        victim_address = victim["url"].removeprefix("http://")
        await asyncio.gather(*(student.open(served.url) for student in students))
        await asyncio.gather(*(student.work(1) for student in students))  # warm-up of both replicas
        for student in students:
            student.times.clear()
        sockets: dict[int, list[float]] = {n: [] for n in range(len(students))}
        notices: dict[int, float] = {}
        for n, student in enumerate(students):
            student.page.on("websocket", lambda _socket, n=n: sockets[n].append(time.monotonic()))

        async def kill_later() -> float:
            await asyncio.sleep(args.kill_after)
            os.kill(victim["pid"], signal.SIGKILL)
            return time.monotonic()

        async def watch_notice(n: int, student: Student) -> None:
            toast = student.page.get_by_test_id("stToast").filter(has_text=NOTICE)
            try:
                await toast.wait_for(timeout=(args.kill_after + 600) * 1000)
                notices[n] = time.monotonic()
            except Exception:  # no notice: recorded as none
                return

        watchers = [asyncio.create_task(watch_notice(n, s)) for n, s in enumerate(students)]
        killer = asyncio.create_task(kill_later())
        began = time.monotonic()
        await asyncio.gather(*(student.work(args.updates) for student in students))
        if not killer.done():
            print("warning: the load ended before the kill; raise --updates or lower --kill-after")
        killed = await killer
        await asyncio.sleep(2)  # a notice drawn by the last update
        for watcher in watchers:
            watcher.cancel()
        print(
            f"\n=== fault: {len(students)} students on 2 replicas, replica {victim_address} killed "
            f"{killed - began:.0f} s into the load, {args.updates} updates each"
        )
        moved = [n for n in range(len(students)) if homes[n] == victim_address]
        stayed = [n for n in range(len(students)) if homes[n] != victim_address]
        reopened = [min(t for t in sockets[n] if t >= killed) - killed for n in moved if sockets[n]]
        told = [notices[n] - killed for n in moved if n in notices]
        print(f"students on the killed replica: {len(moved)}")
        if reopened:
            print(f"  websocket reopened (kill -> new websocket): {_seconds(reopened)}")
        print(f"  did not reconnect: {len(moved) - len(reopened)}")
        if told:
            print(f"  notice shown (kill -> toast, at their next update): {_seconds(told)}")
        print(f"  no notice: {len(moved) - len(told)}")
        print(
            f"students on the live replica: {len(stayed)}; reconnected: "
            f"{sum(1 for n in stayed if sockets[n])}, notified: {sum(1 for n in stayed if n in notices)}"
        )
        failures = [f for student in students for f in student.failures]
        print(f"errors and timeouts: {len(failures)}")
        for failure in failures:
            print("  " + failure)
        print("goal: the killed replica's students reconnect within 10 s; nobody on the live one notices")
        await browser.browser.close()
    finally:
        served.stop()


def _seconds(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {ordered[len(ordered) // 2]:.1f} s, max {ordered[-1]:.1f} s (n={len(ordered)})"


async def run(args) -> None:
    from playwright.async_api import async_playwright

    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("nginx is not installed: apt-get install nginx")
    scratch = Path(tempfile.mkdtemp(prefix="rnnviz-serve-load-"))
    chromium = scratch / "chromium"
    chromium.write_text(NICE_CHROMIUM)
    chromium.chmod(0o755)
    print(
        f"{os.cpu_count()} cores; load average at the start {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    async with async_playwright() as playwright:
        for replicas in args.replicas:
            await one_serve_run(args, playwright, chromium, replicas, scratch)
        if args.fault:
            await fault_run(args, playwright, chromium, scratch)
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    shutil.rmtree(scratch, ignore_errors=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2], help="replica counts to measure")
    parser.add_argument("--classes", type=int, nargs="+", default=[10, 20], help="class sizes")
    parser.add_argument("--updates", type=int, default=6, help="updates per student")
    parser.add_argument("--pause", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN", "MAX"))
    parser.add_argument("--standin", action="store_true", help="stand-in models, not the shipped ones")
    parser.add_argument("--no-fault", dest="fault", action="store_false", help="skip the fault run")
    parser.add_argument("--fault-students", type=int, default=10)
    parser.add_argument("--kill-after", type=float, default=20.0, help="seconds into the fault run's load")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a check, not a measurement: stand-ins, classes of 2, 4 students in the fault run, 2 updates",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.classes, args.updates, args.pause, args.standin = [2], 2, (0.5, 1.0), True
        args.fault_students, args.kill_after = 4, 8.0
    if min(args.replicas) < 1 or min(args.classes) < 1 or args.fault_students < 2:
        parser.error("replicas and classes must be at least 1, --fault-students at least 2")
    return args


def main(argv: list[str] | None = None) -> None:
    """Measure and print the results (see the module's docstring)."""
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
