"""Complaints: logged against the handbook version in force, worked through
the complaint-handling flow, measured against the channel's target.

The channel's first-response target is copied onto the complaint when it is
logged (from the published handbook, never typed), so a later change of target
does not rewrite whether an old complaint was answered in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, exists, func, text, tuple_
from sqlmodel import Session, col, select

from tracker.domain import complaint_flow as flow
from tracker.domain import sla
from tracker.domain.errors import InputError, NotFound
from tracker.domain.inputs import ComplaintInput, OutcomeInput, ReplyInput
from tracker.domain.timeutil import as_utc, format_local, to_local, to_utc, utcnow
from tracker.storage import audit, counters, snapshots
from tracker.storage.common import bump, check_revision, lock
from tracker.storage.employees import get_employee
from tracker.storage.handbook_versions import standards, version_in_force
from tracker.storage.models import (
    OPEN_PREDICATE,
    Complaint,
    ComplaintReply,
    ComplaintRule,
    Counter,
    Employee,
    HandbookRule,
    HandbookVersion,
)
from tracker.storage.rawsql import of_session

PAGE = 50
CLOCK_SKEW = timedelta(minutes=5)


def next_reference(session: Session, year: int) -> str:
    """C-2026-00042: a per-year counter, so references stay short and readable."""
    name = f"complaint-{year}"
    counter = session.get(Counter, name)
    if counter is None:
        counter = Counter(name=name, value=0)
    counter.value += 1
    session.add(counter)
    session.flush()
    return f"C-{year}-{counter.value:05d}"


def _check_not_future(moment: datetime, now: datetime, field: str) -> None:
    if as_utc(moment) > now + CLOCK_SKEW:
        raise InputError(field, f"{format_local(moment)} is in the future")


def log_complaint(data: ComplaintInput, *, session: Session, actor: str, now: datetime | None = None) -> Complaint:
    now = now or utcnow()
    version = version_in_force(session)
    std = standards(session, version)
    channel = std.channels.get(data.channel.strip().lower())
    if channel is None:
        raise InputError(
            "channel", f"'{data.channel}' is not a channel of handbook {version.label} ({', '.join(std.channels)})"
        )
    _check_not_future(data.received_at, now, "received_at")
    unknown = [rule_id for rule_id in data.rule_ids if rule_id not in std.rule_titles]
    if unknown:
        raise InputError("rule_ids", f"{unknown[0]} is not a rule of handbook version {version.label}")
    employee = get_employee(session, data.employee_number) if data.employee_number else None
    complaint = Complaint(
        ref=next_reference(session, to_local(data.received_at).year),
        received_at=data.received_at,
        version_id=version.id or 0,
        channel=channel.code,
        target_seconds=channel.target.seconds,
        customer_name=data.customer_name,
        customer_contact=data.customer_contact,
        employee_id=employee.id if employee else None,
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
    audit.append(session, actor=actor, action="complaint.log", entity="complaint", key=complaint.ref,
                 after=snapshots.complaint(complaint, employee.number if employee else None, list(data.rule_ids)),
                 at=now)
    return complaint


def get_complaint_row(session: Session, ref: str, *, for_update: bool = False) -> Complaint:
    statement = select(Complaint).where(Complaint.ref == ref.strip().upper())
    if for_update:
        statement = lock(session, statement)
    complaint = session.exec(statement).first()
    if complaint is None:
        raise NotFound("complaint", f"no complaint with reference '{ref}'")
    return complaint


def _rule_ids(session: Session, complaint_id: int) -> list[str]:
    return list(
        session.exec(
            select(ComplaintRule.rule_id).where(ComplaintRule.complaint_id == complaint_id).order_by(ComplaintRule.rule_id)
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
    audit.append(session, actor=actor, action=action, entity="complaint", key=complaint.ref,
                 before=before, after=after, at=complaint.updated_at)


def _snapshot(session: Session, complaint: Complaint) -> dict:
    return snapshots.complaint(
        complaint, _employee_number(session, complaint.employee_id), _rule_ids(session, complaint.id or 0)
    )


def _add_reply(session: Session, complaint: Complaint, data: ReplyInput, actor: str, now: datetime) -> ComplaintReply:
    if as_utc(data.replied_at) < as_utc(complaint.received_at):
        raise InputError("replied_at", f"{format_local(data.replied_at)} is before the complaint was received "
                         f"({format_local(complaint.received_at)})")
    _check_not_future(data.replied_at, now, "replied_at")
    reply = ComplaintReply(complaint_id=complaint.id or 0, replied_at=data.replied_at, automatic=data.automatic,
                           note=data.note, recorded_by=actor, recorded_at=now)
    session.add(reply)
    session.flush()
    audit.append(session, actor=actor, action="complaint.reply", entity="complaint_reply", key=str(reply.id),
                 after=snapshots.reply(reply, complaint.ref), at=now)
    return reply


def acknowledge(
    ref: str, data: ReplyInput, *, session: Session, actor: str, expected_revision: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Record the first response by a person; the complaint becomes acknowledged."""
    now = now or utcnow()
    complaint = get_complaint_row(session, ref, for_update=True)
    check_revision(complaint, expected_revision, f"complaint {complaint.ref}")
    flow.check_transition(complaint.status, flow.ACKNOWLEDGED)
    if data.automatic:
        raise InputError("automatic", "an automatic reply is never the first response; record it as a reply instead")
    before = _snapshot(session, complaint)
    _add_reply(session, complaint, data, actor, now)
    complaint.status = flow.ACKNOWLEDGED
    complaint.first_response_at = data.replied_at
    complaint.first_response_seconds = int((as_utc(data.replied_at) - as_utc(complaint.received_at)).total_seconds())
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
    ref: str, target: str, *, session: Session, actor: str, expected_revision: int | None, now: datetime | None,
    text: str | None = None,
) -> Complaint:
    now = now or utcnow()
    complaint = get_complaint_row(session, ref, for_update=True)
    check_revision(complaint, expected_revision, f"complaint {complaint.ref}")
    flow.check_transition(complaint.status, target)
    before = _snapshot(session, complaint)
    complaint.status = target
    if target == flow.RESOLVED:
        complaint.resolution = text
    if target == flow.DISMISSED:
        complaint.dismissal_reason = text
    if target in flow.CLOSED_STATUSES:
        complaint.closed_at = now
    bump(complaint, actor, now)
    session.add(complaint)
    session.flush()
    _audit_change(session, complaint, before, f"complaint.{flow.VERB[target]}", actor)
    return complaint


