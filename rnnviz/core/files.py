"""Reading a user's or the server's file with one size cap and one set of plain-words refusals."""

from __future__ import annotations

import os
from pathlib import Path

from rnnviz.core.markup import clip


class FileProblem(ValueError):
    """A file that cannot be read as asked; the message says why in plain words."""


def utf8_text(data: bytes) -> str:
    """`data` decoded as UTF-8 (a leading byte-order mark dropped); FileProblem
    "line N: not UTF-8 text (byte 0xNN)" naming the first bad byte and its line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(f"line {line}: not UTF-8 text (byte 0x{data[error.start]:02x})") from None


def read_capped(path: str | os.PathLike, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of `path`, refused (FileProblem) when it is missing, a folder, unreadable or
    larger than `max_bytes` (checked before reading)."""
    path = Path(path)
    try:
        if path.stat().st_size > max_bytes:
            raise FileProblem(f"{clip(path.name)} is larger than {max_bytes // 2**20} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"no such file: {clip(path)}") from None
    except IsADirectoryError:
        raise FileProblem(f"{clip(path)} is a folder, not a {what}") from None
    except PermissionError:
        raise FileProblem(f"cannot read {clip(path)}: permission denied") from None
