"""The Service section: the service report on screen (``reporting/service.py``, as ``tracker report
service`` shows it), grouped by team, employee, channel or week (b), beside the baseline of all contacts.

Enter leads down a level: a team to its employees, an employee (a channel, a week) to the contacts
behind the row, a contact to the derivation of its measures; Escape goes back up. Every figure
carries its sample size and the rows come in the report's own order (names, weeks): a view of
rates, never a ranking.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tracker.backend import error_message
from tracker.domain.contact_profiles import PROFILES
from tracker.domain.errors import InputError
from tracker.domain.periods import format_seconds
from tracker.domain.timeutil import DateRange, last_days, parse_range, today
from tracker.records.contacts.queries import list_contacts
from tracker.records.employees.queries import EmployeeFilter, list_employees
from tracker.reporting.service import PERIOD_DAYS, ServiceFigures, ServiceReport, service_report
from tracker.ui.screens.base import ListScreen
from tracker.ui.screens.service.listing import ContactsScope, ContactsScreen
from tracker.ui.text import as_content
from tracker.ui.widgets.paged_table import Page, PagedTable
from tracker.ui.widgets.text_input import TextInput

if TYPE_CHECKING:
    from sqlmodel import Session

GROUPINGS = ("team", "employee", "channel", "week")  # b steps through them in this order
NO_EMPLOYEE = "(no employee)"  # the report's group of contacts nobody on the roster handled
BASELINE_KEY = "all"
IMPORT_HINT = "tracker contacts import FILE --from PROFILE"

# Fixed widths: an auto width changes as rows arrive and the screen shifts.
FIGURE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Contacts", 8),
    ("1st reply in target", 23),
    ("Median 1st (n)", 19),
    ("P90 1st", 11),
    ("Response time (n)", 20),
    ("Over ceiling", 12),
    ("Closed unans", 12),
    ("Waiting late", 12),
)
GROUP_WIDTH = 25


def columns(by: str) -> list[tuple[str, int | None]]:
    return [(by.capitalize(), GROUP_WIDTH), *FIGURE_COLUMNS]


def figure_cells(figures: ServiceFigures, smallest: int) -> list[str | Text]:
    """One row of the table: each rate with its sample size, the wording of ``tracker report service``."""
    rate = figures.attainment(smallest)
    attainment = f"too few to judge (n={figures.decided})" if rate is None else f"{rate:.1f}% of {figures.decided}"
    timed = figures.timed
    median = f"{format_seconds(figures.median_first)} (n={timed})" if timed else "— (n=0)"
    baseline = figures.group == "All contacts"
    return [
        Text(figures.group, style="bold") if baseline else figures.group,
        str(figures.contacts),
        attainment,
        median,
        format_seconds(figures.p90_first) if timed else "—",
        f"{format_seconds(figures.response_time)} (n={figures.replies})",
        f"{figures.over_ceiling} of {figures.with_aim}",
        str(figures.closed_unanswered),
        str(figures.waiting_late),
    ]


def employee_number(group: str) -> str:
    """The number in an employee group's name ("E-100 Ana Silva"); numbers hold no spaces."""
    return group.split(" ", 1)[0]


def week_period(group: str) -> DateRange:
    """The local days of an ISO week named as the report names it ("2026-W47")."""
    year, week = group.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return DateRange(monday, monday + timedelta(days=6))


@dataclass(frozen=True)
class Shown:
    """What one level of the report shows: the groups (in the report's order), then the baseline."""

    report: ServiceReport
    groups: list[ServiceFigures]
    any_contacts: bool  # does the database hold any contact at all (else: how to import them)


def _any_contacts(session: Session) -> bool:
    return bool(list_contacts(session, limit=1))


def _load(session: Session, by: str, period: DateRange, team: str | None = None) -> Shown:
    report = service_report(session, by=by, period=period)
    groups = report.groups
    if team is not None:
        numbers: set[str] = set()
        after: tuple[str, int] | None = None
        flt = EmployeeFilter(team=team, active=None)  # people who left still answered contacts
        while True:
            page = list_employees(session, flt, after=after, limit=500)
            numbers.update(e.number for e in page)
            if len(page) < 500:
                break
            after = (page[-1].name, page[-1].id or 0)
        groups = [g for g in groups if g.group != NO_EMPLOYEE and employee_number(g.group) in numbers]
    return Shown(report, groups, bool(report.groups) or _any_contacts(session))


