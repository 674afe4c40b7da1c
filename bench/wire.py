"""A student without a browser: one Streamlit session driven over the app's websocket.

bench.load --wire uses it in place of a Chromium page per student. It speaks the protocol the
Streamlit frontend speaks (the protobuf messages `BackMsg` and `ForwardMsg` that ship in
`streamlit.proto`, over the `/_stcore/stream` websocket): it asks for a page, reads the ids of
the text boxes from the elements the server sends, and sends a new sentence the way the browser
does when Enter is pressed (a rerun with the box's new value). The server runs exactly the page
scripts a browser would make it run; nothing is drawn, so the students cost the machine almost
no CPU, as when every student has a computer of their own.
"""

from __future__ import annotations

import asyncio
import random
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg  # no public API for the frontend's messages
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # no public API for the server's messages

PATH = "/_stcore/stream"


class WireSession:
    """One session on a running app at `url` (http://host:port)."""

    def __init__(self, url: str, patience: float) -> None:
        self.url = "ws" + url.removeprefix("http") + PATH
        self.patience = patience
        self.socket = None
        self.pages: dict[str, str] = {}  # page title -> page_script_hash
        self.page = ""  # the hash of the page shown
        self.boxes: dict[str, str] = {}  # text box label -> widget id, on the page shown
        self.charts: list[str] = []  # the plotly figures (JSON) of the last run
        self.exceptions: list[str] = []  # the text of every exception element the server sent

    async def open(self) -> None:
        """Connect and run the app's first page, as a new browser tab does."""
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        await self.rerun()

    async def close(self) -> None:
        """Close the websocket (the server ends the session)."""
        await self.socket.close()

    async def go_to(self, title: str) -> None:
        """Run page `title` (its title in the page menu)."""
        self.page = self.pages[title]
        await self.rerun()

    async def enter(self, label: str, text: str) -> float:
        """Type `text` into the text box labelled `label` and press Enter; the seconds until the
        server said the run had finished."""
        return await self.rerun({self.boxes[label]: text})

    async def rerun(self, texts: dict[str, str] | None = None) -> float:
        """One script run, with new values for some text boxes (widget id -> text)."""
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.page
        for widget, text in (texts or {}).items():
            state.widget_states.widgets.add(id=widget, string_value=text)
        began = time.monotonic()
        await self.socket.send(message.SerializeToString())
        boxes, charts = {}, []
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await asyncio.wait_for(self.socket.recv(), self.patience))
            kind = reply.WhichOneof("type")
            if kind == "navigation":
                self.pages = {page.page_name: page.page_script_hash for page in reply.navigation.app_pages}
                self.page = self.page or reply.navigation.page_script_hash
            elif kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                element = reply.delta.new_element
                shown = element.WhichOneof("type")
                if shown == "text_input":
                    boxes[element.text_input.label] = element.text_input.id
                elif shown == "plotly_chart":
                    charts.append(element.plotly_chart.spec)
                elif shown == "exception":
                    self.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "script_finished":
                self.boxes, self.charts = boxes, charts
                return time.monotonic() - began


async def take_turns(student, updates: int) -> None:
    """`updates` updates of `student` (a bench.load Student or a WireStudent), Explore and the
    Negation lab in turn, with a pause to read the page after each."""
    for index in range(updates):
        await student.update("Negation lab" if index % 2 else "Explore")
        await asyncio.sleep(student.random.uniform(*student.pause))


class WireStudent:
    """bench.load's Student without a browser: the same updates, timed to the end of the run."""

    def __init__(self, url: str, number: int, pause: tuple[float, float], options: dict) -> None:
        """options: boxes (page title -> the label of its text box), patience (s), sentence (a
        function of the student giving each update's new text and its last word)."""
        self.session = WireSession(url, options["patience"])
        self.number, self.pause = number, pause
        self.boxes, self.sentence = options["boxes"], options["sentence"]
        self.random = random.Random(number)
        self.showing = ""
        self.updates = 0
        self.times: list[tuple[str, float]] = []  # (page, seconds from Enter to the run's end)
        self.failures: list[str] = []

    async def open(self, _url: str = "") -> None:
        """Open the app (its first page)."""
        await self.session.open()
        self.showing = "Explore"

    async def update(self, title: str) -> None:
        """One timed update on page `title`: a new sentence, Enter, until the run has finished."""
        try:
            if self.showing != title:
                await self.session.go_to(title)
                self.showing = title
            text, _ = self.sentence(self)
            self.times.append((title, await self.session.enter(self.boxes[title], text)))
        except Exception as error:  # a timeout is a result here, not a crash of the bench
            self.failures.append(f"student {self.number}, {title}: {type(error).__name__}: {error}"[:300])

    async def work(self, updates: int) -> None:
        """`updates` updates, Explore and the lab in turn, with a pause to read after each."""
        await take_turns(self, updates)
        boxes, self.session.exceptions = self.session.exceptions, []
        self.failures += [f"student {self.number}: exception box: {text[:200]}" for text in boxes]

    async def close(self) -> None:
        """Leave the app."""
        await self.session.close()
