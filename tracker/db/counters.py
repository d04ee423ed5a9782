"""Pre-aggregated complaint counts (per UTC day and channel, per day and rule).

A rule's count is of the complaints that cite it and stand: a dismissed complaint was not a
breach, so dismissing one takes it off its rules' counts (``uncount_rules``), as the reports'
"most-cited rules" leave it out.

Every function that writes complaints adds to them in the same transaction,
so they are exactly as durable as the complaints. The SQL is the same on
SQLite and PostgreSQL (INSERT … ON CONFLICT DO UPDATE).
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date, datetime, timezone
from typing import Iterable

from tracker.db.dialect import utc_day_sql
from tracker.db.raw import Raw

_DAY = """INSERT INTO complaint_day (day, channel, received, late) VALUES (:day, :channel, :received, :late)
ON CONFLICT (day, channel) DO UPDATE SET received = complaint_day.received + excluded.received,
                                         late = complaint_day.late + excluded.late"""
_RULE = """INSERT INTO rule_day (day, rule_id, complaints) VALUES (:day, :rule_id, :complaints)
ON CONFLICT (day, rule_id) DO UPDATE SET complaints = rule_day.complaints + excluded.complaints"""


def utc_day(moment: datetime) -> date:
    return (moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)).date()


class Counts:
    """Counts collected in memory (a bulk import), written in one go."""

    def __init__(self) -> None:
        self.days: Tally[tuple[date, str]] = Tally()
        self.late: Tally[tuple[date, str]] = Tally()
        self.rules: Tally[tuple[date, str]] = Tally()

    def add(self, received_at: datetime, channel: str, rule_ids: Iterable[str], late: bool) -> None:
        day = utc_day(received_at)
        self.days[(day, channel)] += 1
        if late:
            self.late[(day, channel)] += 1
        for rule_id in rule_ids:
            self.rules[(day, rule_id)] += 1

    def write(self, raw: Raw) -> None:
        for (day, channel), received in self.days.items():
            raw.run(_DAY, day=day, channel=channel, received=received, late=self.late.get((day, channel), 0))
        for (day, rule_id), complaints in self.rules.items():
            raw.run(_RULE, day=day, rule_id=rule_id, complaints=complaints)


def count_complaint(raw: Raw, received_at: datetime, channel: str, rule_ids: Iterable[str]) -> None:
    counts = Counts()
    counts.add(received_at, channel, rule_ids, late=False)
    counts.write(raw)


def uncount_rules(raw: Raw, received_at: datetime, rule_ids: Iterable[str]) -> None:
    """A complaint was dismissed: it no longer counts as citing its rules."""
    for rule_id in rule_ids:
        raw.run(
            "UPDATE rule_day SET complaints = complaints - 1 WHERE day = :day AND rule_id = :rule_id",
            day=utc_day(received_at),
            rule_id=rule_id,
        )


def count_late(raw: Raw, received_at: datetime, channel: str) -> None:
    """The first response of a complaint came after its target (the complaint was counted when logged)."""
    raw.run(
        "UPDATE complaint_day SET late = late + 1 WHERE day = :day AND channel = :channel",
        day=utc_day(received_at),
        channel=channel,
    )


def counted(raw: Raw) -> tuple[dict[tuple[str, str], tuple[int, int]], dict[tuple[str, str], int]]:
    """Fresh counts from the complaints themselves: ({(day, channel): (received, late)}, {(day, rule): n})."""
    day = utc_day_sql(raw.dialect, "received_at")
    days = {
        (str(d)[:10], channel): (int(n), int(late or 0))
        for d, channel, n, late in raw.rows(
            f"SELECT {day}, channel, COUNT(*), SUM(CASE WHEN first_response_seconds > target_seconds THEN 1 ELSE 0 END) "
            f"FROM complaint GROUP BY {day}, channel"
        )
    }
    rule_day = utc_day_sql(raw.dialect, "c.received_at")
    rules = {
        (str(d)[:10], rule_id): int(n)
        for d, rule_id, n in raw.rows(
            f"SELECT {rule_day}, cr.rule_id, COUNT(*) FROM complaint_rule cr JOIN complaint c ON c.id = cr.complaint_id "
            f"WHERE c.status <> 'dismissed' GROUP BY {rule_day}, cr.rule_id"
        )
    }
    return days, rules


def stored(raw: Raw) -> tuple[dict[tuple[str, str], tuple[int, int]], dict[tuple[str, str], int]]:
    days = {
        (str(d)[:10], channel): (int(n), int(late))
        for d, channel, n, late in raw.rows("SELECT day, channel, received, late FROM complaint_day")
        if n or late
    }
    rules = {
        (str(d)[:10], rule_id): int(n)
        for d, rule_id, n in raw.rows("SELECT day, rule_id, complaints FROM rule_day")
        if n
    }
    return days, rules


def recount(raw: Raw) -> None:
    """Rebuild the counters from the complaints (after a repair behind the tracker's back)."""
    days, rules = counted(raw)
    raw.run("DELETE FROM complaint_day")
    raw.run("DELETE FROM rule_day")
    for (day, channel), (received, late) in days.items():
        raw.run(_DAY, day=date.fromisoformat(day), channel=channel, received=received, late=late)
    for (day, rule_id), n in rules.items():
        raw.run(_RULE, day=date.fromisoformat(day), rule_id=rule_id, complaints=n)
