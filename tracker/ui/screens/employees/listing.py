"""Employees: the searchable list, paged from the database by name, with each
row's standing on the current handbook version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Select, Static

from tracker.db.models import Employee
from tracker.records.employees import queries as employee_queries
from tracker.records.handbook.sql import material_version
from tracker.records.signoffs import queries as signoff_queries
from tracker.ui.requests import EmployeesRequest, Request
from tracker.ui.screens.base import LIST_KEYS, ListScreen
from tracker.ui.screens.employees.forms import add_employee_form
from tracker.ui.text import shown
from tracker.ui.widgets.cells import plain
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import Page, PagedTable
from tracker.ui.widgets.text_input import TextInput

if TYPE_CHECKING:
    from sqlmodel import Session

COLUMNS = [
    ("Number", 10),
    ("Name", 24),
    ("Handbook", 8),
    ("Team", 16),
    ("Hired", 10),
    ("Status", 8),
    ("Last signed", None),
]
ACTIVE_CHOICES = [("Active", "active"), ("Inactive", "inactive"), ("All", "all")]
ACTIVE_VALUES = {"active": True, "inactive": False, "all": None}
SIGNOFF_CHOICES = [("Signed", "signed"), ("Not signed", "pending")]
EMPTY = "No employees yet: press i to import a roster CSV, or n to add one."


def signoff_cell(row: signoff_queries.EmployeeRow) -> Text:
    if row.signed_current is None:
        return Text("—", style="dim")
    if row.signed_current:
        return Text("signed", style="green")
    return Text("PENDING", style="bold yellow" if row.employee.active else "dim")


class EmployeesScreen(ListScreen):
    FILTER_FOCUS = "#f-search"
    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("n", "add", "Add employee"),
        Binding("i", "import_roster", "Import roster"),
        *LIST_KEYS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = employee_queries.EmployeeFilter()
        self.signoff: str | None = None  # "signed" / "pending": only those who have / have not signed
        self.material: str | None = None
        self.count: int | None = None
        self._search_timer: Timer | None = None
        # Until the teams are loaded the team filter cannot show the request's team, and the
        # filters' own first "changed" messages would read it as "any team": they are not applied.
        self.choices_loaded = False

    def body(self) -> ComposeResult:
        yield Static("Employees", classes="section-title")
        with Horizontal(classes="filters", id="employee-filters"):
            yield TextInput(placeholder="Name or number", id="f-search")
            yield Select([], id="f-team", allow_blank=True, prompt="Any team")
            yield Select(ACTIVE_CHOICES, value="active", id="f-active", allow_blank=False)
            yield Select(SIGNOFF_CHOICES, id="f-signoff", allow_blank=True, prompt="Any sign-off")
        yield Static("", id="list-status", classes="list-status")
        yield PagedTable(COLUMNS, id="employees")

    def prepare(self) -> None:
        self.read(self._load_choices, self._choices_loaded)

    @staticmethod
    def _load_choices(session: Session) -> tuple[list[str], str | None]:
        material = material_version(session)
        return employee_queries.teams(session), material.label if material else None

    def _choices_loaded(self, loaded: tuple[list[str], str | None]) -> None:
        teams, self.material = loaded
        select = self.query_one("#f-team", Select)
        with self.prevent(Select.Changed):
            select.set_options((shown(team), team) for team in teams)  # a label as shown, the value as stored
            if self.filter.team in teams:
                select.value = self.filter.team
        self.choices_loaded = True
        self._update_status(self.count)
        self._apply_filters()  # anything typed or chosen while they loaded

    # --- the list ---------------------------------------------------------------------

    def reload(self) -> None:
        flt, signoff = self.filter, self.signoff

        def fetch(cursor: Any, limit: int) -> Page:
            rows = self.backend.read(
                lambda s: signoff_queries.employee_rows(s, flt, signoff=signoff, after=cursor, limit=limit)
            )
            cells = [
                (
                    r.employee.number,
                    plain(
                        r.employee.number,
                        r.employee.name,
                        signoff_cell(r),
                        r.employee.team,
                        r.employee.hire_date,
                        "active" if r.employee.active else Text("inactive", style="dim"),
                        r.last_signed or "—",
                    ),
                )
                for r in rows
            ]
            last = rows[-1].employee if rows else None
            return Page(cells, (last.name, last.id) if last is not None and len(rows) == limit else None)

        self._update_status(None)
        self.table().load(fetch)
        self.read(
            lambda s: signoff_queries.count_by_standing(s, flt, signoff=signoff),
            lambda n: self._update_status(n) if (flt, signoff) == (self.filter, self.signoff) else None,
            group="employee-count",
            exclusive=True,
        )

    def _describe(self, flt: employee_queries.EmployeeFilter) -> str:
        parts = [{True: "active", False: "inactive", None: "all"}[flt.active] + " employees"]
        if flt.team:
            parts.append(f"team {flt.team}")
        if flt.search:
            parts.append(f"matching '{flt.search}'")
        if self.signoff:
            version = f" of {self.material}" if self.material else ""
            parts.append(("signed" if self.signoff == "signed" else "not yet signed") + version)
        return ", ".join(parts)

    def _update_status(self, count: int | None) -> None:
        self.count = count
        described = self._describe(self.filter)
        if count == 1:
            described = described.replace("employees", "employee", 1)
        text = f"{count} " if count is not None else ""
        status = f"{text}{described}. Enter opens an employee."
        if count == 0:
            unfiltered = self.signoff is None and self.filter in (
                employee_queries.EmployeeFilter(),
                employee_queries.EmployeeFilter(active=None),
            )
            status = (
                EMPTY
                if unfiltered
                else f"No {self._describe(self.filter)}. Change the filters (/), or press n to add one."
            )
        self.status(status)

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        self.open_employee(event.key)

    # --- filters ------------------------------------------------------------------------

    def _filter_from_widgets(self) -> tuple[employee_queries.EmployeeFilter, str | None]:
        team = self.query_one("#f-team", Select).value
        active = self.query_one("#f-active", Select).value
        signoff = self.query_one("#f-signoff", Select).value
        return employee_queries.EmployeeFilter(
            search=self.query_one("#f-search", Input).value.strip() or None,
            team=None if team is Select.NULL else str(team),
            active=ACTIVE_VALUES.get(str(active), True),
        ), None if signoff is Select.NULL else str(signoff)

    def _apply_filters(self) -> None:
        if not self.choices_loaded:
            return
        wanted = self._filter_from_widgets()
        if wanted != (self.filter, self.signoff):
            self.filter, self.signoff = wanted
            self.reload()

    @on(Select.Changed, "#employee-filters Select")
    @on(Input.Submitted, "#f-search")
    def _filter_changed(self) -> None:
        self._apply_filters()

    @on(Input.Changed, "#f-search")
    def _search_typed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.3, self._apply_filters)

    def handle_request(self, request: Request) -> None:
        """From the dashboard or the palette: a filtered list, or one employee's page."""
        if not isinstance(request, EmployeesRequest):
            return
        if request.open_employee:
            self.open_employee(request.open_employee)
            return
        team, signoff = request.team, request.signoff
        self.filter, self.signoff = employee_queries.EmployeeFilter(team=team), signoff
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#f-search", Input).value = ""
            self.query_one("#f-active", Select).value = "active"
            self.query_one("#f-signoff", Select).value = signoff or Select.NULL
            team_select = self.query_one("#f-team", Select)
            try:
                team_select.value = team or Select.NULL
            except Exception:  # noqa: BLE001 - teams not loaded yet; _choices_loaded applies it
                pass
        self.reload()
        self.table().focus()

    # --- actions --------------------------------------------------------------------------

    def open_employee(self, number: str) -> None:
        from tracker.ui.screens.employees.detail import EmployeeScreen

        self.app.push_screen(EmployeeScreen(number))

    def action_open(self) -> None:
        key = self.table().current_key
        if key is not None:
            self.open_employee(key)

    def action_add(self) -> None:
        def ready(teams: list[str]) -> None:
            self.app.push_screen(FormDialog(add_employee_form(self.backend, teams)), self._after_add)

        self.read(employee_queries.teams, ready)

    def _after_add(self, employee: Employee | None) -> None:
        if employee is not None:
            self.read(self._load_choices, self._choices_loaded)
            self.reload()

    def action_import_roster(self) -> None:
        from tracker.ui.screens.employees.roster_import import RosterImportScreen

        self.app.push_screen(RosterImportScreen(), self._after_import)

    def _after_import(self, result: object) -> None:
        if result is not None:
            self.read(self._load_choices, self._choices_loaded)  # new teams; the list reloads on resume
