"""The command palette and what every screen shares: each entry listed once, records found by
the number alone, a record opened from another record's page, the command-line tasks named,
where the data lives, the theme remembered, and the back key between sections."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from tests.conftest import ACTOR, ROOT, write
from tests.ui.conftest import SIZE
from tracker.backend import Backend
from tracker.config import Settings
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.source import source_from_config
from tracker.domain.inputs import ComplaintInput, EmployeeInput
from tracker.records.complaints import commands as complaint_commands
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.ui.app import TrackerApp
from tracker.ui.requests import ComplaintsRequest
from tracker.ui.screens.complaints.detail import ComplaintScreen
from tracker.ui.screens.employees.detail import EmployeeScreen


def _seed(database_url: str, handbook: Handbook) -> list[str]:
    """Two employees and 146 complaints; the references of the 1st and the 146th."""
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    for number, name in (("E-10015", "Chloe Martin"), ("E-20001", "Ann Lee")):
        write(
            engine,
            lambda s, n=number, m=name: add_employee(  # type: ignore[misc]
                EmployeeInput(number=n, name=m, team="Email desk", hire_date="2023-01-15"), session=s, actor=ACTOR
            ),
        )
    refs = write(
        engine,
        lambda s: [
            complaint_commands.log_complaint(
                ComplaintInput(
                    received_at=f"2026-11-{1 + i % 20:02d} 08:00", channel="chat", summary=f"Complaint number {i}"
                ),
                session=s,
                actor=ACTOR,
            ).ref
            for i in range(146)
        ],
    )
    engine.dispose()
    return [refs[0], refs[-1]]


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def _palette(app, pilot, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the palette, type ``query``: the entries it lists, as the user reads them."""
    await pilot.press("ctrl+p")
    await _settle(app, pilot)
    assert isinstance(app.screen, CommandPalette)
    if query:
        app.screen.query_one(Input).value = query  # as typed (pressing each key is slow to test)
    await pilot.pause(0.6)  # the palette searches after a short pause in typing
    await _settle(app, pilot)
    options = app.screen.query_one(CommandList).options
    return [str(option.prompt).splitlines()[0] for option in options]


async def test_each_palette_entry_is_listed_once(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        for query in ("", "go to"):
            entries = await _palette(app, pilot, query)
            assert "Go to Complaints" in entries
            assert len(entries) == len(set(entries)), f"listed twice for {query!r}: {entries}"
            await pilot.press("escape")
            await _settle(app, pilot)


async def test_the_number_alone_finds_the_employee_and_the_complaint(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    first, last = _seed(database_url, handbook)
    assert last.endswith("-00146")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        entries = await _palette(app, pilot, "10015")
        assert any(entry.startswith("Employee E-10015 Chloe Martin") for entry in entries), entries
        await pilot.press("escape")
        await _settle(app, pilot)
        entries = await _palette(app, pilot, "00146")
        assert any(entry.startswith(f"Complaint {last}") for entry in entries), entries
        await pilot.press("escape")
        await _settle(app, pilot)
        entries = await _palette(app, pilot, "146")
        assert any(entry.startswith(f"Complaint {last}") for entry in entries), entries


async def test_a_complaint_chosen_on_another_complaints_page_opens(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """On C-…-00001's page, the palette's C-…-00146 opens it; Escape comes back to the first."""
    first, last = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=first))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ComplaintScreen) and page.ref == first
        entries = await _palette(app, pilot, last)
        assert entries[0].startswith(f"Complaint {last}"), entries
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, ComplaintScreen) and app.screen.ref == last
        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen is page
        # The same from an employee's page to another employee.
        entries = await _palette(app, pilot, "E-10015")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeeScreen) and app.screen.number == "E-10015"
        entries = await _palette(app, pilot, "E-20001")
        assert entries[0].startswith("Employee E-20001"), entries
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeeScreen) and app.screen.number == "E-20001"


