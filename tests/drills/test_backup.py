"""Backup and restore drill: a backup taken during concurrent writes restores
to a sound database, with the restore itself on record."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import stat
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, ROOT, read, write
from tests.drills.conftest import EMPLOYEES, assert_sound, child, counts, db_write_complaints, wait_for
from tracker.audit.chain import recent
from tracker.cli.main import run
from tracker.domain.errors import InputError
from tracker.maintenance.backup import RESTORE_STEPS, backup, restore, sha256_of
from tracker.records.complaints.retention import purge_contacts


@pytest.mark.slow
def test_backup_during_writes_then_restore(sqlite_drill: tuple[str, Engine], tmp_path: Path) -> None:
    sqlite_url, drill_engine = sqlite_drill
    writers = [child("loop", sqlite_url, str(EMPLOYEES)) for _ in range(2)]
    for writer in writers:
        wait_for(writer, "ready")
    time.sleep(1.0)  # both writers are committing while the backup is taken
    target = tmp_path / "backup.db"
    result = backup(drill_engine, target)
    time.sleep(0.5)
    for writer in writers:
        writer.kill()
        writer.communicate()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "backups are readable by their owner only"
    live = counts(drill_engine)
    restored = restore(drill_engine, target, actor=ACTOR)
    assert restored.safety_copy.exists() and stat.S_IMODE(restored.safety_copy.stat().st_mode) == 0o600
    after = counts(drill_engine)
    assert after[0] <= live[0], "the restored database is the earlier one"
    assert_sound(drill_engine)
    with read(drill_engine) as session:
        (event,) = recent(session, entity="database", limit=1)
    assert event.action == "db.restore" and result.audit_head.split(":")[0] in (event.after or "")


def test_backup_never_overwrites_and_restore_refuses_a_damaged_file(
    sqlite_drill: tuple[str, Engine], tmp_path: Path
) -> None:
    _, drill_engine = sqlite_drill
    target = tmp_path / "b.db"
    backup(drill_engine, target)
    with pytest.raises(InputError, match="already exists"):
        backup(drill_engine, target)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(target.read_bytes()[:4096] + b"\x00garbage" * 100)
    before = counts(drill_engine)
    with pytest.raises(InputError):
        restore(drill_engine, damaged, actor=ACTOR)
    assert counts(drill_engine) == before


def reader(path: Path) -> sqlite3.Connection:
    """A read-only look at a database file, live (its WAL read too) or not: the path percent-encoded."""
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)


def _refs(path: Path) -> dict[str, str]:
    """ref -> summary of every complaint in a database file, read without changing it."""
    connection = reader(path)
    try:
        return dict(connection.execute("SELECT ref, summary FROM complaint").fetchall())
    finally:
        connection.close()


def _newest_event(path: Path) -> tuple[int, str, str, str | None]:
    connection = reader(path)
    try:
        return connection.execute(
            "SELECT seq, hash, action, after FROM audit_event ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()


@pytest.mark.slow
def test_a_restore_during_writes_loses_no_acknowledged_save(sqlite_drill: tuple[str, Engine], tmp_path: Path) -> None:
    sqlite_url, drill_engine = sqlite_drill
    live_path = Path(sqlite_url.removeprefix("sqlite:///"))
    writers = [child("loop", sqlite_url, str(EMPLOYEES)) for _ in range(2)]
    for writer in writers:
        wait_for(writer, "ready")
    time.sleep(0.5)
    target = tmp_path / "backup.db"
    backup(drill_engine, target)
    time.sleep(0.5)  # saves acknowledged after the backup: they must survive in the safety copy
    restored = restore(drill_engine, target, actor=ACTOR)
    time.sleep(0.5)  # and saves after the restore, in the restored database
    acknowledged: list[str] = []
    for writer in writers:
        writer.kill()
        out, _ = writer.communicate()
        acknowledged += [line.split()[1] for line in out.splitlines() if line.startswith("complaint ")]
    safety, live = _refs(restored.safety_copy), _refs(live_path)
    missing = [ref for ref in acknowledged if ref not in safety and ref not in live]
    assert acknowledged and not missing, f"acknowledged saves lost: {missing[:5]}"
    reused = [ref for ref in live if ref in safety and live[ref] != safety[ref]]
    assert not reused, f"references handed out twice: {reused[:5]}"
    # The restore names the head it actually replaced: the safety copy's.
    with read(drill_engine) as session:
        (event,) = recent(session, entity="database", limit=1)
    seq, digest, _, _ = _newest_event(restored.safety_copy)
    assert event.action == "db.restore" and json.loads(event.after or "{}")["replaced_head"] == f"{seq}:{digest}"
    assert_sound(drill_engine)


@pytest.mark.slow
@pytest.mark.parametrize("step", [*RESTORE_STEPS[:-1], "at random"])
def test_a_restore_killed_at_any_step_leaves_the_database_as_it_was_or_restored_on_record(
    sqlite_drill: tuple[str, Engine], tmp_path: Path, step: str
) -> None:
    sqlite_url, drill_engine = sqlite_drill
    live_path = Path(sqlite_url.removeprefix("sqlite:///"))
    target = tmp_path / "backup.db"
    backup(drill_engine, target)
    db_write_complaints(drill_engine, 3)  # the live database moves on after the backup
    drill_engine.dispose()
    before = _newest_event(live_path)
    restorer = child("restore", sqlite_url, str(target))
    if step == "at random":
        time.sleep(random.uniform(0.05, 0.6))
    else:
        wait_for(restorer, f"step {step}")
    restorer.send_signal(signal.SIGKILL)
    restorer.communicate(timeout=20)
    after = _newest_event(live_path)
    if after[:2] == before[:2]:
        assert len(_refs(live_path)) == counts(drill_engine)[0]
    else:  # the restore committed: all of it, with its event naming the head it replaced
        assert after[2] == "db.restore", after
        assert json.loads(after[3] or "{}")["replaced_head"] == f"{before[0]}:{before[1]}"
    assert_sound(drill_engine)


def test_a_backup_is_never_changed_by_reading_it(sqlite_drill: tuple[str, Engine], tmp_path: Path) -> None:
    sqlite_url, drill_engine = sqlite_drill
    target = tmp_path / "backup.db"
    digest = backup(drill_engine, target).sha256
    handbook = str(ROOT / "mkdocs.yml")
    assert run(["--db", str(target), "--handbook", handbook, "audit", "verify"]) == 0
    assert run(["--db", str(target), "--handbook", handbook, "db", "check", str(target)]) == 0
    assert sha256_of(target) == digest, "verifying a backup changed it"
    restore(drill_engine, target, actor=ACTOR)
    assert sha256_of(target) == digest, "restoring from a backup changed it"
    # On read-only media: a read-only file in a read-only folder.
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    kept = shelf / "kept.db"
    kept.write_bytes(target.read_bytes())
    kept.chmod(0o444)
    shelf.chmod(0o555)
    try:
        assert run(["--db", sqlite_url, "--handbook", handbook, "db", "check", str(kept)]) == 0
        assert sha256_of(kept) == digest
    finally:
        shelf.chmod(0o755)


def test_restore_refuses_a_backup_whose_records_do_not_match_their_trail(
    sqlite_drill: tuple[str, Engine], tmp_path: Path
) -> None:
    sqlite_url, drill_engine = sqlite_drill
    db_write_complaints(drill_engine, 1)
    target = tmp_path / "backup.db"
    backup(drill_engine, target)
    forged = sqlite3.connect(target)
    forged.execute("UPDATE complaint SET summary = 'Nothing happened'")
    forged.commit()
    forged.close()
    before = counts(drill_engine), _newest_event(Path(sqlite_url.removeprefix("sqlite:///")))
    with pytest.raises(InputError, match="do not match its audit trail"):
        restore(drill_engine, target, actor=ACTOR)
    assert (counts(drill_engine), _newest_event(Path(sqlite_url.removeprefix("sqlite:///")))) == before


def test_a_restore_keeps_the_retention_promise(sqlite_drill: tuple[str, Engine], tmp_path: Path) -> None:
    """Customer details purged after the backup was taken stay purged after restoring it."""
    _, drill_engine = sqlite_drill
    db_write_complaints(drill_engine, 2, customer="Ann Customer", closed=True)
    target = tmp_path / "backup.db"
    backup(drill_engine, target)
    write(drill_engine, lambda s: purge_contacts(s, received_before=date.today() + timedelta(days=1), actor=ACTOR))
    result = restore(drill_engine, target, actor=ACTOR)
    assert result.purges_reapplied == 1
    with drill_engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT customer_name FROM complaint").scalars().all()
    assert names and set(names) == {None}
    assert_sound(drill_engine)
