"""The figures on the supervisor's home screen, and sign-off compliance.

Each figure is one small index-backed query: a count over an index range, a
group-by over a handful of rows, or a sum over the per-day counters
(``counters.py``), so the dashboard costs the same with a thousand complaints
as with a million. Weeks are counted in UTC days. The queries run on a plain DB-API
connection (``rawsql``) so the app can paint them before SQLAlchemy has even
been imported; the command line and reports call the same functions on the
connection under their session (``rawsql.of_session``).

The rule "an employee is up to date when they hold a valid sign-off of the
latest material version or a later one" is written here in SQL and in
``signoffs.covering_signoff``; ``tests/storage/test_dashboard.py`` checks that
both give the same people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker.domain.complaint_flow import OPEN_STATUSES, RECEIVED
from tracker.domain.errors import NoVersionPublished
from tracker.domain.periods import Period
from tracker.domain.timeutil import (
    end_of_week,
    local_date,
    start_of_week,
    to_utc,
    utcnow,
)
from tracker.storage.rawsql import Raw, of_session

_COVERED = """EXISTS (
    SELECT 1 FROM signoff s
    WHERE s.employee_id = e.id AND s.version_id >= :material
      AND NOT EXISTS (SELECT 1 FROM signoff_revocation r WHERE r.signoff_id = s.id))"""


@dataclass(frozen=True)
class TeamCompliance:
    team: str
    active: int
    signed: int
    overdue: int = 0  # unsigned past the grace period; counted only when a cutoff is given

    @property
    def pending(self) -> int:
        return self.active - self.signed

    @property
    def percent(self) -> float:
        return 100.0 * self.signed / self.active if self.active else 100.0


@dataclass(frozen=True)
class MaterialVersion:
    id: int
    label: str
    published_on: date


@dataclass
class Dashboard:
    version: str | None = None
    material_version: str | None = None
    employees: int = 0
    teams: list[TeamCompliance] = field(default_factory=list)
    pending_overdue: int = 0
    pending_in_grace: int = 0
    open_by_status: dict[str, int] = field(default_factory=dict)
    missed_this_week: dict[str, int] = field(default_factory=dict)  # channel code -> count
    channel_names: dict[str, str] = field(default_factory=dict)
    follow_ups_overdue: int = 0
    follow_ups_this_week: int = 0
    weekly_complaints: list[tuple[date, int]] = field(default_factory=list)  # oldest first
    top_rules: list[tuple[str, str, int]] = field(default_factory=list)  # (id, title, count)
    week_start: date | None = None

    @property
    def signed(self) -> int:
        return sum(t.signed for t in self.teams)

    @property
    def active(self) -> int:
        return sum(t.active for t in self.teams)

    @property
    def compliance_percent(self) -> float | None:
        return 100.0 * self.signed / self.active if self.active else None

    @property
    def is_empty(self) -> bool:
        return self.version is None or self.employees == 0


def _midnight(day: date) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def material_version(raw: Raw) -> MaterialVersion | None:
    row = raw.rows("SELECT id, label, published_on FROM handbook_version WHERE NOT editorial ORDER BY id DESC LIMIT 1")
    return MaterialVersion(row[0][0], row[0][1], _as_date(row[0][2])) if row else None


def compliance_by_team(raw: Raw, material: MaterialVersion, cutoff: date | None = None) -> list[TeamCompliance]:
    """Active employees per team, how many hold a sign-off covering the material
    version and, given the grace period's cutoff, how many of the others are overdue
    (hired before it): one pass over the employees for the whole dashboard card."""
    # A join with the set of covered employees, not EXISTS per employee inside a CASE:
    # PostgreSQL runs such an EXISTS as a subplan per row (101 ms at 10,000 employees,
    # 13 ms as a join; SQLite 21 ms and 18 ms).
    rows = raw.rows(
        "SELECT e.team, COUNT(*), COUNT(covered.employee_id), "
        "SUM(CASE WHEN covered.employee_id IS NULL AND e.hire_date < :cutoff THEN 1 ELSE 0 END) "
        "FROM employee e LEFT JOIN ("
        "SELECT DISTINCT s.employee_id FROM signoff s WHERE s.version_id >= :material "
        "AND NOT EXISTS (SELECT 1 FROM signoff_revocation r WHERE r.signoff_id = s.id)"
        ") AS covered ON covered.employee_id = e.id "
        "WHERE e.active GROUP BY e.team ORDER BY e.team",
        material=material.id, cutoff=cutoff or date.min,
    )
    return [TeamCompliance(team, int(total), int(signed or 0), int(overdue or 0)) for team, total, signed, overdue in rows]


def compliance_report(session: Any) -> tuple[str, list[TeamCompliance]]:
    """(material version label, teams) for the reports, on a SQLAlchemy session."""
    raw = of_session(session)
    material = material_version(raw)
    if material is None:
        raise NoVersionPublished()
    return material.label, compliance_by_team(raw, material)


def pending_split(raw: Raw, material: MaterialVersion, grace: Period, today: date,
                  team: str | None = None) -> tuple[int, int]:
    """(overdue, inside the grace period). A person's due date is the later of
    their hire date and the publication, plus the grace period."""
    cutoff = grace.before(today)
    pending = f"e.active AND NOT {_COVERED}" + (" AND e.team = :team" if team else "")
    params: dict[str, Any] = {"material": material.id} | ({"team": team} if team else {})
    total = int(raw.value(f"SELECT COUNT(*) FROM employee e WHERE {pending}", **params) or 0)
    if material.published_on >= cutoff:
        return 0, total
    overdue = int(raw.value(f"SELECT COUNT(*) FROM employee e WHERE {pending} AND e.hire_date < :cutoff",
                            cutoff=cutoff, **params) or 0)
    return overdue, total - overdue


def load_dashboard(raw: Raw, *, now: datetime | None = None, weeks: int = 12) -> Dashboard:
    now = now or utcnow()
    today = local_date(now)
    board = Dashboard(week_start=start_of_week(today))
    board.employees = int(raw.value("SELECT COUNT(*) FROM employee") or 0)
    version = raw.rows("SELECT id, label, grace_period FROM handbook_version ORDER BY id DESC LIMIT 1")
    if not version:
        return board
    version_id, board.version, grace_text = version[0]
    channels = raw.rows("SELECT code, name, target_seconds FROM handbook_channel WHERE version_id = :v ORDER BY code",
                        v=version_id)
    board.channel_names = {code: name for code, name, _ in channels}
    material = material_version(raw)
    if material is not None:
        board.material_version = material.label
        cutoff = Period.parse(grace_text).before(today)
        board.teams = compliance_by_team(raw, material, cutoff if material.published_on < cutoff else None)
        board.pending_overdue = sum(team.overdue for team in board.teams)
        board.pending_in_grace = sum(team.pending for team in board.teams) - board.pending_overdue
    counts = dict(raw.rows(
        "SELECT status, COUNT(*) FROM complaint WHERE status IN ('received', 'acknowledged', 'investigating') "
        "GROUP BY status"))
    board.open_by_status = {status: int(counts.get(status, 0)) for status in OPEN_STATUSES}
    _missed_this_week(raw, board, channels, now)
    board.follow_ups_overdue, board.follow_ups_this_week = follow_up_counts(raw, today)
    _trends(raw, board, version_id, weeks)
    return board


def follow_up_counts(raw: Raw, today: date) -> tuple[int, int]:
    """(overdue, due by the end of this week) among open actions whose follow-up is outstanding."""
    outstanding = "status = 'open' AND NOT follow_up_done"
    overdue = raw.value(f"SELECT COUNT(*) FROM corrective_action WHERE {outstanding} AND follow_up_due < :today",
                        today=today)
    this_week = raw.value(
        f"SELECT COUNT(*) FROM corrective_action WHERE {outstanding} AND follow_up_due >= :today AND follow_up_due <= :end",
        today=today, end=end_of_week(today))
    return int(overdue or 0), int(this_week or 0)


def _missed_this_week(raw: Raw, board: Dashboard, channels: list[Any], now: datetime) -> None:
    """Late first responses (from the day counters) plus complaints still
    unanswered past their target (few: only the open 'received' ones)."""
    monday = board.week_start or local_date(now)
    late = dict(raw.rows("SELECT channel, SUM(late) FROM complaint_day WHERE day >= :monday GROUP BY channel",
                         monday=monday))
    since = _midnight(monday)
    for code, _name, target in channels:
        unanswered = raw.value(
            "SELECT COUNT(*) FROM complaint WHERE status = :received AND channel = :code "
            "AND received_at >= :since AND received_at < :cutoff",
            received=RECEIVED, code=code, since=since, cutoff=now - timedelta(seconds=int(target)))
        board.missed_this_week[code] = int(late.get(code) or 0) + int(unanswered or 0)


def _trends(raw: Raw, board: Dashboard, version_id: int, weeks: int) -> None:
    """Weekly totals and the most-cited rules, from the per-day counters."""
    assert board.week_start is not None
    first = board.week_start - timedelta(weeks=weeks - 1)
    per_day = dict(raw.rows("SELECT day, SUM(received) FROM complaint_day WHERE day >= :first GROUP BY day",
                            first=first))
    totals = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for day, count in per_day.items():
        offset = (_as_date(day) - first).days // 7
        if 0 <= offset < weeks:
            totals[first + timedelta(weeks=offset)] += int(count or 0)
    board.weekly_complaints = sorted(totals.items())
    rows = raw.rows(
        "SELECT rd.rule_id, SUM(rd.complaints) AS n, MIN(hr.title) FROM rule_day rd "
        "LEFT JOIN handbook_rule hr ON hr.version_id = :v AND hr.rule_id = rd.rule_id "
        "WHERE rd.day >= :first GROUP BY rd.rule_id ORDER BY n DESC, rd.rule_id LIMIT 5",
        v=version_id, first=first)
    board.top_rules = [(rule_id, title or "", int(count)) for rule_id, count, title in rows]
