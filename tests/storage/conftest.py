"""Helpers for storage tests: count every table, assert a refusal wrote nothing,
and a database with the real handbook published on a known date."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import ACTOR, write
from tracker.db.models import Employee, metadata
from tracker.domain.errors import InputError
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import EmployeeInput, validate
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish

TABLES = sorted(table.name for table in metadata.sorted_tables)

# The handbook is published on this day in tests that care about dates.
PUBLISHED_AT = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)
PUBLISHED_ON = date(2026, 1, 5)


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every table, audit events included."""
    with engine.connect() as connection:
        return {name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in TABLES}


def refused(
    engine: Engine, work: Callable[[Session], Any], field: str, *, error: type[InputError] = InputError
) -> InputError:
    """Run ``work`` in a write transaction; it must be refused naming ``field`` and write nothing."""
    before = counts(engine)
    with pytest.raises(error) as caught:
        write(engine, work)
    assert caught.value.field == field, f"{caught.value.field}: {caught.value.reason}"
    assert counts(engine) == before, "a refused operation wrote rows"
    return caught.value


def add(
    engine: Engine, number: str, *, name: str | None = None, team: str = "Desk", hire_date: str = "2024-03-01"
) -> Employee:
    data = validate(EmployeeInput, number=number, name=name or f"Employee {number}", team=team, hire_date=hire_date)
    return write(engine, lambda s: add_employee(data, session=s, actor=ACTOR))


@pytest.fixture
def january(engine: Engine, handbook: Handbook) -> Engine:
    """A database with the real handbook published on 2026-01-05."""
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=PUBLISHED_AT))
    return engine
