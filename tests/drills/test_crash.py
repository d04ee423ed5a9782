"""Crash drill: a writer killed with SIGKILL at random moments loses nothing it
acknowledged, never leaves an import half applied, and the audit chain holds."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import read
from tests.drills.conftest import EMPLOYEES, assert_sound, child, counts, wait_for
from tracker.db.models import Signoff
from tracker.records.complaints.queries import get_complaint_row

KILLS = 20
IMPORT_ROWS = 20_000


def _history(path: Path, rows: int) -> None:
    lines = ["received_at,channel,summary,rules"]
    lines += [
        f"2025-06-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d},email,Imported complaint {i},CON-0{1 + i % 5}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _reap(process: subprocess.Popen[str]) -> str:
    """The killed writer's output. Its pipes close only when every process holding
    them is gone: a helper process that outlived it would hang here."""
    try:
        return process.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        raise AssertionError("a process started by the killed writer is still running 20 s later") from None


@pytest.mark.slow
def test_killed_import_leaves_no_process_behind(sqlite_drill: tuple[str, Engine], tmp_path: Path) -> None:
    """The import checks rows in a forked helper: killing the importer must take the helper with it."""
    sqlite_url, drill_engine = sqlite_drill
    history = tmp_path / "history.csv"
    _history(history, 200_000)
    before = counts(drill_engine)
    process = child("import", sqlite_url, str(history))
    wait_for(process, "ready")
    time.sleep(0.5)  # the helper is reading and checking rows by now
    process.send_signal(signal.SIGKILL)
    _reap(process)
    assert process.returncode == -signal.SIGKILL
    assert counts(drill_engine) == before, "a killed import applied rows"
    assert_sound(drill_engine)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(sqlite_drill: tuple[str, Engine], tmp_path: Path) -> None:
    sqlite_url, drill_engine = sqlite_drill
    rng = random.Random(20261123)
    history = tmp_path / "history.csv"
    _history(history, IMPORT_ROWS)
    acknowledged: list[str] = []
    imports_applied = 0
    for kill in range(1, KILLS + 1):
        before = counts(drill_engine)
        if kill % 4 == 0:
            # Mid-import: the file is applied in one transaction or not at all.
            process = child("import", sqlite_url, str(history))
            wait_for(process, "ready")
            time.sleep(rng.uniform(0.05, 1.2))
            process.send_signal(signal.SIGKILL)
            out = _reap(process)
            complaints_now = counts(drill_engine)[0]
            applied = "imported" in out
            assert complaints_now in (before[0], before[0] + IMPORT_ROWS), "an import was half applied"
            if applied:
                assert complaints_now == before[0] + IMPORT_ROWS
            imports_applied += complaints_now == before[0] + IMPORT_ROWS
        else:
            process = child("loop", sqlite_url, str(EMPLOYEES))
            wait_for(process, "ready")
            time.sleep(rng.uniform(0.02, 0.6))
            process.send_signal(signal.SIGKILL)
            out = _reap(process)
            acknowledged += [line for line in out.splitlines() if line.startswith(("complaint ", "signoff "))]
        assert process.returncode == -signal.SIGKILL
        assert_sound(drill_engine)
    with read(drill_engine) as session:
        for line in acknowledged:
            kind, key = line.split(" ", 1)
            if kind == "complaint":
                assert get_complaint_row(session, key).ref == key
            else:
                assert session.get(Signoff, int(key)) is not None, f"acknowledged sign-off {key} is missing"
    assert len(acknowledged) > 50, "the writer got work done between kills"
    print(
        f"crash drill: {KILLS} kills survived, {len(acknowledged)} acknowledged records checked, "
        f"{imports_applied} of {KILLS // 4} killed imports had committed before the kill"
    )
