"""Conflict drill: two supervisors edit the same record.

Both opened the record at the same revision; the first save wins, the second
is refused with ``ConflictError`` saying who changed it, and nothing is
silently overwritten: the stored state is the first writer's, the refused save
wrote no row at all, and the audit trail holds exactly one event for the change.
The last tests race two threads through ``db.write`` at the same moment.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.conftest import read, write
from tests.storage.conftest import add, counts
from tracker.db.models import AuditEvent, ComplaintReply, FollowUp
from tracker.domain.errors import ConflictError, InputError
from tracker.domain.inputs import (
    ActionInput,
    CloseInput,
    ComplaintInput,
    EmployeeUpdate,
    FollowUpInput,
    OutcomeInput,
    ReplyInput,
    ResponseInput,
    validate,
)
from tracker.records.actions import commands as action_commands
from tracker.records.actions import queries as action_queries
from tracker.records.complaints import commands as complaint_commands
from tracker.records.complaints import queries as complaint_queries
from tracker.records.employees import commands as employee_commands
from tracker.records.employees import queries as employee_queries

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)
ALICE, BOB = "alice", "bob"


@pytest.fixture
def office(published: Engine) -> Engine:
    """The real handbook published, one employee."""
    add(published, "E-1", name="Ann Lee", team="Desk", hire_date="2020-01-01")
    return published


def log(engine: Engine, summary: str = "Rude reply on the phone") -> str:
    data = validate(
        ComplaintInput, received_at=NOW - timedelta(hours=3), channel="phone", summary=summary, employee_number="E-1"
    )
    return write(
        engine, lambda s: complaint_commands.log_complaint(data, session=s, actor="clerk", now=NOW - timedelta(hours=2))
    ).ref


def revision_of_complaint(engine: Engine, ref: str) -> int:
    with read(engine) as session:
        return complaint_queries.get_complaint_row(session, ref).revision


def issue(engine: Engine, number: str = "E-1") -> int:
    data = validate(
        ActionInput,
        employee_number=number,
        expectations="Stay calm and offer the supervisor",
        issued_on=TODAY - timedelta(days=10),
        follow_up_due=TODAY + timedelta(days=20),
    )
    return write(
        engine, lambda s: action_commands.issue_action(data, session=s, actor="clerk", now=NOW - timedelta(days=10))
    ).id


def revision_of_action(engine: Engine, action_id: int) -> int:
    with read(engine) as session:
        return action_queries.get_action_row(session, action_id).revision


def events(engine: Engine, action: str, key: str) -> list[AuditEvent]:
    with read(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == action, AuditEvent.entity_key == key)
                .order_by(col(AuditEvent.seq))
            ).all()
        )


def second_save_is_refused(engine: Engine, work: Callable[[Session], Any], first_writer: str) -> ConflictError:
    """The second supervisor's save: a ConflictError naming the first, and not one row written."""
    before = counts(engine)
    with pytest.raises(ConflictError) as caught:
        write(engine, work)
    assert counts(engine) == before, "a refused save wrote rows"
    message = str(caught.value)
    assert f"changed by {first_writer}" in message, message
    assert "nothing was saved" in message and "\n" not in message
    return caught.value


# --- complaints -------------------------------------------------------------------------------


def test_two_supervisors_acknowledge_the_same_complaint(office: Engine) -> None:
    ref = log(office)
    opened = revision_of_complaint(office, ref)  # both open the complaint now
    alice_reply = validate(ReplyInput, replied_at=NOW - timedelta(minutes=90), note="Called back, apologised")
    bob_reply = validate(ReplyInput, replied_at=NOW - timedelta(minutes=30), note="Sent an email")
    write(
        office,
        lambda s: complaint_commands.acknowledge(
            ref, alice_reply, session=s, actor=ALICE, expected_revision=opened, now=NOW
        ),
    )
    second_save_is_refused(
        office,
        lambda s: complaint_commands.acknowledge(
            ref, bob_reply, session=s, actor=BOB, expected_revision=opened, now=NOW
        ),
        ALICE,
    )
    with read(office) as session:
        complaint = complaint_queries.get_complaint_row(session, ref)
        assert (complaint.status, complaint.updated_by, complaint.revision) == ("acknowledged", ALICE, opened + 1)
        assert complaint.first_response_at.astimezone(timezone.utc) == NOW - timedelta(minutes=90)
        notes = session.exec(select(ComplaintReply.note).where(ComplaintReply.complaint_id == complaint.id)).all()
        assert notes == ["Called back, apologised"]
    assert [e.actor for e in events(office, "complaint.acknowledge", ref)] == [ALICE]


