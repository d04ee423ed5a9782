"""Sign-offs: who still has to sign the handbook (overdue first), the sign-offs
recorded lately, and recording or revoking one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Select, Static, TabbedContent, TabPane

from tracker.db.models import Signoff
from tracker.domain.errors import NoVersionPublished
from tracker.domain.timeutil import format_local, today
from tracker.records.employees.queries import teams
from tracker.records.signoffs import queries as store
from tracker.ui.requests import Request, SignoffsRequest
from tracker.ui.screens.base import LIST_KEYS, ListScreen
from tracker.ui.screens.signoffs.forms import (
    CHANGES_KEY,
    RECORD_SIGNOFF_KEY,
    REVOKE_KEY,
    RecordSignoff,
    revoke_form,
    show_rule_changes,
)
from tracker.ui.text import shown
from tracker.ui.widgets.cells import plain
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import Page, PagedTable

if TYPE_CHECKING:
    from sqlmodel import Session

PENDING_COLUMNS = [("Number", 10), ("Name", 22), ("Team", 16), ("State", 8), ("Due", 10), ("Last signed", None)]
RECENT_COLUMNS = [
    ("Id", 6),
    ("Recorded", 16),
    ("Number", 10),
    ("Name", 22),
    ("Version", 8),
    ("Signed on", 10),
    ("Method", 8),
    ("Status", 8),
    ("Filed at", None),
]
STATE_CHOICES = [("Overdue", "overdue"), ("Inside the grace period", "grace")]
RECENT_HINT = f"Newest first. {REVOKE_KEY} revokes the highlighted sign-off with a reason (the original is kept)."
NO_VERSION = (
    "No handbook version is published yet: open the Handbook (h) and publish (P); then everyone has to sign it."
)


class SignoffsScreen(ListScreen):
    STATUS = "#signoff-status"
    BINDINGS = [
        Binding("enter", "open", "Open employee"),
        Binding(RECORD_SIGNOFF_KEY, "record_signoff", "Record sign-off"),
        Binding(CHANGES_KEY, "changes", "What changed"),
        Binding(REVOKE_KEY, "revoke", "Revoke sign-off"),
        Binding("t", "other_list", "Other list"),
        *LIST_KEYS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state: str | None = None
        self.team: str | None = None
        self.recent_valid: dict[str, bool] = {}  # sign-off id -> not revoked (rows fetched so far)
        self.recent_employee: dict[str, str] = {}  # sign-off id -> employee number

    def body(self) -> ComposeResult:
        yield Static("Sign-offs", classes="section-title")
        yield Static("Loading…", id="signoff-status", classes="list-status")
        with TabbedContent(id="signoff-tabs", initial="tab-pending"):
            with TabPane("Still to sign", id="tab-pending"):
                with Horizontal(classes="filters", id="signoff-filters"):
                    yield Select(STATE_CHOICES, id="f-state", allow_blank=True, prompt="Overdue and in grace")
                    yield Select([], id="f-team", allow_blank=True, prompt="Any team")
                yield PagedTable(PENDING_COLUMNS, id="pending")
            with TabPane("Recently recorded", id="tab-recent"):
                yield Static(RECENT_HINT, id="recent-status", classes="list-status")
                yield PagedTable(RECENT_COLUMNS, id="recent")

    def prepare(self) -> None:
        self.read(teams, self._teams_loaded)

    def _teams_loaded(self, names: list[str]) -> None:
        select = self.query_one("#f-team", Select)
        with self.prevent(Select.Changed):
            select.set_options((shown(name), name) for name in names)  # a label as shown, the value as stored
            if self.team in names:
                select.value = self.team

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        self.reload_pending()
        self.reload_recent()

    def reload_pending(self) -> None:
        state, team = self.state, self.team
        as_of = today()

        def fetch(cursor: Any, limit: int) -> Page:
            try:
                rows = self.backend.read(
                    lambda s: store.pending_page(s, state=state, team=team, after=cursor, limit=limit, today=as_of)
                )
            except NoVersionPublished:
                return Page([], None)
            cells = [
                (
                    r.number,
                    plain(
                        r.number,
                        r.name,
                        r.team,
                        Text("OVERDUE", style="bold red") if r.overdue else Text("grace", style="yellow"),
                        r.due,
                        r.last_signed or "—",
                    ),
                )
                for r in rows
            ]
            return Page(cells, rows[-1].cursor if len(rows) == limit else None)

        self.query_one("#pending", PagedTable).load(fetch)
        self.read(lambda s: self._counts(s, team, as_of), self._show_counts, group="signoff-counts", exclusive=True)

    @staticmethod
    def _counts(session: Session, team: str | None, as_of: Any) -> store.PendingCounts | None:
        try:
            return store.pending_counts(session, team=team, today=as_of)
        except NoVersionPublished:
            return None

    def _show_counts(self, counts: store.PendingCounts | None) -> None:
        if counts is None:
            self.status(NO_VERSION)
            return
        scope = f" in team {self.team}" if self.team else ""
        if counts.overdue + counts.in_grace == 0:
            self.status(
                f"Everyone active{scope} holds a sign-off of {counts.material_version} or later. "
                "Nothing to collect; recorded sign-offs are under 'Recently recorded' (t)."
            )
            return
        self.status(
            f"Version {counts.version} in force; a sign-off of {counts.material_version} or later is required within "
            f"{counts.grace_period}. {counts.overdue} overdue, {counts.in_grace} inside the grace period{scope}. "
            f"{RECORD_SIGNOFF_KEY} records the highlighted employee's signature."
        )

    def reload_recent(self) -> None:
        valid, employees = self.recent_valid, self.recent_employee
        valid.clear()
        employees.clear()

        def fetch(cursor: Any, limit: int) -> Page:
            views = self.backend.read(lambda s: store.recent_signoffs(s, before=cursor, limit=limit))
            cells = []
            for v in views:
                s = v.signoff
                key = str(s.id)
                valid[key] = v.valid
                employees[key] = v.employee_number
                cells.append(
                    (
                        key,
                        plain(
                            key,
                            format_local(s.recorded_at),
                            v.employee_number,
                            v.employee_name,
                            v.version_label,
                            s.signed_on,
                            s.method,
                            Text("valid", style="green") if v.valid else Text("REVOKED", style="bold red"),
                            s.filing_ref or "—",
                        ),
                    )
                )
            return Page(cells, views[-1].signoff.id if len(views) == limit else None)

        self.query_one("#recent", PagedTable).load(fetch)

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        if event.table.id != "recent":
            self.refresh_bindings()
            return
        self.query_one("#recent-status", Static).update(
            RECENT_HINT
            if event.total_rows
            else "No sign-off recorded yet: highlight an employee under 'Still to sign' (t) "
            f"and press {RECORD_SIGNOFF_KEY}."
        )
        self.refresh_bindings()

    # --- requests and filters ---------------------------------------------------------------

    def handle_request(self, request: Request) -> None:
        """From the dashboard: the pending list, only the overdue or only those in grace."""
        if not isinstance(request, SignoffsRequest):
            return
        self.state = request.state if request.state in store.PENDING_STATES else None
        self.team = None
        with self.prevent(Select.Changed):
            self.query_one("#f-state", Select).value = self.state or Select.NULL
            self.query_one("#f-team", Select).value = Select.NULL
        self.query_one("#signoff-tabs", TabbedContent).active = "tab-pending"
        self.reload_pending()
        self.query_one("#pending", PagedTable).focus()

    @on(Select.Changed, "#signoff-filters Select")
    def _filter_changed(self) -> None:
        state = self.query_one("#f-state", Select).value
        team = self.query_one("#f-team", Select).value
        new = (None if state is Select.NULL else str(state), None if team is Select.NULL else str(team))
        if new != (self.state, self.team):
            self.state, self.team = new
            self.reload_pending()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.table().focus()
        self.refresh_bindings()

    @on(PagedTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    # --- what is highlighted --------------------------------------------------------------

    def _on_recent(self) -> bool:
        return self.query_one("#signoff-tabs", TabbedContent).active == "tab-recent"

    def table(self) -> PagedTable:
        """The list on the tab in front."""
        return self.query_one("#recent" if self._on_recent() else "#pending", PagedTable)

    def _employee(self) -> str | None:
        key = self.table().current_key
        if key is None:
            return None
        return self.recent_employee.get(key) if self._on_recent() else key

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revoke":
            key = self.query_one("#recent", PagedTable).current_key
            return self._on_recent() and key is not None and self.recent_valid.get(key, False)
        if action in ("changes", "open"):
            return self._employee() is not None
        return True

    # --- actions ------------------------------------------------------------------------------

    @on(PagedTable.Chosen)
    def _chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        number = self._employee()
        if number is not None:
            from tracker.ui.screens.employees.detail import EmployeeScreen

            self.app.push_screen(EmployeeScreen(number))

    def action_record_signoff(self) -> None:
        RecordSignoff(self, self._employee(), self._recorded).start()

    def _recorded(self, signoff: Signoff) -> None:
        self.reload()

    def action_changes(self) -> None:
        number = self._employee()
        if number is not None:
            show_rule_changes(self, number, lambda: RecordSignoff(self, number, self._recorded).start())

    def action_revoke(self) -> None:
        key = self.query_one("#recent", PagedTable).current_key
        if not self._on_recent() or key is None:
            return
        signoff_id = int(key)

        def ready(view: store.SignoffView) -> None:
            if not view.valid:
                self.notify(f"Sign-off {signoff_id} is already revoked.", severity="warning")
                self.reload_recent()
                return
            self.app.push_screen(
                FormDialog(revoke_form(self.backend, view)),
                lambda revocation: self.reload() if revocation is not None else None,
            )

        self.read(lambda s: store.get_signoff(s, signoff_id), ready)

    def action_other_list(self) -> None:
        tabs = self.query_one("#signoff-tabs", TabbedContent)
        tabs.active = "tab-pending" if self._on_recent() else "tab-recent"

    def action_focus_filters(self) -> None:
        self.query_one("#signoff-tabs", TabbedContent).active = "tab-pending"
        self.query_one("#f-state", Select).focus()