def investigate(ref: str, *, session: Session, actor: str, expected_revision: int | None = None,
                now: datetime | None = None) -> Complaint:
    return _transition(ref, flow.INVESTIGATING, session=session, actor=actor, expected_revision=expected_revision, now=now)


def resolve(ref: str, data: OutcomeInput, *, session: Session, actor: str, expected_revision: int | None = None,
            now: datetime | None = None) -> Complaint:
    return _transition(ref, flow.RESOLVED, session=session, actor=actor, expected_revision=expected_revision,
                       now=now, text=data.text)


def dismiss(ref: str, data: OutcomeInput, *, session: Session, actor: str, expected_revision: int | None = None,
            now: datetime | None = None) -> Complaint:
    return _transition(ref, flow.DISMISSED, session=session, actor=actor, expected_revision=expected_revision,
                       now=now, text=data.text)


# --- reading -----------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintView:
    complaint: Complaint
    employee_number: str | None
    employee_name: str | None
    channel_name: str
    target: str
    rules: list[tuple[str, str]]  # (id, title in the version in force when logged)
    replies: list[ComplaintReply]
    now: datetime

    @property
    def first_response_seconds(self) -> float | None:
        c = self.complaint
        return None if c.first_response_at is None else (as_utc(c.first_response_at) - as_utc(c.received_at)).total_seconds()

    @property
    def target_missed(self) -> bool:
        c = self.complaint
        return sla.target_missed(as_utc(c.received_at), as_utc(c.first_response_at) if c.first_response_at else None,
                                 c.target_seconds, self.now)

    @property
    def response_time_seconds(self) -> float | None:
        return sla.response_time_seconds(
            as_utc(self.complaint.received_at), [sla.Reply(as_utc(r.replied_at), r.automatic) for r in self.replies]
        )

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return flow.allowed_next(self.complaint.status)

    def as_dict(self, *, redact: bool = False) -> dict[str, object]:
        c = self.complaint
        return {
            "ref": c.ref,
            "received_at": as_utc(c.received_at).isoformat(),
            "channel": c.channel,
            "employee": self.employee_number,
            "rules": [rule_id for rule_id, _ in self.rules],
            "summary": c.summary,
            "severity": c.severity,
            "urgent": bool(c.urgent),
            "status": c.status,
            "customer_name": None if redact else c.customer_name,
            "customer_contact": None if redact else c.customer_contact,
            "first_response_at": as_utc(c.first_response_at).isoformat() if c.first_response_at else None,
            "first_response_seconds": self.first_response_seconds,
            "target_seconds": c.target_seconds,
            "target_missed": self.target_missed,
            "response_time_seconds": self.response_time_seconds,
            "resolution": c.resolution,
            "dismissal_reason": c.dismissal_reason,
            "replies": [
                {"at": as_utc(r.replied_at).isoformat(), "automatic": bool(r.automatic), "note": r.note}
                for r in self.replies
            ],
            "next": list(self.allowed_next),
            "revision": c.revision,
        }


