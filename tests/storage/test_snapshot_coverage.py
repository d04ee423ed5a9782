"""Every stored field of an audited record is in its audit snapshot, or left out for a stated reason.

A column in no snapshot can be edited behind the tracker's back and ``audit verify`` stays clean,
so a report or screen reading it would show a forgery as fact (issue 16, point 6). Each column
is changed in turn on an in-memory row: the snapshot must change with it, unless ``LEFT_OUT``
says why not. A new column therefore fails here until it is covered or its omission explained.
Old events, written before a field was covered, still verify clean (``test_old_events_…`` and
``tests/storage/test_upgrade.py``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, Callable, get_args

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from tests.conftest import read
from tests.storage.test_forgery import drop_triggers
from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.audit.integrity import KINDS, verify_records
from tracker.db import triggers
from tracker.db.models import (
    AuditEvent,
    Complaint,
    ComplaintReply,
    CorrectiveAction,
    Employee,
    FollowUp,
    HandbookChannel,
    HandbookLevel,
    HandbookRule,
    HandbookService,
    HandbookVersion,
    Signoff,
    SignoffRevocation,
)

_UNREAD = "read by no report or screen"
_OF_VERSION = "the version the snapshot is of"

# Columns of an audited table in no snapshot, and why.
LEFT_OUT: dict[str, dict[str, str]] = {
    "employee": {
        "id": "the surrogate key: records name an employee by number",
        "created_at": _UNREAD,
        "created_by": _UNREAD,
        "updated_at": _UNREAD,
    },
    "handbook_version": {},
    "handbook_rule": {"version_id": _OF_VERSION},
    "handbook_channel": {"version_id": _OF_VERSION},
    "handbook_level": {"version_id": _OF_VERSION},
    "handbook_service": {"version_id": _OF_VERSION},
    "signoff": {"employee_id": "recorded as the employee's number", "version_id": "recorded as the version's label"},
    "signoff_revocation": {},
    "complaint": {
        "id": "the surrogate key: records name a complaint by reference",
        "employee_id": "recorded as the employee's number",
        "customer_name": "purged after the retention period",
        "customer_contact": "purged after the retention period",
        "first_response_seconds": "derived from the audited times, checked by integrity.verify_derived",
        "import_seq": "a complaint without an event of its own must be covered by an import on the chain",
        "created_at": _UNREAD,
        "updated_at": _UNREAD,
        "updated_by": _UNREAD,
    },
    "complaint_reply": {"complaint_id": "recorded as the complaint's reference"},
    "corrective_action": {"employee_id": "recorded as the employee's number", "created_at": _UNREAD},
    "follow_up": {},
}


def _value(kind: type) -> Any:
    return {int: 7, str: "a", bool: False, date: date(2026, 1, 2), datetime: datetime(2026, 1, 2, 3, 4, 5)}[kind]


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    return value + (1 if isinstance(value, int) else "b")


def _table(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


def _type_of(model: type[SQLModel], column: str) -> type:
    annotation = model.model_fields[column].annotation
    kinds = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    return kinds[0]


def _columns(model: type[SQLModel]) -> list[str]:
    return [c.name for c in model.__table__.columns]  # type: ignore[attr-defined]


def _row(model: type[SQLModel]) -> SQLModel:
    return model(**{name: _value(_type_of(model, name)) for name in _columns(model)})


def _version_snapshot(changed: type[SQLModel]) -> Callable[[SQLModel], dict[str, Any]]:
    """The published version's snapshot with ``changed`` the row under test, the others fixed."""
    parts: dict[type[SQLModel], Any] = {
        m: _row(m) for m in (HandbookVersion, HandbookRule, HandbookChannel, HandbookLevel, HandbookService)
    }

    def snap(row: SQLModel) -> dict[str, Any]:
        rows = parts | {changed: row}
        return snapshots.published_version(
            rows[HandbookVersion],
            [rows[HandbookRule]],
            [rows[HandbookChannel]],
            [rows[HandbookLevel]],
            rows[HandbookService],
        )

    return snap


