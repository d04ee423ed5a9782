"""Command palette (ctrl+p): jump to any employee by name or number, any complaint by
reference (or the number alone), and find the tasks that are done on the command line.

The sections ("Go to …") and the theme are the app's system commands
(``TrackerApp.get_system_commands``); this provider adds only what they do not, so each entry
is listed once.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tracker.ui.requests import ComplaintsRequest, EmployeesRequest
from tracker.ui.text import shown

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.ui.app import TrackerApp

# Tasks the app leaves to the command line, with the command that does each (`tracker --help`).
# Listed in the palette and in the keys panel so they can be found from the app.
COMMAND_LINE_TASKS: tuple[tuple[str, str], ...] = (
    ("Import complaints from a file", "tracker complaints import FILE"),
    ("Import contacts from help-desk exports", "tracker contacts import FILE..."),
    ("Back up the database", "tracker db backup FILE"),
    ("Restore the database from a backup", "tracker db restore FILE"),
    ("Check a backup", "tracker db check FILE"),
    ("Verify the audit trail", "tracker audit verify"),
    ("Print the audit chain head", "tracker audit head"),
    ("Purge customers' names and contacts past retention", "tracker complaints purge-contacts"),
    ("Export complaints without customer details", "tracker complaints list --format csv --redact > FILE"),
    ("Show where the data lives and the schema revision", "tracker db info"),
)

# The same tasks in one line, for the keys panel (a third of the screen wide).
COMMAND_LINE_SUMMARY = "imports, backup, restore, audit, purge, redacted export, db info"

FOUND = 8  # palette hits of each kind: a few, from index-backed queries


def _starts_a_word(word: str, text: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(word), text.lower()) is not None


class JumpProvider(Provider):
    """Employees, complaints and the command-line tasks; the sections are system commands."""

    async def discover(self) -> Hits:
        for title, command in COMMAND_LINE_TASKS:
            yield DiscoveryHit(f"{title} — run: {command}", partial(self._tell, command), help=self._help(command))

    @staticmethod
    def _help(command: str) -> str:
        return f"Done on the command line: {command}"

    def _tell(self, command: str) -> None:
        self.app.notify(f"This is done on the command line. In a terminal, run: {command}", timeout=15)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = query.lower().split()
        for title, command in COMMAND_LINE_TASKS:
            text = f"{title} — run: {command}"
            # Every word typed, as a word's start: a surname ("horvat") is not an audit task
            # because its letters happen to appear in order.
            score = matcher.match(text) if words and all(_starts_a_word(w, text) for w in words) else 0
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._tell, command), help=self._help(command))
        term = query.strip()
        if len(term) < 2:
            return
        app = cast("TrackerApp", self.app)
        backend = app.backend

        def find(session: "Session") -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
            from tracker.domain.complaint_flow import reference_prefixes
            from tracker.domain.timeutil import today
            from tracker.records.complaints.queries import find_by_reference_prefixes
            from tracker.records.employees.queries import find_employees

            prefixes = reference_prefixes(term, today().year)
            return find_employees(session, term, FOUND), find_by_reference_prefixes(session, prefixes, FOUND)

        try:
            people, complaints = await asyncio.to_thread(backend.read, find)
        except Exception:  # noqa: BLE001 - the palette must never crash the app; it just finds nothing
            return
        for number, name, team in people:
            text = shown(f"Employee {number} {name} ({team})")
            yield Hit(
                max(matcher.match(text), 0.5),
                matcher.highlight(text),
                partial(app.open_section, EmployeesRequest(open_employee=number)),
                help="Open the employee's page",
            )
        for ref, summary in complaints:
            text = shown(f"Complaint {ref}: {summary[:60]}")
            yield Hit(
                max(matcher.match(text), 0.9),
                matcher.highlight(text),
                partial(app.open_section, ComplaintsRequest(open_complaint=ref)),
                help="Open the complaint",
            )
