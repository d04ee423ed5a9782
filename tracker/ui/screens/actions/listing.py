"""Corrective actions: open, overdue and due follow-ups, closed; issue a new one."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from tracker.domain.timeutil import today
from tracker.records.actions import queries as store
from tracker.ui.requests import ActionsRequest, Request
from tracker.ui.screens.actions.forms import IssueContext, employee_prompt_form, issue_action_form, load_issue_context
from tracker.ui.screens.base import LIST_KEYS, ListScreen
from tracker.ui.widgets.cells import action_state_cell
from tracker.ui.widgets.form import LiveFormDialog
from tracker.ui.widgets.paged_table import Page, PagedTable
from tracker.ui.widgets.text_input import TextInput

STATES: tuple[tuple[str, str], ...] = (
    ("Open actions", "open"),
    ("Overdue follow-ups", "overdue"),
    ("Due this week or overdue", "due"),
    ("Closed", "closed"),
    ("All actions", "all"),
)
EMPTY = {
    "open": "No open corrective action. Press n to issue one.",
    "overdue": "No follow-up is overdue.",
    "due": "No follow-up is due this week or overdue.",
    "closed": "No corrective action has been closed yet.",
    "all": "No corrective action yet. Press n to issue one: the next step on the ladder is suggested.",
}
COLUMNS = [("ID", 4), ("Employee", 8), ("Name", 16), ("Level", 9), ("Follow-up", 10), ("State", 13), ("Issued", 10)]


class ActionsScreen(ListScreen):
    FILTER_FOCUS = "#f-state"
    BINDINGS = [Binding("n", "issue", "Issue action"), *LIST_KEYS]

    def __init__(self) -> None:
        super().__init__()
        self.state = "open"
        self.employee_number: str | None = None

    def body(self) -> ComposeResult:
        yield Static("Corrective actions", classes="section-title")
        with Horizontal(classes="filters"):
            yield Select(STATES, value="open", id="f-state", allow_blank=False)
            yield TextInput(placeholder="Employee no. (Enter)", id="f-employee")
        yield Static("", id="list-status", classes="list-status")
        yield PagedTable(COLUMNS, id="actions")

    # --- the list ----------------------------------------------------------------

    def reload(self) -> None:
        state, number, day = self.state, self.employee_number, today()

        def fetch(cursor: Any, limit: int) -> Page:
            rows = self.backend.read(
                lambda s: store.list_actions(
                    s, state=state, employee_number=number, today=day, after=cursor, limit=limit
                )
            )
            cells = [
                (
                    str(r.id),
                    (
                        str(r.id),
                        r.employee_number,
                        r.employee_name,
                        r.level,
                        r.follow_up_due.isoformat() if r.follow_up_due else "—",
                        action_state_cell(r, day),
                        r.issued_on.isoformat(),
                    ),
                )
                for r in rows
            ]
            return Page(cells, rows[-1] if len(rows) == limit else None)

        self.status(self._describe())
        self.table().load(fetch)

    def _describe(self) -> str:
        title = {v: k for k, v in STATES}[self.state]
        who = f" of {self.employee_number}" if self.employee_number else ""
        return f"{title}{who}. Enter opens an action; n issues a new one."

    @on(Select.Changed, "#f-state")
    def _state_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.state:
            self.state = str(event.value)
            self.reload()

    @on(Input.Submitted, "#f-employee")
    def _employee_changed(self, event: Input.Submitted) -> None:
        number = event.value.strip().upper() or None
        if number != self.employee_number:
            self.employee_number = number
            self.reload()
        self.table().focus()

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        if event.total_rows == 0:
            self.status(EMPTY[self.state])

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        self.open_action(int(event.key))

    def handle_request(self, request: Request) -> None:
        """From the dashboard, the palette or another screen: a list, one action, or issue one."""
        if not isinstance(request, ActionsRequest):
            return
        if request.state in {v: k for k, v in STATES} and request.state != self.state:
            self.state = request.state
            with self.prevent(Select.Changed):
                self.query_one("#f-state", Select).value = request.state
        self.reload()
        self.table().focus()
        if request.open_action is not None:
            self.open_action(request.open_action)
        elif request.issue_for:
            self.action_issue(request.issue_for)

    def open_action(self, action_id: int) -> None:
        from tracker.ui.screens.actions.detail import ActionScreen

        self.app.push_screen(ActionScreen(action_id))

    # --- issuing -------------------------------------------------------------------

    def action_issue(self, employee_number: str | None = None) -> None:
        """Ask for the employee (unless given), then open the form with the suggested level."""
        if employee_number:
            number = employee_number
            self.read(lambda s: load_issue_context(s, number), self._open_issue_form)
        else:
            self.app.push_screen(LiveFormDialog(employee_prompt_form(self.backend)), self._open_issue_form)

    def _open_issue_form(self, ctx: IssueContext | None) -> None:
        if ctx is None:
            return
        spec = issue_action_form(
            self.backend, ctx.std, ctx.suggestion, ctx.employee_number, employee_name=ctx.employee_name
        )
        self.app.push_screen(LiveFormDialog(spec), self._after_issue)

    def _after_issue(self, action: object) -> None:
        if action is not None:
            self.reload()
            self.table().focus()
