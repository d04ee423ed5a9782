"""Printing records as a table for people, or JSON / CSV for scripts.

Every list and report goes through ``emit`` so all of them accept the same
``--format`` values and CSV output is always safe to open in a spreadsheet.

Everything printed here may hold text other people wrote, and an older database may hold control
characters typed before they were refused; a terminal would act on them (clear the screen,
retitle the window, reorder the line). So tables, messages and CSV show them escaped
(``text_safety.visible``: ``\\x1b``), and JSON writes them as ``\\u001b`` escapes, which parse
back to exactly the stored text.
"""

from __future__ import annotations

import enum
import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from tracker.domain.text_safety import json_escaped, visible
from tracker.output.tables import cell_text, csv_text, json_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


@cache
def console() -> "Console":
    """Standard output's console, made at its first use: Rich costs a tenth of the command line's
    start, which ``--help`` and a one-line answer should not pay (issue 14)."""
    from rich.console import Console

    return Console()


@cache
def error_console() -> "Console":
    """Standard error's console (progress bars), made at its first use like ``console``."""
    from rich.console import Console

    return Console(stderr=True)


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


class PrintFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


def to_json(value: Any) -> str:
    return json_escaped(json_text(value)).rstrip("\n")


# Free-text columns take the width left over and wrap; the others stay on one line.
_LONG = {"summary", "title", "text", "details", "changed_rules", "reason", "revoked_reason", "expectations", "value"}


def emit(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    title: str | None = None,
    empty: str = "Nothing to show.",
    headers: Sequence[str] | None = None,
) -> None:
    rows = list(rows)
    fmt = getattr(fmt, "value", fmt)
    if fmt == "json":
        sys.stdout.write(to_json(rows) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(visible(csv_text(columns, rows), lines=True))  # quoted line breaks stay
        return
    if not rows:
        console().print(empty)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=visible(title) if title else None, show_lines=False, header_style="bold")
    for column, header in zip(columns, headers or columns):
        if column in _LONG:
            table.add_column(header.replace("_", " "), ratio=1, overflow="fold")
        else:
            table.add_column(header.replace("_", " "), no_wrap=True, overflow="ellipsis")
    for row in rows:
        # data, never markup; shown escaped, never acted on
        table.add_row(*(Text(visible(cell_text(row.get(column)), lines=True)) for column in columns))
    natural = _table_width(table)
    if natural is None:
        console().print(table)
        return
    at_terminal = console().width
    console().width = natural  # print(width=) cannot widen past the console
    try:
        console().print(table)
    finally:
        console().width = at_terminal


def _table_width(table: "Table") -> int | None:
    """At a terminal, its width; piped or redirected (a file, ``less``, ``grep``), the table's own
    natural width, so no cell is cut to fit an 80-column guess."""
    if console().is_terminal or os.environ.get("COLUMNS"):
        return None
    from rich.measure import Measurement

    return max(console().width, Measurement.get(console(), console().options.update_width(10_000), table).maximum)


def say_ignored(file: str, columns: Sequence[str]) -> None:
    """Name the columns of an export the import did not read, once per file: a help desk's export
    carries dozens, and a supervisor should see that, say, a misspelt `employe_number` was one."""
    if columns:
        say(f"{file}: ignored {len(columns)} column{'s' if len(columns) > 1 else ''}: {', '.join(columns)}")


def say(message: str) -> None:
    """Print a message as is: records hold what people typed, and '[...]' in a
    name or summary is text, not styling (an unmatched '[/b]' would crash), and its control
    characters are shown escaped."""
    console().print(visible(message, lines=True), highlight=False, markup=False, soft_wrap=not console().is_terminal)


def say_heading(heading: str, rest: str = "") -> None:
    """A bold heading followed by plain text; neither is read as markup."""
    from rich.text import Text

    console().print(Text.assemble((visible(heading, lines=True), "bold"), visible(rest, lines=True)), highlight=False)


def say_document(text: str) -> None:
    """A whole printable file (the employee file as Markdown or HTML) written as is, for a pager or
    a redirect; the file escapes stored text for its own format, this its control characters."""
    sys.stdout.write(visible(text, lines=True) + "\n")


def say_json(value: Any) -> None:
    """JSON for scripts, written as is: the console would wrap long lines and
    read '[...]' in the data as markup, and the result would no longer parse."""
    sys.stdout.write(to_json(value) + "\n")


def say_error(message: str) -> None:
    """One ``error: ...`` line on stderr, every control character escaped (tabs and line breaks too,
    so it stays one line): messages quote what was typed, looked up or found in a file."""
    print(f"error: {visible(message)}", file=sys.stderr)


def report_row_errors(name: str, errors: Sequence[Any], fmt: str) -> None:
    """Every bad row of a refused import: JSON for scripts, one line per row for people."""
    if getattr(fmt, "value", fmt) == "json":
        say_json({"imported": False, "errors": [error.as_dict() for error in errors]})
        return
    for error in errors:
        print(visible(f"{name}: {error}"), file=sys.stderr)  # the file's name is anyone's text too
