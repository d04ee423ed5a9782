"""Checking stored contacts against their own facts: the measures every speed report reads are
derived again from the contact's messages and the handbook version it was measured by, and its
content hash recomputed, so a first-response time or a message edited behind the tracker's back
is reported by ``tracker audit verify``; and the contacts are counted against what the imports on
the audit chain say they added, so a contact deleted (a missed one, to raise a rate) or slipped in
is reported too. (A contact rewritten consistently, hash and all, is not caught: contacts are
service measures kept per import, each import in the chain, not each contact.)
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from tracker.db.models import AuditEvent, Contact, ContactMessage, HandbookVersion
from tracker.domain.handbook.model import Standards
from tracker.domain.timeutil import as_utc
from tracker.records.contacts.commands import CONTACT_IMPORT_ACTION
from tracker.records.contacts.mapping import content_hash, derived
from tracker.records.handbook.queries import standards

BATCH = 500
_DERIVED = (
    "first_response_at",
    "first_response_due",
    "first_response_seconds",
    "first_response_state",
    "reply_count",
    "reply_wait_seconds",
    "over_ceiling",
)


def verify_contacts(session: Session, *, limit: int = 1000) -> list[str]:
    problems: list[str] = _count_problems(session)
    kept: dict[int, Standards] = {}
    last = 0
    while len(problems) < limit:
        contacts = session.exec(
            select(Contact).where(col(Contact.id) > last).order_by(col(Contact.id)).limit(BATCH)
        ).all()
        if not contacts:
            break
        last = contacts[-1].id or 0
        messages: dict[int, list[dict[str, Any]]] = {}
        for message in session.exec(
            select(ContactMessage)
            .where(col(ContactMessage.contact_id).in_([c.id for c in contacts]))
            .order_by(col(ContactMessage.contact_id), col(ContactMessage.at), col(ContactMessage.id))
        ):
            messages.setdefault(message.contact_id, []).append(
                {"at": as_utc(message.at), "author": message.author, "employee_id": message.employee_id}
            )
        for contact in contacts:
            if contact.version_id not in kept:
                version = session.get(HandbookVersion, contact.version_id)
                assert version is not None  # a foreign key
                kept[contact.version_id] = standards(session, version)
            problems += _check(contact, messages.get(contact.id or 0, []), kept[contact.version_id])
        session.expunge_all()
    return problems[:limit]


def _count_problems(session: Session) -> list[str]:
    """The number of contacts stored against the number the imports on the chain added."""
    added = 0
    for after in session.exec(
        select(AuditEvent.after).where(AuditEvent.action == CONTACT_IMPORT_ACTION, col(AuditEvent.seq) >= 1)
    ):
        added += int(json.loads(after or "{}").get("new", 0))
    stored = session.exec(select(func.count()).select_from(Contact)).one()
    if stored == added:
        return []
    change = f"{added - stored} fewer" if stored < added else f"{stored - added} more"
    return [
        f"contacts: {stored:,} stored, but the imports on the audit chain added {added:,}: {change} "
        "than imported, changed behind the tracker's back"
    ]


def _check(contact: Contact, messages: list[dict[str, Any]], version: Standards) -> list[str]:
    name = f"contact {contact.source}:{contact.external_id}"
    columns = {k: _plain(v) for k, v in contact.model_dump().items()}  # SQLite hands back naive UTC
    columns.pop("id", None)
    columns.pop("import_id", None)
    channel = version.channels.get(contact.channel)
    if channel is None:
        return [f"{name}: its channel '{contact.channel}' is not in handbook {version.label}"]
    fresh = derived(columns, messages, channel, version)
    differs = [field for field in _DERIVED if _plain(fresh[field]) != _plain(columns[field])]
    if differs:
        return [
            f"{name}: stored {', '.join(differs)} differ from what its messages give: edited behind the tracker's back"
        ]
    if content_hash(columns, messages) != contact.content_hash:
        return [
            f"{name}: its facts or messages no longer match the hash recorded at import: edited behind the tracker's back"
        ]
    return []


def _plain(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value
