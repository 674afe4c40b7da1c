"""User tables: a CSV or TSV file (a path or an upload's bytes) read as a `TextDataset`, or a
TableError that names the first bad line.

UTF-8 CSV or TSV (a tab in the header line means TSV) with a header row, a text column and a
label column (2-10 distinct label values of any name, each at most MAX_LABEL_CHARS characters). At most
MAX_TABLE_BYTES (10 MB) and MAX_TABLE_ROWS (50,000) rows; a text may have at most MAX_TEXT_CHARS
characters. Problems raise TableError naming the first bad line, in a short message: the file's
own text is quoted clipped (rnnviz.core.markup.clip), column names at most a few.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from rnnviz.core import files
from rnnviz.core.checkpoints import MAX_LABEL_CHARS
from rnnviz.core.markup import clip, listed
from rnnviz.core.text import tokenize
from rnnviz.data.dataset import TextDataset

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")  # a data source with one of these suffixes is a table
MAX_TABLE_BYTES = 10 * 2**20
MAX_TABLE_ROWS = 50_000
MAX_TEXT_CHARS = 5_000
TEXT_COLUMNS = ("text", "sentence", "review", "comment", "tweet", "content")
LABEL_COLUMNS = ("label", "sentiment", "class", "category", "polarity", "target")


class TableError(ValueError):
    """A user table that cannot be used; the message names the first bad line."""


def _pick_column(header: list[str], wanted: str | None, candidates: tuple[str, ...], role: str) -> int:
    lowered = [name.strip().lower() for name in header]
    names = [wanted.strip().lower()] if wanted else list(candidates)
    for name in names:
        if name in lowered:
            return lowered.index(name)
    shown = listed([f"'{clip(h, 40)}'" for h in header])
    if wanted:
        raise TableError(f"line 1: there is no column '{clip(wanted, 40)}' (the columns are {shown})")
    raise TableError(
        f"line 1: no {role} column; name one of the columns {' or '.join(candidates[:3])} "
        f"(the columns are {shown})"
    )


def _csv_problem(error: csv.Error) -> str:
    """What a csv.Error means, in words for the person who made the file."""
    if "field limit" in str(error):
        return f"a field is longer than {csv.field_size_limit():,} characters (a quote left open?)"
    if "NUL" in str(error):
        return "it contains a NUL character: save the table as plain UTF-8 text"
    return "not a valid CSV/TSV line (a quote left open?)"


def _label_order(values: set[str]) -> tuple[str, ...]:
    """Label names in a stable order: numerically if they are all numbers, else alphabetically."""
    try:
        return tuple(sorted(values, key=float))
    except ValueError:
        return tuple(sorted(values, key=lambda v: (v.lower(), v)))


def load_table(
    source: bytes | str | os.PathLike,
    text_column: str | None = None,
    label_column: str | None = None,
    name: str | None = None,
) -> TextDataset:
    """A CSV/TSV file (a path, or the bytes of an upload) as a TextDataset; see the module docstring.

    Raises TableError with the first bad line.
    """
    if isinstance(source, bytes):
        data, name = source, clip(name or "the upload")
    else:
        path = Path(source)
        name = clip(name or path.name)
        try:
            data = files.read_capped(path, MAX_TABLE_BYTES, "table")
        except files.FileProblem as problem:
            raise TableError(str(problem)) from None
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(f"{name} is larger than {MAX_TABLE_BYTES // 2**20} MB")
    try:
        text = files.utf8_text(data)
    except files.FileProblem as problem:
        raise TableError(f"{name}, {problem}; save the file as UTF-8") from None
    if not text.strip():
        raise TableError(f"{name} is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        text_at = _pick_column(header, text_column, TEXT_COLUMNS, "text")
        label_at = _pick_column(header, label_column, LABEL_COLUMNS, "label")
        if text_at == label_at:
            raise TableError("line 1: the text and label columns must be different columns")
        texts: list[str] = []
        raw_labels: list[str] = []
        first_line_of: dict[str, int] = {}
        line = reader.line_num + 1
        for row in reader:
            if not any(cell.strip() for cell in row):  # blank line
                line = reader.line_num + 1
                continue
            if len(texts) >= MAX_TABLE_ROWS:
                raise TableError(f"line {line}: more than {MAX_TABLE_ROWS:,} rows; keep at most that many")
            if len(row) != len(header):
                raise TableError(f"line {line}: {len(row)} fields but the header has {len(header)}")
            body, label = row[text_at].strip(), row[label_at].strip()
            if not body or not tokenize(body):
                raise TableError(f"line {line}: the text is empty")
            if len(body) > MAX_TEXT_CHARS:
                raise TableError(f"line {line}: the text is longer than {MAX_TEXT_CHARS:,} characters")
            if not label:
                raise TableError(f"line {line}: the label is empty")
            if len(label) > MAX_LABEL_CHARS:
                raise TableError(
                    f"line {line}: the label '{clip(label, 40)}' is longer than {MAX_LABEL_CHARS} characters"
                )
            first_line_of.setdefault(label, line)
            if len(first_line_of) > 10:
                raise TableError(f"line {line}: an 11th label value ('{label}'); at most 10 classes")
            texts.append(body)
            raw_labels.append(label)
            line = reader.line_num + 1
    except csv.Error as error:  # its words are the reader's, not the user's: say what it means
        raise TableError(f"{name}, line {reader.line_num}: {_csv_problem(error)}") from None
    except TableError as error:
        raise TableError(f"{name}, {error}") from None
    if not texts:
        raise TableError(f"{name} has a header but no rows")
    if len(first_line_of) < 2:
        raise TableError(
            f"{name}: every row has the label '{raw_labels[0]}'; a classifier needs 2-10 classes"
        )
    names = _label_order(set(first_line_of))
    index = {label: i for i, label in enumerate(names)}
    return TextDataset(tuple(texts), tuple(index[label] for label in raw_labels), names, name)