def test_two_supervisors_move_the_same_complaint_on(office: Engine) -> None:
    ref = log(office)
    reply = validate(ReplyInput, replied_at=NOW - timedelta(minutes=90))
    write(office, lambda s: complaint_commands.acknowledge(ref, reply, session=s, actor="clerk", now=NOW))
    opened = revision_of_complaint(office, ref)
    write(
        office, lambda s: complaint_commands.investigate(ref, session=s, actor=ALICE, expected_revision=opened, now=NOW)
    )
    second_save_is_refused(
        office,
        lambda s: complaint_commands.investigate(ref, session=s, actor=BOB, expected_revision=opened, now=NOW),
        ALICE,
    )
    assert [e.actor for e in events(office, "complaint.investigate", ref)] == [ALICE]

    # Then one resolves and the other, from the same screen, dismisses.
    opened = revision_of_complaint(office, ref)
    resolution = validate(OutcomeInput, text="Refunded and apologised")
    dismissal = validate(OutcomeInput, text="Customer withdrew the complaint")
    write(
        office,
        lambda s: complaint_commands.resolve(ref, resolution, session=s, actor=BOB, expected_revision=opened, now=NOW),
    )
    second_save_is_refused(
        office,
        lambda s: complaint_commands.dismiss(ref, dismissal, session=s, actor=ALICE, expected_revision=opened, now=NOW),
        BOB,
    )
    with read(office) as session:
        complaint = complaint_queries.get_complaint_row(session, ref)
        assert (complaint.status, complaint.resolution, complaint.dismissal_reason, complaint.updated_by) == (
            "resolved",
            "Refunded and apologised",
            None,
            BOB,
        )
    assert [e.actor for e in events(office, "complaint.resolve", ref)] == [BOB]
    assert events(office, "complaint.dismiss", ref) == []


# --- corrective actions ---------------------------------------------------------------------


def test_two_supervisors_record_the_employees_response(office: Engine) -> None:
    action_id = issue(office)
    opened = revision_of_action(office, action_id)
    write(
        office,
        lambda s: action_commands.record_response(
            action_id,
            validate(ResponseInput, text="I was covering two queues"),
            session=s,
            actor=ALICE,
            expected_revision=opened,
            now=NOW,
        ),
    )
    second_save_is_refused(
        office,
        lambda s: action_commands.record_response(
            action_id,
            validate(ResponseInput, text="I disagree"),
            session=s,
            actor=BOB,
            expected_revision=opened,
            now=NOW,
        ),
        ALICE,
    )
    with read(office) as session:
        action = action_queries.get_action_row(session, action_id)
        assert action.employee_response.endswith("I was covering two queues")
        assert "I disagree" not in action.employee_response
        assert (action.updated_by, action.revision) == (ALICE, opened + 1)
    assert [e.actor for e in events(office, "action.respond", str(action_id))] == [ALICE]


def test_two_supervisors_record_the_follow_up(office: Engine) -> None:
    action_id = issue(office)
    opened = revision_of_action(office, action_id)
    improved = validate(FollowUpInput, held_on=TODAY - timedelta(days=1), outcome="improved", notes="Alice's meeting")
    more_time = validate(
        FollowUpInput,
        held_on=TODAY,
        outcome="more_time",
        new_due_date=TODAY + timedelta(days=30),
        notes="Bob's meeting",
    )
    write(
        office,
        lambda s: action_commands.record_follow_up(
            action_id, improved, session=s, actor=ALICE, expected_revision=opened, now=NOW
        ),
    )
    second_save_is_refused(
        office,
        lambda s: action_commands.record_follow_up(
            action_id, more_time, session=s, actor=BOB, expected_revision=opened, now=NOW
        ),
        ALICE,
    )
    with read(office) as session:
        action = action_queries.get_action_row(session, action_id)
        assert (action.follow_up_done, action.follow_up_due, action.updated_by) == (
            True,
            TODAY + timedelta(days=20),
            ALICE,
        )
        notes = session.exec(select(FollowUp.notes).where(FollowUp.action_id == action_id)).all()
        assert notes == ["Alice's meeting"]
    assert [e.actor for e in events(office, "action.follow-up-outcome", str(action_id))] == [ALICE]


