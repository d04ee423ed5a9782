"""The Service section in the terminal app: the service report by team, down to one team's
employees, an employee's contacts and one contact's derivation, and back with Escape; a sample
too small to judge says so; the grouping changes with b; an empty database says how to import."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import Session
from textual.widgets import Static

from tests.conftest import ACTOR, write
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.domain import contact_words as words
from tracker.domain.contact_rows import ContactRow, MessageRow, ProfileRead
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import EmployeeInput
from tracker.records.contacts.commands import import_contacts
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.ui.screens.service.detail import ContactScreen
from tracker.ui.screens.service.listing import ContactsScreen
from tracker.ui.screens.service.screen import ServiceScreen, TeamScreen
from tracker.ui.widgets.paged_table import PAGE_SIZE, PagedTable

ANA_CONTACTS = PAGE_SIZE + 5  # more than a page: the list fetches the rest as the cursor nears the end
FIRST_DAY = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # a Monday; London is on UTC in November


def _chat(number: int, agent: str, day: int, wait: int) -> ContactRow:
    """A chat on a weekday at 10:00 (open), answered by ``agent`` after ``wait`` seconds."""
    received = FIRST_DAY + timedelta(days=day % 5 + 7 * (day // 5), minutes=number % 50)
    return ContactRow(
        file="test",
        row=number + 2,
        source="desk",
        external_id=f"C-{number}",
        channel="chat",
        received_at=received,
        agent=agent,
        topic="billing",
        status="solved",
        closed_at=received + timedelta(minutes=30),
        messages=(
            MessageRow(received + timedelta(seconds=5), words.AUTOMATIC),
            MessageRow(received + timedelta(seconds=wait), words.PERSON, agent),
        ),
    )


def _seed(database_url: str, handbook: Handbook, *, contacts: bool = True) -> None:
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    people = [("E-1", "Ana Silva", "Chat"), ("E-2", "Ben Ng", "Chat"), ("E-3", "Cy Okafor", "Phones")]

    def staff(session: Session) -> None:
        for number, name, team in people:
            add_employee(
                EmployeeInput(number=number, name=name, team=team, hire_date="2024-01-10"), session=session, actor=ACTOR
            )

    write(engine, staff)
    if contacts:
        rows = [_chat(i, "E-1", i % 10, 600 if i % 13 == 0 else 60) for i in range(ANA_CONTACTS)]
        rows += [_chat(100 + i, "E-2", i, 30) for i in range(3)]
        rows += [_chat(200 + i, "E-3", i, 90) for i in range(2)]
        read = ProfileRead(contacts=rows, rows_read=len(rows))
        write(engine, lambda s: import_contacts(read, session=s, actor=ACTOR, profile="generic", files=[]))
    engine.dispose()


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def _open_service(app, pilot) -> ServiceScreen:  # type: ignore[no-untyped-def]
    """The app started, then the Service section opened by its key, as a supervisor would."""
    await _settle(app, pilot)
    await pilot.press("m")
    await _settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ServiceScreen)
    return screen


def _rows(table: PagedTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def test_drill_down_from_team_to_a_contacts_derivation_and_back(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        teams = await _open_service(app, pilot)
        rows = _rows(teams.table())
        # The report's order (names), then the baseline; every rate with its sample.
        assert [row[0] for row in rows] == ["Chat", "Phones", "All contacts"]
        chat_met = ANA_CONTACTS - len(range(0, ANA_CONTACTS, 13)) + 3
        assert rows[0][1:3] == [
            str(ANA_CONTACTS + 3),
            f"{100 * chat_met / (ANA_CONTACTS + 3):.1f}% of {ANA_CONTACTS + 3}",
        ]
        assert rows[1][1:3] == ["2", "too few to judge (n=2)"]
        assert rows[2][1] == str(ANA_CONTACTS + 5)
        assert "(n=" in rows[0][3] and "(n=" in rows[0][5] and " of " in rows[0][6]
        status = _text(teams, "#svc-status")
        assert "2026-08-26 to 2026-11-23" in status  # the last 90 days, as the CLI's default
        assert "too few to judge" in status and "not a ranking" in status

        await pilot.press("enter")  # Chat: its employees beside all contacts
        await _settle(app, pilot)
        team = app.screen
        assert isinstance(team, TeamScreen) and team.team == "Chat"
        rows = _rows(team.table())
        assert [row[0] for row in rows] == ["E-1 Ana Silva", "E-2 Ben Ng", "All contacts"]
        assert rows[1][2] == "too few to judge (n=3)"
        assert rows[2][1] == str(ANA_CONTACTS + 5)

        await pilot.press("enter")  # Ana: her contacts, newest first, paged
        await _settle(app, pilot)
        contacts = app.screen
        assert isinstance(contacts, ContactsScreen)
        table = contacts.query_one(PagedTable)
        assert table.row_count == PAGE_SIZE
        received = [row[1] for row in _rows(table)]
        assert received == sorted(received, reverse=True)
        for _ in range(PAGE_SIZE):
            await pilot.press("down")
        await _settle(app, pilot)
        keys = [row[0] for row in _rows(table)]
        assert len(keys) == ANA_CONTACTS == len(set(keys))  # the next page, without repeats

        table.move_cursor(row=0)
        await pilot.press("enter")
        await _settle(app, pilot)
        contact = app.screen
        assert isinstance(contact, ContactScreen)
        assert contact.key == keys[0]
        derivation = _text(contact, "#svc-c-derivation")
        assert "First reply by a person" in derivation
        assert "ignored" in derivation  # the automatic reply never counts (SPD-02)
        assert "Target 2 minutes" in derivation

        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen is contacts
        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen is team
        assert team.table().current_key == "0"  # still on Ana's row
        await pilot.press("down", "enter")  # Ben: three contacts
        await _settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen) and app.screen.query_one(PagedTable).row_count == 3
        await pilot.press("escape", "escape")
        await _settle(app, pilot)
        assert app.screen is teams
        assert teams.table().current_key == "0"  # back on Chat


async def test_b_groups_by_employee_channel_and_week(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_service(app, pilot)

        await pilot.press("b")
        await _settle(app, pilot)
        table = screen.table()
        assert str(table.ordered_columns[0].label) == "Employee"
        assert [row[0] for row in _rows(table)] == ["E-1 Ana Silva", "E-2 Ben Ng", "E-3 Cy Okafor", "All contacts"]
        assert _rows(table)[2][2] == "too few to judge (n=2)"

        await pilot.press("b")
        await _settle(app, pilot)
        assert [row[0] for row in _rows(table)] == ["chat", "All contacts"]
        await pilot.press("enter")  # a channel: its contacts
        await _settle(app, pilot)
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("escape")
        await _settle(app, pilot)

        await pilot.press("b")
        await _settle(app, pilot)
        weeks = [row[0] for row in _rows(table)]
        assert weeks == ["2026-W45", "2026-W46", "All contacts"]
        await pilot.press("enter")  # a week: the contacts received in it
        await _settle(app, pilot)
        listing = app.screen
        assert isinstance(listing, ContactsScreen)
        assert all(row[1] < "2026-11-09" for row in _rows(listing.query_one(PagedTable)))
        await pilot.press("escape")
        await _settle(app, pilot)

        await pilot.press("b")  # round again to teams
        await _settle(app, pilot)
        assert str(table.ordered_columns[0].label) == "Team"


async def test_a_period_typed_above_the_table(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_service(app, pilot)
        await pilot.press("slash")
        field = screen.query_one("#svc-from")
        assert field.has_focus
        field.value = "2026-11-20"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await _settle(app, pilot)
        assert screen.table().row_count == 0
        assert "No contacts were received in this period" in _text(screen, "#svc-empty")
        field.value = "2026-11-30"  # type: ignore[attr-defined]
        await pilot.press("slash", "enter")
        await _settle(app, pilot)
        assert "is after the 'to' date" in _text(screen, "#svc-status")


async def test_an_empty_database_says_how_to_import_contacts(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook, contacts=False)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_service(app, pilot)
        assert screen.table().row_count == 0
        empty = screen.query_one("#svc-empty", Static)
        assert empty.display
        assert "tracker contacts import FILE --from PROFILE" in str(empty.render())
        assert "generic, zendesk, chatwoot, ticket-metrics" in str(empty.render())


async def test_no_handbook_yet_says_to_publish_it(app_factory, database_url) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_service(app, pilot)
        assert "press h, then P to publish the handbook" in _text(screen, "#svc-status")
