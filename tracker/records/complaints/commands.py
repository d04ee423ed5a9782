"""Complaints: logged against the handbook version in force, worked through
the complaint-handling flow, measured against the channel's target.

The channel's first-response target is copied onto the complaint when it is
logged (from the published handbook, never typed), so a later change of target
does not rewrite whether an old complaint was answered in time.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db import counters
from tracker.db.models import (
    Complaint,
    ComplaintReply,
    ComplaintRule,
    Contact,
    Counter,
    Employee,
)
from tracker.db.raw import of_session
from tracker.db.revisions import bump, check_revision
from tracker.domain import complaint_flow as flow
from tracker.domain import contact_words
from tracker.domain.errors import InputError
from tracker.domain.inputs import ComplaintInput, OutcomeInput, ReplyInput
from tracker.domain.timeutil import as_utc, format_local, not_in_future, to_local, utcnow
from tracker.records.complaints.queries import get_complaint_row
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import standards, version_in_force


def next_reference(session: Session, year: int) -> str:
    """C-2026-00042: a per-year counter, so references stay short and readable."""
    name = f"complaint-{year}"
    counter = session.get(Counter, name)
    if counter is None:
        counter = Counter(name=name, value=0)
    counter.value += 1
    session.add(counter)
    session.flush()
    return flow.reference(year, counter.value)


def _contact_of(session: Session, key: str, received_at: datetime) -> int:
    """The id of the imported contact a complaint came from; the complaint cannot predate it."""
    source, external_id = contact_words.parse_contact_key(key)
    found = session.exec(
        select(Contact.id, Contact.received_at).where(Contact.source == source, Contact.external_id == external_id)
    ).first()
    if found is None:
        raise InputError(
            "contact",
            f"no contact {source}:{external_id}: import it first ('tracker contacts import'), or leave it out",
        )
    contact_id, contact_received = found
    if as_utc(received_at) < as_utc(contact_received):
        raise InputError(
            "received_at",
            f"{format_local(received_at)} is before contact {source}:{external_id} arrived "
            f"({format_local(contact_received)})",
        )
    return contact_id or 0


def log_complaint(data: ComplaintInput, *, session: Session, actor: str, now: datetime | None = None) -> Complaint:
    now = now or utcnow()
    version = version_in_force(session)
    std = standards(session, version)
    channel = std.channels.get(data.channel.strip().lower())
    if channel is None:
        raise InputError(
            "channel", f"'{data.channel}' is not a channel of handbook {version.label} ({', '.join(std.channels)})"
        )
    not_in_future("received_at", data.received_at, now)
    problem = std.citation_problem(data.rule_ids)
    if problem:
        raise InputError("rule_ids", problem)
    employee = get_employee(session, data.employee_number) if data.employee_number else None
    if employee is not None:
        problem = flow.before_hire_problem(data.received_at, employee.number, employee.hire_date)
        if problem:
            raise InputError("received_at", problem)
    contact_id = _contact_of(session, data.contact, data.received_at) if data.contact else None
    complaint = Complaint(
        ref=next_reference(session, to_local(data.received_at).year),
        received_at=data.received_at,
        version_id=version.id or 0,
        channel=channel.code,
        target_seconds=channel.target.seconds,
        customer_name=data.customer_name,
        customer_contact=data.customer_contact,
        employee_id=employee.id if employee else None,
        contact_id=contact_id,
        summary=data.summary,
        severity=data.severity,
        urgent=data.urgent,
        status=flow.RECEIVED,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        revision=1,
    )
    session.add(complaint)
    session.flush()
    for rule_id in data.rule_ids:
        session.add(ComplaintRule(complaint_id=complaint.id or 0, rule_id=rule_id, version_id=version.id or 0))
    session.flush()
    counters.count_complaint(of_session(session), complaint.received_at, complaint.channel, data.rule_ids)
    audit.append(
        session,
        actor=actor,
        action="complaint.log",
        entity="complaint",
        key=complaint.ref,
        after=snapshots.complaint(complaint, employee.number if employee else None, list(data.rule_ids)),
        at=now,
    )
    return complaint


def _rule_ids(session: Session, complaint_id: int) -> list[str]:
    return list(
        session.exec(
            select(ComplaintRule.rule_id)
            .where(ComplaintRule.complaint_id == complaint_id)
            .order_by(ComplaintRule.rule_id)
        ).all()
    )


def _employee_number(session: Session, employee_id: int | None) -> str | None:
    if employee_id is None:
        return None
    employee = session.get(Employee, employee_id)
    return employee.number if employee else None


def _audit_change(session: Session, complaint: Complaint, before: dict, action: str, actor: str) -> None:
    after = snapshots.complaint(
        complaint, _employee_number(session, complaint.employee_id), _rule_ids(session, complaint.id or 0)
    )
    audit.append(
        session,
        actor=actor,
        action=action,
        entity="complaint",
        key=complaint.ref,
        before=before,
        after=after,
        at=complaint.updated_at,
    )


def _snapshot(session: Session, complaint: Complaint) -> dict:
    return snapshots.complaint(
        complaint, _employee_number(session, complaint.employee_id), _rule_ids(session, complaint.id or 0)
    )


def _reply_time(complaint: Complaint, data: ReplyInput) -> datetime:
    """When the reply was sent. Times are typed to the minute: a reply typed in the minute the
    complaint arrived (which kept its seconds) is taken as sent when it arrived, not refused as
    "17:51 is before 17:51"; one typed in an earlier minute is refused."""
    received = as_utc(complaint.received_at)
    replied = as_utc(data.replied_at)
    if replied < received.replace(second=0, microsecond=0):
        raise InputError(
            "replied_at",
            f"{format_local(data.replied_at)} is before the complaint was received ({format_local(received)})",
        )
    return max(replied, received)


def _add_reply(session: Session, complaint: Complaint, data: ReplyInput, actor: str, now: datetime) -> ComplaintReply:
    replied_at = _reply_time(complaint, data)
    not_in_future("replied_at", data.replied_at, now)
    reply = ComplaintReply(
        complaint_id=complaint.id or 0,
        replied_at=replied_at,
        automatic=data.automatic,
        note=data.note,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(reply)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="complaint.reply",
        entity="complaint_reply",
        key=str(reply.id),
        after=snapshots.reply(reply, complaint.ref),
        at=now,
    )
    return reply


def acknowledge(
    ref: str,
    data: ReplyInput,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Record the first response by a person; the complaint becomes acknowledged."""
    now = now or utcnow()
    complaint = get_complaint_row(session, ref, for_update=True)
    check_revision(complaint, expected_revision, f"complaint {complaint.ref}")
    flow.check_transition(complaint.status, flow.ACKNOWLEDGED, complaint.severity)
    if data.automatic:
        raise InputError("automatic", "an automatic reply is never the first response; record it as a reply instead")
    before = _snapshot(session, complaint)
    reply = _add_reply(session, complaint, data, actor, now)
    complaint.status = flow.ACKNOWLEDGED
    complaint.first_response_at = reply.replied_at
    complaint.first_response_seconds = int((as_utc(reply.replied_at) - as_utc(complaint.received_at)).total_seconds())
    if complaint.first_response_seconds > complaint.target_seconds:
        counters.count_late(of_session(session), as_utc(complaint.received_at), complaint.channel)
    bump(complaint, actor, now)
    session.add(complaint)
    session.flush()
    _audit_change(session, complaint, before, "complaint.acknowledge", actor)
    return complaint