def get_complaint(session: Session, ref: str, *, now: datetime | None = None) -> ComplaintView:
    complaint = get_complaint_row(session, ref)
    employee = session.get(Employee, complaint.employee_id) if complaint.employee_id else None
    std = standards(session, _version(session, complaint.version_id))
    channel = std.channels.get(complaint.channel)
    rules = session.exec(
        select(ComplaintRule.rule_id, HandbookRule.title)
        .join(HandbookRule, (HandbookRule.version_id == ComplaintRule.version_id) & (HandbookRule.rule_id == ComplaintRule.rule_id))
        .where(ComplaintRule.complaint_id == complaint.id)
        .order_by(ComplaintRule.rule_id)
    ).all()
    replies = session.exec(
        select(ComplaintReply).where(ComplaintReply.complaint_id == complaint.id).order_by(col(ComplaintReply.replied_at), col(ComplaintReply.id))
    ).all()
    return ComplaintView(
        complaint=complaint,
        employee_number=employee.number if employee else None,
        employee_name=employee.name if employee else None,
        channel_name=channel.name if channel else complaint.channel,
        target=str(channel.target) if channel else f"{complaint.target_seconds} s",
        rules=[(rule_id, title) for rule_id, title in rules],
        replies=list(replies),
        now=now or utcnow(),
    )


def _version(session: Session, version_id: int) -> HandbookVersion:
    version = session.get(HandbookVersion, version_id)
    if version is None:
        raise NotFound("version", f"handbook version {version_id} is missing")
    return version


@dataclass(frozen=True)
class ComplaintFilter:
    status: str | None = None  # a status, or "open"
    channel: str | None = None
    employee_number: str | None = None
    rule_id: str | None = None
    received_from: date | None = None
    received_to: date | None = None  # inclusive
    urgent: bool | None = None
    missed: bool = False  # only complaints whose first response was late or is overdue


def epoch_seconds(session: Session, column):  # type: ignore[no-untyped-def]
    """Seconds since 1970 of a timestamp column, on SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", column)
    return func.cast(func.strftime("%s", column), Integer)


def _filtered(session: Session, statement, flt: ComplaintFilter):  # type: ignore[no-untyped-def]
    if flt.status == "open":
        statement = statement.where(text(OPEN_PREDICATE))  # the partial index's own predicate
    elif flt.status:
        if flt.status not in flow.STATUSES:
            raise InputError("status", f"'{flt.status}' is not a status ({', '.join(flow.STATUSES)}, or open)")
        statement = statement.where(Complaint.status == flt.status)
    if flt.channel:
        statement = statement.where(Complaint.channel == flt.channel.strip().lower())
    if flt.employee_number:
        employee = get_employee(session, flt.employee_number)
        statement = statement.where(Complaint.employee_id == employee.id)
    if flt.rule_id:
        statement = statement.where(
            exists().where(ComplaintRule.complaint_id == Complaint.id, ComplaintRule.rule_id == flt.rule_id.strip().upper())
        )
    if flt.received_from:
        statement = statement.where(Complaint.received_at >= _local_midnight(flt.received_from))
    if flt.received_to:
        statement = statement.where(Complaint.received_at < _local_midnight(flt.received_to + timedelta(days=1)))
    if flt.urgent is not None:
        statement = statement.where(Complaint.urgent == flt.urgent)
    if flt.missed:
        deadline = epoch_seconds(session, Complaint.received_at) + Complaint.target_seconds
        statement = statement.where(
            (Complaint.first_response_seconds > Complaint.target_seconds)
            | ((Complaint.status == flow.RECEIVED) & (deadline < utcnow().timestamp()))
        )
    return statement


def _local_midnight(day: date) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day))


@dataclass(frozen=True)
class ComplaintRow:
    """One line of a complaints list: only what the list shows."""

    id: int
    ref: str
    received_at: datetime
    channel: str
    status: str
    severity: str
    urgent: bool
    summary: str
    employee_number: str | None
    target_seconds: int
    first_response_at: datetime | None
    customer_name: str | None = None
    customer_contact: str | None = None

    def target_missed(self, now: datetime) -> bool:
        return sla.target_missed(as_utc(self.received_at), as_utc(self.first_response_at) if self.first_response_at else None,
                                 self.target_seconds, now)


def list_complaints(
    session: Session,
    flt: ComplaintFilter = ComplaintFilter(),
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = PAGE,
) -> list[ComplaintRow]:
    """Newest first, one page at a time: pass the last row's (received_at, id)
    as ``before`` for the next page (keyset pagination, index-backed)."""
    statement = select(
        Complaint.id, Complaint.ref, Complaint.received_at, Complaint.channel, Complaint.status, Complaint.severity,
        Complaint.urgent, Complaint.summary, Employee.number, Complaint.target_seconds, Complaint.first_response_at,
        Complaint.customer_name, Complaint.customer_contact,
    ).outerjoin(Employee, Employee.id == Complaint.employee_id)
    statement = _filtered(session, statement, flt)
    if before is not None:
        statement = statement.where(tuple_(Complaint.received_at, Complaint.id) < tuple_(*before))
    statement = statement.order_by(col(Complaint.received_at).desc(), col(Complaint.id).desc()).limit(limit)
    return [ComplaintRow(*row) for row in session.exec(statement).all()]


def count_complaints(session: Session, flt: ComplaintFilter = ComplaintFilter()) -> int:
    return session.exec(_filtered(session, select(func.count()).select_from(Complaint), flt)).one()
