"""Corrective actions in the terminal app: issue one with the suggested level,
follow it up, close it with the effectiveness check; skipping steps needs the
gross-misconduct reason; a change by someone else is not overwritten."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Callable

from sqlmodel import func, select
from textual.widgets import Input, Select, Static, TextArea

from tests.conftest import ACTOR, read, write
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.db.models import CorrectiveAction
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import ActionInput, EmployeeInput, ResponseInput
from tracker.records.actions import commands as action_commands
from tracker.records.actions import queries as action_queries
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.ui.app import TrackerApp
from tracker.ui.requests import ActionsRequest
from tracker.ui.screens.actions.detail import ActionScreen
from tracker.ui.screens.actions.listing import ActionsScreen
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import PagedTable

AppFactory = Callable[..., TrackerApp]


def _seed(database_url: str, handbook: Handbook):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    write(
        engine,
        lambda s: add_employee(
            EmployeeInput(number="E-2001", name="Sam Okafor", team="Phones", hire_date="2024-02-01"),
            session=s,
            actor=ACTOR,
        ),
    )
    return engine


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def _text(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


def _action_count(engine) -> int:  # type: ignore[no-untyped-def]
    with read(engine) as session:
        return session.exec(select(func.count()).select_from(CorrectiveAction)).one()


async def test_issue_follow_up_and_close_an_action(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("a")
        await _settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen)
        assert "No open corrective action. Press n to issue one." in _text(app.screen.query_one("#list-status", Static))
        # n asks for the employee first, then shows the suggested level.
        await pilot.press("n")
        await _settle(app, pilot)
        await pilot.press(*"E-2001", "enter")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-level", Select).value == "coaching"
        intro = _text(form.query_one(".dialog-intro", Static))
        assert "Suggested: step 1, Coaching conversation" in intro and "no corrective action in the last" in intro
        assert form.query_one("#field-follow_up_due", Input).value == "2026-12-23"
        form.query_one("#field-expectations", TextArea).text = "Let customers finish"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen)
        with read(engine) as session:
            rows = action_queries.list_actions(session, state="all")
        assert [(r.employee_number, r.level, r.issued_on, r.follow_up_due, r.status) for r in rows] == [
            ("E-2001", "coaching", date(2026, 11, 23), date(2026, 12, 23), "open")
        ]
        action_id = rows[0].id
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 1 and table.current_key == str(action_id)
        # Enter opens the action page; f records the follow-up.
        await pilot.press("enter")
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ActionScreen)
        assert "OPEN" in _text(page.query_one("#a-title", Static))
        await pilot.press("f")
        await _settle(app, pilot)
        follow = app.screen
        assert isinstance(follow, FormDialog)
        assert follow.query_one("#field-new_due_date", Input).disabled, "a new date only for 'more time'"
        follow.query_one("#field-outcome", Select).value = "improved"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is page
        with read(engine) as session:
            view = action_queries.get_action(session, action_id)
        assert [(f.held_on, f.outcome) for f in view.follow_ups] == [(date(2026, 11, 23), "improved")]
        assert view.action.follow_up_done
        # l closes it with the effectiveness check.
        await pilot.press("l")
        await _settle(app, pilot)
        close = app.screen
        assert isinstance(close, FormDialog)
        close.query_one("#field-effectiveness_check", TextArea).text = "No repeat in four weeks"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is page
        assert "CLOSED" in _text(page.query_one("#a-title", Static))
        assert not page.check_action("close_action", ()) and not page.check_action("follow_up", ())
    with read(engine) as session:
        view = action_queries.get_action(session, action_id)
    assert view.action.status == "closed"
    assert view.action.closed_on == date(2026, 11, 23)
    assert view.action.effectiveness_check == "No repeat in four weeks"


async def test_skipping_to_dismissal_needs_the_gross_misconduct_reason(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ActionsRequest(issue_for="E-2001"))
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-level", Select).value = "dismissal"
        await _settle(app, pilot)
        due = form.query_one("#field-follow_up_due", Input)
        assert due.disabled and due.value == "", "the final level takes no follow-up date"
        form.query_one("#field-expectations", TextArea).text = "Threatened a customer"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form, "the form stays open"
        message = _text(form.query_one("#error-gross_misconduct_reason", Static))
        assert "skips the ladder" in message and "gross-misconduct reason" in message
        assert form.query_one("#field-gross_misconduct_reason", TextArea).has_class("-invalid")
        assert form.query_one("#field-expectations", TextArea).text == "Threatened a customer", "typed text is kept"
        assert form.query_one("#field-level", Select).value == "dismissal"
        assert _action_count(engine) == 0
        # With the reason it is issued, with no follow-up date.
        form.query_one("#field-gross_misconduct_reason", TextArea).text = "Threatened a customer with violence"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen)
    with read(engine) as session:
        rows = action_queries.list_actions(session, state="all")
        view = action_queries.get_action(session, rows[0].id)
    assert (view.action.level, view.action.suggested_level, view.action.follow_up_due) == (
        "dismissal",
        "coaching",
        None,
    )
    assert view.action.gross_misconduct_reason == "Threatened a customer with violence"


async def test_an_action_changed_by_someone_else_is_not_overwritten(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    engine = _seed(database_url, handbook)
    action = write(
        engine,
        lambda s: action_commands.issue_action(
            ActionInput(employee_number="E-2001", expectations="Greet every customer", issued_on="2026-11-20"),
            session=s,
            actor=ACTOR,
        ),
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ActionsRequest(open_action=action.id))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ActionScreen)
        await pilot.press("w")
        await _settle(app, pilot)
        form = app.screen
        form.query_one("#field-text", TextArea).text = "I disagree with the complaint"
        write(
            engine,
            lambda s: action_commands.record_response(
                action.id, ResponseInput(text="Sorry"), session=s, actor="other-supervisor"
            ),
        )
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form, "the form stays open with what was typed"
        assert "changed by other-supervisor" in _text(form.query_one("#form-error", Static))
        assert form.query_one("#field-text", TextArea).text == "I disagree with the complaint"
        assert "Sorry" in _text(page.query_one("#a-response", Static)), "the page shows the other change"
    with read(engine) as session:
        view = action_queries.get_action(session, action.id)
    assert view.action.employee_response is not None and "I disagree" not in view.action.employee_response


async def test_the_action_page_shows_a_change_made_elsewhere_when_you_come_back(
    app_factory: AppFactory, database_url: str, handbook: Handbook
) -> None:
    """A response recorded elsewhere (the command line, another supervisor) while the page was open:
    leaving for another section and coming back shows it, not the page as it was."""
    engine = _seed(database_url, handbook)
    action = write(
        engine,
        lambda s: action_commands.issue_action(
            ActionInput(employee_number="E-2001", expectations="Greet every customer", issued_on="2026-11-20"),
            session=s,
            actor=ACTOR,
        ),
    )
    action_id = action.id
    assert action_id is not None
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ActionsRequest(open_action=action_id))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ActionScreen)
        assert "None recorded" in _text(page.query_one("#a-response", Static))
        write(
            engine,
            lambda s: action_commands.record_response(
                action_id, ResponseInput(text="I will greet everyone"), session=s, actor="other-supervisor"
            ),
        )
        await pilot.press("d")
        await _settle(app, pilot)
        await pilot.press("a")
        await _settle(app, pilot)
        assert app.screen is page
        assert "I will greet everyone" in _text(page.query_one("#a-response", Static))
        assert page.view is not None and page.view.action.updated_by == "other-supervisor"
