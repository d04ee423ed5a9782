"""Backup and restore drill: a backup taken during concurrent writes restores
to a sound database, with the restore itself on record."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, read
from tests.drills.conftest import EMPLOYEES, assert_sound, child, counts, wait_for
from tracker.audit.chain import recent
from tracker.domain.errors import InputError
from tracker.maintenance.backup import backup, restore


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
