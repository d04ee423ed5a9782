"""Restores from backups an attacker prepared: a backup whose triggers were dropped (or a trigger
added) with raw ``sqlite3`` must not leave the live database unprotected; a backup path with
characters that mean something in a URI (``#``, ``?``, ``%``, a space) is opened as that file;
a restore killed half-way leaves no work copy behind that outlives the next restore."""

from __future__ import annotations

import shutil
import signal
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, ROOT
from tests.drills.conftest import assert_sound, child, counts, db_write_complaints, wait_for
from tests.drills.test_backup import _newest_event, _refs, reader
from tests.storage.test_upgrade import FIXTURES
from tracker.cli.main import run
from tracker.maintenance.backup import _replace_contents, backup, check_backup, restore, sha256_of, work_folder

HANDBOOK = str(ROOT / "mkdocs.yml")


def _triggers(path: Path) -> dict[str, str]:
    connection = reader(path)
    try:
        return dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    finally:
        connection.close()


def _raw(path: Path, *statements: str) -> None:
    """As an intruder: a plain ``sqlite3`` connection, none of the tracker's settings."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def _drop_every_trigger(path: Path) -> None:
    _raw(path, *(f'DROP TRIGGER "{name}"' for name in _triggers(path)))


ATTACKS_ON_THE_LIVE_DATABASE = (
    "UPDATE audit_event SET actor = 'someone else' WHERE seq = 1",
    "DELETE FROM audit_event WHERE seq = (SELECT MAX(seq) FROM audit_event)",
    "INSERT OR REPLACE INTO audit_event (seq, at, actor, action, entity, entity_key, before, after, prev_hash, hash) "
    "SELECT seq, at, actor, action, entity, entity_key, before, '{}', prev_hash, hash FROM audit_event WHERE seq = 1",
    "INSERT OR REPLACE INTO handbook_rule (version_id, rule_id, title, text, hash, page, tags) "
    "SELECT version_id, rule_id, title, 'Arguing with a customer is permitted.', hash, page, tags "
    "FROM handbook_rule WHERE rule_id = 'CON-01'",
)


def _assert_protected(live: Path) -> None:
    """Every raw edit of an append-only table is refused by the live database itself."""
    for attack in ATTACKS_ON_THE_LIVE_DATABASE:
        with pytest.raises(sqlite3.DatabaseError, match="append-only|audit_event"):
            _raw(live, attack)


@pytest.fixture
def live(sqlite_drill: tuple[str, Engine]) -> tuple[str, Engine, Path]:
    sqlite_url, engine = sqlite_drill
    db_write_complaints(engine, 2)
    return sqlite_url, engine, Path(sqlite_url.removeprefix("sqlite:///"))


@pytest.mark.parametrize(
    "tamper",
    ["every trigger dropped", "chain trigger dropped", "a trigger added"],
)
def test_a_restore_never_leaves_the_live_database_without_the_trackers_triggers(
    live: tuple[str, Engine, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], tamper: str
) -> None:
    sqlite_url, engine, live_path = live
    own = _triggers(live_path)
    target = tmp_path / "backup.db"
    backup(engine, target)
    if tamper == "every trigger dropped":
        _drop_every_trigger(target)
    elif tamper == "chain trigger dropped":
        _raw(target, "DROP TRIGGER audit_event_on_the_chain")
    else:
        _raw(target, "CREATE TRIGGER forget_replies AFTER INSERT ON complaint_reply BEGIN SELECT 1; END")
    before = counts(engine), _newest_event(live_path)
    capsys.readouterr()
    code = run(["--db", sqlite_url, "--handbook", HANDBOOK, "db", "restore", str(target), "--yes"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "schema differs from this tracker's" in err and "nothing was restored" in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert (counts(engine), _newest_event(live_path)) == before, "a refused restore changed the live database"
    assert _triggers(live_path) == own
    _assert_protected(live_path)
    # ``db check`` reports the same backup as altered.
    assert any("schema differs" in problem for problem in check_backup(target).problems)


def test_the_live_database_gets_the_trackers_triggers_whatever_the_copy_holds(
    live: tuple[str, Engine, Path], tmp_path: Path
) -> None:
    """Below the check: replacing the contents installs the tracker's own triggers, never the copy's."""
    _, engine, live_path = live
    own = _triggers(live_path)
    work = tmp_path / "work.db"
    backup(engine, work)
    _drop_every_trigger(work)
    _raw(work, "CREATE TRIGGER forget_replies AFTER INSERT ON complaint_reply BEGIN SELECT 1; END")
    engine.dispose()
    connection = sqlite3.connect(live_path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        _replace_contents(connection, work)
    finally:
        connection.close()
    assert _triggers(live_path) == own
    _assert_protected(live_path)
    assert_sound(engine)


def test_a_restore_mends_a_live_database_whose_triggers_were_dropped(
    live: tuple[str, Engine, Path], tmp_path: Path
) -> None:
    _, engine, live_path = live
    own = _triggers(live_path)
    target = tmp_path / "backup.db"
    backup(engine, target)
    engine.dispose()
    _drop_every_trigger(live_path)
    restore(engine, target, actor=ACTOR)
    assert _triggers(live_path) == own
    _assert_protected(live_path)
    assert_sound(engine)


def test_a_backup_of_an_older_schema_is_upgraded_and_restored(live: tuple[str, Engine, Path], tmp_path: Path) -> None:
    """The schema check compares the upgraded copy: an old, untouched backup is not refused."""
    _, engine, live_path = live
    own = _triggers(live_path)
    old = tmp_path / "old backup.db"
    shutil.copyfile(FIXTURES / "schema-0001.db", old)
    digest = sha256_of(old)
    restore(engine, old, actor=ACTOR)
    assert sha256_of(old) == digest
    assert _triggers(live_path) == own
    _assert_protected(live_path)
    assert_sound(engine)


def test_a_backup_path_with_uri_characters_is_that_file(
    live: tuple[str, Engine, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``#``, ``?``, ``%`` and spaces in a backup's path name that file, not a shorter one beside it."""
    sqlite_url, engine, live_path = live
    shelf = tmp_path / "shelf #1? 100% full"
    shelf.mkdir()
    target = shelf / "back up #2?a=b&c%20.db"
    before = sorted(tmp_path.iterdir())
    assert run(["--db", sqlite_url, "--handbook", HANDBOOK, "db", "backup", str(target)]) == 0
    digest = sha256_of(target)
    assert run(["--db", sqlite_url, "--handbook", HANDBOOK, "db", "check", str(target)]) == 0
    db_write_complaints(engine, 1)  # the live database moves on; the restore takes it back
    refs = _refs(target)
    assert run(["--db", sqlite_url, "--handbook", HANDBOOK, "db", "restore", str(target), "--yes"]) == 0
    assert set(_refs(live_path)) == set(refs)
    assert sha256_of(target) == digest
    monkeypatch.chdir(shelf)
    assert check_backup(Path(target.name)).ok, "and given relative to the current folder"
    assert sorted(shelf.iterdir()) == [target], "no stray file beside the backup"
    assert [p for p in sorted(tmp_path.iterdir()) if p not in before and not p.name.startswith(live_path.name)] == []


def _work_copies(live_path: Path) -> list[Path]:
    return sorted(live_path.parent.glob(f"{live_path.name}.restoring-*"))


@pytest.mark.slow
def test_a_restore_killed_half_way_leaves_no_work_copy_past_the_next_restore(
    live: tuple[str, Engine, Path], tmp_path: Path
) -> None:
    """The work copy holds every record, customers' details too: one left by a killed restore goes
    with the next restore (one still running is left alone)."""
    sqlite_url, engine, live_path = live
    target = tmp_path / "backup.db"
    backup(engine, target)
    engine.dispose()
    restorer = child("restore", sqlite_url, str(target))
    wait_for(restorer, "step checked")  # the work copy is made and checked; the live database untouched
    restorer.send_signal(signal.SIGKILL)
    restorer.communicate(timeout=20)
    assert _work_copies(live_path), "the killed restore left its work copy (the drill's premise)"
    with work_folder(live_path) as in_use:  # a restore still under way: its work copy is left alone
        restore(engine, target, actor=ACTOR)
        assert _work_copies(live_path) == [in_use], "the stale work copy removed, the one in use kept"
    restore(engine, target, actor=ACTOR)
    assert _work_copies(live_path) == [], "stale work copies removed"
    assert_sound(engine)
