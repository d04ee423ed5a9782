"""Employees in the terminal app: the searchable list and its filters, the
employee's page (timeline, deactivation, export), importing a roster through
its preview, and two supervisors editing the same employee."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine
from sqlmodel import func, select
from textual.widgets import Button, DataTable, Input, Select, Static

from tests.conftest import ACTOR, read, write
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.db.models import AuditEvent, Employee
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate, RevokeInput, SignoffInput, validate
from tracker.records.employees import commands as store
from tracker.records.handbook.commands import publish
from tracker.records.signoffs import commands as signoff_commands
from tracker.records.signoffs import queries as signoff_queries
from tracker.ui.app import TrackerApp
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.requests import EmployeesRequest
from tracker.ui.screens.employees.detail import EmployeeScreen
from tracker.ui.screens.employees.listing import EmployeesScreen
from tracker.ui.screens.employees.roster_import import RosterImportScreen
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import PagedTable

PEOPLE = (
    ("E-1", "Ann Lee", "Chat", "2023-01-15"),
    ("E-2", "Ben Ode", "Email", "2024-05-01"),
    ("E-3", "Cleo Lee", "Chat", "2025-02-01"),
    ("E-4", "Dan Roe", "Phones", "2022-07-11"),
)

AppFactory = Callable[..., TrackerApp]


def _seed(database_url: str, handbook: Handbook) -> Engine:
    """Four employees; Ann and Ben signed the handbook; Dan has left."""
    engine = make_engine(database_url)
    write(
        engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, 9, tzinfo=timezone.utc))
    )
    for number, name, team, hired in PEOPLE:
        data = EmployeeInput(number=number, name=name, team=team, hire_date=hired)
        write(engine, lambda s, data=data: store.add_employee(data, session=s, actor=ACTOR))
    for number in ("E-1", "E-2"):
        data = validate(SignoffInput, employee_number=number, signed_on="2026-11-02", method="terminal")
        write(engine, lambda s, data=data: signoff_commands.record_signoff(data, session=s, actor=ACTOR))
    write(engine, lambda s: store.set_active("E-4", False, session=s, actor=ACTOR))
    return engine


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the database work to finish. The roster import's DirectoryTree
    keeps a loader worker running for as long as it is shown: not waited for."""
    for _ in range(2):
        busy = [worker for worker in app.workers if worker.group != "_loader"]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()


async def _open_page(app: TrackerApp, pilot, number: str) -> EmployeeScreen:  # type: ignore[no-untyped-def]
    """The employee's page, opened as the palette and the dashboard open it."""
    app.open_section(EmployeesRequest(open_employee=number))
    await _settle(app, pilot)
    page = app.screen
    assert isinstance(page, EmployeeScreen)
    return page


def _rows(table: DataTable) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return [tuple(str(cell) for cell in table.get_row_at(index)) for index in range(table.row_count)]


def _numbers(screen: EmployeesScreen) -> list[str]:
    return [row[0] for row in _rows(screen.query_one(PagedTable))]


def _employees(engine: Engine) -> dict[str, tuple[str, str, str, bool]]:
    with read(engine) as session:
        return {
            e.number: (e.name, e.team, e.hire_date.isoformat(), e.active) for e in session.exec(select(Employee)).all()
        }


