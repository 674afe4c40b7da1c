"""bench.wire's session without a browser really drives the app (bench.load --wire rests on it)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.wire import WireSession

EXPLORE_BOX = "Type a sentence and press Enter"
LAB_BOX = "Sentence B (press Enter)"


def test_a_wire_session_runs_the_pages_a_browser_would(app_server):
    async def visit():
        session = WireSession(app_server, patience=120)
        await session.open()
        try:
            assert EXPLORE_BOX in session.boxes  # the app opens on Explore
            seconds = await session.enter(EXPLORE_BOX, "the wire was not good zq41")
            explore = [chart for chart in session.charts if "zq41" in chart]
            await session.go_to("Negation lab")
            await session.enter(LAB_BOX, "the wire was not bad zq42")
            lab = [chart for chart in session.charts if "zq42" in chart]
            return seconds, explore, lab, session.exceptions
        finally:
            await session.close()

    # In a thread of its own: the session's Playwright runs an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        seconds, explore, lab, exceptions = pool.submit(asyncio.run, visit()).result()
    assert seconds > 0
    assert explore, "Explore drew no chart of the sentence sent over the websocket"
    assert lab, "the Negation lab drew no chart of sentence B"
    assert exceptions == []
