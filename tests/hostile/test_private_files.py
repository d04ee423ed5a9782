"""Files that hold personal data are the owner's alone, whatever the umask: the database and the
folders made for it, the log and its folders, exports and the served app's export folder. A failed
write leaves a log that names the failure, never the record it was writing.

Every test runs under ``umask 000`` (the worst a shared machine or a careless service unit can
set): anything the tracker leaves to the umask shows up as world-readable here.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.exc import IntegrityError

from tests.cli.conftest import Runner
from tests.cli.test_errors import ready  # noqa: F401 - the fixture
from tests.conftest import ACTOR, ROOT
from tracker import crash_log
from tracker.cli.main import run
from tracker.cli.serve import _export_folder
from tracker.db import engine as db
from tracker.db.migrate import upgrade
from tracker.db.models import Employee
from tracker.domain.inputs import EmployeeInput
from tracker.output.files import write_export
from tracker.records.employees.commands import add_employee

SECRET_NAME = "Zanele Secretperson"
APP = "service-standards-tracker"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """``umask 000`` for the test, the process's own umask restored after."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh (not yet existing) XDG data and state folders, and a fresh log handler."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg" / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg" / "state"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    crash_log.reset()
    yield tmp_path / "xdg"
    crash_log.reset()


def test_a_new_database_and_every_folder_made_for_it_are_owner_only(tmp_path: Path, homes: Path) -> None:
    target = tmp_path / "perm" / "x" / "t.db"
    code = run(["--db", str(target), "--as", ACTOR, "db", "init"])
    assert code == 0
    assert mode(tmp_path / "perm") == 0o700
    assert mode(tmp_path / "perm" / "x") == 0o700
    assert mode(target) == 0o600
    assert mode(tmp_path) == 0o700, "a folder that already existed is left as it was"  # pytest made it 0700


def test_the_default_database_folder_is_owner_only(homes: Path) -> None:
    code = run(["--as", ACTOR, "employees", "list"])
    assert code == 0
    database = homes / "data" / APP / "tracker.db"
    assert database.is_file()
    assert mode(homes / "data") == 0o700  # made by the tracker: it did not exist
    assert mode(homes / "data" / APP) == 0o700
    assert mode(database) == 0o600


def test_the_write_ahead_log_and_shared_memory_files_are_owner_only(tmp_path: Path, homes: Path) -> None:
    """SQLite makes ``-wal`` and ``-shm`` beside the database while it is open: as private as the file."""
    path = tmp_path / "new" / "tracker.db"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        data = EmployeeInput(number="E-1", name=SECRET_NAME, team="Desk", hire_date="2024-01-01")
        db.write(engine, lambda s: add_employee(data, session=s, actor=ACTOR))
        with engine.connect() as connection:  # held open: the -wal and -shm files exist now
            connection.exec_driver_sql("SELECT count(*) FROM employee").scalar()
            files = sorted(p.name for p in path.parent.iterdir())
            assert files == ["tracker.db", "tracker.db-shm", "tracker.db-wal"]
            assert {name: mode(path.parent / name) for name in files} == dict.fromkeys(files, 0o600)
    finally:
        engine.dispose()
    assert mode(path.parent) == 0o700


