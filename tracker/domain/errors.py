"""Errors a user can act on. Both front ends turn them into one-line messages.

Exit codes on the command line: 2 for bad input (``InputError``), 1 for anything
else the user can retry or investigate (conflicts, database problems).
"""

from __future__ import annotations

from typing import Sequence

from tracker.domain.text_safety import visible


def shown(value: object, limit: int = 40) -> str:
    """A cell or typed value quoted in a one-line message: whitespace folded, long text cut, and
    control characters escaped (``\\x1b``), since the value may be anyone's and the message goes
    to a terminal."""
    text = " ".join(str(value).split())
    return visible(text if len(text) <= limit else text[: limit - 1] + "…")


class TrackerError(Exception):
    """An expected failure with a message fit to show a user as is."""

    exit_code = 1


class InputError(TrackerError):
    """Input that breaks a rule; ``field`` names what to fix."""

    exit_code = 2

    def __init__(self, field: str, reason: str):
        # Escaped here, once for both front ends: a reason often quotes what was typed or looked up.
        self.field = visible(field)
        self.reason = visible(reason)
        super().__init__(f"{self.field}: {self.reason}")


class NotFound(InputError):
    """A reference (employee number, complaint reference, ...) that matches nothing."""


class NoVersionPublished(InputError):
    """Records are checked against a published handbook version; there is none yet."""

    def __init__(self) -> None:
        super().__init__("handbook", "no handbook version is published yet; run 'tracker handbook publish' first")


class ConflictError(TrackerError):
    """Someone else changed the record since it was opened; nothing was overwritten."""


class HandbookError(TrackerError):
    """The handbook has problems; the tracker will not act on a broken handbook.

    ``problems`` are the parser's located problems (file, line, message).
    """

    exit_code = 2

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = problems
        first = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more; run 'tracker handbook check')" if len(problems) > 1 else ""
        super().__init__(f"handbook: {first}{more}")


class RowErrors(InputError):
    """An import with bad rows; nothing was applied. Every bad row is listed."""

    def __init__(self, errors: list["RowError"], total_rows: int):
        self.errors = errors
        self.total_rows = total_rows
        first = errors[0]
        bad_rows = len({error.row for error in errors if error.row > 1})
        others = len(errors) - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        where = f"{bad_rows} of {total_rows} rows are invalid" if bad_rows else "the header row is not usable"
        super().__init__(
            "file", f"{where}, nothing was imported; first: row {first.row}, {first.column}: {first.reason}{more}"
        )


class RowError:
    __slots__ = ("row", "column", "reason")

    def __init__(self, row: int, column: str, reason: str):
        self.row = row
        self.column = visible(column)  # a column can be named by the file's header, a reason quote a cell
        self.reason = visible(reason)

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "reason": self.reason}
