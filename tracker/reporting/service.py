"""Are the speed standards kept? Contacts grouped by team, employee, channel, topic or week, each
figure from the stored measures (derived from the speed page's definitions at import), with its
sample size, beside the baseline of every contact in the period. Groups come in name order: this is
a view of rates, never a ranking of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import select as columns_of
from sqlmodel import Session, col

from tracker.db.models import Contact, Employee
from tracker.domain import contact_words
from tracker.domain.timeutil import DateRange, as_utc, to_local, utcnow
from tracker.records.handbook.queries import standards, version_in_force

PERIOD_DAYS = 90  # the period a service report covers unless told: a quarter, enough contacts per person

GROUPINGS = ("team", "employee", "channel", "topic", "week")
BATCH = 5000


@dataclass
class ServiceFigures:
    """One group's figures. A rate is None when its sample is smaller than the handbook's fewest."""

    group: str
    contacts: int = 0
    decided: int = 0  # answered, or unanswered past the target: the first-response sample
    met: int = 0
    first_seconds: list[int] = field(default_factory=list)
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

    def percentile(self, share: float) -> int | None:
        if not self.first_seconds:
            return None
        ordered = sorted(self.first_seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

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
            "median_first_response_seconds": self.percentile(0.5),
            "p90_first_response_seconds": self.percentile(0.9),
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
    if by not in GROUPINGS:
        raise ValueError(by)
    now = as_utc(now or utcnow())
    version = version_in_force(session)
    smallest = contact_words.smallest_sample(standards(session, version).smallest_sample)
    groups: dict[str, ServiceFigures] = {}
    baseline = ServiceFigures("All contacts")
    for row in _rows(session, period):
        key = _group_of(by, row)
        figures = groups.setdefault(key, ServiceFigures(key))
        for target in (figures, baseline):
            _add(target, row, now)
    return ServiceReport(
        by=by,
        period=period,
        smallest_sample=smallest,
        groups=[groups[key] for key in sorted(groups, key=str.casefold)],
        baseline=baseline,
        version=version.label,
    )


def _rows(session: Session, period: DateRange) -> Iterator[Any]:
    start, end = period.bounds
    statement = (
        columns_of(
            col(Contact.received_at),
            col(Contact.channel),
            col(Contact.topic),
            col(Employee.number),
            col(Employee.name),
            col(Employee.team),
            col(Contact.first_response_state),
            col(Contact.first_response_due),
            col(Contact.first_response_seconds),
            col(Contact.closed_at),
            col(Contact.reply_count),
            col(Contact.reply_wait_seconds),
            col(Contact.over_ceiling),
            col(Contact.talk_seconds),
            col(Contact.hold_seconds),
            col(Contact.wrap_seconds),
        )
        .outerjoin(Employee, col(Employee.id) == Contact.employee_id)
        .where(col(Contact.received_at) >= start, col(Contact.received_at) < end)
        .execution_options(yield_per=BATCH)
    )
    yield from session.execute(statement)


def _group_of(by: str, row: Any) -> str:
    if by == "team":
        return row.team or "(no employee)"
    if by == "employee":
        return f"{row.number} {row.name}" if row.number else "(no employee)"
    if by == "channel":
        return row.channel
    if by == "topic":
        return row.topic or "(no topic)"
    year, week, _ = to_local(as_utc(row.received_at)).isocalendar()
    return f"{year}-W{week:02d}"


def _add(figures: ServiceFigures, row: Any, now: datetime) -> None:
    figures.contacts += 1
    state = row.first_response_state
    past_due = row.first_response_due is not None and as_utc(row.first_response_due) < now
    late = contact_words.waiting_past_due(state, past_due)
    if state == contact_words.NOT_MEASURED:
        figures.not_measured += 1
    if contact_words.in_first_response_sample(state, past_due):
        figures.decided += 1
    if state == contact_words.MET:
        figures.met += 1
    if row.first_response_seconds is not None:
        figures.first_seconds.append(row.first_response_seconds)
    if state == contact_words.PENDING and row.closed_at is not None:
        figures.closed_unanswered += 1
    elif late:
        figures.waiting_late += 1
    figures.replies += row.reply_count
    figures.reply_wait += row.reply_wait_seconds
    if row.over_ceiling is not None:
        figures.with_aim += 1
        figures.over_ceiling += int(row.over_ceiling)
    parts = [p for p in (row.talk_seconds, row.hold_seconds, row.wrap_seconds) if p is not None]
    if parts:
        figures.handled += 1
        figures.handle_seconds += sum(parts)
