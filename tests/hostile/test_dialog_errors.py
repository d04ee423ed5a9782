"""A file that is not what an import expects is refused without showing what is in it.

The served app's roster dialog reads any path typed into it, as the user who started the server,
and the importers on the command line read any path given: an error that quoted the first line of
``/etc/shadow`` (or a private key, a token file) would hand it to whoever is at the browser. The
rule: an error about a file's shape names the file, the row, the missing column and the columns
expected, and quotes nothing from it. Only a file whose first row names every required column (a real export) has its
other header names quoted ("password is not a known column"), to help fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.conftest import ACTOR, ROOT
from tracker.domain.errors import RowErrors
from tracker.domain.roster import parse_roster
from tracker.ui.app import TrackerApp
from tracker.ui.screens.employees.roster_import import RosterImportScreen
from tracker.ui.widgets.paged_table import PagedTable

# First lines of files a tracker user can read but nobody at the browser should see.
PRIVATE_FIRST_LINES = {
    "shadow": "root:$6$secretsalt$Hash.Hash/Hash:19000:0:99999:7:::",
    "ssh-key": "-----BEGIN OPENSSH PRIVATE KEY----- secretb3BlbnNzaC1rZXktdjEAAAAABG5vbmU",
    "comma-separated": "user,password_hash,secret_token",
    "semicolon-separated": "name;secret;team",  # one required column, the rest would be "unknown"
    "roster-like": "number,name,team,secret_column",  # almost a roster: hire_date is missing
    "history-like": "received_at,channel,secret_column",  # almost a complaint history: summary missing
}
ROSTER_COLUMNS = "number, name, team, hire_date"
HISTORY_COLUMNS = "received_at, channel, summary"


def _private_file(tmp_path: Path, kind: str) -> tuple[Path, str]:
    first = PRIVATE_FIRST_LINES[kind]
    path = tmp_path / kind
    path.write_text(f"{first}\ndaemon:*:19000:0:99999:7:::\nsecond secret line\n", encoding="utf-8")
    return path, first


def _leaks(text: str, first: str) -> list[str]:
    lowered = text.lower()
    return [piece for piece in ("secret", first.lower(), "root:", "daemon") if piece in lowered]


@pytest.fixture
def tracker(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> Runner:
    return Runner(capsys, sqlite_url)


@pytest.mark.parametrize("kind", PRIVATE_FIRST_LINES)
@pytest.mark.parametrize(("command", "expected"), [("employees", ROSTER_COLUMNS), ("complaints", HISTORY_COLUMNS)])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_importers_name_the_file_and_the_columns_never_its_contents(
    tracker: Runner, tmp_path: Path, kind: str, command: str, expected: str, fmt: str
) -> None:
    path, first = _private_file(tmp_path, kind)
    result = tracker(command, "import", str(path), "--format", fmt)
    shown = result.out + result.err
    assert result.code == 2, shown
    assert not _leaks(shown, first), shown
    assert expected in shown, "the error says which columns the file needs"
    if fmt == "table":
        (line,) = [line for line in result.err.splitlines() if line.startswith(f"{path.name}: ")]
        assert line.startswith(f"{path.name}: row 1, "), "the error names the file and the row"
        assert "column is missing" in line
    else:
        (error,) = result.json()["errors"]
        assert error["row"] == 1 and error["column"] in expected.split(", ")
        assert "column is missing" in error["reason"]


def test_a_real_export_with_an_unknown_column_still_has_it_named() -> None:
    """Every required column is there: this is a roster, and naming the stray column helps (its
    cells are never read, so a password column's contents are nowhere in the result)."""
    rows, errors, _, ignored = parse_roster(b"number,name,team,hire_date,password\nE-1,Ann Lee,Chat,2024-01-01,x\n")
    assert (len(rows), errors, ignored) == (1, [], ["password"])


def test_an_unreadable_file_keeps_its_reason() -> None:
    _, errors, _, _ignored = parse_roster("nümber;näme\n".encode("latin-1"))
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (1, "file", "is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    ]


def _rows(table: PagedTable) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in table.get_row_at(index)) for index in range(table.row_count)]


async def _settle(app: TrackerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        busy = [worker for worker in app.workers if worker.group != "_loader"]  # the folder tree keeps loading
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()


@pytest.mark.parametrize("kind", ["shadow", "ssh-key", "comma-separated", "roster-like"])
async def test_the_roster_dialog_shows_the_file_and_the_columns_never_its_contents(
    sqlite_url: str, tmp_path: Path, kind: str
) -> None:
    from textual.widgets import Input, Static

    from tracker.backend import Backend
    from tracker.config import Settings
    from tracker.domain.handbook.source import source_from_config

    path, first = _private_file(tmp_path, kind)
    settings = Settings(database_url=sqlite_url, handbook=source_from_config(ROOT / "mkdocs.yml"), actor=ACTOR)
    app = TrackerApp(settings, Backend(settings))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _settle(app, pilot)
            await pilot.press("e")
            await _settle(app, pilot)
            await pilot.press("i")
            await _settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, RosterImportScreen)
            screen.query_one("#roster-path", Input).value = str(path)
            await pilot.press("slash", "enter")
            await _settle(app, pilot)
            summary = str(screen.query_one("#roster-summary", Static).render())
            rows = _rows(screen.query_one("#roster-table", PagedTable))
            assert "nothing can be imported" in summary and path.name in summary, summary
            assert len(rows) == 1 and rows[0][0] == "1" and rows[0][1] in ROSTER_COLUMNS.split(", "), rows
            assert f"column is missing (the file needs: {ROSTER_COLUMNS})" == rows[0][2]
            on_screen = app.export_screenshot()
            assert not _leaks(summary + repr(rows), first), (summary, rows)
            assert not _leaks(on_screen, first), "the file's contents are on the screen"
            assert screen.query_one("#roster-import-button").disabled
    finally:
        app.backend.close()


def test_a_refused_import_summary_quotes_nothing_either(tmp_path: Path) -> None:
    """The one-line message (a notification, the command line's last line) is built from the same errors."""
    from tracker.backend import error_message

    _, errors, total, _ignored = parse_roster(b"root:$6$secret:19000:0:99999:7:::\n")
    message = error_message(RowErrors(errors, max(total, 1)))
    assert "secret" not in message and "root" not in message
    assert message.startswith("file: the header row is not usable"), message
