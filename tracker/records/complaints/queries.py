"""Reading complaints: one with its replies and speed measures, and paged, filtered lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Sequence, TypeVar

from sqlalchemy import exists, text, tuple_
from sqlmodel import Session, col, select

from tracker.db.dialect import epoch_seconds, lock
from tracker.db.models import (
    Complaint,
    ComplaintReply,
    ComplaintRule,
    Contact,
    Employee,
    HandbookRule,
    HandbookVersion,
)
from tracker.db.predicates import OPEN_COMPLAINT
from tracker.domain import complaint_flow as flow
from tracker.domain import sla
from tracker.domain.errors import InputError, NotFound
from tracker.domain.timeutil import as_utc, local_midnight, utcnow
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import standards

if TYPE_CHECKING:
    from sqlmodel.sql.expression import Select

PAGE = 50


def get_complaint_row(session: Session, ref: str, *, for_update: bool = False) -> Complaint:
    statement = select(Complaint).where(Complaint.ref == ref.strip().upper())
    if for_update:
        statement = lock(session, statement)
    complaint = session.exec(statement).first()
    if complaint is None:
        raise NotFound("complaint", f"no complaint with reference '{ref}'")
    return complaint


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
    contact: str | None = None  # "zendesk:16988": the imported contact the complaint came from

    @property
    def first_response_seconds(self) -> float | None:
        c = self.complaint
        return (
            None
            if c.first_response_at is None
            else (as_utc(c.first_response_at) - as_utc(c.received_at)).total_seconds()
        )

    @property
    def target_missed(self) -> bool:
        """Judged while a reply is owed: one dismissed before anyone replied was recorded in error,
        and no reply was owed (as every report counts it)."""
        c = self.complaint
        if c.first_response_at is None and c.status != flow.RECEIVED:
            return False
        return sla.target_missed(
            as_utc(c.received_at),
            as_utc(c.first_response_at) if c.first_response_at else None,
            c.target_seconds,
            self.now,
        )

    @property
    def response_time_seconds(self) -> float | None:
        return sla.response_time_seconds(
            as_utc(self.complaint.received_at), [sla.Reply(as_utc(r.replied_at), r.automatic) for r in self.replies]
        )

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return flow.allowed_next(self.complaint.status, self.complaint.severity)

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
            "contact": self.contact,
            "replies": [
                {"at": as_utc(r.replied_at).isoformat(), "automatic": bool(r.automatic), "note": r.note}
                for r in self.replies
            ],
            "next": list(self.allowed_next),
            "revision": c.revision,
        }


def get_complaint(session: Session, ref: str, *, now: datetime | None = None) -> ComplaintView:
    return complaint_views(session, [get_complaint_row(session, ref)], now=now)[0]


IN_LIST = 500  # ids per ``IN (...)``: well inside SQLite's and PostgreSQL's limits on bound values


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    """``ids`` in runs of ``IN_LIST``, one ``IN (...)`` each."""
    return [ids[start : start + IN_LIST] for start in range(0, len(ids), IN_LIST)]


def complaint_views(
    session: Session, complaints: Sequence[Complaint], *, now: datetime | None = None
) -> list[ComplaintView]:
    """The views of ``complaints``, in their order, in a few queries whatever their number.

    An employee's file can hold thousands of complaints: read one by one (each with its
    version's standards) the employee's page took seconds to open (issue 15). Citations,
    replies and contacts are read per ``IN_LIST`` complaints; standards once per version."""
    now = now or utcnow()
    ids = [c.id for c in complaints if c.id is not None]
    rules: dict[int, list[tuple[str, str]]] = defaultdict(list)
    replies: dict[int, list[ComplaintReply]] = defaultdict(list)
    for chunk in _chunks(ids):
        cited = session.exec(
            select(ComplaintRule.complaint_id, ComplaintRule.rule_id, HandbookRule.title)
            .join(
                HandbookRule,
                (col(HandbookRule.version_id) == ComplaintRule.version_id)
                & (col(HandbookRule.rule_id) == ComplaintRule.rule_id),
            )
            .where(col(ComplaintRule.complaint_id).in_(chunk))
            .order_by(col(ComplaintRule.complaint_id), col(ComplaintRule.rule_id))
        ).all()
        for complaint_id, rule_id, title in cited:
            rules[complaint_id].append((rule_id, title))
        for reply in session.exec(
            select(ComplaintReply)
            .where(col(ComplaintReply.complaint_id).in_(chunk))
            .order_by(col(ComplaintReply.complaint_id), col(ComplaintReply.replied_at), col(ComplaintReply.id))
        ).all():
            replies[reply.complaint_id].append(reply)
    contacts = _contact_keys(session, {c.contact_id for c in complaints if c.contact_id is not None})
    standards_of = {
        version_id: standards(session, _version(session, version_id))
        for version_id in {c.version_id for c in complaints}
    }
    views = []
    for complaint in complaints:
        employee = (
            session.get(Employee, complaint.employee_id) if complaint.employee_id else None
        )  # identity map: once each
        channel = standards_of[complaint.version_id].channels.get(complaint.channel)
        views.append(
            ComplaintView(
                complaint=complaint,
                employee_number=employee.number if employee else None,
                employee_name=employee.name if employee else None,
                channel_name=channel.name if channel else complaint.channel,
                target=str(channel.target) if channel else f"{complaint.target_seconds} s",
                rules=rules.get(complaint.id or 0, []),
                replies=replies.get(complaint.id or 0, []),
                now=now,
                contact=contacts.get(complaint.contact_id) if complaint.contact_id is not None else None,
            )
        )
    return views


def _contact_keys(session: Session, contact_ids: set[int]) -> dict[int, str]:
    """``source:external_id`` of each contact, as supervisors name it (``zendesk:16988``)."""
    found: dict[int, str] = {}
    for chunk in _chunks(sorted(contact_ids)):
        for contact_id, source, external_id in session.exec(
            select(Contact.id, Contact.source, Contact.external_id).where(col(Contact.id).in_(chunk))
        ).all():
            if contact_id is not None:
                found[contact_id] = f"{source}:{external_id}"
    return found


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


Statement = TypeVar("Statement", bound="Select[Any]")


def _filtered(session: Session, statement: Statement, flt: ComplaintFilter) -> Statement:
    """``statement`` narrowed to the complaints ``flt`` keeps."""
    if flt.status == "open":
        statement = statement.where(text(OPEN_COMPLAINT))  # the partial index's own predicate
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
            exists().where(
                col(ComplaintRule.complaint_id) == Complaint.id,
                col(ComplaintRule.rule_id) == flt.rule_id.strip().upper(),
            )
        )
    if flt.received_from:
        statement = statement.where(Complaint.received_at >= local_midnight(flt.received_from))
    if flt.received_to:
        statement = statement.where(Complaint.received_at < local_midnight(flt.received_to + timedelta(days=1)))
    if flt.urgent is not None:
        statement = statement.where(Complaint.urgent == flt.urgent)
    if flt.missed:
        deadline = epoch_seconds(session, Complaint.received_at) + Complaint.target_seconds
        statement = statement.where(
            (col(Complaint.first_response_seconds) > Complaint.target_seconds)
            | ((Complaint.status == flow.RECEIVED) & (deadline < utcnow().timestamp()))
        )
    return statement


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
        return sla.target_missed(
            as_utc(self.received_at),
            as_utc(self.first_response_at) if self.first_response_at else None,
            self.target_seconds,
            now,
        )


def list_complaints(
    session: Session,
    flt: ComplaintFilter = ComplaintFilter(),
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = PAGE,
) -> list[ComplaintRow]:
    """Newest first, one page at a time: pass the last row's (received_at, id)
    as ``before`` for the next page (keyset pagination, index-backed)."""
    statement = select(  # type: ignore[call-overload]  # SQLModel types select() for at most four columns
        Complaint.id,
        Complaint.ref,
        Complaint.received_at,
        Complaint.channel,
        Complaint.status,
        Complaint.severity,
        Complaint.urgent,
        Complaint.summary,
        Employee.number,
        Complaint.target_seconds,
        Complaint.first_response_at,
        Complaint.customer_name,
        Complaint.customer_contact,
    ).outerjoin(Employee, col(Employee.id) == Complaint.employee_id)
    statement = _filtered(session, statement, flt)
    if before is not None:
        statement = statement.where(tuple_(Complaint.received_at, Complaint.id) < tuple_(*before))
    statement = statement.order_by(col(Complaint.received_at).desc(), col(Complaint.id).desc()).limit(limit)
    return [ComplaintRow(*row) for row in session.exec(statement).all()]


def find_by_reference_prefixes(session: Session, prefixes: list[str], limit: int) -> list[tuple[str, str]]:
    """(reference, summary) of the complaints whose reference starts with one of ``prefixes``
    (``complaint_flow.reference_prefixes``), at most ``limit`` in all.

    Each prefix is a range on the unique reference index (``ref >= p AND ref < p + 1``), newest
    year first: as fast with a million complaints as with ten."""
    found: list[tuple[str, str]] = []
    for prefix in prefixes:
        if len(found) >= limit:
            break
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        statement = (
            select(Complaint.ref, Complaint.summary)
            .where(col(Complaint.ref) >= prefix, col(Complaint.ref) < upper)
            .order_by(col(Complaint.ref))
            .limit(limit - len(found))
        )
        found.extend((ref, summary) for ref, summary in session.exec(statement).all() if ref.startswith(prefix))
    return found
