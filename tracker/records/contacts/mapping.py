"""From an export's contact to the tracker's: its channel by the handbook's names, its people by
the roster, its measures by the handbook version in force when it arrived.

The measures are derived here and nowhere else (``prepare``): the import stores them, and
``audit verify`` derives them again from the stored facts to check nothing was edited since.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tracker.domain import contact_words
from tracker.domain.contact_measures import Author, ContactFacts, ContactMeasures, Message, measure
from tracker.domain.contact_rows import ContactRow, FileRowError
from tracker.domain.errors import RowError, shown
from tracker.domain.handbook.model import Channel, Standards
from tracker.domain.timeutil import as_utc, future_problem


@dataclass(frozen=True)
class VersionInForce:
    version_id: int
    label: str
    published_at: datetime
    standards: Standards


@dataclass(frozen=True)
class Roster:
    """Who an export's agent name stands for: an employee number, or a name only one employee has."""

    by_number: dict[str, int]
    by_name: dict[str, int | None]  # None: two employees share the name
    hired: dict[int, Any]

    def resolve(self, agent: str) -> int | str:
        """The employee's id, or why not."""
        key = agent.strip()
        if key in self.by_number:
            return self.by_number[key]
        named = self.by_name.get(_name_key(key), 0)
        if named is None:
            return f"'{shown(key)}' is the name of more than one employee: use their employee number in the export"
        if named:
            return named
        return f"'{shown(key)}' is not on the roster (by employee number or name)"


def roster_from(rows: list[tuple[int, str, str, Any]]) -> Roster:
    by_name: dict[str, int | None] = {}
    for employee_id, _, name, _ in rows:
        key = _name_key(name)
        by_name[key] = None if key in by_name else employee_id
    return Roster(
        by_number={number: employee_id for employee_id, number, _, _ in rows},
        by_name=by_name,
        hired={employee_id: hired for employee_id, _, _, hired in rows},
    )


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Prepared:
    """A contact ready to be written: its columns and its messages' columns."""

    key: tuple[str, str]
    columns: dict[str, Any]
    messages: list[dict[str, Any]]
    content_hash: str


def version_for(versions: list[VersionInForce], received_at: datetime) -> VersionInForce:
    """The version in force when the contact arrived; the first one for a contact older than it
    (the handbook then applied is the first the company wrote down)."""
    chosen = versions[0]
    for version in versions:
        if version.published_at <= received_at:
            chosen = version
    return chosen


def prepare(
    row: ContactRow, versions: list[VersionInForce], roster: Roster, now: datetime
) -> tuple[Prepared | None, list[FileRowError]]:
    """A row ready to write, or its errors. A time after ``now`` is refused: an export cannot hold
    what has not happened, and such a time is a wrong ``--time-zone`` or a system's clock."""
    errors: list[FileRowError] = []

    def fail(column: str, reason: str, at_row: int | None = None, file: str | None = None) -> None:
        errors.append(FileRowError(file or row.file, RowError(at_row or row.row, column, reason)))

    received_at = as_utc(row.received_at)
    for column, moment in (("received_at", received_at), ("closed_at", row.closed_at)):
        problem = future_problem(moment, now, advice="is --time-zone right?") if moment else None
        if problem:
            fail(column, problem)
    version = version_for(versions, received_at)
    channel = version.standards.channel_named(row.channel)
    if channel is None:
        known = ", ".join(sorted(version.standards.channels))
        fail(
            "channel",
            f"'{shown(row.channel)}' is not a channel of handbook {version.label} ({known}) or a name it gives "
            "for one ('Also called in exports' on the speed page)",
        )
    employee_id: int | None = None
    if row.agent:
        found = roster.resolve(row.agent)
        if isinstance(found, str):
            fail("agent", found)
        else:
            employee_id = found
    messages: list[dict[str, Any]] = []
    for message in row.messages:
        at = as_utc(message.at)
        problem = future_problem(at, now, advice="is --time-zone right?")
        if problem:
            fail("at", problem, message.row or None, message.file or None)
            continue
        if at < received_at:
            fail(
                "at",
                f"{at:%Y-%m-%d %H:%M} is before the contact arrived ({received_at:%Y-%m-%d %H:%M} UTC)",
                message.row or None,
                message.file or None,
            )
            continue
        writer: int | None = None
        if message.author == contact_words.PERSON and message.agent:
            found = roster.resolve(message.agent)
            if isinstance(found, str):
                fail("agent", found, message.row or None, message.file or None)
                continue
            writer = found
        messages.append({"at": at, "author": message.author, "employee_id": writer})
    if errors or channel is None:
        return None, errors
    messages.sort(key=lambda m: (m["at"], contact_words.AUTHORS.index(m["author"])))
    facts = {
        "channel": channel.code,
        "version_id": version.version_id,
        "received_at": received_at,
        "topic": row.topic,
        "priority": row.priority,
        "urgent": row.urgent,
        "employee_id": employee_id,
        "status": row.status,
        "closed_at": as_utc(row.closed_at) if row.closed_at else None,
        "reported_first_response_seconds": _seconds(row.reported_first_response),
        "talk_seconds": row.talk_seconds,
        "hold_seconds": row.hold_seconds,
        "wrap_seconds": row.wrap_seconds,
    }
    columns = {"source": row.source, "external_id": row.external_id, **facts}
    columns.update(derived(columns, messages, channel, version.standards))
    digest = content_hash(columns, messages)
    columns["content_hash"] = digest
    return Prepared((row.source, row.external_id), columns, messages, digest), []


