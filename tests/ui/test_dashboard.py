"""The home screen: figures from the database, each opening the list behind it,
and an empty database explaining what to do first."""

from __future__ import annotations

from datetime import datetime, timezone

from textual.widgets import OptionList, Static

from tests.conftest import ACTOR, write
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import ComplaintInput, EmployeeInput, ReplyInput
from tracker.records.complaints import commands as store
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.ui.screens.complaints.listing import ComplaintsScreen
from tracker.ui.widgets.paged_table import PagedTable


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_an_empty_database_says_what_to_do_first(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        status = str(app.screen.query_one("#dash-status", Static).render())
        assert "publish the handbook" in status and "import a roster" in status


async def test_figures_count_the_records_and_open_the_list_behind_them(
    app_factory, database_url, handbook: Handbook
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    write(
        engine,
        lambda s: add_employee(
            EmployeeInput(number="E-1", name="Ann Lee", team="Chat", hire_date="2024-01-01"), session=s, actor=ACTOR
        ),
    )
    refs = []
    for minute, channel in ((1, "chat"), (2, "chat"), (3, "email")):
        refs.append(
            write(
                engine,
                lambda s, m=minute, c=channel: store.log_complaint(
                    ComplaintInput(
                        received_at=f"2026-11-23 08:0{m}", channel=c, summary="Kept waiting", rule_ids="SPD-01"
                    ),
                    session=s,
                    actor=ACTOR,
                ),
            ).ref
        )
    # One chat complaint answered late (5 minutes against a 2-minute target).
    write(
        engine, lambda s: store.acknowledge(refs[0], ReplyInput(replied_at="2026-11-23 08:06"), session=s, actor=ACTOR)
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        assert screen.figure("open-received") == "Received: 2"
        assert screen.figure("open-acknowledged") == "Acknowledged: 1"
        # Both chat complaints missed the target: one answered late, one unanswered for two hours.
        assert screen.figure("missed-chat") == "Live chat: 2"
        # Published on 1 November with a 14-day grace period: Ann Lee is overdue.
        assert screen.figure("pending-overdue") == "Overdue: 1"
        assert "SPD-01" in screen.figure("rule-0")
        card = screen.query_one("#card-missed", OptionList)
        card.focus()
        card.highlighted = card.get_option_index("missed-chat")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 2
        assert {str(table.get_row_at(i)[0]) for i in range(2)} == {refs[0], refs[1]}


async def test_figures_read_during_start_up_are_shown_when_they_arrive(
    app_factory, database_url, handbook: Handbook
) -> None:  # type: ignore[no-untyped-def]
    """launch.py reads the figures while the app loads; if they arrive after the screen is
    built, they are still shown (not left on 'Loading…')."""
    from concurrent.futures import Future

    from tracker.reporting.dashboard import load_dashboard

    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    write(
        engine,
        lambda s: add_employee(
            EmployeeInput(number="E-1", name="Ann Lee", team="Chat", hire_date="2024-01-01"), session=s, actor=ACTOR
        ),
    )
    app = app_factory()
    pending: Future = Future()
    app.first_dashboard = pending
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Loading" in str(app.screen.query_one("#dash-status", Static).render())
        pending.set_result(app.backend.quick(load_dashboard))
        await _settle(app, pilot)
        assert app.screen.figure("open-received") == "Received: 0"
        assert not app.screen.query_one("#dash-status", Static).display
