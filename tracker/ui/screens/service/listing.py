"""The contacts behind a row of the service report (an employee's, a channel's, a week's), newest
first, paged from the database; Enter shows how a contact's measures were derived, Escape goes back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tracker.domain import contact_words
from tracker.domain.periods import format_seconds
from tracker.domain.timeutil import DateRange, format_local
from tracker.records.contacts.queries import ContactRowView, list_contacts
from tracker.ui.screens.base import ListScreen
from tracker.ui.text import as_content
from tracker.ui.widgets.paged_table import Page, PagedTable

COLUMNS: list[tuple[str, int | None]] = [
    ("Contact", 18),
    ("Received", 16),
    ("Channel", 8),
    ("Employee", 24),
    ("Topic", 20),
    ("1st reply", 12),
    ("Target", 12),
    ("Replies", 7),
    ("Over ceiling", 12),
]
STATE_STYLES = {contact_words.MET: "green", contact_words.MISSED: "bold red"}


@dataclass(frozen=True)
class ContactsScope:
    """Which contacts: received in ``period``, and by one employee or on one channel if named."""

    title: str
    period: DateRange
    employee: str | None = None  # an employee number
    channel: str | None = None  # a channel code


def contact_cells(row: ContactRowView) -> list[str | Text]:
    return [
        row.key,
        format_local(row.received_at),
        row.channel,
        row.employee or "—",
        row.topic or "—",
        format_seconds(row.first_response_seconds),
        Text(row.first_response_state, style=STATE_STYLES.get(row.first_response_state, "")),
        str(row.replies),
        {True: "yes", False: "no", None: "—"}[row.over_ceiling],
    ]


class ContactsScreen(ListScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, scope: ContactsScope) -> None:
        super().__init__()
        self.scope = scope

    def body(self) -> ComposeResult:
        yield Static(as_content(f"Service: {self.scope.title}, contacts"), classes="section-title")
        yield Static("", id="list-status", classes="list-status")
        yield PagedTable(COLUMNS, id="svc-contacts")

    def _describe(self) -> str:
        scope = self.scope
        return (
            f"Contacts received {scope.period.start} to {scope.period.end}, newest first. "
            "Enter shows how a contact was measured; Escape goes back."
        )

    def reload(self) -> None:
        scope = self.scope
        since, until = scope.period.bounds

        def fetch(cursor: Any, limit: int) -> Page:
            rows = self.backend.read(
                lambda s: list_contacts(
                    s,
                    employee=scope.employee,
                    channel=scope.channel,
                    since=since,
                    until=until,
                    after=cursor,
                    limit=limit,
                )
            )
            cells = [(r.key, contact_cells(r)) for r in rows]
            return Page(cells, (rows[-1].received_at, rows[-1].id) if len(rows) == limit else None)

        self.status(self._describe())
        self.table().load(fetch)

    def action_refresh(self) -> None:
        self.reload()

    def on_return(self) -> None:
        """Back from a contact's derivation: nothing here changed (f5 reads the list again)."""

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        if event.total_rows == 0:
            self.status(f"No contacts received {self.scope.period.start} to {self.scope.period.end}. Escape goes back.")

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        from tracker.ui.screens.service.detail import ContactScreen

        self.app.push_screen(ContactScreen(event.key))
