"""One contact: its facts, how each measure was derived from the handbook's definitions (the
explanation lines of ``tracker contacts show``), and its messages. Escape goes back to the list."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tracker.domain.timeutil import format_local
from tracker.records.contacts.queries import ContactView, get_contact
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.text import as_content, as_text


class ContactScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.view: ContactView | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(as_content(self.key), id="svc-c-title", classes="detail-title detail")
            yield Static("Loading…", id="svc-c-facts", classes="detail")
            yield Static("How it was measured", classes="section-title")
            yield Static("", id="svc-c-derivation", classes="detail")
            yield Static("Messages", classes="section-title")
            yield DataTable(id="svc-c-messages", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#svc-c-messages", DataTable).add_columns("When", "Author", "Employee")
        self.action_refresh()

    def action_refresh(self) -> None:
        key = self.key
        self.read(lambda s: get_contact(s, key), self.show)

    def show(self, view: ContactView) -> None:
        self.view = view
        c = view.contact
        self.query_one("#svc-c-title", Static).update(
            as_content(f"{c.source}:{c.external_id} — {view.channel.name}, handbook {view.version}")
        )
        facts = [
            f"Received   {format_local(c.received_at)}",
            f"Employee   {view.employee or '—'}",
            f"Topic      {c.topic or '—'}   Status {c.status or '—'}",
            f"1st reply  {view.measures.first_response_state}",
        ]
        self.query_one("#svc-c-facts", Static).update(as_content("\n".join(facts)))
        lines = view.measures.explanation or ("Nothing to measure.",)
        self.query_one("#svc-c-derivation", Static).update(as_content("\n".join(f"  {line}" for line in lines)))
        table = self.query_one("#svc-c-messages", DataTable)
        table.clear()
        for at, author, employee in view.messages:
            table.add_row(format_local(at), as_text(author), as_text(employee or ""))
        if not view.messages:
            table.add_row("—", "no messages in the export", "")
