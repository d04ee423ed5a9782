"""Customers' personal data: how long it is kept.

Complaints may hold a customer's name and contact. Once a complaint is closed
and older than the retention period, ``purge_contacts`` removes them; the
complaint itself (what happened, which rules, the outcome) stays as evidence.
The audit trail never held them (see ``snapshots.complaint``), so purging
does not break the hash chain; the purge itself is one audit event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, or_, update
from sqlmodel import Session, col

from tracker.audit import chain as audit
from tracker.db.models import Complaint
from tracker.domain import complaint_flow as flow
from tracker.domain.timeutil import local_midnight, utcnow

PURGE_ACTION = "complaint.purge-contacts"  # the audit event a purge appends (a restore re-applies them)


def purge_contacts(session: Session, *, received_before: date, actor: str, now: datetime | None = None) -> int:
    """Remove customer names and contacts from closed complaints received before the date; returns how many."""
    now = now or utcnow()
    cutoff = local_midnight(received_before)
    result = session.execute(
        update(Complaint)
        .where(
            col(Complaint.received_at) < cutoff,
            col(Complaint.status).in_(flow.CLOSED_STATUSES),
            or_(col(Complaint.customer_name).is_not(None), col(Complaint.customer_contact).is_not(None)),
        )
        .values(customer_name=None, customer_contact=None)
    )
    purged = int(cast("CursorResult[Any]", result).rowcount or 0)  # an UPDATE's result counts its rows
    audit.append(
        session,
        actor=actor,
        action=PURGE_ACTION,
        entity="privacy",
        key=received_before.isoformat(),
        after={"received_before": received_before, "complaints": purged, "statuses": list(flow.CLOSED_STATUSES)},
        at=now,
    )
    return purged
