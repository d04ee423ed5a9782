"""Are the speed standards kept? Contacts grouped by team, employee, channel, topic or week, each
figure from the stored measures (derived from the speed page's definitions at import), with its
sample size, beside the baseline of every contact in the period. Groups come in name order: this is
a view of rates, never a ranking of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from tracker.db.raw import Raw, of_session
from tracker.domain import contact_words
from tracker.domain.timeutil import DateRange, as_utc, local_midnight, utcnow
from tracker.records.handbook.queries import standards, version_in_force

PERIOD_DAYS = 90  # the period a service report covers unless told: a quarter, enough contacts per person

GROUPINGS = ("team", "employee", "channel", "topic", "week")


@dataclass
class ServiceFigures:
    """One group's figures. A rate is None when its sample is smaller than the handbook's fewest."""

    group: str
    contacts: int = 0
    decided: int = 0  # answered, or unanswered past the target: the first-response sample
    met: int = 0
    timed: int = 0  # contacts with a first-response time: the sample of the median and 90th percentile
    median_first: int | None = None
    p90_first: int | None = None
    replies: int = 0
    reply_wait: int = 0
    with_aim: int = 0  # contacts with a response time and a ceiling to compare it with
    over_ceiling: int = 0
    handled: int = 0
    handle_seconds: int = 0
    closed_unanswered: int = 0
    waiting_late: int = 0  # open, no reply by a person, target passed: waiting longer than allowed now
    not_measured: int = 0

    def attainment(self, smallest: int) -> float | None:
        return contact_words.attainment(self.met, self.decided, smallest)

    @property
    def response_time(self) -> float | None:
        return self.reply_wait / self.replies if self.replies else None

    @property
    def mean_handle(self) -> float | None:
        return self.handle_seconds / self.handled if self.handled else None

    def as_dict(self, smallest: int) -> dict[str, Any]:
        rate = self.attainment(smallest)
        return {
            "group": self.group,
            "contacts": self.contacts,
            "first_response_sample": self.decided,
            "within_target": self.met,
            "attainment_percent": round(rate, 1) if rate is not None else None,
            "too_few_to_judge": rate is None,
            "first_response_timed": self.timed,
            "median_first_response_seconds": self.median_first,
            "p90_first_response_seconds": self.p90_first,
            "replies": self.replies,
            "response_time_seconds": round(self.response_time, 1) if self.response_time is not None else None,
            "response_time_sample": self.with_aim,
            "over_ceiling": self.over_ceiling,
            "handled": self.handled,
            "mean_handle_seconds": round(self.mean_handle, 1) if self.mean_handle is not None else None,
            "closed_unanswered": self.closed_unanswered,
            "waiting_past_target": self.waiting_late,
            "first_response_not_measured": self.not_measured,
        }


@dataclass
class ServiceReport:
    by: str
    period: DateRange
    smallest_sample: int
    groups: list[ServiceFigures]
    baseline: ServiceFigures
    version: str


def service_report(session: Session, *, by: str, period: DateRange, now: datetime | None = None) -> ServiceReport:
    """Counted and summed by the database, grouped by the group and the few things the handbook's
    rules classify a contact by (its state, whether its due time has passed, whether it is closed),
    then classified here by those rules (``contact_words``), so that a month of a large contact
    centre is one pass of the database and a few hundred rows of Python."""
    if by not in GROUPINGS:
        raise ValueError(by)
    now = as_utc(now or utcnow())
    version = version_in_force(session)
    smallest = contact_words.smallest_sample(standards(session, version).smallest_sample)
    raw = of_session(session)
    grouping = _grouping(raw, by, period)
    start, end = period.bounds
    where = "WHERE c.received_at >= :start AND c.received_at < :end"
    params = {"start": start, "end": end, "now": now, **grouping.params}
    groups: dict[str, ServiceFigures] = {}
    baseline = ServiceFigures("All contacts")
    for key, state, past_due, closed, *sums in raw.rows(
        f"SELECT {grouping.key} AS g, c.first_response_state, "
        "CASE WHEN c.first_response_due < :now THEN 1 ELSE 0 END, "
        "CASE WHEN c.closed_at IS NOT NULL THEN 1 ELSE 0 END, "
        "COUNT(*), SUM(c.reply_count), SUM(c.reply_wait_seconds), COUNT(c.over_ceiling), "
        "SUM(CASE WHEN c.over_ceiling THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.talk_seconds IS NOT NULL OR c.hold_seconds IS NOT NULL OR c.wrap_seconds IS NOT NULL "
        "THEN 1 ELSE 0 END), "
        "SUM(COALESCE(c.talk_seconds, 0) + COALESCE(c.hold_seconds, 0) + COALESCE(c.wrap_seconds, 0)) "
        f"FROM contact c {grouping.join} {where} GROUP BY 1, 2, 3, 4",
        **params,
    ):
        name = grouping.name(key)
        figures = groups.setdefault(name, ServiceFigures(name))
        for target in (figures, baseline):
            _add(target, state, bool(past_due), bool(closed), [int(value or 0) for value in sums])
    timed: dict[Any, list[int]] = {}
    for key, seconds in raw.rows(
        f"SELECT {grouping.key}, c.first_response_seconds FROM contact c {grouping.join} {where} "
        "AND c.first_response_seconds IS NOT NULL",
        **params,
    ):
        times = timed.get(key)
        if times is None:
            times = timed[key] = []
        times.append(seconds)
    everyone: list[int] = []
    for key, times in timed.items():
        _percentiles(groups[grouping.name(key)], times)
        everyone += times
    _percentiles(baseline, everyone)
    return ServiceReport(
        by=by,
        period=period,
        smallest_sample=smallest,
        groups=[groups[key] for key in sorted(groups, key=str.casefold)],
        baseline=baseline,
        version=version.label,
    )


@dataclass(frozen=True)
class _Grouping:
    # The SQL of a contact's group (over ``contact c`` and ``join``). An expression rather than
    # the bare column: grouping by ``c.employee_id`` or ``c.channel`` tempts SQLite into the
    # index that starts with it, a look-up of every row, instead of ix_contact_service's range.
    key: str
    join: str
    params: dict[str, Any]
    names: dict[Any, str]  # the group's name for a key value, where it is not the value itself
    missing: str  # the name of the group whose key is NULL

    def name(self, key: Any) -> str:
        if key is None:
            return self.missing
        return self.names.get(key, str(key))


_EMPLOYEES = "SELECT id, number, name FROM employee"  # a roster is small beside its contacts


def _grouping(raw: Raw, by: str, period: DateRange) -> _Grouping:
    if by == "employee":
        names = {employee_id: f"{number} {name}" for employee_id, number, name in raw.rows(_EMPLOYEES)}
        return _Grouping("c.employee_id + 0", "", {}, names, "(no employee)")
    if by == "team":
        return _Grouping("e.team", "LEFT JOIN employee e ON e.id = c.employee_id", {}, {}, "(no employee)")
    if by == "channel":
        return _Grouping("c.channel || ''", "", {}, {}, "(no channel)")
    if by == "topic":
        return _Grouping("c.topic", "", {}, {}, "(no topic)")
    # ISO weeks of the local calendar: Monday's local midnight, each a bound the index compares with.
    monday = period.start - timedelta(days=period.start.weekday())
    mondays = []
    while monday <= period.end:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    params = {f"w{i}": local_midnight(day) for i, day in enumerate(mondays)}
    cases = " ".join(f"WHEN c.received_at >= :w{i} THEN {i}" for i in reversed(range(1, len(mondays))))
    key = f"CASE {cases} ELSE 0 END" if cases else "0"
    names = {}
    for i, day in enumerate(mondays):
        year, week, _ = day.isocalendar()
        names[i] = f"{year}-W{week:02d}"
    return _Grouping(key, "", params, names, "")


def _add(figures: ServiceFigures, state: str, past_due: bool, closed: bool, sums: list[int]) -> None:
    count, replies, reply_wait, with_aim, over_ceiling, handled, handle_seconds = sums
    figures.contacts += count
    if state == contact_words.NOT_MEASURED:
        figures.not_measured += count
    if contact_words.in_first_response_sample(state, past_due):
        figures.decided += count
    if state == contact_words.MET:
        figures.met += count
    if state == contact_words.PENDING and closed:
        figures.closed_unanswered += count
    elif contact_words.waiting_past_due(state, past_due):
        figures.waiting_late += count
    figures.replies += replies
    figures.reply_wait += reply_wait
    figures.with_aim += with_aim
    figures.over_ceiling += over_ceiling
    figures.handled += handled
    figures.handle_seconds += handle_seconds


def _percentiles(figures: ServiceFigures, times: list[int]) -> None:
    """The median and the 90th percentile as the nearest rank below: the ``n * share``-th of the
    sorted times, counted from 0."""
    times.sort()
    figures.timed = len(times)
    if times:
        figures.median_first = times[len(times) // 2]
        figures.p90_first = times[len(times) * 9 // 10]
