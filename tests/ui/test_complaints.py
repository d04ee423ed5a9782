"""Complaints in the terminal app: log one and work it to resolved, refusals in
the form, and two supervisors changing the same complaint."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlmodel import func, select
from textual.widgets import Button, Checkbox, DataTable, Input, Select, SelectionList, Static, TextArea

from tests.conftest import ACTOR, read, write
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.db.models import Complaint
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import ComplaintInput, EmployeeInput, ReplyInput
from tracker.records.complaints import commands as complaint_commands
from tracker.records.complaints import queries as complaint_queries
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.ui.app import TrackerApp
from tracker.ui.requests import ComplaintsRequest
from tracker.ui.screens.complaints.detail import ComplaintScreen
from tracker.ui.screens.complaints.listing import ComplaintsScreen
from tracker.ui.screens.employees.listing import EmployeesScreen
from tracker.ui.widgets.form import FormDialog

AppFactory = Callable[..., TrackerApp]


def _seed(database_url: str, handbook: Handbook):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    write(
        engine,
        lambda s: add_employee(
            EmployeeInput(number="E-1003", name="Chloe Martin", team="Email desk", hire_date="2023-01-15"),
            session=s,
            actor=ACTOR,
        ),
    )
    return engine


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _complaint_count(engine) -> int:  # type: ignore[no-untyped-def]
    with read(engine) as session:
        return session.exec(select(func.count()).select_from(Complaint)).one()


async def test_log_a_complaint_and_take_it_to_resolved(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        await pilot.press("n")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-channel", Select).value = "email"
        received = form.query_one("#field-received_at", Input)
        received.value = "2026-11-23 08:00"
        form.query_one("#field-employee_number", Input).value = "E-1003"
        form.query_one("#field-rule_ids", SelectionList).select("CON-01")
        form.query_one("#field-summary", TextArea).text = "Agent argued about a refund"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        with read(engine) as session:
            rows = complaint_queries.list_complaints(session, complaint_queries.ComplaintFilter())
        assert [(r.ref, r.channel, r.employee_number, r.status) for r in rows] == [
            ("C-2026-00001", "email", "E-1003", "received")
        ]
        # The list shows it; Enter opens it.
        await pilot.press("enter")
        await _settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, ComplaintScreen)
        assert "RECEIVED" in str(detail.query_one("#c-title", Static).render())
        await pilot.press("k")
        await _settle(app, pilot)
        app.screen.query_one("#field-replied_at", Input).value = "2026-11-23 08:20"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        speed = str(detail.query_one("#c-speed", Static).render())
        assert "First response after 20 min" in speed and "within target" in speed
        await pilot.press("g")
        await _settle(app, pilot)
        await pilot.press("y")
        await _settle(app, pilot)
        await pilot.press("o")
        await _settle(app, pilot)
        app.screen.query_one("#field-text", TextArea).text = "Apologised; refund issued"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert "RESOLVED" in str(detail.query_one("#c-title", Static).render())
    with read(engine) as session:
        view = complaint_queries.get_complaint(session, "C-2026-00001")
    assert view.complaint.status == "resolved"
    assert view.complaint.resolution == "Apologised; refund issued"
    assert view.first_response_seconds == 20 * 60


async def test_the_form_offers_only_rules_that_can_be_breached(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """Issue 10: values, definitions and procedures are guidance; the form does not offer them."""
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        await pilot.press("n")
        await _settle(app, pilot)
        rules = app.screen.query_one("#field-rule_ids", SelectionList)
        offered = {rules.get_option_at_index(i).value for i in range(rules.option_count)}
    assert "CON-01" in offered and "SPD-01" in offered
    assert not offered & {"VAL-01", "SPD-03", "CMP-02", "ACT-01"}


async def test_invalid_form_input_is_shown_and_nothing_is_saved(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        await pilot.press("n")
        await _settle(app, pilot)
        form = app.screen
        form.query_one("#field-channel", Select).value = "email"
        form.query_one("#field-received_at", Input).value = "yesterday morning"
        form.query_one("#field-summary", TextArea).text = "Kept waiting"
        form.query_one("#field-employee_number", Input).value = "E-9999"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form, "the form stays open"
        assert "is not a date and time" in str(form.query_one("#error-received_at", Static).render())
        assert form.query_one("#field-received_at", Input).has_class("-invalid")
        assert _complaint_count(engine) == 0
        # Fix the date: now the database refuses the unknown employee, shown under that field.
        form.query_one("#field-received_at", Input).value = "2026-11-23 08:00"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form
        assert "no employee with number 'E-9999'" in str(form.query_one("#error-employee_number", Static).render())
        assert form.query_one("#field-summary", TextArea).text == "Kept waiting", "what was typed is kept"
        assert form.query_one("#field-received_at", Input).value == "2026-11-23 08:00"
        assert _complaint_count(engine) == 0


async def test_a_complaint_changed_by_someone_else_is_not_overwritten(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    ref = write(
        engine,
        lambda s: complaint_commands.log_complaint(
            ComplaintInput(received_at="2026-11-23 08:00", channel="chat", summary="No greeting at all"),
            session=s,
            actor=ACTOR,
        ),
    ).ref
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=ref))
        await _settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, ComplaintScreen)
        await pilot.press("k")
        await _settle(app, pilot)
        form = app.screen
        form.query_one("#field-replied_at", Input).value = "2026-11-23 08:01"
        form.query_one("#field-note", TextArea).text = "Hello, sorry for the wait"
        # Meanwhile another supervisor acknowledges the same complaint.
        write(
            engine,
            lambda s: complaint_commands.acknowledge(
                ref, ReplyInput(replied_at="2026-11-23 08:03"), session=s, actor="other-supervisor"
            ),
        )
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form, "the form stays open with what was typed"
        message = str(form.query_one("#form-error", Static).render())
        assert "changed by other-supervisor" in message and "nothing was saved" in message
        assert form.query_one("#field-note", TextArea).text == "Hello, sorry for the wait"
        # The page underneath already shows the other supervisor's change.
        assert "ACKNOWLEDGED" in str(detail.query_one("#c-title", Static).render())
    with read(engine) as session:
        view = complaint_queries.get_complaint(session, ref)
    assert [r.recorded_by for r in view.replies] == ["other-supervisor"]
    assert view.complaint.first_response_seconds == 3 * 60


async def test_text_that_looks_like_markup_is_shown_as_typed(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    summary = "Said [bold]no[/bold] and [/oops] twice"
    write(
        engine,
        lambda s: complaint_commands.log_complaint(
            ComplaintInput(
                received_at="2026-11-23 08:00", channel="chat", summary=summary, customer_name="[red]Ann[/]"
            ),
            session=s,
            actor=ACTOR,
        ),
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        table = app.screen.query_one("#complaints")
        assert summary in str(table.get_row_at(0)[-1])
        await pilot.press("enter")
        await _settle(app, pilot)
        facts = str(app.screen.query_one("#c-facts", Static).render())
        assert summary in facts and "[red]Ann[/]" in facts


async def test_escape_asks_before_throwing_away_what_was_typed(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """An untouched form closes at once; a typed one asks first, and 'no' keeps every field."""
    from tracker.ui.dialogs.confirm import ConfirmDialog

    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        listing = app.screen
        await pilot.press("n")
        await _settle(app, pilot)
        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen is listing, "nothing typed: escape closes"
        await pilot.press("n")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-summary", TextArea).text = "Kept waiting for an hour"
        await pilot.press("escape")
        await _settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog), "typed text is not thrown away without asking"
        await pilot.press("n")
        await _settle(app, pilot)
        assert app.screen is form
        assert form.query_one("#field-summary", TextArea).text == "Kept waiting for an hour"
        await pilot.press("escape")
        await _settle(app, pilot)
        await pilot.press("y")
        await _settle(app, pilot)
        assert app.screen is listing


async def test_a_form_refuses_a_save_before_it_is_shown(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """ctrl+s pressed while the form is still opening would save its prefilled defaults (the
    received time "now") unseen: refused visibly, and nothing is saved."""
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-channel", Select).value = "email"
        form.query_one("#field-summary", TextArea).text = "Kept waiting"
        form.started = None  # as it is until its first frame is painted
        form.action_save()
        await _settle(app, pilot)
        assert app.screen is form
        assert _complaint_count(engine) == 0
        assert any("still opening" in str(n.message) for n in app._notifications)


def _log(engine, summary: str = "No greeting at all") -> str:  # type: ignore[no-untyped-def]
    return write(
        engine,
        lambda s: complaint_commands.log_complaint(
            ComplaintInput(received_at="2026-11-23 08:00", channel="chat", summary=summary), session=s, actor=ACTOR
        ),
    ).ref


def _title(screen: ComplaintScreen) -> str:
    return str(screen.query_one("#c-title", Static).render())


async def test_the_complaint_page_shows_a_change_made_elsewhere_when_you_come_back(
    app_factory: AppFactory, database_url: str, handbook: Handbook
) -> None:
    """The investigation started elsewhere (the command line, another supervisor) while the page was
    open: coming back to the page shows INVESTIGATING and the steps that follow, not ACKNOWLEDGED."""
    engine = _seed(database_url, handbook)
    ref = _log(engine)
    write(
        engine,
        lambda s: complaint_commands.acknowledge(
            ref, ReplyInput(replied_at="2026-11-23 08:05"), session=s, actor=ACTOR
        ),
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=ref))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ComplaintScreen)
        assert "ACKNOWLEDGED" in _title(page)
        write(engine, lambda s: complaint_commands.investigate(ref, session=s, actor="other-supervisor"))
        await pilot.press("e")  # another section ...
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeesScreen)
        await pilot.press("c")  # ... and back to the complaint still open there
        await _settle(app, pilot)
        assert app.screen is page
        assert "INVESTIGATING" in _title(page)
        assert page.query_one("#step-resolve", Button).display
        assert not page.query_one("#step-investigate", Button).display


async def test_an_automatic_reply_can_be_recorded_before_the_first_response(
    app_factory: AppFactory, database_url: str, handbook: Handbook
) -> None:
    """As ``complaints reply --automatic`` allows: while the complaint is received, p records an
    automatic reply; it is in the timeline and the complaint still waits for its first response."""
    engine = _seed(database_url, handbook)
    ref = _log(engine)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=ref))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ComplaintScreen)
        button = page.query_one("#step-automatic_reply", Button)
        assert button.display and str(button.label) == "Record automatic reply (p)"
        assert not page.query_one("#step-reply", Button).display
        await pilot.press("p")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert f"Record an automatic reply to {ref}" in str(form.query_one(".dialog-title", Static).render())
        assert not form.query(Checkbox), "nothing to tick: before the first response a reply is automatic"
        form.query_one("#field-replied_at", Input).value = "2026-11-23 08:01"
        form.query_one("#field-note", TextArea).text = "Thanks, we are looking at it"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is page
        assert "RECEIVED" in _title(page)
        assert "none yet" in str(page.query_one("#c-speed", Static).render()), "no first response yet"
        timeline = page.query_one("#c-timeline", DataTable)
        whats = [str(timeline.get_row_at(i)[1]) for i in range(timeline.row_count)]
        assert "automatic reply" in whats
        assert page.query_one("#step-acknowledge", Button).display, "a person still has to acknowledge it"
    with read(engine) as session:
        view = complaint_queries.get_complaint(session, ref)
    assert [(r.automatic, r.note) for r in view.replies] == [(True, "Thanks, we are looking at it")]
    assert view.complaint.status == "received"
    assert view.complaint.first_response_at is None


async def test_the_timeline_columns_fit_what_an_acknowledgement_adds(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """Acknowledging with a long note: the timeline's columns widen to show the new rows whole
    (up to the 100 characters of details the page shows)."""
    engine = _seed(database_url, handbook)
    ref = _log(engine, summary="Rude")
    note = "Called the customer back, apologised for the tone and promised a written answer by Friday"
    app = app_factory()
    async with app.run_test(size=(200, 40)) as pilot:
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=ref))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ComplaintScreen)
        timeline = page.query_one("#c-timeline", DataTable)
        before = {str(c.label): c.get_render_width(timeline) for c in timeline.columns.values()}
        await pilot.press("k")
        await _settle(app, pilot)
        app.screen.query_one("#field-note", TextArea).text = note
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is page
        rows = [[str(cell) for cell in timeline.get_row_at(i)] for i in range(timeline.row_count)]
        assert [note] == [row[3] for row in rows if row[1] == "reply"]
        padding = 2 * timeline.cell_padding
        for index, column in enumerate(timeline.columns.values()):
            widest = max([len(str(column.label)), *(len(row[index]) for row in rows)])
            assert column.get_render_width(timeline) >= widest + padding, f"{column.label} cut short"
        assert timeline.columns[list(timeline.columns)[3]].get_render_width(timeline) > before["Details"]