async def test_search_and_filter_the_list(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("e")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EmployeesScreen)
        table = screen.query_one(PagedTable)
        assert table.has_focus
        # Active employees by name, each with their standing on the current version.
        assert [(r[0], r[1], r[2], r[6]) for r in _rows(table)] == [
            ("E-1", "Ann Lee", "signed", handbook.label),
            ("E-2", "Ben Ode", "signed", handbook.label),
            ("E-3", "Cleo Lee", "PENDING", "—"),
        ]
        assert str(screen.query_one("#list-status", Static).render()).startswith("3 active employees")

        await pilot.press("slash")
        assert screen.query_one("#f-search", Input).has_focus
        await pilot.press("l", "e", "e", "enter")  # words in the name
        await _settle(app, pilot)
        assert _numbers(screen) == ["E-1", "E-3"]
        screen.query_one("#f-signoff", Select).value = "pending"
        await _settle(app, pilot)
        assert _numbers(screen) == ["E-3"]
        screen.query_one("#f-search", Input).value = "e-"  # the start of the number
        await pilot.press("enter")
        await _settle(app, pilot)
        assert _numbers(screen) == ["E-3"]
        screen.query_one("#f-signoff", Select).value = Select.NULL
        screen.query_one("#f-team", Select).value = "Chat"
        await _settle(app, pilot)
        assert _numbers(screen) == ["E-1", "E-3"]
        screen.query_one("#f-team", Select).value = Select.NULL
        screen.query_one("#f-active", Select).value = "inactive"
        await _settle(app, pilot)
        assert [(r[0], r[5]) for r in _rows(screen.query_one(PagedTable))] == [("E-4", "inactive")]
        screen.query_one("#f-search", Input).value = "nobody"
        await pilot.press("enter")
        await _settle(app, pilot)
        assert _numbers(screen) == []
        assert "Change the filters" in str(screen.query_one("#list-status", Static).render())

        # The dashboard's figures and the palette open a filtered list or one employee.
        app.open_section(EmployeesRequest(signoff="signed", team="Email"))
        await _settle(app, pilot)
        assert _numbers(screen) == ["E-2"]
        assert screen.query_one("#f-search", Input).value == ""
        assert screen.query_one("#f-active", Select).value == "active"
        page = await _open_page(app, pilot, "e-3")
        assert "Cleo Lee" in str(page.query_one("#emp-title", Static).render())
        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen is screen
        await pilot.press("enter")  # Enter opens the highlighted employee
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeeScreen) and app.screen.number == "E-2"


async def test_an_empty_database_says_what_to_do(app_factory, database_url) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("e")
        await _settle(app, pilot)
        status = str(app.screen.query_one("#list-status", Static).render())
        assert "No employees yet: press i to import a roster CSV, or n to add one." in status


