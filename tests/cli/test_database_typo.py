"""A mistyped --db or TRACKER_DATABASE_URL is refused, naming the path, instead of silently
starting a stray empty database (where a day's sign-offs would be recorded and then missed).
Only the default location, `db init`, `demo` and `db restore` create one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_errors import assert_one_line_error


def typo_message(path: Path) -> str:
    return (
        f"error: database: {path} does not exist (a typo in --db or TRACKER_DATABASE_URL?); "
        f"to start a new database there, run: tracker --db {path} db init\n"
    )


@pytest.mark.parametrize("command", [("db", "info"), ("employees", "list"), ("signoffs", "pending")])
def test_a_mistyped_db_is_refused_and_nothing_is_created(
    tracker: Runner, tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "no-such-folder" / "tracker.db"
    tracker.url = str(path)
    result = tracker(*command)
    assert_one_line_error(result, 2)
    assert result.err == typo_message(path)
    assert not path.parent.exists()


def test_a_mistyped_environment_variable_is_refused(
    tracker: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tracker-typo.db"
    monkeypatch.setenv("TRACKER_DATABASE_URL", str(path))
    from tracker.cli.main import run

    code = run(["employees", "list"])
    assert code == 2
    assert not path.exists()


def test_the_app_is_not_opened_on_a_mistyped_db(tmp_path: Path) -> None:
    """A bare `tracker --db typo` refuses before the app takes the screen."""
    path = tmp_path / "typo.db"
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == typo_message(path)
    assert not path.exists()


def test_db_init_starts_a_new_database_and_leaves_one_that_exists(tracker: Runner, tmp_path: Path) -> None:
    path = tmp_path / "team" / "tracker.db"
    tracker.url = str(path)
    first = tracker("db", "init")
    assert first.code == 0, first.err
    assert first.out.startswith(f"Started a new database at {path}")
    assert path.exists()
    again = tracker("db", "init")
    assert again.code == 0 and "already exists" in again.out
    assert tracker("employees", "list").code == 0


def test_demo_and_the_default_location_create_their_database(
    tracker: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    practice = tmp_path / "practice.db"
    tracker.url = str(practice)
    assert tracker("demo", "--employees", "2", "--complaints", "2").code == 0
    assert practice.exists()
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from tracker.cli.main import run

    assert run(["db", "info", "--format", "json"]) == 0
    assert (tmp_path / "data" / "service-standards-tracker" / "tracker.db").exists()


def test_a_database_file_whose_path_has_url_characters_is_that_file(tracker: Runner, tmp_path: Path) -> None:
    """`#`, `?`, `%` and spaces are ordinary in folder names; in a URL they end the path or start a
    query. The tracker encodes them, so the file named is the file opened, by the engine and by the
    app's fast start alike."""
    from tracker.config import database_url
    from tracker.db.raw import connect

    folder = tmp_path / "shelf #1? 100% full"
    folder.mkdir()
    path = folder / "a&b=c.db"
    tracker.url = str(path)
    assert tracker("db", "init").code == 0
    assert tracker("employees", "add", "--number", "E-1", "--name", "Ann", "--team", "Desk",
                   "--hire-date", "2024-01-01").code == 0  # fmt: skip
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith("a&b=c.db-")) == ["a&b=c.db"]
    assert not (tmp_path / "shelf ").exists()
    info = tracker("db", "info", "--format", "json").json()
    assert str(path) in str(info)
    with connect(database_url(str(path))) as raw:
        assert raw.value("SELECT count(*) FROM employee") == 1