def test_two_supervisors_close_the_same_action(office: Engine) -> None:
    action_id = issue(office)
    opened = revision_of_action(office, action_id)
    alice = validate(CloseInput, closed_on=TODAY, effectiveness_check="No complaints in 30 days")
    bob = validate(CloseInput, closed_on=TODAY - timedelta(days=1), effectiveness_check="Customer survey is fine")
    write(
        office,
        lambda s: action_commands.close_action(
            action_id, alice, session=s, actor=ALICE, expected_revision=opened, now=NOW
        ),
    )
    second_save_is_refused(
        office,
        lambda s: action_commands.close_action(action_id, bob, session=s, actor=BOB, expected_revision=opened, now=NOW),
        ALICE,
    )
    with read(office) as session:
        action = action_queries.get_action_row(session, action_id)
        assert (action.status, action.closed_on, action.effectiveness_check) == (
            "closed",
            TODAY,
            "No complaints in 30 days",
        )
    assert [e.actor for e in events(office, "action.close", str(action_id))] == [ALICE]


def test_a_response_and_a_close_from_the_same_stale_screen(office: Engine) -> None:
    """Different changes to the same action conflict just the same."""
    action_id = issue(office)
    opened = revision_of_action(office, action_id)
    write(
        office,
        lambda s: action_commands.close_action(
            action_id,
            validate(CloseInput, closed_on=TODAY, effectiveness_check="Done"),
            session=s,
            actor=ALICE,
            expected_revision=opened,
            now=NOW,
        ),
    )
    second_save_is_refused(
        office,
        lambda s: action_commands.record_response(
            action_id,
            validate(ResponseInput, text="Late response"),
            session=s,
            actor=BOB,
            expected_revision=opened,
            now=NOW,
        ),
        ALICE,
    )
    with read(office) as session:
        assert action_queries.get_action_row(session, action_id).employee_response is None


# --- employees --------------------------------------------------------------------------------


def employee_revision(engine: Engine, number: str = "E-1") -> int:
    with read(engine) as session:
        return employee_queries.get_employee(session, number).revision


def test_two_supervisors_edit_the_same_employee(office: Engine) -> None:
    opened = employee_revision(office)
    write(
        office,
        lambda s: employee_commands.update_employee(
            "E-1", EmployeeUpdate(name="Ann Lee-Smith"), session=s, actor=ALICE, expected_revision=opened, now=NOW
        ),
    )
    second_save_is_refused(
        office,
        lambda s: employee_commands.update_employee(
            "E-1", EmployeeUpdate(team="Phone"), session=s, actor=BOB, expected_revision=opened, now=NOW
        ),
        ALICE,
    )
    second_save_is_refused(
        office,
        lambda s: employee_commands.set_active("E-1", False, session=s, actor=BOB, expected_revision=opened, now=NOW),
        ALICE,
    )
    with read(office) as session:
        employee = employee_queries.get_employee(session, "E-1")
        assert (employee.name, employee.team, employee.active, employee.updated_by) == (
            "Ann Lee-Smith",
            "Desk",
            True,
            ALICE,
        )
    assert [e.actor for e in events(office, "employee.update", "E-1")] == [ALICE]
    assert events(office, "employee.deactivate", "E-1") == []


def test_two_supervisors_deactivate_the_same_employee(office: Engine) -> None:
    opened = employee_revision(office)
    write(
        office,
        lambda s: employee_commands.set_active("E-1", False, session=s, actor=ALICE, expected_revision=opened, now=NOW),
    )
    second_save_is_refused(
        office,
        lambda s: employee_commands.set_active("E-1", False, session=s, actor=BOB, expected_revision=opened, now=NOW),
        ALICE,
    )
    second_save_is_refused(
        office,
        lambda s: employee_commands.update_employee(
            "E-1", EmployeeUpdate(name="Ann B."), session=s, actor=BOB, expected_revision=opened, now=NOW
        ),
        ALICE,
    )
    assert [e.actor for e in events(office, "employee.deactivate", "E-1")] == [ALICE]
    with read(office) as session:
        assert employee_queries.get_employee(session, "E-1").name == "Ann Lee"


# --- a true race: two threads, one moment -------------------------------------------------------

ROUNDS = 6


