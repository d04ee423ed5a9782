"""Cross-check every record against its last audited state.

The hash chain proves the audit trail itself was not edited; this check proves
the records still say what the trail says they said. A row edited, deleted or
inserted behind the tracker's back (raw SQL, triggers dropped) is reported.
Both sides are streamed in key order and merged, so memory stays flat however
many records there are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

from tracker.audit import snapshots
from tracker.audit.chain import canonical
from tracker.db import counters
from tracker.db.dialect import byte_order, epoch_seconds
from tracker.db.models import (
    ActionComplaint,
    ActionRule,
    AuditEvent,
    Complaint,
    ComplaintReply,
    ComplaintRule,
    CorrectiveAction,
    Counter,
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
from tracker.db.raw import of_session
from tracker.domain import complaint_flow

BATCH = 1000
REFERENCE_COUNTER = "complaint-"  # then the year: the counter records/complaints/commands.next_reference counts on
# A record as the check sees it: (key, its state as the audit trail records it[, the import that covers it]).
Checked = tuple[Any, ...]


def _on_the_chain() -> Any:
    """Only audit rows on the chain vouch for a record: a row beside it (seq below 1, inserted with
    the triggers dropped) is never read as a record's audited state. The chain walk (``verify_chain``)
    reports such a row and any gap; this check trusts nothing else meanwhile."""
    return col(AuditEvent.seq) >= 1


def _audited(session: Session, entity: str) -> Iterator[tuple[str, str | None]]:
    """(key, last 'after') per record, in key order, from the events on the chain."""
    key_column = byte_order(session, AuditEvent.entity_key)
    statement = (
        select(AuditEvent.entity_key, AuditEvent.after)
        .where(AuditEvent.entity == entity, _on_the_chain())
        .order_by(key_column, col(AuditEvent.seq))
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
    rows: Callable[[Session], Iterator[Checked]]


def _batched(
    session: Session, statement: Any, snapshot_batch: Callable[[list[Any]], Iterable[Checked]]
) -> Iterator[Checked]:
    batch: list[Any] = []
    for row in session.exec(statement.execution_options(yield_per=BATCH)):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from snapshot_batch(batch)
            batch = []
    if batch:
        yield from snapshot_batch(batch)


def _employees(session: Session) -> Iterator[Checked]:
    statement = select(Employee).order_by(byte_order(session, Employee.number))
    return _batched(session, statement, lambda rows: ((e.number, snapshots.employee(e)) for e in rows))


def _versions(session: Session) -> Iterator[Checked]:
    for version in session.exec(select(HandbookVersion).order_by(byte_order(session, HandbookVersion.label))).all():
        of_version = version.id

        def rows(model: Any) -> list[Any]:
            return list(session.exec(select(model).where(model.version_id == of_version)).all())

        yield (
            version.label,
            snapshots.published_version(
                version,
                rows(HandbookRule),
                rows(HandbookChannel),
                rows(HandbookLevel),
                session.get(HandbookService, version.id),
            ),
        )


def _signoffs(session: Session) -> Iterator[Checked]:
    statement = (
        select(Signoff, Employee.number, HandbookVersion.label)
        .join(Employee, col(Employee.id) == Signoff.employee_id)
        .join(HandbookVersion, col(HandbookVersion.id) == Signoff.version_id)
        .order_by(byte_order(session, cast(Signoff.id, String)))
    )
    return _batched(
        session, statement, lambda rows: ((str(s.id), snapshots.signoff(s, number, label)) for s, number, label in rows)
    )


def _revocations(session: Session) -> Iterator[Checked]:
    statement = select(SignoffRevocation).order_by(byte_order(session, cast(SignoffRevocation.id, String)))
    return _batched(session, statement, lambda rows: ((str(r.id), snapshots.revocation(r)) for r in rows))


def _complaints(session: Session) -> Iterator[Checked]:
    statement = (
        select(Complaint, Employee.number)
        .outerjoin(Employee, col(Employee.id) == Complaint.employee_id)
        .order_by(byte_order(session, Complaint.ref))
    )

    def snap(rows: list[Any]) -> Iterator[Checked]:
        ids = [c.id for c, _ in rows]
        rules: dict[int, list[str]] = {}
        for complaint_id, rule_id in session.exec(
            select(ComplaintRule.complaint_id, ComplaintRule.rule_id).where(col(ComplaintRule.complaint_id).in_(ids))
        ):
            rules.setdefault(complaint_id, []).append(rule_id)
        for complaint, number in rows:
            yield (
                complaint.ref,
                snapshots.complaint(complaint, number, rules.get(complaint.id or 0, [])),
                complaint.import_seq,
            )

    return _batched(session, statement, snap)


def _replies(session: Session) -> Iterator[Checked]:
    statement = (
        select(ComplaintReply, Complaint.ref)
        .join(Complaint, col(Complaint.id) == ComplaintReply.complaint_id)
        .order_by(byte_order(session, cast(ComplaintReply.id, String)))
    )
    return _batched(session, statement, lambda rows: ((str(r.id), snapshots.reply(r, ref)) for r, ref in rows))


def _actions(session: Session) -> Iterator[Checked]:
    statement = (
        select(CorrectiveAction, Employee.number)
        .join(Employee, col(Employee.id) == CorrectiveAction.employee_id)
        .order_by(byte_order(session, cast(CorrectiveAction.id, String)))
    )

    def snap(rows: list[Any]) -> Iterator[Checked]:
        ids = [a.id for a, _ in rows]
        refs: dict[int, list[str]] = {}
        for action_id, ref in session.exec(
            select(ActionComplaint.action_id, Complaint.ref)
            .join(Complaint, col(Complaint.id) == ActionComplaint.complaint_id)
            .where(col(ActionComplaint.action_id).in_(ids))
        ):
            refs.setdefault(action_id, []).append(ref)
        rules: dict[int, list[str]] = {}
        for action_id, rule_id in session.exec(
            select(ActionRule.action_id, ActionRule.rule_id).where(col(ActionRule.action_id).in_(ids))
        ):
            rules.setdefault(action_id, []).append(rule_id)
        for action, number in rows:
            yield (
                str(action.id),
                snapshots.action(action, number, refs.get(action.id or 0, []), rules.get(action.id or 0, [])),
            )

    return _batched(session, statement, snap)


def _follow_ups(session: Session) -> Iterator[Checked]:
    statement = select(FollowUp).order_by(byte_order(session, cast(FollowUp.id, String)))
    return _batched(session, statement, lambda rows: ((str(f.id), snapshots.follow_up(f)) for f in rows))


def verify_imports(session: Session) -> list[str]:
    """Re-compute the digest each bulk import recorded over the complaints it added.

    A complaint changed after the import is taken as it was at import time:
    the 'before' of its first own audit event.
    """
    problems: list[str] = []
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "complaint_import", _on_the_chain()).order_by(col(AuditEvent.seq))
    ).all()
    for event in events:
        recorded = json.loads(event.after or "{}")
        digest_format = recorded.get("digest_format", 1)
        if digest_format not in snapshots.IMPORT_DIGEST_FORMATS:
            problems.append(
                f"complaint import {event.seq} ({recorded.get('file')}): its digest format {digest_format!r} "
                "is not one this tracker knows: verify with the tracker that imported it, or a newer one"
            )
            continue
        digest = hashlib.sha256()
        count = 0
        for rows in _import_pages(session, event.seq):
            refs = [complaint.ref for complaint, _ in rows]
            first_before: dict[str, str | None] = {}
            for key, before in session.exec(
                select(AuditEvent.entity_key, AuditEvent.before)
                .where(AuditEvent.entity == "complaint", col(AuditEvent.entity_key).in_(refs), _on_the_chain())
                .order_by(col(AuditEvent.seq))
            ):
                first_before.setdefault(key, before)
            ids = [complaint.id for complaint, _ in rows]
            rules: dict[int, list[str]] = {}
            for complaint_id, rule_id in session.exec(
                select(ComplaintRule.complaint_id, ComplaintRule.rule_id).where(
                    col(ComplaintRule.complaint_id).in_(ids)
                )
            ):
                rules.setdefault(complaint_id, []).append(rule_id)
            for complaint, number in rows:
                if complaint.ref in first_before and first_before[complaint.ref] is not None:
                    snapshot = json.loads(first_before[complaint.ref] or "{}")
                else:
                    snapshot = snapshots.complaint(complaint, number, rules.get(complaint.id or 0, []))
                digest.update(snapshots.complaint_line(snapshot, digest_format).encode("utf-8"))
                digest.update(b"\n")
                count += 1
        if count != recorded.get("rows") or digest.hexdigest() != recorded.get("records_sha256"):
            problems.append(
                f"complaint import {event.seq} ({recorded.get('file')}): its {recorded.get('rows')} complaints "
                f"no longer match the digest recorded at import ({count} found): edited or deleted behind the tracker's back"
            )
    return problems


def _import_pages(session: Session, seq: int) -> Iterator[list[Any]]:
    last = 0
    while True:
        page = session.exec(
            select(Complaint, Employee.number)
            .outerjoin(Employee, col(Employee.id) == Complaint.employee_id)
            .where(Complaint.import_seq == seq, col(Complaint.id) > last)
            .order_by(col(Complaint.id))
            .limit(BATCH)
        ).all()
        if not page:
            return
        yield list(page)
        last = page[-1][0].id or 0
        session.expunge_all()


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


def verify_counters(session: Session) -> list[str]:
    """The dashboard's per-day counters against a fresh count of the complaints."""
    raw = of_session(session)
    fresh_days, fresh_rules = counters.counted(raw)
    kept_days, kept_rules = counters.stored(raw)
    problems = [
        f"complaint counters for {day} {channel}: stored {kept_days.get((day, channel), (0, 0))}, counted {fresh_days.get((day, channel), (0, 0))}"
        for day, channel in sorted(set(fresh_days) | set(kept_days))
        if fresh_days.get((day, channel)) != kept_days.get((day, channel))
    ]
    if fresh_rules != kept_rules:
        problems.append("rule counters differ from a fresh count of the complaints' rules")
    return [problem + " (rebuild them with 'tracker db recount')" for problem in problems[:20]]