def facts_of(
    columns: dict[str, Any], messages: list[dict[str, Any]], names: dict[int, str] | None = None
) -> ContactFacts:
    """The measures' input; ``names`` (employee id to "number name") only words the explanation."""
    parts = [columns.get(name) for name in ("talk_seconds", "hold_seconds", "wrap_seconds")]
    handle = timedelta(seconds=sum(p for p in parts if p)) if any(p is not None for p in parts) else None
    reported = columns.get("reported_first_response_seconds")
    return ContactFacts(
        received_at=columns["received_at"],
        messages=tuple(
            Message(m["at"], Author(m["author"]), (names or {}).get(m["employee_id"] or 0)) for m in messages
        ),
        reported_first_response=timedelta(seconds=reported) if reported is not None else None,
        handle_time=handle,
        closed_at=columns.get("closed_at"),
    )


def derived(
    columns: dict[str, Any], messages: list[dict[str, Any]], channel: Channel, standards: Standards
) -> dict[str, Any]:
    """The stored measures of a contact: what the speed page's definitions give for its facts.
    Independent of when it is computed: an unanswered contact is 'pending' with the time its target
    passes, and readers call it missed once that time is behind them."""
    received_at = columns["received_at"]
    result = measure(facts_of(columns, messages), channel, standards.hours, now=received_at, explain=False)
    state = result.first_response_state
    if state == contact_words.MISSED and result.first_response is None:  # no reply yet (a stated time is one)
        state = contact_words.PENDING
    gaps = [int(gap.total_seconds()) for gap in result.gaps]
    return {
        "first_response_at": result.first_response_at,
        "first_response_due": result.first_response_due,
        "first_response_seconds": _seconds(result.first_response),
        "first_response_state": state,
        "reply_count": len(gaps),
        "reply_wait_seconds": sum(gaps),
        "over_ceiling": result.over_ceiling,
    }


def explain(
    columns: dict[str, Any],
    messages: list[dict[str, Any]],
    channel: Channel,
    standards: Standards,
    now: datetime,
    names: dict[int, str],
) -> ContactMeasures:
    return measure(facts_of(columns, messages, names), channel, standards.hours, now=now)


def _seconds(value: timedelta | None) -> int | None:
    """Whole seconds, rounded up: a wait is never stored shorter than it was (a stated 2.01 minutes
    is 121 s, a miss of a 2-minute target, as its state says)."""
    return math.ceil(value.total_seconds()) if value is not None else None


def content_hash(columns: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    """One hash over a contact's facts, its messages and its derived measures: an import compares it
    to tell an unchanged contact from an updated one, and verify recomputes it."""
    payload = {
        "columns": {k: _plain(v) for k, v in sorted(columns.items()) if k != "content_hash"},
        "messages": [{k: _plain(v) for k, v in sorted(m.items())} for m in messages],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value
