"""The audit trail: every change appended to a SHA-256 hash chain.

Each event's hash covers its own content and the previous event's hash, so an
edited, removed or reordered event breaks every link after it. The chain is
tamper-evident, not tamper-proof: someone with write access can rebuild the
whole chain, which is why ``tracker audit head`` prints the head to keep
outside the database and ``verify`` can compare against it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.audit.entities import ENTITIES
from tracker.db.models import AuditEvent
from tracker.db.triggers import GENESIS
from tracker.domain.timeutil import CLOCK_SKEW, as_utc, utcnow

# The head as this session last wrote it: a bulk import appends thousands of
# events without re-reading the head each time. Valid because the session holds
# the write lock until it commits; db.write gives each attempt a new session.
_HEAD_KEY = "tracker_audit_head"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an audit event")


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same object always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    payload = canonical(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "key": entity_key,
            "before": before,
            "after": after,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hash_of(event: AuditEvent) -> str:
    """The hash an event should carry, from its own content (used to write and to verify)."""
    return event_hash(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        entity=event.entity,
        entity_key=event.entity_key,
        before=event.before,
        after=event.after,
        prev_hash=event.prev_hash,
    )


def head(session: Session) -> AuditEvent | None:
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event. Call inside a write transaction (``db.write``), which
    serialises writers, so the chain stays linear."""
    if entity not in ENTITIES:
        raise ValueError(f"audit entity {entity!r} is not in audit.entities.ENTITIES")
    cached = session.info.get(_HEAD_KEY)
    if cached is None:
        previous = head(session)
        cached = (previous.seq, previous.hash) if previous else (0, GENESIS)
    seq = cached[0] + 1
    prev_hash = cached[1]
    moment = as_utc(at or utcnow())
    before_text = canonical(before) if before is not None else None
    after_text = canonical(after) if after is not None else None
    event = AuditEvent(
        seq=seq,
        at=moment,
        actor=actor,
        action=action,
        entity=entity,
        entity_key=key,
        before=before_text,
        after=after_text,
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = hash_of(event)
    session.add(event)  # flushed with the records it describes (seq is assigned here, not by the database)
    session.info[_HEAD_KEY] = (seq, event.hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None
    # Links intact, but times that go back: reported beside the chain, not as a broken link.
    clock_problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken_seq": self.broken_seq,
            "problem": self.problem,
            "clock_problems": self.clock_problems,
        }


def _stream(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    """Every event in order, a page at a time (the chain may hold millions)."""
    last = 0
    while True:
        page = session.exec(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(col(AuditEvent.seq)).limit(batch)
        ).all()
        if not page:
            return
        yield from page
        last = page[-1].seq
        session.expunge_all()


def verify_chain(session: Session, expected_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the chain from the first event; report the first broken link, an event whose
    time goes back, and any audit row the walk did not pass (a row beside the chain)."""
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    found_expected = expected_head is None or expected_head == (0, GENESIS)  # a head kept before the first event
    previous_at: datetime | None = None
    clock: list[str] = []  # events dated before the one they follow (a clock set back, or a back-dated write)
    for event in _stream(session):
        problem = None
        at = as_utc(event.at)
        if event.seq != expected_seq:
            problem = f"event {expected_seq} is missing (next found is {event.seq})"
        elif event.prev_hash != prev_hash:
            problem = f"event {event.seq} does not follow event {event.seq - 1} (previous hash differs)"
        else:
            recomputed = hash_of(event)
            if recomputed != event.hash:
                problem = f"event {event.seq} ({event.action} {event.entity} {event.entity_key}) was altered: its hash does not match its content"
        if problem:
            return ChainReport(False, count, event.seq - 1, prev_hash, expected_seq, problem)
        if expected_head is not None and event.seq == expected_head[0]:
            if event.hash != expected_head[1]:
                return ChainReport(
                    False,
                    count,
                    event.seq,
                    event.hash,
                    event.seq,
                    f"event {event.seq} does not match the head you kept ({expected_head[1][:12]}…): the chain was rewritten",
                )
            found_expected = True
        if previous_at is not None and at < previous_at - CLOCK_SKEW and len(clock) < 20:
            clock.append(
                f"event {event.seq} ({event.action} {event.entity} {event.entity_key}) is dated {at:%Y-%m-%d %H:%M} UTC, "
                f"before event {event.seq - 1} ({previous_at:%Y-%m-%d %H:%M} UTC): the chain's clock went back"
            )
        count += 1
        prev_hash = event.hash
        previous_at = max(at, previous_at) if previous_at is not None else at
        expected_seq += 1
    beside = session.exec(select(AuditEvent).where(col(AuditEvent.seq) < 1).order_by(col(AuditEvent.seq))).first()
    if beside is not None:
        return ChainReport(
            False,
            count,
            expected_seq - 1,
            prev_hash,
            beside.seq,
            f"audit row {beside.seq} ({beside.action} {beside.entity} {beside.entity_key}) is not on the chain "
            "(sequence numbers start at 1): it was inserted behind the tracker's back",
        )
    if not found_expected and expected_head is not None:
        return ChainReport(
            False,
            count,
            expected_seq - 1,
            prev_hash,
            expected_seq,
            f"the chain ends at event {expected_seq - 1}, before the head you kept ({expected_head[0]}): events were removed",
        )
    return ChainReport(True, count, expected_seq - 1, prev_hash, clock_problems=clock)


def recent(session: Session, *, entity: str | None = None, key: str | None = None, limit: int = 50) -> list[AuditEvent]:
    """The newest events, optionally of one record, newest first."""
    statement = select(AuditEvent)
    if entity:
        statement = statement.where(AuditEvent.entity == entity)
    if key:
        statement = statement.where(AuditEvent.entity_key == key)
    return list(session.exec(statement.order_by(col(AuditEvent.seq).desc()).limit(limit)).all())


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()