def _force_blank_team(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the input check, as a bug or a race would, so the database's CHECK refuses the row."""
    import tracker.cli.employees as employees_cli

    unchecked = EmployeeInput.model_construct(number="E-77", name=SECRET_NAME, team="   ", hire_date=date(2024, 1, 1))
    monkeypatch.setattr(employees_cli, "validate", lambda *args, **kwargs: unchecked)


def test_a_failed_write_leaves_a_private_log_without_the_record(
    database_url: str,
    homes: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Here a CHECK constraint refuses the row. SQLAlchemy's message would carry the statement's
    parameters, PostgreSQL's its DETAIL ("Failing row contains (..., Zanele Secretperson, ...)")."""
    _force_blank_team(monkeypatch)
    tracker = Runner(capsys, database_url)
    result = tracker(
        "employees", "add", "--number", "E-77", "--name", SECRET_NAME, "--team", "x", "--hire-date", "2024-01-01"
    )
    assert result.code == 1, result
    log = homes / "state" / APP / "log" / "tracker.log"
    assert result.err.strip().endswith(f"details in {log}"), result.err
    assert SECRET_NAME not in result.err and "Secretperson" not in result.err
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "IntegrityError" in text, text
    assert "team_nonblank" in text, "the reason (which constraint) is kept"
    for leak in ("Secretperson", "E-77", "[parameters", "INSERT INTO", "Failing row", "DETAIL"):
        assert leak not in text, f"the log holds {leak!r}:\n{text}"
    assert mode(log) == 0o600
    for folder in (homes / "state", homes / "state" / APP, log.parent):
        assert mode(folder) == 0o700, folder


def test_engines_never_put_parameters_into_error_messages(database_url: str) -> None:
    """``hide_parameters``: the message of a refused statement (shown, logged or printed by any
    handler) does not quote the values it was writing."""
    engine = db.make_engine(database_url)
    try:
        row = dict(
            number="E-9",
            name=SECRET_NAME,
            team="Desk",
            hire_date=date(2024, 1, 1),
            created_at=datetime.now(timezone.utc),
            created_by=ACTOR,
            updated_at=datetime.now(timezone.utc),
            updated_by=ACTOR,
        )

        def twice(session):  # type: ignore[no-untyped-def]
            session.add(Employee(**row))
            session.flush()
            session.add(Employee(**row))
            session.flush()

        with pytest.raises(IntegrityError) as caught:
            db.write(engine, twice)
        assert engine.hide_parameters
        assert SECRET_NAME not in str(caught.value)
        logged = crash_log.describe(caught.value)
        assert SECRET_NAME not in logged and "E-9" not in logged, logged
        assert "IntegrityError" in logged
    finally:
        engine.dispose()


def test_a_read_only_engine_hides_parameters_too(sqlite_template: Path) -> None:
    engine = db.read_only_engine(sqlite_template)
    try:
        assert engine.hide_parameters
    finally:
        engine.dispose()


def _boom(size: int) -> RuntimeError:
    try:
        raise RuntimeError("x" * size)
    except RuntimeError as exc:
        return exc


def test_the_log_rotates_at_its_limit_and_every_file_stays_private(
    homes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crash_log, "LOG_MAX_BYTES", 20_000)
    crash_log.reset()
    paths = {crash_log.log_unexpected(_boom(300)) for _ in range(400)}  # about 400 x 700 bytes: rotated often
    (log,) = paths
    assert log is not None
    names = sorted(p.name for p in log.parent.iterdir())
    assert names == ["tracker.log"] + [f"tracker.log.{n}" for n in range(1, crash_log.LOG_BACKUPS + 1)]
    for name in names:
        assert mode(log.parent / name) == 0o600, name
        assert (log.parent / name).stat().st_size <= 20_000, "a file went past the limit"


def test_the_real_limits_are_those_documented() -> None:
    """The README says: the log rotates at 1 MB and keeps three older files."""
    assert (crash_log.LOG_MAX_BYTES, crash_log.LOG_BACKUPS) == (1_000_000, 3)


def test_a_log_left_readable_by_an_older_tracker_is_made_private(homes: Path) -> None:
    folder = homes / "state" / APP / "log"
    folder.mkdir(parents=True, mode=0o755)
    old = folder / "tracker.log"
    old.write_text("an old traceback\n", encoding="utf-8")
    old.chmod(0o644)
    assert crash_log.log_unexpected(_boom(10)) == old
    assert mode(old) == 0o600
    assert mode(folder) == 0o700, "the tracker's own log folder is made private"
    assert old.read_text(encoding="utf-8").startswith("an old traceback\n"), "the log is appended to"


def test_a_link_planted_as_the_log_is_not_followed(homes: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    folder = homes / "state" / APP / "log"
    folder.mkdir(parents=True)
    (folder / "tracker.log").symlink_to(victim)
    assert crash_log.log_unexpected(_boom(10)) is None
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_a_crash_that_cannot_be_logged_says_so(
    database_url: str, homes: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _force_blank_team(monkeypatch)
    (homes / "state").mkdir(parents=True)
    (homes / "state" / APP).write_text("not a folder", encoding="utf-8")
    result = Runner(capsys, database_url)(
        "employees", "add", "--number", "E-77", "--name", SECRET_NAME, "--team", "x", "--hire-date", "2024-01-01"
    )
    assert result.code == 1
    assert "None" not in result.err and "the log could not be written" in result.err, result.err


def test_exports_are_private_under_any_umask(tmp_path: Path) -> None:
    new = write_export(tmp_path / "employee-file.html", "<p>history</p>", replace=False)
    assert mode(new) == 0o600
    old = tmp_path / "report.csv"
    old.write_text("old", encoding="utf-8")
    old.chmod(0o644)
    write_export(old, "new", replace=True)
    assert old.read_text(encoding="utf-8") == "new"
    assert mode(old) == 0o600, "a replaced export is made private too"


def test_the_employee_file_written_by_the_command_line_is_private(ready: Runner, tmp_path: Path) -> None:  # noqa: F811
    """Issue 15: `tracker report employee E-1 > file` left a disciplinary history at the umask;
    --output writes it 0600, in the format its name asks for, and replaces a file only when asked."""
    target = tmp_path / "e-1.html"
    written = ready("report", "employee", "E-1", "--output", str(target))
    assert written.code == 0, written.err
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    again = ready("report", "employee", "E-1", "--output", str(target))
    assert again.code == 2
    assert again.err == f"error: --output: {target} already exists; pass --replace or choose another name\n"
    assert ready("report", "employee", "E-1", "--output", str(target), "--replace").code == 0
    clash = ready("report", "employee", "E-1", "--output", str(tmp_path / "e-1.md"), "--format", "json")
    assert clash.code == 2 and clash.err.startswith("error: --format: 'json' disagrees with the file name e-1.md")
    assert not (tmp_path / "e-1.md").exists()


def test_the_served_apps_export_folder_and_its_new_parents_are_owner_only(tmp_path: Path) -> None:
    folder = _export_folder(tmp_path / "a" / "b" / "exports")
    assert folder == tmp_path / "a" / "b" / "exports"
    for made in (tmp_path / "a", tmp_path / "a" / "b", folder):
        assert mode(made) == 0o700, made


def test_tracker_demo_by_hand_under_umask_000(tmp_path: Path, homes: Path) -> None:
    """The command a user types: ``(umask 000; tracker --db /tmp/perm/x/t.db demo ...)``."""
    target = tmp_path / "perm" / "x" / "t.db"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            str(target),
            "--handbook",
            str(ROOT / "mkdocs.yml"),
            "demo",
            "--employees",
            "3",
            "--complaints",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert [mode(p) for p in (tmp_path / "perm", tmp_path / "perm" / "x")] == [0o700, 0o700]
    files = {p.name: mode(p) for p in target.parent.iterdir()}
    assert "t.db" in files and set(files) <= {"t.db", "t.db-wal", "t.db-shm"}
    assert set(files.values()) == {0o600}, files