async def test_employee_page_timeline_deactivate_and_export(
    app_factory, database_url, handbook, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    with read(engine) as session:
        [first] = signoff_queries.signoffs_of(session, "E-1")
    write(
        engine,
        lambda s: signoff_commands.revoke_signoff(
            first.signoff.id or 0, RevokeInput(reason="wrong page signed"), session=s, actor=ACTOR
        ),
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        page = await _open_page(app, pilot, "E-1")
        facts = str(page.query_one("#emp-facts", Static).render())
        assert "NOT signed" in facts and "no valid sign-off" in facts
        rows = _rows(page.query_one("#emp-timeline", DataTable))
        assert [(r[0], r[1]) for r in rows] == [("2026-11-02", "sign-off (REVOKED)"), ("2026-11-23", "revocation")]
        assert f"Version {handbook.label}" in rows[0][2] and "wrong page signed" in rows[1][2]
        assert not page.check_action("revoke", ())  # a revoked sign-off cannot be revoked again

        await pilot.press("b")
        await _settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await _settle(app, pilot)
        assert "INACTIVE" in str(page.query_one("#emp-title", Static).render())
        assert str(page.query_one("#emp-active", Button).label).startswith("Reactivate")
        assert _employees(engine)["E-1"][3] is False

        target = tmp_path / "ann.md"
        await pilot.press("x")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-path", Input).value == "~/employee-file-E-1.html"
        form.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is page
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Employee file: Ann Lee (E-1)") and "wrong page signed" in text
        # The same path again is refused under the field unless 'Replace' is ticked.
        await pilot.press("x")
        await _settle(app, pilot)
        form = app.screen
        form.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form
        assert "already exists" in str(form.query_one("#error-path", Static).render())


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def _preview(app, pilot, path: Path) -> RosterImportScreen:  # type: ignore[no-untyped-def]
    await pilot.press("e")
    await _settle(app, pilot)
    await pilot.press("i")
    await _settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, RosterImportScreen)
    await pilot.press("slash")
    screen.query_one("#roster-path", Input).value = str(path)
    await pilot.press("enter")
    await _settle(app, pilot)
    return screen


def _audit_count(engine: Engine) -> int:
    with read(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


async def test_import_a_roster_with_bad_rows_writes_nothing(
    app_factory, database_url, handbook, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    before, audit_before = _employees(engine), _audit_count(engine)
    path = _csv(
        tmp_path / "roster.csv",
        "number,name,team,hire_date,active\n"
        "E-10,Eve Ray,Chat,2026-01-05,yes\n"
        "E-11,,Chat,2026-01-05,yes\n"
        "E-12,Fay Sun,Email,2026-02-30,yes\n"
        "E-1,Ann Lee,Chat,2023-01-15,maybe\n",
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        screen = await _preview(app, pilot, path)
        summary = str(screen.query_one("#roster-summary", Static).render())
        assert "3 bad rows" in summary and "nothing can be imported" in summary
        assert _rows(screen.query_one("#roster-table", PagedTable)) == [
            ("3", "name", "is required"),
            ("4", "hire_date", "'2026-02-30' is not a date like 2026-11-23"),
            ("5", "active", "'maybe' must be yes or no"),
        ]
        assert screen.query_one("#roster-import-button", Button).disabled
        assert not screen.check_action("import", ())
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is screen
    assert _employees(engine) == before
    assert _audit_count(engine) == audit_before


async def test_import_a_good_roster(app_factory, database_url, handbook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    path = _csv(
        tmp_path / "roster.csv",
        "number,name,team,hire_date\n"
        "E-10,Eve [Ray],Chat,2026-01-05\n"
        "E-2,Ben Ode,Phones,2024-05-01\n"
        "E-3,Cleo Lee,Chat,2025-02-01\n",
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        screen = await _preview(app, pilot, path)
        assert "3 rows: 1 to add, 1 to update, 1 unchanged" in str(screen.query_one("#roster-summary", Static).render())
        assert [(r[0], r[1], r[2], r[3], r[4]) for r in _rows(screen.query_one("#roster-table", PagedTable))] == [
            ("2", "add", "E-10", "Eve [Ray]", "Chat, hired 2026-01-05"),  # brackets shown as typed, not markup
            ("3", "update", "E-2", "Ben Ode", "team: Email → Phones"),
            ("4", "same", "E-3", "Cleo Lee", ""),
        ]
        assert _employees(engine)["E-2"][1] == "Email", "the preview writes nothing"
        assert not screen.query_one("#roster-import-button", Button).disabled
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        listing = app.screen
        assert isinstance(listing, EmployeesScreen)
        assert ("E-10", "Eve [Ray]") in [(r[0], r[1]) for r in _rows(listing.query_one(PagedTable))]
    people = _employees(engine)
    assert people["E-10"] == ("Eve [Ray]", "Chat", "2026-01-05", True)
    assert people["E-2"][1] == "Phones"
    assert len(people) == 5


async def test_concurrent_edit_is_refused_and_keeps_what_was_typed(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        page = await _open_page(app, pilot, "E-1")
        await pilot.press("u")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-team", Input).value = "Email"
        # Meanwhile another supervisor renames her.
        write(
            engine,
            lambda s: store.update_employee(
                "E-1", EmployeeUpdate(name="Ann Lee-Smith"), session=s, actor="other-supervisor"
            ),
        )
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form, "the form stays open"
        message = str(form.query_one("#form-error", Static).render())
        assert "other-supervisor changed E-1 since you opened it" in message
        assert "Now on record: Ann Lee-Smith, team Chat" in message
        assert _employees(engine)["E-1"][:2] == ("Ann Lee-Smith", "Chat"), "nothing was overwritten"
        assert form.query_one("#field-team", Input).value == "Email", "what was typed is kept"
        assert form.query_one("#field-name", Input).value == "Ann Lee-Smith", "untouched fields show the new state"
        assert "Ann Lee-Smith" in str(page.query_one("#emp-title", Static).render())
        # Saving again applies just this supervisor's change on top of the other one.
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is page
    assert _employees(engine)["E-1"][:2] == ("Ann Lee-Smith", "Email")


async def test_a_request_that_opens_the_section_keeps_its_filters(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The dashboard's team figure opens Employees for the first time: the list is that team's,
    not everyone (the filters' own first 'changed' messages must not undo the request)."""
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(EmployeesRequest(signoff="signed", team="Email"))
        await _settle(app, pilot)
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EmployeesScreen)
        assert _numbers(screen) == ["E-2"]
        assert screen.query_one("#f-team", Select).value == "Email"


async def test_the_employee_page_shows_a_change_made_elsewhere_when_you_come_back(
    app_factory: AppFactory, database_url: str, handbook: Handbook
) -> None:
    """A sign-off revoked elsewhere (the command line, another supervisor) while the page was open:
    coming back from another section shows the revocation and where they now stand."""
    engine = _seed(database_url, handbook)
    with read(engine) as session:
        [first] = signoff_queries.signoffs_of(session, "E-1")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        page = await _open_page(app, pilot, "E-1")
        assert "NOT signed" not in str(page.query_one("#emp-facts", Static).render())
        write(
            engine,
            lambda s: signoff_commands.revoke_signoff(
                first.signoff.id or 0, RevokeInput(reason="wrong page signed"), session=s, actor="other-supervisor"
            ),
        )
        await pilot.press("s")
        await _settle(app, pilot)
        await pilot.press("e")
        await _settle(app, pilot)
        assert app.screen is page
        assert "NOT signed" in str(page.query_one("#emp-facts", Static).render())
        assert [r[1] for r in _rows(page.query_one("#emp-timeline", DataTable))] == ["sign-off (REVOKED)", "revocation"]


async def test_a_long_record_opens_on_its_latest_complaints_and_the_whole_is_one_key_away(
    app_factory: AppFactory, database_url: str, handbook: Handbook
) -> None:
    """An employee with thousands of complaints opened in seconds (issue 15): the page reads the
    latest LATEST_COMPLAINTS, says how many earlier ones it left out and from which day its
    timeline starts, and w reads the whole record. The counts are always the whole record's."""
    from tracker.domain.inputs import ComplaintInput
    from tracker.records.complaints.commands import log_complaint
    from tracker.ui.screens.employees.detail import LATEST_COMPLAINTS, WHOLE_KEY

    engine = _seed(database_url, handbook)
    total = LATEST_COMPLAINTS + 5
    write(
        engine,
        lambda s: [
            log_complaint(
                ComplaintInput(
                    received_at=datetime(2026, 11, 3, 8 + i // 60, i % 60, tzinfo=timezone.utc),
                    channel="chat",
                    summary=f"Complaint {i}",
                    employee_number="E-1",
                ),
                session=s,
                actor=ACTOR,
            )
            for i in range(total)
        ],
    )
    engine.dispose()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        page = await _open_page(app, pilot, "E-1")
        table = page.query_one("#emp-timeline", DataTable)
        title = str(page.query_one("#emp-timeline-title", Static).render())
        assert table.row_count == LATEST_COMPLAINTS, "the sign-off of 2026-11-02 is before the first complaint shown"
        assert f"the latest {LATEST_COMPLAINTS} complaints: 5 earlier complaints not shown" in title, title
        assert f"{WHOLE_KEY} shows the whole record" in title
        assert f"{total} complaints" in str(page.query_one("#emp-facts", Static).render())
        latest = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.press(WHOLE_KEY)
        await _settle(app, pilot)
        assert table.row_count == total + 1  # every complaint and the sign-off
        assert table.cursor_row == total  # still on the latest entry, the earlier ones above it
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == latest
        assert "not shown" not in str(page.query_one("#emp-timeline-title", Static).render())
        assert f"{total} complaints" in str(page.query_one("#emp-facts", Static).render())