def _highest_references(session: Session) -> dict[int, int]:
    """The highest complaint number issued per year: of the complaints stored and of every
    complaint on the chain (a complaint deleted behind the tracker's back still used its number).

    Grouped by year and length in SQL, so the answer is a few rows at a million complaints; within
    one length the highest text is the highest number (references are digits after the year)."""
    highest: dict[int, int] = {}
    for column, where in (
        (Complaint.ref, None),
        (AuditEvent.entity_key, (AuditEvent.entity == "complaint") & _on_the_chain()),
    ):
        year, length = func.substr(column, 3, 4), func.length(column)
        statement = select(year, length, func.max(column)).group_by(year, length)
        if where is not None:
            statement = statement.where(where)
        for _, _, ref in session.exec(statement):
            match = complaint_flow.REFERENCE.match(ref or "")
            if match is not None:
                number_year, number = int(match.group(1)), int(match.group(2))
                highest[number_year] = max(highest.get(number_year, 0), number)
    return highest


def verify_reference_counters(session: Session) -> list[str]:
    """Each year's complaint-reference counter is at least the highest reference issued that year:
    lowered, the next complaint would be given a reference already used (and refused) or one a
    deleted complaint had (and two records would share it)."""
    counted = select(Counter.name, Counter.value).where(col(Counter.name).startswith(REFERENCE_COUNTER))
    stored: dict[str, int] = dict(session.exec(counted).all())
    problems = []
    for year, number in sorted(_highest_references(session).items()):
        name = f"{REFERENCE_COUNTER}{year}"
        value = stored.get(name)
        if value is None or value < number:
            problems.append(
                f"complaint reference counter {name}: {'missing' if value is None else value}, below the highest "
                f"reference issued ({complaint_flow.reference(year, number)}): the next complaint of {year} would "
                "reuse a reference; it was edited behind the tracker's back"
            )
    return problems


