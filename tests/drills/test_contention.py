"""Contention drill: four processes writing at once lose nothing, never see
"database is locked", and the audit chain stays one straight line."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from tests.conftest import postgres_admin_url, read
from tests.drills.conftest import assert_sound, child, counts
from tests.storage.test_upgrade import FIXTURES
from tracker.db import engine as db
from tracker.db.migrate import head_revision
from tracker.db.models import AuditEvent

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


def _first_morning(url: str) -> list[str]:
    """Four supervisors start their trackers the same moment and each records an employee."""
    start = time.time() + 3  # after every child has imported the tracker
    processes = [child("open", url, str(start), f"p{index}") for index in range(PROCESSES)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err[-800:] for _, err in outputs]
    return [out.strip() for out, _ in outputs]


@pytest.mark.slow
@pytest.mark.parametrize("start", ["new file", "older schema"])
def test_four_supervisors_start_at_once_on_sqlite(tmp_path: Path, start: str) -> None:
    """The automatic upgrade takes the write lock: the others wait for it, then start normally."""
    path = tmp_path / "tracker.db"
    if start == "older schema":  # the first release's database, its versions published before 0003
        shutil.copyfile(FIXTURES / "schema-0001.db", path)
    url = f"sqlite:///{path}"
    printed = _first_morning(url)
    assert all(line.startswith(f"opened {head_revision()} M-P") for line in printed), printed
    engine = db.make_engine(url)
    try:
        assert_sound(engine)
        attested = read(engine).exec(select(AuditEvent).where(AuditEvent.action == "handbook.attest")).all()
        versions = json.loads((FIXTURES / "schema-0001.json").read_text(encoding="utf-8"))["counts"]["handbook_version"]
        expected = versions if start == "older schema" else 0
        assert len(attested) == expected, "each old version is attested once, however many trackers upgraded"
    finally:
        engine.dispose()


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A PostgreSQL database with no schema at all, as a team's first morning finds it."""
    admin_url = postgres_admin_url()
    assert admin_url
    name = f"tracker_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_four_supervisors_upgrade_an_empty_postgres_database_at_once(empty_postgres_url: str) -> None:
    printed = _first_morning(empty_postgres_url)
    assert all(line.startswith(f"opened {head_revision()} M-P") for line in printed), printed
