"""Reports supervisors print or export: every figure computed in the database
with index-backed aggregates, never by loading whole tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from tracker.db.dialect import utc_month
from tracker.db.models import Complaint, ComplaintRule, HandbookChannel, HandbookRule, HandbookVersion
from tracker.domain import complaint_flow as flow
from tracker.domain.periods import format_seconds
from tracker.domain.timeutil import DateRange, as_utc, utcnow


@dataclass(frozen=True)
class ChannelAttainment:
    channel: str
    name: str
    target_seconds: int
    complaints: int
    answered: int
    within_target: int
    missed: int
    waiting: int  # not answered yet, still inside the target
    mean_first_response_seconds: float | None

    @property
    def attainment(self) -> float | None:
        decided = self.within_target + self.missed
        return 100.0 * self.within_target / decided if decided else None

    def as_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "name": self.name,
            "target_seconds": self.target_seconds,
            "complaints": self.complaints,
            "answered": self.answered,
            "within_target": self.within_target,
            "missed": self.missed,
            "waiting": self.waiting,
            "attainment_percent": round(self.attainment, 1) if self.attainment is not None else None,
            "mean_first_response_seconds": round(self.mean_first_response_seconds, 1)
            if self.mean_first_response_seconds is not None
            else None,
        }

    def as_row(self) -> dict[str, object]:
        """``as_dict`` with the target and the mean as people read them (e.g. '2 min', '1 h 05 min')."""
        return self.as_dict() | {
            "target": format_seconds(self.target_seconds),
            "mean_first_response": format_seconds(self.mean_first_response_seconds),
        }


def _unanswered(session: Session, period: DateRange, now: datetime) -> list[tuple[str, datetime, bool]]:
    """The period's complaints with no first response yet, each with whether its target has
    passed (then it counts as missed, in every report). They are few (only the open 'received'
    ones), so they are judged here rather than in SQL."""
    start, end = period.bounds
    rows = session.exec(
        select(Complaint.channel, Complaint.received_at, Complaint.target_seconds).where(
            Complaint.status == flow.RECEIVED, Complaint.received_at >= start, Complaint.received_at < end
        )
    ).all()
    return [
        (channel, as_utc(received), (now - as_utc(received)).total_seconds() > target)
        for channel, received, target in rows
    ]


def first_response_attainment(
    session: Session, period: DateRange, *, now: datetime | None = None
) -> list[ChannelAttainment]:
    """Per channel: complaints received in the period answered within the target
    in force when they arrived. Unanswered complaints past their target count as missed."""
    now = now or utcnow()
    start, end = period.bounds
    within = case((col(Complaint.first_response_seconds) <= Complaint.target_seconds, 1), else_=0)
    late = case((col(Complaint.first_response_seconds) > Complaint.target_seconds, 1), else_=0)
    answered_rows = session.exec(
        select(  # type: ignore[call-overload]  # SQLModel types select() for at most four columns
            Complaint.channel,
            func.count(),
            func.count(col(Complaint.first_response_seconds)),
            func.sum(within),
            func.sum(late),
            func.avg(Complaint.first_response_seconds),
        )
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(Complaint.channel)
    ).all()
    overdue: dict[str, int] = {}
    waiting: dict[str, int] = {}
    for channel, _, past_target in _unanswered(session, period, now):
        bucket = overdue if past_target else waiting
        bucket[channel] = bucket.get(channel, 0) + 1
    channels = session.exec(
        select(HandbookChannel.code, HandbookChannel.name, HandbookChannel.target_seconds).where(
            HandbookChannel.version_id == select(func.max(HandbookVersion.id)).scalar_subquery()
        )
    ).all()
    names = {code: name for code, name, _ in channels}
    targets = {code: target for code, _, target in channels}
    result = []
    seen = set()
    for channel, total, answered, ok, missed, mean in answered_rows:
        seen.add(channel)
        result.append(
            ChannelAttainment(
                channel,
                names.get(channel, channel),
                targets.get(channel, 0),
                total,
                answered,
                int(ok or 0),
                int(missed or 0) + overdue.get(channel, 0),
                waiting.get(channel, 0),
                float(mean) if mean is not None else None,
            )
        )
    for channel in names:
        if channel not in seen:
            result.append(ChannelAttainment(channel, names[channel], targets.get(channel, 0), 0, 0, 0, 0, 0, None))
    return sorted(result, key=lambda r: r.channel)


def complaints_by_rule(session: Session, period: DateRange) -> list[dict[str, object]]:
    """How often each rule is cited by a complaint that stands (a dismissed one breached nothing)."""
    start, end = period.bounds
    latest = select(func.max(HandbookVersion.id)).scalar_subquery()
    rows = session.exec(
        select(ComplaintRule.rule_id, func.count())
        .join(Complaint, col(Complaint.id) == ComplaintRule.complaint_id)
        .where(Complaint.received_at >= start, Complaint.received_at < end, Complaint.status != flow.DISMISSED)
        .group_by(ComplaintRule.rule_id)
        .order_by(func.count().desc(), ComplaintRule.rule_id)
    ).all()
    titles = dict(
        session.exec(select(HandbookRule.rule_id, HandbookRule.title).where(HandbookRule.version_id == latest)).all()
    )
    return [
        {"rule": rule_id, "title": titles.get(rule_id, "(no longer in the handbook)"), "complaints": n}
        for rule_id, n in rows
    ]


def complaints_by_month(session: Session, period: DateRange, *, now: datetime | None = None) -> list[dict[str, object]]:
    """Complaints per calendar month (UTC months) and how many missed their first-response target:
    answered late, or not answered and past it, as the first-response report and the dashboard
    count them."""
    now = now or utcnow()
    start, end = period.bounds
    month = utc_month(session, Complaint.received_at)
    late = case((col(Complaint.first_response_seconds) > Complaint.target_seconds, 1), else_=0)
    rows = session.exec(
        select(
            month, func.count(), func.sum(late), func.sum(case((col(Complaint.status) == flow.DISMISSED, 1), else_=0))
        )
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(month)
        .order_by(month)
    ).all()
    overdue: dict[str, int] = {}
    for _, received_at, past_target in _unanswered(session, period, now):
        if past_target:
            overdue[received_at.strftime("%Y-%m")] = overdue.get(received_at.strftime("%Y-%m"), 0) + 1
    return [
        {
            "month": m,
            "complaints": n,
            "first_response_missed": int(missed or 0) + overdue.get(m, 0),
            "dismissed": int(d or 0),
        }
        for m, n, missed, d in rows
    ]