class _LevelMeta(type(ListScreen), ABCMeta):  # type: ignore[misc]
    """Textual's screen metaclass with ABC's, so a level that forgets one of its hooks fails when
    it is built instead of when the hook is first called."""


class ServiceTable(ListScreen, metaclass=_LevelMeta):  # type: ignore[metaclass]  # mypy cannot see type(ListScreen)
    """One level of the report: a table of groups with the baseline, a summary, the empty state."""

    STATUS = "#svc-status"
    HINT: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.shown: Shown | None = None
        self.generation = 0
        self._keep_key: str | None = None  # the row to put the cursor back on after a reload

    # What each level says for itself; ServiceScreen (the report) and TeamScreen (one team's
    # employees) answer all four, so the table, paging, empty state and drill-down are written once.

    @property
    @abstractmethod
    def by(self) -> str:
        """The grouping the rows are in (its columns come from it)."""

    @property
    @abstractmethod
    def period(self) -> DateRange | None:
        """The days the figures cover; None until the level has one."""

    @abstractmethod
    def load(self, session: Session, period: DateRange) -> Shown:
        """The figures of this level for ``period`` (run in a worker)."""

    @abstractmethod
    def heading(self) -> str:
        """The line above the table: what the rows are, the period and the handbook version."""

    def figures_table(self) -> ComposeResult:
        yield Static("", id="svc-status", classes="service-status")
        yield Static("", id="svc-empty", classes="empty-state")
        yield PagedTable(columns(self.by), id="svc-table")

    def on_mount(self) -> None:
        # Textual calls every on_mount of the class's MRO in turn: ListScreen's loads the list after this.
        self.query_one("#svc-empty").display = False

    def reload(self) -> None:
        self.generation += 1
        table = self.table()
        self._keep_key = table.current_key or self._keep_key
        period = self.period
        if period is None:
            table.load(lambda cursor, limit: Page([], None))
            return
        self.status("Loading…")
        generation = self.generation
        self.read(
            lambda s: self.load(s, period),
            lambda shown: self._show(generation, shown),
            failed=lambda exc: self._failed(generation, exc),
        )

    def _show(self, generation: int, shown: Shown) -> None:
        if generation != self.generation:
            return
        self.shown = shown
        report = shown.report
        empty = self.query_one("#svc-empty", Static)
        rows: list[tuple[str, list[str | Text]]] = []
        if shown.groups:
            smallest = report.smallest_sample
            rows = [(str(i), figure_cells(g, smallest)) for i, g in enumerate(shown.groups)]
            rows.append((BASELINE_KEY, figure_cells(report.baseline, smallest)))
            empty.display = False
            self.status(
                f"{self.heading()}, contacts received {report.period.start} to {report.period.end}, handbook "
                f"{report.version}. n is each figure's sample (the median's is also the p90's); a rate over fewer "
                f"than {smallest} is too few to judge. Name order, not a ranking. {self.HINT}"
            )
        else:
            self.status(f"{self.heading()}: contacts received {report.period.start} to {report.period.end}.")
            empty.display = True
            if shown.any_contacts:
                empty.update(as_content(self.nothing_here()))
            else:
                empty.update(
                    as_content(
                        "No customer contacts yet. Import a help desk's export from the command line:\n"
                        f"  {IMPORT_HINT}\n"
                        f"(--from {', '.join(PROFILES)}; tracker contacts import --help says what each reads)."
                    )
                )
        self.table().load(lambda cursor, limit: Page(rows, None))

    def nothing_here(self) -> str:
        return "No contacts were received in this period. Change the dates (/) to look further back."

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self.table().load(lambda cursor, limit: Page([], None))
        message = error_message(exc)
        if "no handbook version is published" in message:
            message = "No handbook version is published yet: press h, then P to publish the handbook."
        self.status(Text(message, style="red"))

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        key, self._keep_key = self._keep_key, None
        if key is None:
            return
        table = event.table
        try:
            table.move_cursor(row=table.get_row_index(key))
        except Exception:  # noqa: BLE001 - the row is gone (another grouping): stay at the top
            pass

    def figures_of(self, key: str) -> ServiceFigures | None:
        shown = self.shown
        if shown is None:
            return None
        if key == BASELINE_KEY:
            return shown.report.baseline
        return shown.groups[int(key)] if key.isdigit() and int(key) < len(shown.groups) else None

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        figures, period = self.figures_of(event.key), self.period
        if figures is None or period is None:
            return
        if event.key == BASELINE_KEY:
            self.app.push_screen(ContactsScreen(ContactsScope(f"All contacts, {self.heading().lower()}", period)))
            return
        group, by = figures.group, self.by
        if group == NO_EMPLOYEE:
            self.notify("These contacts were handled by nobody on the roster: there is no one to open.")
        elif by == "team":
            self.app.push_screen(TeamScreen(group, period))
        elif by == "employee":
            self.app.push_screen(ContactsScreen(ContactsScope(group, period, employee=employee_number(group))))
        elif by == "channel":
            self.app.push_screen(ContactsScreen(ContactsScope(f"Channel {group}", period, channel=group)))
        elif by == "week":
            week = week_period(group)
            inside = DateRange(max(week.start, period.start), min(week.end, period.end))
            self.app.push_screen(ContactsScreen(ContactsScope(f"Week {group}", inside)))


