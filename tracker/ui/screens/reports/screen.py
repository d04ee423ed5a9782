"""Reports on screen, chosen with a select, and exported to a file (x)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from tracker.backend import error_message
from tracker.domain.errors import InputError
from tracker.domain.timeutil import DateRange, last_days, parse_range, today
from tracker.domain.wording import plural
from tracker.output.employee_file import FORMATS as EMPLOYEE_FILE_FORMATS
from tracker.output.employee_file import record_counts, render_employee_file
from tracker.output.tables import TABLE_FORMATS, csv_text, json_text, markdown_table
from tracker.records.actions.queries import list_actions
from tracker.reporting import complaint_reports, employee_file
from tracker.reporting.actions import action_row, action_rows
from tracker.reporting.compliance import compliance_report
from tracker.ui.dialogs.export import open_export
from tracker.ui.requests import ActionsRequest, ComplaintsRequest, EmployeesRequest, ReportsRequest, Request
from tracker.ui.screens.base import ListScreen
from tracker.ui.text import as_content
from tracker.ui.widgets.paged_table import Page, PagedTable
from tracker.ui.widgets.text_input import TextInput

if TYPE_CHECKING:
    from sqlmodel import Session

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Result:
    rows: Rows
    summary: str
    record: employee_file.EmployeeFile | None = None  # the employee file, for its printable formats


@dataclass(frozen=True)
class Query:
    period: DateRange | None
    employee_number: str | None
    today: date


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    columns: tuple[tuple[str, str, int | None], ...]  # field, header, width
    load: Callable[[Session, Query], Result]
    period_days: int | None = None  # None: the report has no period
    needs_employee: bool = False
    hint: str = ""


def _compliance(session: Session, q: Query) -> Result:
    report = compliance_report(session)
    return Result(report.rows(), report.summary)


def _first_response(session: Session, q: Query) -> Result:
    assert q.period is not None
    rows = [r.as_row() for r in complaint_reports.first_response_attainment(session, q.period)]
    return Result(rows, f"Complaints received {q.period.start} to {q.period.end}, against each channel's target.")


def _by_rule(session: Session, q: Query) -> Result:
    assert q.period is not None
    rows = complaint_reports.complaints_by_rule(session, q.period)
    return Result(
        rows,
        f"Rules cited in complaints received {q.period.start} to {q.period.end}."
        + ("" if rows else " No complaint cited a rule in this period."),
    )


def _by_month(session: Session, q: Query) -> Result:
    assert q.period is not None
    rows = complaint_reports.complaints_by_month(session, q.period)
    return Result(
        rows,
        f"Complaints per month, {q.period.start} to {q.period.end}."
        + ("" if rows else " No complaints in this period."),
    )


def _action_fields() -> list[str]:
    return [field for field, _, _ in BY_KEY["actions"].columns]


def _open_actions(session: Session, q: Query) -> Result:
    """Every open action, page by page (for export; the screen pages as it scrolls)."""
    rows = action_rows(session, day=q.today, state="open", fields=_action_fields())
    return Result(rows, f"{plural(len(rows), 'open corrective action')}.")


def _employee_file(session: Session, q: Query) -> Result:
    if not q.employee_number:
        raise InputError("employee", "type an employee number and press Enter")
    record = employee_file.employee_file(session, q.employee_number)
    rows = [{"date": day, "record": kind, "details": text} for day, kind, text in record.timeline()]
    summary = (
        f"{record.name} ({record.number}), team {record.team}, hired {record.hire_date}, "
        f"{'active' if record.active else 'inactive'}: {record_counts(record)}."
    )
    return Result(rows, summary, record)


REPORTS: tuple[Report, ...] = (
    Report(
        "compliance",
        "Sign-off compliance by team",
        (
            ("team", "Team", 20),
            ("active", "Active", 7),
            ("signed", "Signed", 7),
            ("pending", "Pending", 8),
            ("percent", "Signed %", 9),
        ),
        _compliance,
        hint="Enter lists the team's pending sign-offs.",
    ),
    Report(
        "first-response",
        "First response by channel",
        (
            ("channel", "Channel", 8),
            ("name", "Name", 14),
            ("target", "Target", 11),
            ("complaints", "Complaints", 10),
            ("within_target", "In time", 8),
            ("missed", "Missed", 7),
            ("waiting", "Waiting", 8),
            ("attainment_percent", "Attained %", 10),
            ("mean_first_response", "Mean 1st response", None),
        ),
        _first_response,
        period_days=90,
    ),
    Report(
        "by-rule",
        "Complaints by rule",
        (("rule", "Rule", 7), ("complaints", "Complaints", 10), ("title", "Title", None)),
        _by_rule,
        period_days=90,
        hint="Enter lists the complaints citing the rule.",
    ),
    Report(
        "by-month",
        "Complaints by month",
        (
            ("month", "Month", 8),
            ("complaints", "Complaints", 10),
            ("first_response_missed", "Target missed", 13),
            ("dismissed", "Dismissed", 9),
        ),
        _by_month,
        period_days=365,
    ),
    Report(
        "actions",
        "Open corrective actions",
        (
            ("id", "ID", 4),
            ("employee", "Employee", 8),
            ("name", "Name", 16),
            ("level", "Level", 9),
            ("follow_up_due", "Follow-up", 10),
            ("state", "State", 13),
            ("issued_on", "Issued", 10),
        ),
        _open_actions,
        hint="Enter opens the action.",
    ),
    Report(
        "employee",
        "Employee file",
        (("date", "Date", 10), ("record", "Record", 17), ("details", "Details", None)),
        _employee_file,
        needs_employee=True,
    ),
)
BY_KEY = {report.key: report for report in REPORTS}
PICKER_CHROME = 10  # the report picker's columns around its title: border, padding, the arrow


def _no_rows(cursor: Any, limit: int) -> Page:
    """An empty table; loading it also drops any page still on its way."""
    return Page([], None)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render_export(report: Report, query: Query, result: Result, fmt: str) -> str:
    fields = [field for field, _, _ in report.columns]
    if result.record is not None:
        return render_employee_file(result.record, fmt)
    if fmt == "csv":
        return csv_text(fields, result.rows)
    period = f"{query.period.start} to {query.period.end}" if query.period else None
    if fmt == "json":
        return json_text(
            {
                "report": report.title,
                "from": query.period.start if query.period else None,
                "to": query.period.end if query.period else None,
                "summary": result.summary,
                "rows": result.rows,
            }
        )
    note = result.summary if not period or period in result.summary else f"{result.summary} Period: {period}."
    return markdown_table(
        fields, result.rows, title=report.title, note=note, headers=[header for _, header, _ in report.columns]
    )


class ReportsScreen(ListScreen):
    FILTER_FOCUS = "#report-kind"
    STATUS = "#report-status"
    BINDINGS = [
        Binding("x", "export", "Export to file"),
        Binding("slash", "focus_filters", "Choose report"),
        Binding("f5", "refresh", "Refresh"),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report = REPORTS[0]
        self.result: Result | None = None
        self.shown: Query | None = None  # the query behind what is on screen (exported as is)
        self.period_typed = False
        self.generation = 0

    def body(self) -> ComposeResult:
        yield Static("Reports", classes="section-title")
        with Horizontal(classes="filters", id="report-filters"):
            kind = Select(
                [(r.title, r.key) for r in REPORTS], value=self.report.key, id="report-kind", allow_blank=False
            )
            # As wide as the longest title, so no title wraps over two lines (the picker grew a row).
            kind.styles.width = max(len(r.title) for r in REPORTS) + PICKER_CHROME
            yield kind
            yield TextInput(placeholder="From YYYY-MM-DD", id="r-from")
            yield TextInput(placeholder="To YYYY-MM-DD", id="r-to")
            yield TextInput(placeholder="Employee number, then Enter", id="r-employee")
        yield Static("", id="report-status")
        yield PagedTable([(header, width) for _, header, width in self.report.columns], id="report-table")
        yield Static("", id="report-detail")

    def prepare(self) -> None:
        self._arrange(columns=False)  # the table was built with this report's columns

    def action_refresh(self) -> None:
        self.reload()

    # --- choosing ----------------------------------------------------------------------

    def _arrange(self, columns: bool = True) -> None:
        """Show the inputs the chosen report takes; fill the default period."""
        report = self.report
        for widget_id in ("#r-from", "#r-to"):
            self.query_one(widget_id).display = report.period_days is not None
        self.query_one("#r-employee").display = report.needs_employee
        if report.period_days is not None and not self.period_typed:
            period = last_days(report.period_days, today())
            with self.prevent(Input.Changed):
                self.query_one("#r-from", Input).value = period.start.isoformat()
                self.query_one("#r-to", Input).value = period.end.isoformat()
        self.query_one("#report-detail", Static).update("")
        if columns:
            table = self.query_one(PagedTable)
            table.clear(columns=True)
            for _, header, width in report.columns:
                table.add_column(header, width=width)

    def _query(self) -> Query | None:
        day = today()
        period = None
        if self.report.period_days is not None:
            try:
                period = parse_range(
                    self.query_one("#r-from", Input).value.strip() or None,
                    self.query_one("#r-to", Input).value.strip() or None,
                    default_days=self.report.period_days,
                    today=day,
                )
            except InputError as exc:
                self.status(Text(str(exc), style="red"))
                return None
        number = self.query_one("#r-employee", Input).value.strip() or None
        return Query(period, number, day)

    def reload(self) -> None:
        self.generation += 1
        self.result = None
        self.refresh_bindings()
        table = self.query_one(PagedTable)
        report, query = self.report, self._query()
        self.shown = query
        if query is None:
            table.load(_no_rows)
            return
        if report.needs_employee and not query.employee_number:
            table.load(_no_rows)
            self.status("Type the employee's number in the box above and press Enter to show their file.")
            self.query_one("#r-employee", Input).focus()
            return
        if report.key == "actions":
            self._page_actions(query)
            return
        self.status("Loading…")
        generation = self.generation
        self.read(
            lambda s: report.load(s, query),
            lambda result: self._show(generation, result),
            failed=lambda exc: self._failed(generation, exc),
        )

    def _show(self, generation: int, result: Result) -> None:
        if generation != self.generation:
            return
        self.result = result
        self.refresh_bindings()
        self.status(result.summary + (f" {self.report.hint}" if self.report.hint and result.rows else ""))
        rows = [
            (str(i), [_cell(row.get(field)) for field, _, _ in self.report.columns])
            for i, row in enumerate(result.rows)
        ]
        self.query_one(PagedTable).load(lambda cursor, limit: Page(rows, None))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self.query_one(PagedTable).load(_no_rows)
        message = error_message(exc)
        if "no handbook version is published" in message:
            message = "No handbook version is published yet: press h, then P to publish the handbook."
        self.status(Text(message, style="red"))

    def _page_actions(self, query: Query) -> None:
        day = query.today

        def fetch(cursor: Any, limit: int) -> Page:
            rows = self.backend.read(lambda s: list_actions(s, state="open", today=day, after=cursor, limit=limit))
            fields = _action_fields()
            cells = [(str(r.id), [_cell(value) for value in action_row(r, day, fields).values()]) for r in rows]
            return Page(cells, rows[-1] if len(rows) == limit else None)

        self.result = Result([], "Open corrective actions, newest first.")
        self.refresh_bindings()
        self.status("Open corrective actions, newest first. Enter opens the action; x exports all of them.")
        self.query_one(PagedTable).load(fetch)

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        if self.report.key == "actions" and event.total_rows == 0:
            self.status("No open corrective action. Press a, then n to issue one.")

    @on(Select.Changed, "#report-kind")
    def _report_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.report.key:
            return
        if event.value != event.select.value:  # posted on mount, before a request chose another report
            return
        self.report = BY_KEY[str(event.value)]
        self._arrange()
        self.reload()

    @on(Input.Submitted, "#r-from, #r-to")
    def _period_changed(self) -> None:
        self.period_typed = True
        self.reload()

    @on(Input.Submitted, "#r-employee")
    def _employee_changed(self) -> None:
        self.reload()
        self.query_one(PagedTable).focus()

    def handle_request(self, request: Request) -> None:
        """Open one report (and the employee file of ``request.employee_number``)."""
        if not isinstance(request, ReportsRequest):
            return
        report, employee_number = request.report, request.employee_number
        if report in BY_KEY:
            with self.prevent(Select.Changed):
                self.query_one("#report-kind", Select).value = report
            self.report = BY_KEY[report]
            self._arrange()
        if employee_number:
            self.query_one("#r-employee", Input).value = employee_number
        self.reload()
        if not (self.report.needs_employee and not employee_number):
            self.query_one(PagedTable).focus()

    @on(PagedTable.RowHighlighted)
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        """The employee file's details are long: show the highlighted entry in full below the table."""
        detail = ""
        key = event.row_key.value if event.row_key is not None else None
        if self.report.needs_employee and self.result is not None and key is not None and str(key).isdigit():
            row = self.result.rows[int(str(key))]
            detail = f"{row['date']} {row['record']}: {row['details']}"
        self.query_one("#report-detail", Static).update(as_content(detail))

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        """A row leads to the list or record behind it."""
        key = self.report.key
        if key == "actions":
            self.open_section(ActionsRequest(open_action=int(event.key)))
            return
        if self.result is None or not event.key.isdigit():
            return
        row = self.result.rows[int(event.key)]
        if key == "compliance":
            self.open_section(EmployeesRequest(team=row["team"], signoff="pending"))
        elif key == "by-rule":
            shown = self.shown
            since = shown.period.start if shown and shown.period else None
            self.open_section(ComplaintsRequest(rule_id=row["rule"], received_from=since))

    # --- export ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.result is not None
        return True

    def action_export(self) -> None:
        query = self.shown
        if self.result is None or query is None:
            self.notify("Choose a report and let it load first.", severity="warning")
            return
        report = self.report
        stamp = query.today.isoformat()
        if report.needs_employee:
            default = f"~/employee-file-{query.employee_number}-{stamp}.html"
            formats = EMPLOYEE_FILE_FORMATS
        else:
            default = f"~/tracker-{report.key}-{stamp}.csv"
            formats = TABLE_FORMATS

        def render(fmt: str) -> tuple[str, int]:
            result = self.backend.read(lambda s: report.load(s, query))  # the whole report, afresh
            return render_export(report, query, result, fmt), len(result.rows)

        open_export(self, f"Export: {report.title}", default, render, formats)
