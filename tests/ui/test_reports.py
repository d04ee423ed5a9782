"""Reports in the terminal app: compliance by team on screen, and export to a CSV file."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.conftest import ACTOR, read, write
from tests.ui.conftest import SIZE, TODAY
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import ActionInput, CloseInput, EmployeeInput, FollowUpInput, SignoffInput, validate
from tracker.output.tables import csv_text, markdown_table
from tracker.records.actions.commands import close_action, issue_action, record_follow_up
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.records.signoffs.commands import record_signoff
from tracker.ui.screens.reports.screen import ReportsScreen
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import PagedTable


def _seed(database_url: str, handbook: Handbook) -> None:
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    for number, name, team in (("E-1", "Ana Silva", "Chat"), ("E-2", "Ben Ng", "Chat"), ("E-3", "Cy Okafor", "Phones")):
        write(
            engine,
            lambda s, n=number, m=name, t=team: add_employee(
                EmployeeInput(number=n, name=m, team=t, hire_date="2024-01-10"), session=s, actor=ACTOR
            ),
        )
    write(
        engine,
        lambda s: record_signoff(
            SignoffInput(employee_number="E-1", signed_on="2026-11-05", method="paper", filing_ref="cabinet 2"),
            session=s,
            actor=ACTOR,
        ),
    )
    engine.dispose()


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_compliance_report_and_csv_export(app_factory, database_url, handbook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("r")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        table = screen.query_one(PagedTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["Chat", "2", "1", "1", "50.0"], ["Phones", "1", "0", "1", "0.0"]]
        assert "1 of 3 active employees signed" in str(screen.query_one("#report-status", Static).render())
        # x exports: the user types the path; the file is written in a worker.
        await pilot.press("x")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-path", Input).value.endswith(".csv")
        target = tmp_path / "compliance.csv"
        form.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is screen
        assert target.read_text(encoding="utf-8").splitlines() == [
            "team,active,signed,pending,percent",
            "Chat,2,1,1,50.0",
            "Phones,1,0,1,0.0",
        ]
        assert any(f"Wrote {target}" in n.message for n in app._notifications)
        # A path that cannot be written gets a clear message under the field.
        await pilot.press("x")
        await _settle(app, pilot)
        form = app.screen
        form.query_one("#field-path", Input).value = str(tmp_path / "missing" / "c.csv")
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form
        assert "does not exist" in str(form.query_one("#error-path").render())


def test_export_rendering_is_safe_and_plain() -> None:
    rows = [
        {"rule": "CON-01", "title": '=HYPERLINK("x")', "complaints": 3},
        {"rule": "SPD-02", "title": "a|b", "complaints": -1},
    ]
    assert csv_text(["rule", "title", "complaints"], rows).splitlines() == [
        "rule,title,complaints",
        'CON-01,"\'=HYPERLINK(""x"")",3',
        "SPD-02,a|b,-1",
    ]
    assert "| SPD-02 | a\\|b | -1 |" in markdown_table(["rule", "title", "complaints"], rows, title="By rule")


async def test_a_request_that_opens_reports_shows_the_report_it_asks_for(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The employee page's "employee file" link opens Reports for the first time: the employee
    file of that employee, not the compliance report (the report picker's first message is stale)."""
    from tracker.ui.requests import ReportsRequest

    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ReportsRequest(report="employee", employee_number="E-1"))
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert screen.report.key == "employee"
        assert screen.query_one("#r-employee", Input).value == "E-1"
        assert "E-1" in str(screen.query_one("#report-status", Static).render())


