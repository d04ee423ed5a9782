"""The figures on the supervisor's home screen.

Each figure is one small index-backed query: a count over an index range, a
group-by over a handful of rows, or a sum over the per-day counters
(``db/counters.py``), so the dashboard costs the same with a thousand complaints
as with a million. The exception is the speed standards' card and trend (``load_speed``): with
no per-day counters for contacts they count the last twelve weeks' contacts, so they are read
apart, after the first frame. Weeks run Monday to Sunday by the local calendar. The queries run on a plain DB-API
connection (``db.raw``) so the app can paint them before SQLAlchemy has even
been imported.

Every rule a figure counts by is read from where it is defined: who is covered
(``records.signoffs.sql``), a follow-up's state (``records.actions.sql``), which
complaints are open (``db.predicates``), which contacts count towards first-response attainment
and when a rate is too few to judge (``domain.contact_words``, as the service report counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker.db.predicates import OPEN_COMPLAINT
from tracker.db.raw import Raw, as_date
from tracker.domain import contact_words
from tracker.domain.action_flow import FollowUpState
from tracker.domain.complaint_flow import OPEN_STATUSES, RECEIVED
from tracker.domain.handbook.service_record import stated_smallest_sample
from tracker.domain.periods import Period
from tracker.domain.timeutil import local_date, local_midnight, start_of_week, utcnow
from tracker.records.actions import sql as action_sql
from tracker.records.handbook.sql import material_version
from tracker.reporting.compliance import SignedTotals, TeamCompliance, compliance_by_team


@dataclass(frozen=True)
class Attainment:
    """First responses within target among the contacts that count (``contact_words``)."""

    sample: int = 0
    met: int = 0
    smallest: int = contact_words.DEFAULT_SMALLEST_SAMPLE

    @property
    def percent(self) -> float | None:
        """None: too few to judge."""
        return contact_words.attainment(self.met, self.sample, self.smallest)


@dataclass(frozen=True)
class ChannelSpeed:
    """One channel of the handbook in force: this week's attainment beside last week's."""

    code: str
    name: str
    this_week: Attainment
    last_week: Attainment


@dataclass
class Dashboard(SignedTotals):
    """The figures; ``signed``, ``active`` and ``percent`` (None: nobody active) are
    ``SignedTotals``', the same as the compliance report's."""

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
    def is_empty(self) -> bool:
        return self.version is None or self.employees == 0


def load_dashboard(raw: Raw, *, now: datetime | None = None, weeks: int = 12) -> Dashboard:
    now = now or utcnow()
    today = local_date(now)
    board = Dashboard(week_start=start_of_week(today))
    board.employees = int(raw.value("SELECT COUNT(*) FROM employee") or 0)
    version = raw.rows("SELECT id, label, grace_period FROM handbook_version ORDER BY id DESC LIMIT 1")
    if not version:
        return board
    version_id, board.version, grace_text = version[0]
    channels = raw.rows(
        "SELECT code, name, target_seconds FROM handbook_channel WHERE version_id = :v ORDER BY code", v=version_id
    )
    board.channel_names = {code: name for code, name, _ in channels}
    material = material_version(raw)
    if material is not None:
        board.material_version = material.label
        cutoff = Period.parse(grace_text).before(today)
        board.teams = compliance_by_team(raw, material, cutoff if material.published_on < cutoff else None)
        board.pending_overdue = sum(team.overdue for team in board.teams)
        board.pending_in_grace = sum(team.pending for team in board.teams) - board.pending_overdue
    counts = dict(raw.rows(f"SELECT status, COUNT(*) FROM complaint WHERE {OPEN_COMPLAINT} GROUP BY status"))
    board.open_by_status = {status: int(counts.get(status, 0)) for status in OPEN_STATUSES}
    _missed_this_week(raw, board, channels, now)
    board.follow_ups_overdue, board.follow_ups_this_week = follow_up_counts(raw, today)
    _trends(raw, board, version_id, weeks)
    return board


def follow_up_counts(raw: Raw, today: date) -> tuple[int, int]:
    """(overdue, due by the end of this week) among open actions whose follow-up is outstanding."""

    def count(state: FollowUpState) -> int:
        predicate = action_sql.STATE[state]
        return int(
            raw.value(
                f"SELECT COUNT(*) FROM corrective_action WHERE {predicate}", **action_sql.params(predicate, today)
            )
            or 0
        )

    return count(FollowUpState.OVERDUE), count(FollowUpState.DUE_THIS_WEEK)


def _missed_this_week(raw: Raw, board: Dashboard, channels: list[Any], now: datetime) -> None:
    """Late first responses (from the day counters) plus complaints still
    unanswered past their target (few: only the open 'received' ones)."""
    monday = board.week_start or local_date(now)
    late = dict(
        raw.rows("SELECT channel, SUM(late) FROM complaint_day WHERE day >= :monday GROUP BY channel", monday=monday)
    )
    since = local_midnight(monday)
    for code, _name, target in channels:
        unanswered = raw.value(
            "SELECT COUNT(*) FROM complaint WHERE status = :received AND channel = :code "
            "AND received_at >= :since AND received_at < :cutoff",
            received=RECEIVED,
            code=code,
            since=since,
            cutoff=now - timedelta(seconds=int(target)),
        )
        board.missed_this_week[code] = int(late.get(code) or 0) + int(unanswered or 0)


def _trends(raw: Raw, board: Dashboard, version_id: int, weeks: int) -> None:
    """Weekly totals and the most-cited rules, from the per-day counters."""
    assert board.week_start is not None
    first = board.week_start - timedelta(weeks=weeks - 1)
    per_day = dict(
        raw.rows("SELECT day, SUM(received) FROM complaint_day WHERE day >= :first GROUP BY day", first=first)
    )
    totals = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for day, count in per_day.items():
        offset = (as_date(day) - first).days // 7
        if 0 <= offset < weeks:
            totals[first + timedelta(weeks=offset)] += int(count or 0)
    board.weekly_complaints = sorted(totals.items())
    rows = raw.rows(
        "SELECT rd.rule_id, SUM(rd.complaints) AS n, MIN(hr.title) FROM rule_day rd "
        "LEFT JOIN handbook_rule hr ON hr.version_id = :v AND hr.rule_id = rd.rule_id "
        "WHERE rd.day >= :first GROUP BY rd.rule_id HAVING SUM(rd.complaints) > 0 ORDER BY n DESC, rd.rule_id LIMIT 5",
        v=version_id,
        first=first,
    )
    board.top_rules = [(rule_id, title or "", int(count)) for rule_id, count, title in rows]


@dataclass
class SpeedFigures:
    """The speed standards' card and trend. Read apart from the other figures (``load_speed``):
    they count contacts one by one, which the first frame does not wait for."""

    week_start: date
    contacts_imported: bool = False
    smallest_sample: int = contact_words.DEFAULT_SMALLEST_SAMPLE
    by_channel: list[ChannelSpeed] = field(default_factory=list)  # the channels of the handbook in force
    weekly: list[tuple[date, Attainment]] = field(default_factory=list)  # all contacts, oldest first


def load_speed(raw: Raw, *, now: datetime | None = None, weeks: int = 12) -> SpeedFigures:
    """First-response attainment by channel this week and last, and of all contacts per week: one
    grouped count over the contacts of the last ``weeks`` weeks (by their received-at index), each
    group classified by the rule the service report counts by (``contact_words``)."""
    now = now or utcnow()
    speed = SpeedFigures(week_start=start_of_week(local_date(now)))
    version = raw.rows("SELECT id FROM handbook_version ORDER BY id DESC LIMIT 1")
    speed.contacts_imported = bool(version) and raw.value("SELECT id FROM contact LIMIT 1") is not None
    if not speed.contacts_imported:
        return speed
    version_id = version[0][0]
    channels = raw.rows("SELECT code, name FROM handbook_channel WHERE version_id = :v ORDER BY code", v=version_id)
    speed.smallest_sample = contact_words.smallest_sample(
        stated_smallest_sample(raw.value("SELECT standards FROM handbook_service WHERE version_id = :v", v=version_id))
    )
    mondays = [speed.week_start - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    starts = {f"w{i}": local_midnight(monday) for i, monday in enumerate(mondays)}
    week_of = " ".join(f"WHEN received_at >= :w{i} THEN {i}" for i in reversed(range(1, weeks)))
    rows = raw.rows(
        f"SELECT CASE {week_of} ELSE 0 END AS week, channel, first_response_state, "
        "CASE WHEN first_response_due < :now THEN 1 ELSE 0 END AS past_due, COUNT(*) "
        "FROM contact WHERE received_at >= :w0 AND received_at < :end GROUP BY 1, 2, 3, 4",
        now=now,
        end=local_midnight(speed.week_start + timedelta(weeks=1)),
        **starts,
    )
    sample: dict[tuple[int, str], int] = {}
    met: dict[tuple[int, str], int] = {}
    for week, channel, state, past_due, count in rows:
        if contact_words.in_first_response_sample(state, bool(past_due)):
            for key in ((int(week), channel), (int(week), "")):  # "": every channel
                sample[key] = sample.get(key, 0) + int(count)
                if state == contact_words.MET:
                    met[key] = met.get(key, 0) + int(count)

    def figures(week: int, channel: str) -> Attainment:
        key = (week, channel)
        return Attainment(sample.get(key, 0), met.get(key, 0), speed.smallest_sample)

    speed.weekly = [(monday, figures(i, "")) for i, monday in enumerate(mondays)]
    speed.by_channel = [
        ChannelSpeed(code, name, figures(weeks - 1, code), figures(weeks - 2, code)) for code, name in channels
    ]
    return speed