def race(engine: Engine, works: dict[str, Callable[[Session], Any]]) -> dict[str, Any]:
    """Run each work in its own thread through db.write, all released at the same instant.
    Returns each actor's result or exception."""
    barrier = threading.Barrier(len(works))
    outcome: dict[str, Any] = {}

    def runner(actor: str, work: Callable[[Session], Any]) -> None:
        barrier.wait()
        try:
            write(engine, work)
            outcome[actor] = "saved"
        except Exception as exc:  # noqa: BLE001 - every outcome is inspected by the test
            outcome[actor] = exc

    threads = [threading.Thread(target=runner, args=item) for item in works.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return outcome


def one_saved_one_refused(outcome: dict[str, Any]) -> tuple[str, str]:
    winners = [actor for actor, result in outcome.items() if result == "saved"]
    losers = [actor for actor, result in outcome.items() if result != "saved"]
    assert len(winners) == 1, outcome
    [loser] = losers
    error = outcome[loser]
    assert isinstance(error, (ConflictError, InputError)), f"{type(error).__name__}: {error}"
    if isinstance(error, ConflictError):
        assert f"changed by {winners[0]}" in str(error), error
    else:
        assert error.field == "status", error
    return winners[0], loser


@pytest.mark.parametrize("check_revision", [True, False], ids=["same-expected-revision", "no-revision-check"])
def test_two_threads_move_the_same_complaint_at_once(office: Engine, check_revision: bool) -> None:
    for _ in range(ROUNDS):
        ref = log(office)
        reply = validate(ReplyInput, replied_at=NOW - timedelta(minutes=90))
        write(office, lambda s: complaint_commands.acknowledge(ref, reply, session=s, actor="clerk", now=NOW))
        opened = revision_of_complaint(office, ref) if check_revision else None
        before = counts(office)
        outcome = race(
            office,
            {
                actor: (
                    lambda s, actor=actor: complaint_commands.investigate(
                        ref, session=s, actor=actor, expected_revision=opened, now=NOW
                    )
                )
                for actor in (ALICE, BOB)
            },
        )
        winner, _ = one_saved_one_refused(outcome)
        assert [e.actor for e in events(office, "complaint.investigate", ref)] == [winner]
        after = counts(office)
        assert after["audit_event"] == before["audit_event"] + 1
        assert {name: n for name, n in after.items() if name != "audit_event"} == {
            name: n for name, n in before.items() if name != "audit_event"
        }
        with read(office) as session:
            complaint = complaint_queries.get_complaint_row(session, ref)
            assert (complaint.status, complaint.updated_by) == ("investigating", winner)


def test_two_threads_acknowledge_the_same_complaint_at_once(office: Engine) -> None:
    for _ in range(ROUNDS):
        ref = log(office)
        opened = revision_of_complaint(office, ref)
        replies = {ALICE: NOW - timedelta(minutes=90), BOB: NOW - timedelta(minutes=45)}
        outcome = race(
            office,
            {
                actor: (
                    lambda s, actor=actor: complaint_commands.acknowledge(
                        ref,
                        validate(ReplyInput, replied_at=replies[actor]),
                        session=s,
                        actor=actor,
                        expected_revision=opened,
                        now=NOW,
                    )
                )
                for actor in (ALICE, BOB)
            },
        )
        winner, _ = one_saved_one_refused(outcome)
        with read(office) as session:
            complaint = complaint_queries.get_complaint_row(session, ref)
            assert complaint.first_response_at.astimezone(timezone.utc) == replies[winner]
            assert (
                len(session.exec(select(ComplaintReply.id).where(ComplaintReply.complaint_id == complaint.id)).all())
                == 1
            )
        assert [e.actor for e in events(office, "complaint.acknowledge", ref)] == [winner]


def test_two_threads_close_the_same_action_at_once(office: Engine) -> None:
    for round_ in range(ROUNDS):
        add(office, f"R-{round_}", hire_date="2020-01-01")  # a first action each time: the ladder's first step
        action_id = issue(office, f"R-{round_}")
        opened = revision_of_action(office, action_id)
        checks = {ALICE: "Alice checked", BOB: "Bob checked"}
        outcome = race(
            office,
            {
                actor: (
                    lambda s, actor=actor: action_commands.close_action(
                        action_id,
                        validate(CloseInput, closed_on=TODAY, effectiveness_check=checks[actor]),
                        session=s,
                        actor=actor,
                        expected_revision=opened,
                        now=NOW,
                    )
                )
                for actor in (ALICE, BOB)
            },
        )
        winners = [actor for actor, result in outcome.items() if result == "saved"]
        assert len(winners) == 1, outcome
        loser = ALICE if winners == [BOB] else BOB
        assert isinstance(outcome[loser], ConflictError), outcome
        with read(office) as session:
            assert action_queries.get_action_row(session, action_id).effectiveness_check == checks[winners[0]]
        assert [e.actor for e in events(office, "action.close", str(action_id))] == winners
