"""Shared set-up for the drills: a database with the handbook and some
employees, child processes, and the checks every drill ends with."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from tests.conftest import ACTOR, ROOT, read, write
from tracker.audit.chain import verify_chain
from tracker.audit.integrity import verify_records
from tracker.db import engine as db
from tracker.db.models import AuditEvent, Complaint, Signoff
from tracker.domain.inputs import ComplaintInput, EmployeeInput, OutcomeInput, ReplyInput
from tracker.domain.timeutil import utcnow
from tracker.records.complaints.commands import acknowledge, investigate, log_complaint, resolve
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish

EMPLOYEES = 60


def staff(engine: Engine, count: int = EMPLOYEES) -> None:
    def add(session):  # type: ignore[no-untyped-def]
        for number in range(1, count + 1):
            add_employee(
                EmployeeInput(
                    number=f"D-{number:04d}", name=f"Drill Person {number}", team="Drill", hire_date=date(2024, 1, 1)
                ),
                session=session,
                actor=ACTOR,
            )

    write(engine, add)


def db_write_complaints(engine: Engine, count: int, *, customer: str | None = None, closed: bool = False) -> list[str]:
    """``count`` complaints logged now (answered and resolved when ``closed``); their references."""
    refs = []
    for number in range(count):
        data = ComplaintInput(
            received_at=utcnow() - timedelta(hours=2),
            channel="email",
            summary=f"Drill {number}",
            customer_name=customer,
        )
        ref = write(engine, lambda s: log_complaint(data, session=s, actor=ACTOR)).ref
        if closed:
            write(
                engine,
                lambda s: acknowledge(
                    ref, ReplyInput(replied_at=utcnow() - timedelta(hours=1)), session=s, actor=ACTOR
                ),
            )
            write(engine, lambda s: investigate(ref, session=s, actor=ACTOR))
            write(engine, lambda s: resolve(ref, OutcomeInput(text="Refunded"), session=s, actor=ACTOR))
        refs.append(ref)
    return refs


def child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.drills.children", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for(process: subprocess.Popen[str], line: str) -> list[str]:
    """Read the child's output until ``line``; return what it printed."""
    seen: list[str] = []
    assert process.stdout is not None
    for out in process.stdout:
        seen.append(out.strip())
        if out.strip() == line:
            return seen
    raise AssertionError(f"child ended before '{line}': {seen[-3:]} {process.stderr.read() if process.stderr else ''}")


def counts(engine: Engine) -> tuple[int, int, int]:
    with read(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Complaint)).one(),
            session.exec(select(func.count()).select_from(Signoff)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
        )


def assert_sound(engine: Engine) -> None:
    """Integrity (SQLite), a linear hash chain, and every record matching its audit trail."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    with read(engine) as session:
        report = verify_chain(session)
        assert report.ok, report.problem
        assert report.events == report.head_seq, "the chain is numbered 1..N with no gap"
        assert verify_records(session) == []


@pytest.fixture
def drill_engine(published: Engine) -> Engine:
    """On SQLite and on PostgreSQL (``database_url``)."""
    staff(published)
    return published


@pytest.fixture
def sqlite_drill(sqlite_url: str, handbook) -> Iterator[tuple[str, Engine]]:  # type: ignore[no-untyped-def]
    """For drills that are about the SQLite file itself: (url, engine)."""
    engine = db.make_engine(sqlite_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR))
    staff(engine)
    yield sqlite_url, engine
    engine.dispose()
