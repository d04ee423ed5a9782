"""Reading contacts: one with the derivation of its measures, and keyset-paged lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select as columns_of
from sqlmodel import Session, col, select

from tracker.db.models import Complaint, Contact, ContactMessage, Employee, HandbookVersion
from tracker.domain import contact_words
from tracker.domain.contact_measures import ContactMeasures
from tracker.domain.errors import NotFound
from tracker.domain.handbook.model import Channel, Standards
from tracker.domain.timeutil import as_utc, utcnow
from tracker.records.contacts.mapping import explain
from tracker.records.handbook.queries import standards


@dataclass(frozen=True)
class ContactView:
    contact: Contact
    employee: str | None  # "E100 Ana Silva"
    messages: list[tuple[datetime, str, str | None]]  # (at, author, employee)
    version: str
    channel: Channel
    standards: Standards
    measures: ContactMeasures
    complaints: list[str]  # the references of the complaints that came from this contact


def get_contact(session: Session, key: str, *, now: datetime | None = None) -> ContactView:
    source, external_id = contact_words.parse_contact_key(key)
    contact = session.exec(select(Contact).where(Contact.source == source, Contact.external_id == external_id)).first()
    if contact is None:
        raise NotFound("contact", f"no contact {source}:{external_id}")
    names = _people(session, contact)
    messages = session.exec(
        select(ContactMessage)
        .where(ContactMessage.contact_id == contact.id)
        .order_by(col(ContactMessage.at), col(ContactMessage.id))
    ).all()
    version = session.get(HandbookVersion, contact.version_id)
    assert version is not None  # a foreign key
    kept = standards(session, version)
    channel = kept.channels[contact.channel]
    columns = contact.model_dump()
    columns["received_at"] = as_utc(contact.received_at)
    rows: list[dict[str, Any]] = [
        {"at": as_utc(m.at), "author": m.author, "employee_id": m.employee_id} for m in messages
    ]
    measures = explain(columns, rows, channel, kept, now or utcnow(), names)
    return ContactView(
        contact=contact,
        employee=names.get(contact.employee_id or 0),
        messages=[(as_utc(m.at), m.author, names.get(m.employee_id or 0)) for m in messages],
        version=version.label,
        channel=channel,
        standards=kept,
        measures=measures,
        complaints=list(
            session.exec(select(Complaint.ref).where(Complaint.contact_id == contact.id).order_by(col(Complaint.ref)))
        ),
    )


def _people(session: Session, contact: Contact) -> dict[int, str]:
    ids = {contact.employee_id} | set(
        session.exec(select(ContactMessage.employee_id).where(ContactMessage.contact_id == contact.id)).all()
    )
    ids.discard(None)
    return {
        employee_id or 0: f"{number} {name}"
        for employee_id, number, name in session.exec(
            select(Employee.id, Employee.number, Employee.name).where(col(Employee.id).in_(ids))
        )
    }


@dataclass(frozen=True)
class ContactRowView:
    id: int
    key: str
    received_at: datetime
    channel: str
    employee: str | None
    topic: str | None
    first_response_state: str
    first_response_seconds: int | None
    replies: int
    over_ceiling: bool | None


def list_contacts(
    session: Session,
    *,
    employee: str | None = None,
    channel: str | None = None,
    state: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[ContactRowView]:
    """Newest first, keyset-paged on (received_at, id)."""
    statement = columns_of(
        col(Contact.id),
        col(Contact.source),
        col(Contact.external_id),
        col(Contact.received_at),
        col(Contact.channel),
        col(Employee.number),
        col(Employee.name),
        col(Contact.topic),
        col(Contact.first_response_state),
        col(Contact.first_response_seconds),
        col(Contact.reply_count),
        col(Contact.over_ceiling),
    ).outerjoin(Employee, col(Employee.id) == Contact.employee_id)
    if employee:
        statement = statement.where(col(Employee.number) == employee)
    if channel:
        statement = statement.where(col(Contact.channel) == channel)
    if state:
        statement = statement.where(col(Contact.first_response_state) == state)
    if since:
        statement = statement.where(col(Contact.received_at) >= since)
    if until:
        statement = statement.where(col(Contact.received_at) < until)
    if after:
        at, last_id = after
        statement = statement.where(
            (col(Contact.received_at) < at) | ((col(Contact.received_at) == at) & (col(Contact.id) < last_id))
        )
    statement = statement.order_by(col(Contact.received_at).desc(), col(Contact.id).desc()).limit(limit)
    return [
        ContactRowView(
            id=r.id,
            key=f"{r.source}:{r.external_id}",
            received_at=as_utc(r.received_at),
            channel=r.channel,
            employee=f"{r.number} {r.name}" if r.number else None,
            topic=r.topic,
            first_response_state=r.first_response_state,
            first_response_seconds=r.first_response_seconds,
            replies=r.reply_count,
            over_ceiling=r.over_ceiling,
        )
        for r in session.execute(statement)
    ]
