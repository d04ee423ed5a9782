"""Cross-check every record against its last audited state.

The hash chain proves the audit trail itself was not edited; this check proves
the records still say what the trail says they said. A row edited, deleted or
inserted behind the tracker's back (raw SQL, triggers dropped) is reported.
Both sides are streamed in key order and merged, so memory stays flat however
many records there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from sqlalchemy import String, cast
from sqlmodel import Session, select

from tracker.storage import snapshots
from tracker.storage.audit import canonical
from tracker.storage.models import (
    ActionComplaint,
    ActionRule,
    AuditEvent,
    Complaint,
    ComplaintReply,
    ComplaintRule,
    CorrectiveAction,
    Employee,
    FollowUp,
    HandbookRule,
    HandbookVersion,
    Signoff,
    SignoffRevocation,
)

BATCH = 1000


def _ordered(session: Session, expression):  # type: ignore[no-untyped-def]
    """Byte-order collation on both backends, the order Python compares strings in."""
    return expression.collate("C") if session.get_bind().dialect.name == "postgresql" else expression


def _audited(session: Session, entity: str) -> Iterator[tuple[str, str | None]]:
    """(key, last 'after') per record, in key order."""
    key_column = _ordered(session, AuditEvent.entity_key)
    statement = (
        select(AuditEvent.entity_key, AuditEvent.after)
        .where(AuditEvent.entity == entity)
        .order_by(key_column, AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    current_key: str | None = None
    current_after: str | None = None
    for key, after in session.exec(statement):
        if current_key is not None and key != current_key:
            yield current_key, current_after
        current_key, current_after = key, after
    if current_key is not None:
        yield current_key, current_after


@dataclass(frozen=True)
class _Kind:
    entity: str
    label: str
    rows: Callable[[Session], Iterator[tuple[str, dict[str, Any]]]]


def _batched(session: Session, statement, key_of, snapshot_batch) -> Iterator[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    batch: list[Any] = []
    for row in session.exec(statement.execution_options(yield_per=BATCH)):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from snapshot_batch(batch)
            batch = []
    if batch:
        yield from snapshot_batch(batch)


def _employees(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = select(Employee).order_by(_ordered(session, Employee.number))
    return _batched(session, statement, None, lambda rows: ((e.number, snapshots.employee(e)) for e in rows))


def _versions(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    for version in session.exec(select(HandbookVersion).order_by(_ordered(session, HandbookVersion.label))).all():
        rules = session.exec(select(HandbookRule.rule_id, HandbookRule.hash).where(HandbookRule.version_id == version.id)).all()
        yield version.label, snapshots.version(version) | {"rules": dict(rules)}


def _signoffs(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = (
        select(Signoff, Employee.number, HandbookVersion.label)
        .join(Employee, Employee.id == Signoff.employee_id)
        .join(HandbookVersion, HandbookVersion.id == Signoff.version_id)
        .order_by(_ordered(session, cast(Signoff.id, String)))
    )
    return _batched(session, statement, None,
                    lambda rows: ((str(s.id), snapshots.signoff(s, number, label)) for s, number, label in rows))


def _revocations(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = select(SignoffRevocation).order_by(_ordered(session, cast(SignoffRevocation.id, String)))
    return _batched(session, statement, None, lambda rows: ((str(r.id), snapshots.revocation(r)) for r in rows))


def _complaints(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = (
        select(Complaint, Employee.number)
        .outerjoin(Employee, Employee.id == Complaint.employee_id)
        .order_by(_ordered(session, Complaint.ref))
    )

    def snap(rows: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        ids = [c.id for c, _ in rows]
        rules: dict[int, list[str]] = {}
        for complaint_id, rule_id in session.exec(
            select(ComplaintRule.complaint_id, ComplaintRule.rule_id).where(ComplaintRule.complaint_id.in_(ids))  # type: ignore[union-attr]
        ):
            rules.setdefault(complaint_id, []).append(rule_id)
        for complaint, number in rows:
            yield complaint.ref, snapshots.complaint(complaint, number, rules.get(complaint.id or 0, []))

    return _batched(session, statement, None, snap)


def _replies(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = (
        select(ComplaintReply, Complaint.ref)
        .join(Complaint, Complaint.id == ComplaintReply.complaint_id)
        .order_by(_ordered(session, cast(ComplaintReply.id, String)))
    )
    return _batched(session, statement, None, lambda rows: ((str(r.id), snapshots.reply(r, ref)) for r, ref in rows))


def _actions(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = (
        select(CorrectiveAction, Employee.number)
        .join(Employee, Employee.id == CorrectiveAction.employee_id)
        .order_by(_ordered(session, cast(CorrectiveAction.id, String)))
    )

    def snap(rows: list[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        ids = [a.id for a, _ in rows]
        refs: dict[int, list[str]] = {}
        for action_id, ref in session.exec(
            select(ActionComplaint.action_id, Complaint.ref)
            .join(Complaint, Complaint.id == ActionComplaint.complaint_id)
            .where(ActionComplaint.action_id.in_(ids))  # type: ignore[attr-defined]
        ):
            refs.setdefault(action_id, []).append(ref)
        rules: dict[int, list[str]] = {}
        for action_id, rule_id in session.exec(
            select(ActionRule.action_id, ActionRule.rule_id).where(ActionRule.action_id.in_(ids))  # type: ignore[attr-defined]
        ):
            rules.setdefault(action_id, []).append(rule_id)
        for action, number in rows:
            yield str(action.id), snapshots.action(action, number, refs.get(action.id or 0, []), rules.get(action.id or 0, []))

    return _batched(session, statement, None, snap)


def _follow_ups(session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
    statement = select(FollowUp).order_by(_ordered(session, cast(FollowUp.id, String)))
    return _batched(session, statement, None, lambda rows: ((str(f.id), snapshots.follow_up(f)) for f in rows))


KINDS: tuple[_Kind, ...] = (
    _Kind("employee", "employee", _employees),
    _Kind("handbook_version", "handbook version", _versions),
    _Kind("signoff", "sign-off", _signoffs),
    _Kind("signoff_revocation", "sign-off revocation", _revocations),
    _Kind("complaint", "complaint", _complaints),
    _Kind("complaint_reply", "complaint reply", _replies),
    _Kind("corrective_action", "corrective action", _actions),
    _Kind("follow_up", "follow-up", _follow_ups),
)


def verify_records(session: Session, *, limit: int = 1000) -> list[str]:
    """Every record that no longer matches the audit trail (at most ``limit``)."""
    problems: list[str] = []
    for kind in KINDS:
        audited = _audited(session, kind.entity)
        rows = kind.rows(session)
        a = next(audited, None)
        r = next(rows, None)
        while (a is not None or r is not None) and len(problems) < limit:
            if r is None or (a is not None and a[0] < r[0]):
                problems.append(f"{kind.label} {a[0]} is in the audit trail but missing from the database")  # type: ignore[index]
                a = next(audited, None)
            elif a is None or r[0] < a[0]:
                problems.append(f"{kind.label} {r[0]} has no audit event: it was written behind the tracker's back")
                r = next(rows, None)
            else:
                if a[1] != canonical(r[1]):
                    problems.append(f"{kind.label} {r[0]} differs from its last audited state: it was edited behind the tracker's back")
                a = next(audited, None)
                r = next(rows, None)
    return problems
