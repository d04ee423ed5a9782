"""Reports supervisors print or export: every figure computed in the database
with index-backed aggregates, never by loading whole tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from tracker.domain import complaint_flow as flow
from tracker.domain.timeutil import as_utc, to_utc, utcnow
from tracker.storage.actions import ActionView, actions_of
from tracker.storage.complaints import ComplaintView, get_complaint
from tracker.storage.employees import get_employee
from tracker.storage.models import (
    Complaint,
    ComplaintRule,
    HandbookChannel,
    HandbookRule,
    HandbookVersion,
)
from tracker.storage.signoffs import SignoffView, signoffs_of


def _midnight(day: date) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return _midnight(self.start), _midnight(self.end + timedelta(days=1))


def last_days(days: int, today: date) -> Period:
    return Period(today - timedelta(days=days - 1), today)


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
            "channel": self.channel, "name": self.name, "target_seconds": self.target_seconds,
            "complaints": self.complaints, "answered": self.answered, "within_target": self.within_target,
            "missed": self.missed, "waiting": self.waiting,
            "attainment_percent": round(self.attainment, 1) if self.attainment is not None else None,
            "mean_first_response_seconds": round(self.mean_first_response_seconds, 1)
            if self.mean_first_response_seconds is not None else None,
        }


def first_response_attainment(session: Session, period: Period, *, now: datetime | None = None) -> list[ChannelAttainment]:
    """Per channel: complaints received in the period answered within the target
    in force when they arrived. Unanswered complaints past their target count as missed."""
    now = now or utcnow()
    start, end = period.bounds
    within = case((Complaint.first_response_seconds <= Complaint.target_seconds, 1), else_=0)
    late = case((Complaint.first_response_seconds > Complaint.target_seconds, 1), else_=0)
    answered_rows = session.exec(
        select(
            Complaint.channel, func.count(), func.count(Complaint.first_response_seconds), func.sum(within),
            func.sum(late), func.avg(Complaint.first_response_seconds),
        )
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(Complaint.channel)
    ).all()
    # Unanswered complaints are few (only the open 'received' ones): judge them here.
    unanswered = session.exec(
        select(Complaint.channel, Complaint.received_at, Complaint.target_seconds).where(
            Complaint.status == flow.RECEIVED, Complaint.received_at >= start, Complaint.received_at < end
        )
    ).all()
    overdue: dict[str, int] = {}
    waiting: dict[str, int] = {}
    for channel, received_at, target in unanswered:
        bucket = overdue if (now - as_utc(received_at)).total_seconds() > target else waiting
        bucket[channel] = bucket.get(channel, 0) + 1
    channels = session.exec(
        select(HandbookChannel.code, HandbookChannel.name, HandbookChannel.target_seconds)
        .where(HandbookChannel.version_id == select(func.max(HandbookVersion.id)).scalar_subquery())
    ).all()
    names = {code: name for code, name, _ in channels}
    targets = {code: target for code, _, target in channels}
    result = []
    seen = set()
    for channel, total, answered, ok, missed, mean in answered_rows:
        seen.add(channel)
        result.append(ChannelAttainment(
            channel, names.get(channel, channel), targets.get(channel, 0), total, answered, int(ok or 0),
            int(missed or 0) + overdue.get(channel, 0), waiting.get(channel, 0),
            float(mean) if mean is not None else None,
        ))
    for channel in names:
        if channel not in seen:
            result.append(ChannelAttainment(channel, names[channel], targets.get(channel, 0), 0, 0, 0, 0, 0, None))
    return sorted(result, key=lambda r: r.channel)


def complaints_by_rule(session: Session, period: Period) -> list[dict[str, object]]:
    start, end = period.bounds
    latest = select(func.max(HandbookVersion.id)).scalar_subquery()
    rows = session.exec(
        select(ComplaintRule.rule_id, func.count())
        .join(Complaint, Complaint.id == ComplaintRule.complaint_id)
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(ComplaintRule.rule_id)
        .order_by(func.count().desc(), ComplaintRule.rule_id)
    ).all()
    titles = dict(session.exec(select(HandbookRule.rule_id, HandbookRule.title).where(HandbookRule.version_id == latest)).all())
    return [{"rule": rule_id, "title": titles.get(rule_id, "(no longer in the handbook)"), "complaints": n} for rule_id, n in rows]


def month_expression(session: Session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Complaint.received_at, "YYYY-MM")
    return func.strftime("%Y-%m", Complaint.received_at)


def complaints_by_month(session: Session, period: Period) -> list[dict[str, object]]:
    """Complaints per calendar month (UTC months) and how many missed their target."""
    start, end = period.bounds
    month = month_expression(session)
    late = case((Complaint.first_response_seconds > Complaint.target_seconds, 1), else_=0)
    rows = session.exec(
        select(month, func.count(), func.sum(late), func.sum(case((Complaint.status == flow.DISMISSED, 1), else_=0)))
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(month)
        .order_by(month)
    ).all()
    return [{"month": m, "complaints": n, "first_response_missed": int(missed or 0), "dismissed": int(d or 0)}
            for m, n, missed, d in rows]


@dataclass(frozen=True)
class EmployeeFile:
    """Everything on record about one employee, in date order: the personnel-file printout."""

    number: str
    name: str
    team: str
    hire_date: date
    active: bool
    signoffs: list[SignoffView]
    complaints: list[ComplaintView]
    actions: list[ActionView]
    printed_at: datetime

    def timeline(self) -> list[tuple[date, str, str]]:
        """(date, kind, text) entries sorted by date."""
        entries: list[tuple[date, str, str]] = []
        for s in self.signoffs:
            text = f"Signed handbook version {s.version_label} ({s.signoff.method}; filed: {s.signoff.filing_ref or '—'}). “{s.signoff.meaning}”"
            entries.append((s.signoff.signed_on, "sign-off", text))
            if s.revocation:
                entries.append((s.revocation.revoked_at.date(), "sign-off revoked", f"Sign-off of {s.version_label} revoked: {s.revocation.reason}"))
        for c in self.complaints:
            cp = c.complaint
            rules = ", ".join(r for r, _ in c.rules) or "no rule cited"
            outcome = cp.resolution or cp.dismissal_reason or ""
            entries.append((as_utc(cp.received_at).date(), "complaint",
                            f"{cp.ref} via {c.channel_name} ({rules}): {cp.summary} — {cp.status}{': ' + outcome if outcome else ''}"))
        for a in self.actions:
            act = a.action
            extra = f" Gross misconduct: {act.gross_misconduct_reason}" if act.gross_misconduct_reason else ""
            entries.append((act.issued_on, "corrective action",
                            f"Action {act.id}: {a.level_name}. Expectations: {act.expectations}.{extra} "
                            f"Follow-up due {act.follow_up_due or '—'}."))
            if act.employee_response:
                entries.append((act.issued_on, "employee response", f"Action {act.id}: {act.employee_response}"))
            for f in a.follow_ups:
                entries.append((f.held_on, "follow-up", f"Action {act.id}: {f.outcome.replace('_', ' ')}. {f.notes or ''}"))
            if act.closed_on:
                entries.append((act.closed_on, "action closed", f"Action {act.id} closed. Effectiveness check: {act.effectiveness_check}"))
        return sorted(entries, key=lambda e: e[0])


def employee_file(session: Session, number: str, *, now: datetime | None = None) -> EmployeeFile:
    employee = get_employee(session, number)
    refs = session.exec(
        select(Complaint.ref).where(Complaint.employee_id == employee.id).order_by(col(Complaint.received_at))
    ).all()
    return EmployeeFile(
        number=employee.number, name=employee.name, team=employee.team, hire_date=employee.hire_date,
        active=employee.active, signoffs=signoffs_of(session, employee.number),
        complaints=[get_complaint(session, ref, now=now) for ref in refs], actions=actions_of(session, employee.number),
        printed_at=now or utcnow(),
    )

