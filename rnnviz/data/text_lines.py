"""Plain-text sentence files (an upload, one sentence per line) read into a list of sentences, or a
TextFileError that says what is wrong in words.

UTF-8 (a byte-order mark is allowed), LF or CRLF line ends. A file larger than the caller's byte
cap, with NUL bytes (a binary file) or that is not UTF-8 is refused as a whole; empty lines are
skipped, lines with control characters or longer than MAX_LINE_CHARS are skipped and counted, and
only the first `max_lines` sentences are kept. Nothing in the file is ever executed or unpickled.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rnnviz.core import files

MAX_LINE_CHARS = 2_000  # a longer "sentence" is not a sentence (a minified file, a data dump)
ALLOWED_CONTROLS = frozenset("\t")  # the one control character a sentence may hold


class TextFileError(ValueError):
    """A text file that cannot be used; the message says why (and where, when one line is to blame)."""


@dataclass(frozen=True)
class SentenceLines:
    """The sentences of a text file and what was left out of it."""

    sentences: tuple[str, ...]  # stripped, non-empty, in file order
    empty: int  # blank lines skipped
    with_controls: tuple[int, ...]  # line numbers (from 1) skipped for control characters
    too_long: tuple[int, ...]  # line numbers skipped for being longer than MAX_LINE_CHARS
    cut: int  # good lines after the first `max_lines`, not read

    def notes(self) -> list[str]:
        """One plain sentence per kind of line left out, for the person who uploaded the file."""
        found = []
        for lines, why in (
            (self.with_controls, "with control characters"),
            (self.too_long, f"longer than {MAX_LINE_CHARS:,} characters"),
        ):
            if lines:
                first = f"line {lines[0]}" + (f" and {len(lines) - 1:,} more" if len(lines) > 1 else "")
                found.append(f"Skipped {first}: {why}.")
        if self.cut:
            found.append(
                f"Only the first {len(self.sentences):,} sentences are read; {self.cut:,} more are left out."
            )
        return found


def _has_control(line: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in line)


def read_sentence_lines(data: bytes, max_bytes: int, max_lines: int) -> SentenceLines:
    """The sentences of a plain-text file's bytes (see the module docstring). Raises
    TextFileError for a file that is too large, binary, not UTF-8 or without any sentence."""
    if len(data) > max_bytes:
        raise TextFileError(
            f"the file has {len(data) / 2**20:.1f} MB; at most {max_bytes / 2**20:.0f} MB can be read"
        )
    if b"\x00" in data:
        raise TextFileError("it contains NUL bytes, so it is a binary file, not plain text")
    try:
        text = files.utf8_text(data)
    except files.FileProblem as problem:
        raise TextFileError(f"{problem}; save the file as UTF-8 plain text") from None
    kept: list[str] = []
    controls: list[int] = []
    long: list[int] = []
    empty = cut = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r").strip()
        if not line:
            empty += 1
            continue
        if len(line) > MAX_LINE_CHARS:
            long.append(number)
            continue
        if _has_control(line):
            controls.append(number)
            continue
        if len(kept) >= max_lines:
            cut += 1
            continue
        kept.append(line)
    if not kept:
        raise TextFileError("it has no sentence to read: put one sentence of plain text on each line")
    return SentenceLines(tuple(kept), empty, tuple(controls), tuple(long), cut)