async def test_reports_show_fresh_figures_when_you_come_back(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """A sign-off recorded elsewhere while Reports was open: coming back to Reports shows it
    (the screen and its export never disagree)."""
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("r")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert "1 of 3" in str(screen.query_one("#report-status", Static).render())
        engine = make_engine(database_url)
        write(
            engine,
            lambda s: record_signoff(
                SignoffInput(employee_number="E-2", signed_on="2026-11-06", method="terminal"), session=s, actor=ACTOR
            ),
        )
        engine.dispose()
        await pilot.press("d")
        await _settle(app, pilot)
        await pilot.press("r")
        await _settle(app, pilot)
        assert app.screen is screen
        assert "2 of 3" in str(screen.query_one("#report-status", Static).render())


def test_the_command_line_and_the_apps_export_give_every_action_the_same_state(
    database_url: str, handbook: Handbook, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tracker report actions``, ``tracker actions list`` and the app's export of "Open corrective
    actions" build their rows in one place (``reporting.actions``): the same follow-up state words
    for the same actions, on the pinned day (Monday 2026-11-23)."""
    import json

    from tests.cli.conftest import Runner
    from tracker.ui.screens.reports.screen import BY_KEY, Query, render_export

    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 1, 5, tzinfo=timezone.utc)))
    for number in ("E-1", "E-2", "E-3", "E-4", "E-5", "E-6"):
        write(
            engine,
            lambda s, n=number: add_employee(
                EmployeeInput(number=n, name=f"Agent {n}", team="Chat", hire_date="2024-01-10"), session=s, actor=ACTOR
            ),
        )

    def issue(number: str, **values: object) -> int:
        data = validate(ActionInput, employee_number=number, expectations="Answer within two minutes", **values)
        return write(engine, lambda s: issue_action(data, session=s, actor=ACTOR)).id

    issue("E-1", issued_on="2026-10-01", follow_up_due="2026-11-10")  # overdue
    issue("E-2", issued_on="2026-11-02", follow_up_due="2026-11-26")  # due this week
    issue("E-3", issued_on="2026-11-02", follow_up_due="2026-12-02")  # open: due after this week
    held = issue("E-4", issued_on="2026-11-02")  # followed up, awaiting close
    write(
        engine,
        lambda s: record_follow_up(
            held, validate(FollowUpInput, held_on="2026-11-20", outcome="improved"), session=s, actor=ACTOR
        ),
    )
    issue("E-5", issued_on="2026-11-02", level="dismissal", gross_misconduct_reason="Theft from the till")  # final
    closed = issue("E-6", issued_on="2026-10-01", follow_up_due="2026-10-20")  # closed: not an open action
    write(
        engine,
        lambda s: record_follow_up(
            closed, validate(FollowUpInput, held_on="2026-10-20", outcome="improved"), session=s, actor=ACTOR
        ),
    )
    write(
        engine,
        lambda s: close_action(
            closed,
            validate(CloseInput, closed_on="2026-10-21", effectiveness_check="No new complaints"),
            session=s,
            actor=ACTOR,
        ),
    )

    report = BY_KEY["actions"]
    query = Query(None, None, TODAY)
    with read(engine) as session:
        exported = json.loads(render_export(report, query, report.load(session, query), "json"))["rows"]
    engine.dispose()
    tracker = Runner(capsys, database_url)
    printed = tracker("report", "actions", "--format", "json")
    listed = tracker("actions", "list", "--format", "json")
    assert printed.code == 0 and listed.code == 0, printed.err + listed.err

    def states(rows: list[dict[str, object]]) -> dict[str, object]:
        return {str(row["employee"]): row["state"] for row in rows}

    expected = {
        "E-1": "overdue",
        "E-2": "due this week",
        "E-3": "open",
        "E-4": "followed up",
        "E-5": "final level",
    }
    assert states(exported) == expected
    assert states(printed.json()) == expected
    assert states(listed.json()) == expected
    # The same rows, field for field, wherever the two reports share a column.
    assert [{k: row[k] for k in exported[0]} for row in printed.json()] == exported


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_every_report_title_fits_the_picker_on_one_line(app_factory, database_url, handbook, size) -> None:  # type: ignore[no-untyped-def]
    """'Sign-off compliance by team' wrapped over two lines at 120 columns: the picker is as wide
    as the longest title, and the filters beside it still fit at 80 columns."""
    from textual.widgets import Select

    from tracker.ui.screens.reports.screen import REPORTS

    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await _settle(app, pilot)
        await pilot.press("r")
        await _settle(app, pilot)
        picker = app.screen.query_one("#report-kind", Select)
        label = picker.query_one("SelectCurrent #label", Static)
        assert label.content_size.width >= max(len(r.title) for r in REPORTS)
        assert picker.size.height == 3, "one line of title between the borders"
        filters = app.screen.query_one("#report-filters")
        for report in REPORTS:
            picker.value = report.key
            await _settle(app, pilot)
            shown = [child for child in filters.children if child.display]
            assert all(child.region.right <= filters.region.right for child in shown), report.key
            assert all(child.size.width >= 12 for child in shown if isinstance(child, Input)), report.key
            assert picker.size.height == 3, report.key