async def test_a_record_opened_from_the_palette_is_the_only_thing_read(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The dashboard the palette was opened on, and the list under the page it opens, are not read
    again on the way (issue 15: three loads competed and the palette's employee took seconds);
    the list is read again when the page is left for it."""
    _seed(database_url, handbook)
    app = app_factory()
    reads: list[str] = []
    for name in ("read", "quick"):
        original = getattr(app.backend, name)

        def counted(work, original=original):  # type: ignore[no-untyped-def]
            reads.append(getattr(work, "__qualname__", repr(work)))
            return original(work)

        setattr(app.backend, name, counted)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("e")  # the list, read once, then back to the dashboard
        await _settle(app, pilot)
        await pilot.press("d")
        await _settle(app, pilot)
        await _palette(app, pilot, "E-10015")
        reads.clear()
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeeScreen) and app.screen.number == "E-10015"
        assert [work for work in reads if not work.startswith("JumpProvider")] == [
            "EmployeeScreen.action_refresh.<locals>.<lambda>"
        ], reads
        reads.clear()
        await pilot.press("escape")
        await _settle(app, pilot)
        assert any(work.startswith("EmployeesScreen.reload") for work in reads), reads
        await pilot.press("backspace")  # the list has the keys: back to the dashboard, no filter edited
        await _settle(app, pilot)
        assert app.current_mode == "dashboard"


async def test_a_list_first_seen_behind_a_record_takes_the_keys(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """Opened straight on an employee's page (the list never shown), Escape comes back to the list
    with the list, not its search box, taking the keys: backspace goes back, as everywhere."""
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await _palette(app, pilot, "E-10015")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeeScreen)
        await pilot.press("escape")
        await _settle(app, pilot)
        assert type(app.focused).__name__ == "PagedTable", app.focused
        await pilot.press("backspace")
        await _settle(app, pilot)
        assert app.current_mode == "dashboard"


async def test_command_line_tasks_are_named_in_the_palette(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        entries = await _palette(app, pilot, "import complaints")
        assert entries[0] == "Import complaints from a file — run: tracker complaints import FILE"
        await pilot.press("enter")
        await _settle(app, pilot)
        assert any("run: tracker complaints import FILE" in str(n.message) for n in app._notifications)
        for query, command in (
            ("backup", "tracker db backup FILE"),
            ("restore", "tracker db restore FILE"),
            ("verify the audit", "tracker audit verify"),
            ("audit chain head", "tracker audit head"),
            ("purge", "tracker complaints purge-contacts"),
            ("import contacts", "tracker contacts import"),
            ("without customer details", "--redact"),
            ("where the data lives", "tracker db info"),
            ("run", "tracker audit verify"),
        ):
            entries = await _palette(app, pilot, query)
            assert any(command in entry for entry in entries), (query, entries)
            await pilot.press("escape")
            await _settle(app, pilot)
        entries = await _palette(app, pilot, "martin")
        assert entries and not any("run:" in entry for entry in entries), "a surname lists people, not tasks"


def _app_with_preferences(database_url: str, preferences: Path) -> TrackerApp:
    settings = Settings(
        database_url=database_url,
        handbook=source_from_config(ROOT / "mkdocs.yml"),
        actor=ACTOR,
        preferences=preferences,
    )
    return TrackerApp(settings, Backend(settings))


async def test_the_theme_chosen_is_remembered_at_the_next_start(database_url, handbook, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _seed(database_url, handbook)
    preferences = tmp_path / "config" / "preferences.json"
    app = _app_with_preferences(database_url, preferences)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        started = app.theme
        await pilot.press("ctrl+t")
        await _settle(app, pilot)
        chosen = app.theme
        assert chosen != started
    app.backend.close()
    assert preferences.stat().st_mode & 0o777 == 0o600
    again = _app_with_preferences(database_url, preferences)
    async with again.run_test(size=SIZE) as pilot:
        await _settle(again, pilot)
        assert again.theme == chosen
    again.backend.close()


async def test_where_the_data_lives_is_shown(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The palette's About entry and the keys panel name the database (no password), the
    handbook read, and the version; the keys panel also the back key and command-line tasks."""
    from textual.widgets import Markdown

    from tracker import __version__
    from tracker.ui.app import without_password

    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        entries = await _palette(app, pilot, "about")
        assert entries[0] == "About this tracker"
        await pilot.press("enter")
        await _settle(app, pilot)
        about = str(list(app._notifications)[-1].message)
        assert "Database: " in about and f"Handbook: {ROOT / 'mkdocs.yml'}" in about
        assert f"version {__version__}" in about
        await pilot.press("c")
        await _settle(app, pilot)
        await pilot.press("question_mark")
        await _settle(app, pilot)
        panel = app.screen.query_one("HelpPanel").query_one(Markdown)
        text = panel.source
        assert "backspace" in text and "about" in text and "imports, backup" in text
    assert without_password("postgresql+psycopg://ann:s3cret@db.example/tracker") == (
        "postgresql+psycopg://ann:***@db.example/tracker"
    )
    assert "s3cret" not in without_password("postgresql://db/tracker?user=ann&password=s3cret")


async def test_the_back_key_returns_to_the_section_left(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """A complaint's page, then r for Reports: backspace comes back to that page as it was."""
    first, _ = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=first))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ComplaintScreen)
        await pilot.press("r")
        await _settle(app, pilot)
        assert app.current_mode == "reports"
        print("FOCUSED", app.screen.focused)
        await pilot.press("backspace")
        await _settle(app, pilot)
        assert app.screen is page
        await pilot.press("backspace")
        await _settle(app, pilot)
        assert app.current_mode == "dashboard"