def _matches(audited: str | None, current: dict[str, Any]) -> bool:
    """The row still says everything its last audit event recorded.

    Compared field by field when the texts differ, so a record audited before a field was
    added to its snapshot (a version published before channels were recorded) is held to
    what was recorded then, and no less.
    """
    text = canonical(current)
    if audited == text:
        return True
    recorded = json.loads(audited or "null")
    now = json.loads(text)
    return isinstance(recorded, dict) and all(key in now and now[key] == value for key, value in recorded.items())


def verify_derived(session: Session) -> list[str]:
    """Stored fields the reports read that are derived from audited ones must still equal
    their derivation (a first-response time edited behind the tracker's back)."""
    derived = epoch_seconds(session, Complaint.first_response_at) - epoch_seconds(session, Complaint.received_at)
    wrong = session.exec(
        select(Complaint.ref)
        .where(
            (col(Complaint.first_response_at).is_(None) != col(Complaint.first_response_seconds).is_(None))
            | (func.abs(col(Complaint.first_response_seconds) - derived) > 1)  # whole seconds, either side
        )
        .order_by(col(Complaint.ref))
        .limit(20)
    ).all()
    return [
        f"complaint {ref}: its stored first-response time no longer follows from its audited times: "
        "it was edited behind the tracker's back"
        for ref in wrong
    ]


def verify_records(session: Session, *, limit: int = 1000, counters: bool = True) -> list[str]:
    """Every record, import and derived field that no longer matches the audit trail (at most
    ``limit``) and, unless ``counters`` is false, counters that no longer match the records."""
    problems: list[str] = (
        verify_imports(session)
        + (verify_counters(session) if counters else [])
        + verify_reference_counters(session)
        + verify_derived(session)
    )
    imports = set(
        session.exec(select(AuditEvent.seq).where(AuditEvent.entity == "complaint_import", _on_the_chain())).all()
    )
    for kind in KINDS:
        audited = _audited(session, kind.entity)
        rows = kind.rows(session)
        a = next(audited, None)
        r = next(rows, None)
        while (a is not None or r is not None) and len(problems) < limit:
            if a is not None and (r is None or a[0] < r[0]):
                problems.append(f"{kind.label} {a[0]} is in the audit trail but missing from the database")
                a = next(audited, None)
            elif r is not None and (a is None or r[0] < a[0]):
                covered = len(r) > 2 and r[2] in imports
                if not covered:
                    problems.append(f"{kind.label} {r[0]} has no audit event: it was written behind the tracker's back")
                r = next(rows, None)
            elif a is not None and r is not None:
                if not _matches(a[1], r[1]):
                    problems.append(
                        f"{kind.label} {r[0]} differs from its last audited state: it was edited behind the tracker's back"
                    )
                a = next(audited, None)
                r = next(rows, None)
    return problems
