"""Helpers for storage tests: count every table, assert a refusal wrote nothing,
and a database with the real handbook published on a known date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import ACTOR, write
from tracker.db.models import Employee, metadata
from tracker.domain.errors import InputError
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import (
    ActionInput,
    CloseInput,
    ComplaintInput,
    EmployeeInput,
    FollowUpInput,
    OutcomeInput,
    ReplyInput,
    RevokeInput,
    SignoffInput,
    validate,
)
from tracker.records.actions.commands import close_action, issue_action, record_follow_up
from tracker.records.complaints.commands import acknowledge, add_reply, investigate, log_complaint, resolve
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.records.signoffs.commands import record_signoff, revoke_signoff

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


NOW = datetime.now(timezone.utc).replace(microsecond=0)
TODAY = date.today()


@pytest.fixture
def worked(published: Engine) -> Engine:
    """Twelve employees with sign-offs (one revoked), a complaint worked to resolution
    with a dozen replies, and a corrective action followed up and closed: a few
    transactions, so the chain also carries on from one transaction to the next."""

    def staff(session: Session) -> None:
        for index in range(1, 13):
            add_employee(
                validate(
                    EmployeeInput, number=f"E-{index}", name=f"Employee {index}", team="Desk", hire_date="2024-03-01"
                ),
                session=session,
                actor=ACTOR,
            )
            record_signoff(
                validate(SignoffInput, employee_number=f"E-{index}", signed_on=TODAY, method="terminal"),
                session=session,
                actor=ACTOR,
            )

    write(published, staff)
    write(published, lambda s: revoke_signoff(3, RevokeInput(reason="signed for someone else"), session=s, actor=ACTOR))
    received = NOW - timedelta(hours=3)

    def complaint(session: Session) -> str:
        data = validate(
            ComplaintInput,
            received_at=received,
            channel="email",
            summary="Nobody called back",
            employee_number="E-1",
            rule_ids="CON-06",
        )
        ref = log_complaint(data, session=session, actor=ACTOR).ref
        acknowledge(ref, ReplyInput(replied_at=received + timedelta(minutes=5)), session=session, actor=ACTOR)
        for minute in range(10, 130, 10):
            add_reply(
                ref,
                ReplyInput(replied_at=received + timedelta(minutes=minute), automatic=minute % 20 == 0),
                session=session,
                actor=ACTOR,
            )
        investigate(ref, session=session, actor=ACTOR)
        resolve(ref, OutcomeInput(text="Called back and apologised"), session=session, actor=ACTOR)
        return ref

    ref = write(published, complaint)

    def action(session: Session) -> None:
        issued = issue_action(
            validate(
                ActionInput,
                employee_number="E-1",
                expectations="Call back when promised",
                issued_on=TODAY,
                complaint_refs=ref,
                rule_ids="CON-06",
            ),
            session=session,
            actor=ACTOR,
        )
        record_follow_up(
            issued.id, validate(FollowUpInput, held_on=TODAY, outcome="improved"), session=session, actor=ACTOR
        )

    write(published, action)
    write(
        published,
        lambda s: close_action(
            1, validate(CloseInput, closed_on=TODAY, effectiveness_check="All calls returned"), session=s, actor=ACTOR
        ),
    )
    return published


def contact_batch(session: Session, at: datetime) -> tuple[int, int]:
    """(the newest version's id, a new contact import's id): what contacts written by hand need,
    as an import would give them."""
    from sqlmodel import col, select

    from tracker.db.models import ContactImport, HandbookVersion

    version = session.exec(select(HandbookVersion).order_by(col(HandbookVersion.id).desc())).first()
    assert version is not None and version.id is not None
    batch = ContactImport(profile="generic", files="[]", imported_at=at, imported_by="test")
    session.add(batch)
    session.flush()
    assert batch.id is not None
    return version.id, batch.id