class ServiceScreen(ServiceTable):
    """The section: the report by team (b changes the grouping), over a period typed above it."""

    FILTER_FOCUS = "#svc-from"
    BINDINGS = [
        Binding("b", "group_by", "Group by"),
        Binding("slash", "focus_filters", "Period"),
        Binding("f5", "refresh", "Refresh"),
        Binding("escape", "focus_table", "Table", show=False),
    ]
    HINT = "Enter opens the row; b groups by team, employee, channel or week."

    def __init__(self) -> None:
        super().__init__()
        self.grouping = GROUPINGS[0]
        self._period: DateRange | None = last_days(PERIOD_DAYS, today())

    @property
    def by(self) -> str:
        return self.grouping

    @property
    def period(self) -> DateRange | None:
        return self._period

    def heading(self) -> str:
        return f"By {self.grouping}"

    def load(self, session: Session, period: DateRange) -> Shown:
        return _load(session, self.grouping, period)

    def body(self) -> ComposeResult:
        yield Static("Service: are the speed standards kept?", classes="section-title")
        with Horizontal(classes="filters", id="svc-filters"):
            yield TextInput(placeholder="From YYYY-MM-DD", id="svc-from")
            yield TextInput(placeholder="To YYYY-MM-DD", id="svc-to")
        yield from self.figures_table()

    def on_mount(self) -> None:
        period = self._period
        assert period is not None
        with self.prevent(Input.Changed):
            self.query_one("#svc-from", Input).value = period.start.isoformat()
            self.query_one("#svc-to", Input).value = period.end.isoformat()

    def action_refresh(self) -> None:
        self.reload()

    def action_group_by(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        table = self.table()
        table.clear(columns=True)
        for label, width in columns(self.grouping):
            table.add_column(label, width=width)
        self._keep_key = None
        self.reload()
        table.focus()

    @on(Input.Submitted, "#svc-from, #svc-to")
    def _period_typed(self) -> None:
        try:
            self._period = parse_range(
                self.query_one("#svc-from", Input).value.strip() or None,
                self.query_one("#svc-to", Input).value.strip() or None,
                default_days=PERIOD_DAYS,
                today=today(),
            )
        except InputError as exc:
            self._period = None
            self.generation += 1
            self.table().load(lambda cursor, limit: Page([], None))
            self.status(Text(str(exc), style="red"))
            return
        self._keep_key = None
        self.reload()
        self.table().focus()


class TeamScreen(ServiceTable):
    """One team's employees (each beside the baseline of all contacts); Escape goes back."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "refresh", "Refresh"),
    ]
    HINT = "Enter lists an employee's contacts; Escape goes back to the teams."

    def __init__(self, team: str, period: DateRange) -> None:
        super().__init__()
        self.team = team
        self._period = period

    @property
    def by(self) -> str:
        return "employee"

    @property
    def period(self) -> DateRange | None:
        return self._period

    def heading(self) -> str:
        return f"Team {self.team}"

    def load(self, session: Session, period: DateRange) -> Shown:
        return _load(session, "employee", period, team=self.team)

    def nothing_here(self) -> str:
        return f"Nobody in team {self.team} handled a contact received in this period."

    def body(self) -> ComposeResult:
        yield Static(as_content(f"Service: team {self.team}"), classes="section-title")
        yield from self.figures_table()

    def action_refresh(self) -> None:
        self.reload()
