"""The audit trail: a hash chain `audit verify` re-checks, and records that must
still say what the trail says they said. Tampering is done with raw SQL after
dropping the database's append-only triggers, as someone bypassing the tracker would."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, read, write
from tests.storage.conftest import TODAY, add
from tracker.audit import chain as audit
from tracker.audit.integrity import verify_records
from tracker.db import triggers
from tracker.domain.errors import InputError
from tracker.domain.inputs import (
    SignoffInput,
    validate,
)
from tracker.records.signoffs.commands import record_signoff


def verify(engine: Engine, expected_head: tuple[int, str] | None = None):  # type: ignore[no-untyped-def]
    with read(engine) as session:
        return audit.verify_chain(session, expected_head), verify_records(session)


def tamper(engine: Engine, *statements: str) -> None:
    """Drop the append-only triggers and run raw SQL, as an intruder would."""
    with engine.begin() as connection:
        for statement in triggers.drop_chain_statements(engine.dialect.name) + triggers.drop_statements(
            engine.dialect.name
        ):
            connection.exec_driver_sql(statement)
        for statement in statements:
            connection.execute(text(statement))


def head(engine: Engine) -> tuple[int, str]:
    with read(engine) as session:
        event = audit.head(session)
    assert event is not None
    return event.seq, event.hash


def test_a_worked_database_verifies(worked: Engine) -> None:
    chain, records = verify(worked)
    assert chain.ok, chain.problem
    assert records == []
    assert chain.events == audit_count(worked)
    assert (chain.head_seq, chain.head_hash) == head(worked)
    assert verify(worked, head(worked))[0].ok


def audit_count(engine: Engine) -> int:
    with read(engine) as session:
        return audit.count(session)


def test_events_form_a_chain(worked: Engine) -> None:
    with read(worked) as session:
        events = list(reversed(audit.recent(session, limit=1000)))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert {e.actor for e in events} == {ACTOR}


def test_an_edited_audit_event_is_detected(worked: Engine) -> None:
    tamper(worked, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 5")
    chain, _ = verify(worked)
    assert not chain.ok
    assert chain.broken_seq == 5
    assert "event 5" in chain.problem and "was altered: its hash does not match its content" in chain.problem


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(worked: Engine) -> None:
    with read(worked) as session:
        event = [e for e in audit.recent(session, limit=1000) if e.seq == 5][0]
    forged_after = (event.after or "").replace("E-", "X-")
    forged = audit.event_hash(
        seq=5,
        at=event.at,
        actor=event.actor,
        action=event.action,
        entity=event.entity,
        entity_key=event.entity_key,
        before=event.before,
        after=forged_after,
        prev_hash=event.prev_hash,
    )
    tamper(worked)
    with worked.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET after = :after, hash = :hash WHERE seq = 5"),
            {"after": forged_after, "hash": forged},
        )
    chain, _ = verify(worked)
    assert (chain.ok, chain.broken_seq) == (False, 6)
    assert "does not follow event 5" in chain.problem


def test_a_deleted_audit_event_is_detected(worked: Engine) -> None:
    tamper(worked, "DELETE FROM audit_event WHERE seq = 7")
    chain, _ = verify(worked)
    assert (chain.ok, chain.broken_seq) == (False, 7)
    assert chain.problem == "event 7 is missing (next found is 8)"


def test_removing_the_newest_events_is_caught_by_the_head_kept_outside(worked: Engine) -> None:
    kept = head(worked)
    tamper(worked, f"DELETE FROM audit_event WHERE seq >= {kept[0] - 1}")
    chain, records = verify(worked, kept)
    assert not chain.ok
    assert (
        f"the chain ends at event {kept[0] - 2}, before the head you kept ({kept[0]}): events were removed"
        == chain.problem
    )
    # The action still shows the follow-up outcome and the closing the removed events described.
    assert records == [
        "corrective action 1 differs from its last audited state: it was edited behind the tracker's back"
    ]


def test_a_head_that_does_not_match_is_reported(worked: Engine) -> None:
    seq, _ = head(worked)
    chain, _ = verify(worked, (seq, "0" * 64))
    assert not chain.ok
    assert f"event {seq} does not match the head you kept" in chain.problem
    assert "the chain was rewritten" in chain.problem


def test_a_record_edited_behind_the_trackers_back_is_detected(worked: Engine) -> None:
    with worked.connect() as connection:
        ref = connection.execute(text("SELECT ref FROM complaint")).scalar_one()
    tamper(
        worked,
        "UPDATE employee SET team = 'Night shift' WHERE number = 'E-2'",
        "UPDATE signoff SET method = 'paper', filing_ref = 'forged' WHERE id = 11",
        "UPDATE complaint SET summary = 'Nothing happened'",
    )
    chain, records = verify(worked)
    assert chain.ok  # the trail itself is intact ...
    assert records == [  # ... but the records no longer match it
        "employee E-2 differs from its last audited state: it was edited behind the tracker's back",
        "sign-off 11 differs from its last audited state: it was edited behind the tracker's back",
        f"complaint {ref} differs from its last audited state: it was edited behind the tracker's back",
    ]


def test_a_record_deleted_behind_the_trackers_back_is_detected(worked: Engine) -> None:
    tamper(worked, "DELETE FROM follow_up", "DELETE FROM complaint_reply WHERE id = 12")
    chain, records = verify(worked)
    assert chain.ok
    assert records == [
        "complaint reply 12 is in the audit trail but missing from the database",
        "follow-up 1 is in the audit trail but missing from the database",
    ]


def test_a_record_inserted_behind_the_trackers_back_is_detected(worked: Engine) -> None:
    tamper(
        worked,
        "INSERT INTO employee (number, name, team, hire_date, active, created_at, created_by, updated_at, "
        "updated_by, revision) VALUES ('E-99', 'Ghost', 'Desk', '2024-01-01', TRUE, '2026-01-01 00:00:00', "
        "'sql', '2026-01-01 00:00:00', 'sql', 1)",
    )
    _, records = verify(worked)
    assert records == ["employee E-99 has no audit event: it was written behind the tracker's back"]


def test_a_refused_change_leaves_no_audit_event(worked: Engine) -> None:
    before = head(worked)
    data = validate(SignoffInput, employee_number="E-1", signed_on=TODAY, method="terminal")
    with pytest.raises(InputError):
        write(worked, lambda s: record_signoff(data, session=s, actor=ACTOR))
    assert head(worked) == before


def test_a_head_kept_from_an_empty_database_still_verifies(engine: Engine) -> None:
    # `tracker audit head` on a new database prints 0:000…; keeping it must not raise a false alarm later.
    with read(engine) as session:
        assert audit.verify_chain(session, (0, audit.GENESIS)).ok
    add(engine, "E-1")
    chain, records = verify(engine, (0, audit.GENESIS))
    assert chain.ok, chain.problem
    assert records == []
    assert not verify(engine, (0, "f" * 64))[0].ok
