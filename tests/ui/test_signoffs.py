"""Sign-offs in the terminal app: the pending list (overdue first, paged from
the database), recording a sign-off through its confirmation, revoking one with
a reason, refusals in the form, and the rules changed since the last sign-off."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import func, select
from textual.widgets import Input, Markdown, Select, Static, TextArea

from tests.conftest import ACTOR, read, write
from tests.domain.editing import CON01_EDIT, edited_handbook
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.db.models import Signoff, SignoffRevocation
from tracker.domain import signing
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import EmployeeInput, SignoffInput, validate
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.records.signoffs import commands as signoff_commands
from tracker.records.signoffs import queries as signoff_queries
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.requests import SignoffsRequest
from tracker.ui.screens.signoffs.forms import RuleChangesDialog
from tracker.ui.screens.signoffs.listing import SignoffsScreen
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import PagedTable

PUBLISHED = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)  # grace 14 days: overdue from 2026-11-16


def _seed(database_url: str, handbook: Handbook) -> Engine:
    """Ann and Ben were hired long ago (overdue); Cleo joined last week (in grace)."""
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=PUBLISHED))
    for number, name, team, hired in (
        ("E-1", "Ann Lee", "Chat", "2023-01-15"),
        ("E-2", "Ben Ode", "Email", "2024-05-01"),
        ("E-3", "Cleo Park", "Chat", "2026-11-18"),
    ):
        data = EmployeeInput(number=number, name=name, team=team, hire_date=hired)
        write(engine, lambda s, data=data: add_employee(data, session=s, actor=ACTOR))
    return engine


def _sign(engine: Engine, number: str, label: str | None = None) -> Signoff:
    data = validate(
        SignoffInput,
        employee_number=number,
        signed_on="2026-11-02",
        method="paper",
        filing_ref=f"personnel file {number}",
        version_label=label,
    )
    return write(engine, lambda s: signoff_commands.record_signoff(data, session=s, actor=ACTOR))


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


def _rows(table: PagedTable) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in table.get_row_at(index)) for index in range(table.row_count)]


def _pending_numbers(engine: Engine) -> list[str]:
    with read(engine) as session:
        return [row.number for row in signoff_queries.pending_page(session, today=date(2026, 11, 23))]


def _signoff_count(engine: Engine) -> int:
    with read(engine) as session:
        return session.exec(select(func.count()).select_from(Signoff)).one()


async def test_record_a_signoff_from_the_pending_list(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("s")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SignoffsScreen)
        pending = screen.query_one("#pending", PagedTable)
        rows = _rows(pending)
        # Overdue first (by name), then those inside the grace period, with due date and last version.
        assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
            ("E-1", "OVERDUE", "2026-11-15", "—"),
            ("E-2", "OVERDUE", "2026-11-15", "—"),
            ("E-3", "grace", "2026-12-02", "—"),
        ]
        assert "2 overdue, 1 inside the grace period" in str(screen.query_one("#signoff-status", Static).render())
        assert pending.has_focus

        await pilot.press("S")  # for the highlighted employee, E-1
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-employee_number", Input).value == "E-1"
        assert form.query_one("#field-version_label", Select).value == handbook.label  # the version in force
        assert form.query_one("#field-signed_on", Input).value == "2026-11-23"  # today
        assert form.query_one("#field-printed_name", Input).value == "Ann Lee"
        form.query_one("#field-signed_on", Input).value = "2026-11-20"
        form.query_one("#field-method", Select).value = "paper"
        form.query_one("#field-filing_ref", Input).value = "cabinet 2, folder E-1"
        form.query_one("#field-printed_name", Input).value = "Ann M. Lee"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)

        # Nothing is written before the confirmation, which shows the signature exactly as stored.
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        assert _signoff_count(engine) == 0
        meaning = signing.meaning_of(handbook.label)
        assert "Ann M. Lee" in confirm.message.plain and f"“{meaning}”" in confirm.message.plain
        await pilot.press("y")
        await _settle(app, pilot)
        assert app.screen is screen
        assert [r[0] for r in _rows(pending)] == ["E-2", "E-3"]
        assert "1 overdue, 1 inside the grace period" in str(screen.query_one("#signoff-status", Static).render())
        recent = screen.query_one("#recent", PagedTable)
        assert [(r[2], r[4], r[5], r[6], r[7], r[8]) for r in _rows(recent)] == [
            ("E-1", handbook.label, "2026-11-20", "paper", "valid", "cabinet 2, folder E-1")
        ]

    with read(engine) as session:
        [view] = signoff_queries.signoffs_of(session, "E-1")
    s = view.signoff
    assert view.version_label == handbook.label and view.valid
    assert (s.signed_on, s.method, s.filing_ref, s.printed_name, s.meaning, s.recorded_by) == (
        date(2026, 11, 20),
        "paper",
        "cabinet 2, folder E-1",
        "Ann M. Lee",
        meaning,
        ACTOR,
    )
    assert _pending_numbers(engine) == ["E-2", "E-3"]


async def test_saying_no_at_the_confirmation_keeps_the_form(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("s")
        await _settle(app, pilot)
        await pilot.press("S")
        await _settle(app, pilot)
        app.screen.query_one("#field-method", Select).value = "terminal"
        app.screen.query_one("#field-printed_name", Input).value = "A. Lee"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog), "the form reopens"
        assert form.query_one("#field-method", Select).value == "terminal"
        assert form.query_one("#field-printed_name", Input).value == "A. Lee"
    assert _signoff_count(engine) == 0


async def test_revoke_a_signoff_with_a_reason(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    signed = _sign(engine, "E-1")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("s")
        await _settle(app, pilot)
        screen = app.screen
        assert [r[0] for r in _rows(screen.query_one("#pending", PagedTable))] == ["E-2", "E-3"]
        await pilot.press("z")  # nothing to revoke on the pending list
        await _settle(app, pilot)
        assert app.screen is screen
        await pilot.press("t")  # the recently recorded sign-offs
        await _settle(app, pilot)
        recent = screen.query_one("#recent", PagedTable)
        assert recent.has_focus and recent.current_key == str(signed.id)
        await pilot.press("z")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-reason", TextArea).text = "no"  # too short
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form
        assert "at least 3 characters" in str(form.query_one("#error-reason", Static).render())
        form.query_one("#field-reason", TextArea).text = "Signed the page of another employee"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is screen
        assert [(r[0], r[7]) for r in _rows(recent)] == [(str(signed.id), "REVOKED")]
        await pilot.press("t")
        await _settle(app, pilot)
        assert [r[0] for r in _rows(screen.query_one("#pending", PagedTable))] == ["E-1", "E-2", "E-3"]

    with read(engine) as session:
        view = signoff_queries.get_signoff(session, signed.id or 0)
        revocations = session.exec(select(SignoffRevocation)).all()
    assert [(r.signoff_id, r.reason, r.revoked_by) for r in revocations] == [
        (signed.id, "Signed the page of another employee", ACTOR)
    ]
    # The original is unchanged: a revocation is a new record.
    assert (view.signoff.signed_on, view.signoff.method, view.signoff.filing_ref, view.signoff.printed_name) == (
        signed.signed_on,
        signed.method,
        signed.filing_ref,
        signed.printed_name,
    )
    assert not view.valid
    assert _pending_numbers(engine) == ["E-1", "E-2", "E-3"]


async def test_invalid_input_is_shown_under_the_field_and_nothing_is_saved(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("s")
        await _settle(app, pilot)
        await pilot.press("S")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        # Paper without a filing reference: refused inline, by the input model.
        form.query_one("#field-method", Select).value = "paper"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form
        assert "where the signed paper form is filed" in str(form.query_one("#error-filing_ref", Static).render())
        assert form.query_one("#field-filing_ref", Input).has_class("-invalid")
        # A date in the future: refused by the record-keeping check, before any confirmation.
        form.query_one("#field-filing_ref", Input).value = "personnel file E-1"
        form.query_one("#field-signed_on", Input).value = "2026-11-30"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form, "no confirmation for a refused sign-off"
        assert "2026-11-30 is in the future" in str(form.query_one("#error-signed_on", Static).render())
        assert str(form.query_one("#error-filing_ref", Static).render()) == ""
        # What was typed is still there.
        assert form.query_one("#field-signed_on", Input).value == "2026-11-30"
        assert form.query_one("#field-filing_ref", Input).value == "personnel file E-1"
        assert form.query_one("#field-method", Select).value == "paper"
        assert form.query_one("#field-employee_number", Input).value == "E-1"
    assert _signoff_count(engine) == 0


async def test_the_dashboard_request_shows_only_the_overdue(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(SignoffsRequest(state="grace"))  # before the section has ever been shown
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SignoffsScreen)
        assert [r[0] for r in _rows(screen.query_one("#pending", PagedTable))] == ["E-3"]
        app.open_section(SignoffsRequest(state="overdue"))
        await _settle(app, pilot)
        assert [r[0] for r in _rows(screen.query_one("#pending", PagedTable))] == ["E-1", "E-2"]
        assert screen.query_one("#f-state", Select).value == "overdue"


def test_pending_page_pages_overdue_then_grace(database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    for number, hired in (("E-4", "2026-11-20"), ("E-5", "2022-02-02")):
        data = EmployeeInput(number=number, name=f"Dee {number}", team="Chat", hire_date=hired)
        write(engine, lambda s, data=data: add_employee(data, session=s, actor=ACTOR))
    today = date(2026, 11, 23)
    seen: list[tuple[str, str]] = []
    cursor = None
    with read(engine) as session:
        while True:
            page = signoff_queries.pending_page(session, after=cursor, limit=2, today=today)
            seen += [(row.number, row.state) for row in page]
            if len(page) < 2:
                break
            cursor = page[-1].cursor
        assert [r.number for r in signoff_queries.pending_page(session, state="grace", today=today)] == ["E-3", "E-4"]
        counts = signoff_queries.pending_counts(session, today=today)
    assert seen == [("E-1", "overdue"), ("E-2", "overdue"), ("E-5", "overdue"), ("E-3", "grace"), ("E-4", "grace")]
    assert (counts.overdue, counts.in_grace) == (3, 2)


async def test_show_the_rules_changed_since_the_last_signoff(
    app_factory, database_url, handbook, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    _sign(engine, "E-1")
    edited = edited_handbook(tmp_path / "hb", "2099.1", [CON01_EDIT])
    write(engine, lambda s: publish(edited, session=s, actor=ACTOR, now=datetime(2026, 11, 20, tzinfo=timezone.utc)))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("s")
        await _settle(app, pilot)
        screen = app.screen
        rows = _rows(screen.query_one("#pending", PagedTable))
        assert rows[0][0] == "E-1" and rows[0][5] == handbook.label  # last signed version
        await pilot.press("v")
        await _settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, RuleChangesDialog)
        texts = [str(w.render()) for w in dialog.query(Static)]
        assert any(f"From version {handbook.label}, which they signed, to version 2099.1" in t for t in texts)
        assert "Changed (1)" in texts
        assert any(t.startswith("CON-01") for t in texts)
        [shown] = dialog.query(Markdown)
        assert "Not even on the phone." in shown.source
        await pilot.press("S")  # go on to record the new version
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-employee_number", Input).value == "E-1"
        assert form.query_one("#field-version_label", Select).value == "2099.1"
