"""Contention drill: four processes writing at once lose nothing, never see
"database is locked", and the audit chain stays one straight line."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.drills.conftest import assert_sound, child, counts

PROCESSES = 4
WRITES = 250


@pytest.mark.slow
def test_four_writers_at_once(database_url: str, drill_engine: Engine) -> None:
    before = counts(drill_engine)
    processes = [child("contend", database_url, str(WRITES), f"p{index}") for index in range(PROCESSES)]
    outputs = [process.communicate(timeout=170) for process in processes]
    errors = [line for out, _ in outputs for line in out.splitlines() if line.startswith("error")]
    assert errors == [], errors[:3]
    assert all(process.returncode == 0 for process in processes), [err[-500:] for _, err in outputs]
    refs = [line.split(" ", 1)[1] for out, _ in outputs for line in out.splitlines() if line.startswith("complaint ")]
    assert len(refs) == len(set(refs)) == PROCESSES * WRITES
    after = counts(drill_engine)
    assert after[0] - before[0] == PROCESSES * WRITES
    assert after[2] - before[2] == PROCESSES * WRITES, "one audit event per write"
    assert_sound(drill_engine)
    print(f"contention drill ({drill_engine.dialect.name}): {PROCESSES} processes x {WRITES} writes, all present")