def add_reply(
    ref: str, data: ReplyInput, *, session: Session, actor: str, now: datetime | None = None
) -> ComplaintReply:
    now = now or utcnow()
    complaint = get_complaint_row(session, ref, for_update=True)
    if complaint.status in flow.CLOSED_STATUSES:
        raise InputError("complaint", f"{complaint.ref} is {complaint.status}; replies are closed")
    if complaint.status == flow.RECEIVED and not data.automatic:
        raise InputError("automatic", f"{complaint.ref} has no first response yet; record it with 'acknowledge'")
    return _add_reply(session, complaint, data, actor, now)


def _transition(
    ref: str,
    target: str,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None,
    now: datetime | None,
    text: str | None = None,
) -> Complaint:
    now = now or utcnow()
    complaint = get_complaint_row(session, ref, for_update=True)
    check_revision(complaint, expected_revision, f"complaint {complaint.ref}")
    flow.check_transition(complaint.status, target, complaint.severity)
    before = _snapshot(session, complaint)
    complaint.status = target
    if target == flow.RESOLVED:
        complaint.resolution = text
    if target == flow.DISMISSED:
        complaint.dismissal_reason = text
        counters.uncount_rules(
            of_session(session), as_utc(complaint.received_at), _rule_ids(session, complaint.id or 0)
        )
    if target in flow.CLOSED_STATUSES:
        complaint.closed_at = now
    bump(complaint, actor, now)
    session.add(complaint)
    session.flush()
    _audit_change(session, complaint, before, f"complaint.{flow.VERB[target]}", actor)
    return complaint


def investigate(
    ref: str, *, session: Session, actor: str, expected_revision: int | None = None, now: datetime | None = None
) -> Complaint:
    return _transition(
        ref, flow.INVESTIGATING, session=session, actor=actor, expected_revision=expected_revision, now=now
    )


def resolve(
    ref: str,
    data: OutcomeInput,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    return _transition(
        ref, flow.RESOLVED, session=session, actor=actor, expected_revision=expected_revision, now=now, text=data.text
    )


def dismiss(
    ref: str,
    data: OutcomeInput,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    return _transition(
        ref, flow.DISMISSED, session=session, actor=actor, expected_revision=expected_revision, now=now, text=data.text
    )
