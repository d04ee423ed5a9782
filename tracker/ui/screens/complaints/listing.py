"""Complaints: the filterable list, paged from the database, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from tracker.domain.complaint_flow import STATUSES
from tracker.domain.errors import InputError
from tracker.domain.handbook.model import Standards
from tracker.domain.timeutil import format_local, parse_date, utcnow
from tracker.records.complaints import queries as store
from tracker.records.handbook.queries import standards, version_in_force
from tracker.ui.requests import ComplaintsRequest, Request
from tracker.ui.screens.base import LIST_KEYS, ListScreen
from tracker.ui.screens.complaints.forms import log_complaint_form
from tracker.ui.text import shown
from tracker.ui.widgets.cells import first_response_cell
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import Page, PagedTable
from tracker.ui.widgets.text_input import TextInput

if TYPE_CHECKING:
    from sqlmodel import Session

COLUMNS = [
    ("Ref", 13),
    ("Received", 16),
    ("Channel", 7),
    ("Status", 13),
    ("1st response", 12),
    ("Employee", 9),
    ("Sev", 6),
    ("Summary", 60),
]  # fixed: an auto width changes as rows arrive, the screen shifts
STATUS_CHOICES = [("Open", "open"), *((s.capitalize(), s) for s in STATUSES)]


class ComplaintsScreen(ListScreen):
    # Narrower than 110 columns, the screen gets the class "-narrow" and the filter bar wraps onto two rows.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    FILTER_FOCUS = "#f-status"
    BINDINGS = [Binding("n", "log", "Log complaint"), *LIST_KEYS]

    def __init__(self) -> None:
        super().__init__()
        self.filter = store.ComplaintFilter(status="open")
        # The version in force's standards, read with the channels: the log form opens from them at
        # once, so keys typed right after `n` land in the form, not on this list (issue 15).
        self.standards: Standards | None = None

    def body(self) -> ComposeResult:
        yield Static("Complaints", classes="section-title")
        with Horizontal(classes="filters", id="complaints-filters"):
            yield Select(STATUS_CHOICES, value="open", id="f-status", allow_blank=True, prompt="Any status")
            yield Select([], id="f-channel", allow_blank=True, prompt="Any channel")
            yield TextInput(placeholder="Employee no.", id="f-employee")
            yield TextInput(placeholder="Rule ID", id="f-rule")
            yield TextInput(placeholder="From YYYY-MM-DD", id="f-from")
            yield TextInput(placeholder="To YYYY-MM-DD", id="f-to")
        yield Static("", id="list-status", classes="list-status")
        yield PagedTable(COLUMNS, id="complaints")

    def prepare(self) -> None:
        self.read(self._load_standards, self._channels_loaded)

    @staticmethod
    def _load_standards(session: Session) -> Standards | None:
        try:
            return standards(session, version_in_force(session))
        except InputError:
            return None

    def _channels_loaded(self, std: Standards | None) -> None:
        self.standards = std
        channels = [(shown(c.name), code) for code, c in std.channels.items()] if std is not None else []
        select = self.query_one("#f-channel", Select)
        current = select.value
        select.set_options(channels)
        if current is not Select.NULL and any(code == current for _, code in channels):
            select.value = current
        elif self.filter.channel:
            select.value = self.filter.channel

    # --- filtering ----------------------------------------------------------

    def reload(self) -> None:
        flt = self.filter
        now = utcnow()

        def fetch(cursor: Any, limit: int) -> Page:
            rows = self.backend.read(lambda s: store.list_complaints(s, flt, before=cursor, limit=limit))
            cells = [
                (
                    r.ref,
                    (
                        r.ref,
                        format_local(r.received_at),
                        r.channel,
                        r.status + (" !" if r.urgent else ""),
                        first_response_cell(r, now),
                        r.employee_number or "—",
                        r.severity,
                        r.summary[:80],
                    ),
                )
                for r in rows
            ]
            return Page(cells, (rows[-1].received_at, rows[-1].id) if len(rows) == limit else None)

        self.status(self._describe(flt))
        self.table().load(fetch)

    @staticmethod
    def _describe(flt: store.ComplaintFilter) -> str:
        parts = [f"status {flt.status}" if flt.status else "any status"]
        for label, value in (
            ("channel", flt.channel),
            ("employee", flt.employee_number),
            ("rule", flt.rule_id),
            ("from", flt.received_from),
            ("to", flt.received_to),
        ):
            if value:
                parts.append(f"{label} {value}")
        if flt.missed:
            parts.append("first-response target missed")
        return "Showing " + ", ".join(parts) + ". Enter opens a complaint; n logs a new one."

    def _filter_from_widgets(self) -> store.ComplaintFilter | None:
        def text(widget_id: str) -> str:
            return self.query_one(widget_id, Input).value.strip()

        status = self.query_one("#f-status", Select).value
        channel = self.query_one("#f-channel", Select).value
        try:
            since = parse_date(text("#f-from"), "from") if text("#f-from") else None
            until = parse_date(text("#f-to"), "to") if text("#f-to") else None
        except InputError as exc:
            self.status(Text(str(exc), style="red"))
            return None
        return store.ComplaintFilter(
            status=None if status is Select.NULL else str(status),
            channel=None if channel is Select.NULL else str(channel),
            employee_number=text("#f-employee") or None,
            rule_id=text("#f-rule") or None,
            received_from=since,
            received_to=until,
            missed=self.filter.missed,
        )

    @on(Select.Changed, ".filters Select")
    @on(Input.Submitted, ".filters Input")
    def _filter_changed(self) -> None:
        flt = self._filter_from_widgets()
        if flt is not None and flt != self.filter:
            self.filter = flt
            self.reload()

    def handle_request(self, request: Request) -> None:
        """From the dashboard or the palette: show a filtered list, or open one complaint."""
        if not isinstance(request, ComplaintsRequest):
            return
        if request.open_complaint:
            self.open_complaint(request.open_complaint)
            return
        received_from = request.received_from
        self.filter = store.ComplaintFilter(
            status=request.status,
            channel=request.channel,
            employee_number=request.employee_number,
            rule_id=request.rule_id,
            received_from=received_from,
            missed=request.missed,
        )
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#f-status", Select).value = self.filter.status or Select.NULL
            if self.filter.channel:
                try:
                    self.query_one("#f-channel", Select).value = self.filter.channel
                except Exception:  # noqa: BLE001 - channel options not loaded yet; _channels_loaded applies it
                    pass
            else:
                self.query_one("#f-channel", Select).value = Select.NULL
            self.query_one("#f-employee", Input).value = self.filter.employee_number or ""
            self.query_one("#f-rule", Input).value = self.filter.rule_id or ""
            self.query_one("#f-from", Input).value = received_from.isoformat() if received_from else ""
            self.query_one("#f-to", Input).value = ""
        self.reload()
        self.table().focus()

    # --- actions -------------------------------------------------------------

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        self.open_complaint(event.key)

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        if event.total_rows == 0:
            self.status(
                self._describe(self.filter) + " — no complaint matches. Change the filters, or press n to log one."
            )

    def open_complaint(self, ref: str) -> None:
        from tracker.ui.screens.complaints.detail import ComplaintScreen

        self.app.push_screen(ComplaintScreen(ref))

    def action_log(self, employee_number: str | None = None) -> None:
        def ready(std: Standards) -> None:
            self.standards = std
            self.app.push_screen(FormDialog(log_complaint_form(self.backend, std, employee_number)), self._after_log)

        if self.standards is not None:  # the form checks every value against the version in force on save
            ready(self.standards)
        else:
            self.read(lambda s: standards(s, version_in_force(s)), ready)

    def _after_log(self, complaint: object) -> None:
        if complaint is not None:
            self.reload()
