"""Reports written to a file: rows as CSV, JSON or a Markdown table.

Plain functions shared by the app's export dialog and (later) the command line.
Rows are dicts keyed by column name. CSV cells that a spreadsheet would run as
a formula are neutralised (``tracker.domain.csvsafe``).
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from tracker.domain.csvsafe import neutralise
from tracker.domain.errors import InputError
from tracker.domain.timeutil import as_utc

Row = Mapping[str, Any]

# The formats a list or report can be written in, by file extension.
TABLE_FORMATS: dict[str, str] = {".csv": "csv", ".json": "json", ".md": "md"}


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, times as ISO UTC."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def cell_text(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def csv_text(columns: Sequence[str], rows: Iterable[Row]) -> str:
    """A header row and one line per row; formula-like cells are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: a lone \r or \n in a cell is quoted
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(cell_text(row.get(column))) for column in columns])
    return out.getvalue()


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=plain) + "\n"


# What Markdown would read as formatting, a link, an image or (|) the end of a table cell is
# escaped with a backslash; what it would read as HTML or an entity, or strike through, becomes an
# entity (Python-Markdown, which builds the handbook, honours no backslash before < & ~).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|!{}#])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "~": "&#126;"}
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")


def md_text(value: Any) -> str:
    """``value`` as Markdown text that reads back as exactly itself, on one line."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", cell_text(value)))
    return re.sub("[&<>~]", lambda found: _ENTITIES[found.group()], text)


def markdown_table(
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    title: str | None = None,
    note: str | None = None,
    headers: Sequence[str] | None = None,
) -> str:
    lines = [f"# {md_text(title)}", ""] if title else []
    if note:
        lines += [md_text(note), ""]
    lines.append("| " + " | ".join(md_text(h) for h in (headers or columns)) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows:
        lines.append("| " + " | ".join(md_text(row.get(column)) for column in columns) + " |")
    return "\n".join(lines) + "\n"


def format_of(path: Path | str, formats: Mapping[str, str] = TABLE_FORMATS) -> str:
    """The format a file name asks for, by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        choices = ", ".join(formats)
        raise InputError("path", f"end the file name with {choices} to choose the format")
    return formats[suffix]