SNAPSHOTS: dict[type[SQLModel], Callable[[Any], dict[str, Any]]] = {
    Employee: snapshots.employee,
    HandbookVersion: _version_snapshot(HandbookVersion),
    HandbookRule: _version_snapshot(HandbookRule),
    HandbookChannel: _version_snapshot(HandbookChannel),
    HandbookLevel: _version_snapshot(HandbookLevel),
    HandbookService: _version_snapshot(HandbookService),
    Signoff: lambda row: snapshots.signoff(row, "E-1", "2026.1"),
    SignoffRevocation: snapshots.revocation,
    Complaint: lambda row: snapshots.complaint(row, "E-1", ["CON-01"]),
    ComplaintReply: lambda row: snapshots.reply(row, "C-2026-00001"),
    CorrectiveAction: lambda row: snapshots.action(row, "E-1", ["C-2026-00001"], ["CON-01"]),
    FollowUp: snapshots.follow_up,
}


def test_every_audited_kind_is_in_this_catalogue() -> None:
    tables = {_table(model) for model in SNAPSHOTS}
    assert {kind.entity for kind in KINDS} <= tables
    assert set(LEFT_OUT) == tables


@pytest.mark.parametrize(
    ("model", "column"),
    [(m, name) for m in SNAPSHOTS for name in _columns(m)],
    ids=lambda v: v if isinstance(v, str) else _table(v),
)
def test_every_column_is_audited_or_left_out_for_a_reason(model: type[SQLModel], column: str) -> None:
    left_out = LEFT_OUT[_table(model)]
    snap = SNAPSHOTS[model]
    row = _row(model)
    before = audit.canonical(snap(row))
    setattr(row, column, _changed(getattr(row, column)))
    covered = audit.canonical(snap(row)) != before
    if column in left_out:
        assert not covered, f"{_table(model)}.{column} is audited: take it out of LEFT_OUT"
    else:
        assert covered, f"{_table(model)}.{column} is in no audit snapshot: cover it or say why not"


def _strip_new_keys(engine: Engine) -> None:
    """Rewrite the chain as an older tracker would have written it: snapshots without the fields
    covered since (the events' shape in a database from before), hashes recomputed."""
    new = {
        "employee": ("updated_by",),
        "handbook_version": ("id", "published_by"),
        "signoff": ("recorded_by", "recorded_on"),
        "signoff_revocation": ("revoked_by",),
        "complaint": ("version_id", "closed_at", "created_by"),
        "complaint_reply": ("recorded_by", "recorded_at"),
        "corrective_action": (
            "version_id",
            "is_final",
            "issued_by",
            "suggestion_reason",
            "updated_at",
            "updated_by",
        ),
        "follow_up": ("recorded_by", "recorded_at"),
    }

    def old(entity: str, value: str | None) -> str | None:
        data = json.loads(value) if value is not None else None
        if not isinstance(data, dict):
            return value
        for key in new.get(entity, ()):
            data.pop(key, None)
        return audit.canonical(data)

    with read(engine) as session:
        events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())
    drop_triggers(engine)
    with Session(engine) as session:
        session.execute(text("DELETE FROM audit_event"))
        prev = triggers.GENESIS
        for was in events:
            event = AuditEvent(
                seq=was.seq,
                at=was.at,
                actor=was.actor,
                action=was.action,
                entity=was.entity,
                entity_key=was.entity_key,
                before=old(was.entity, was.before),
                after=old(was.entity, was.after),
                prev_hash=prev,
                hash="",
            )
            event.hash = audit.hash_of(event)
            session.add(event)
            session.flush()
            prev = event.hash
        session.commit()
    with read(engine) as session:
        stripped = session.exec(select(AuditEvent).where(AuditEvent.entity == "corrective_action")).first()
        assert stripped is not None and "issued_by" not in (stripped.after or "")


def test_old_events_without_the_new_fields_still_verify_clean(worked: Engine) -> None:
    with read(worked) as session:
        assert verify_records(session) == []
    _strip_new_keys(worked)
    with read(worked) as session:
        assert audit.verify_chain(session).ok
        assert verify_records(session) == []
