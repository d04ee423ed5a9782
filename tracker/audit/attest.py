"""Bring the trail up to what this tracker records of published versions.

Versions published before the trail recorded their channel targets, ladder and
standards (schema 0003) are recorded once, as they stand at the upgrade, with an
``handbook.attest`` event; from then on ``audit verify`` holds them to it. What
was changed behind the tracker's back before the upgrade cannot be told apart,
and the event says when the snapshot was taken.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from tracker.audit import chain, snapshots
from tracker.db.models import AuditEvent, HandbookChannel, HandbookLevel, HandbookRule, HandbookService, HandbookVersion
from tracker.domain.timeutil import utcnow

ACTOR = "tracker db upgrade"


def unattested(session: Session) -> list[HandbookVersion]:
    """Published versions whose last audit event does not record their channels."""
    found = []
    for version in session.exec(select(HandbookVersion).order_by(col(HandbookVersion.id))).all():
        last = session.exec(
            select(AuditEvent.after)
            .where(
                AuditEvent.entity == "handbook_version",
                AuditEvent.entity_key == version.label,
                col(AuditEvent.seq) >= 1,  # only events on the chain vouch for a record
            )
            .order_by(col(AuditEvent.seq).desc())
            .limit(1)
        ).first()
        if last is None or "channels" not in json.loads(last or "{}"):
            found.append(version)
    return found


def attest_versions(session: Session, *, now: datetime | None = None) -> int:
    """Record the full snapshot of every unattested version; returns how many. Call in a write transaction."""
    now = now or utcnow()
    versions = unattested(session)
    for version in versions:

        def rows(model: Any, of_version: int | None = version.id) -> list[Any]:
            return list(session.exec(select(model).where(model.version_id == of_version)).all())

        chain.append(
            session,
            actor=ACTOR,
            action="handbook.attest",
            entity="handbook_version",
            key=version.label,
            after=snapshots.published_version(
                version,
                rows(HandbookRule),
                rows(HandbookChannel),
                rows(HandbookLevel),
                session.get(HandbookService, version.id),
            ),
            at=now,
        )
    return len(versions)
