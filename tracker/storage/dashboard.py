"""The figures on the supervisor's home screen.

Each figure is one small index-backed query (counts over an index range, or a
group-by over a handful of rows), so the dashboard costs the same with a
thousand complaints as with a million.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.domain import complaint_flow as flow
from tracker.domain.timeutil import local_date, to_utc, utcnow
from tracker.storage.actions import end_of_week
from tracker.storage.handbook_versions import latest_version, material_version, standards
from tracker.storage.models import Complaint, ComplaintRule, CorrectiveAction, Employee, HandbookRule
from tracker.storage.signoffs import TeamCompliance, compliance_by_team, covering_signoff


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


def start_of_week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day))


def load_dashboard(session: Session, *, now: datetime | None = None, weeks: int = 12) -> Dashboard:
    now = now or utcnow()
    today = local_date(now)
    board = Dashboard(week_start=start_of_week(today))
    board.employees = session.exec(select(func.count()).select_from(Employee)).one()
    version = latest_version(session)
    if version is None:
        return board
    board.version = version.label
    std = standards(session, version)
    board.channel_names = {code: channel.name for code, channel in std.channels.items()}
    material = material_version(session)
    if material is not None:
        board.material_version = material.label
        _, board.teams = compliance_by_team(session)
        _pending_split(session, board, material, std.grace_period, today)
    board.open_by_status = {status: 0 for status in flow.OPEN_STATUSES} | dict(
        session.exec(
            select(Complaint.status, func.count())
            .where(col(Complaint.status).in_(flow.OPEN_STATUSES))
            .group_by(Complaint.status)
        ).all()
    )
    _missed_this_week(session, board, std.channels, now)
    week_end = end_of_week(today)
    pending_follow_up = (CorrectiveAction.status == "open") & (CorrectiveAction.follow_up_done == False)  # noqa: E712
    board.follow_ups_overdue = session.exec(
        select(func.count()).select_from(CorrectiveAction).where(pending_follow_up, CorrectiveAction.follow_up_due < today)
    ).one()
    board.follow_ups_this_week = session.exec(
        select(func.count()).select_from(CorrectiveAction).where(
            pending_follow_up, CorrectiveAction.follow_up_due >= today, CorrectiveAction.follow_up_due <= week_end
        )
    ).one()
    _trends(session, board, version.id or 0, weeks)
    return board


def _pending_split(session: Session, board: Dashboard, material, grace, today: date) -> None:  # type: ignore[no-untyped-def]
    """Overdue when both the hire date and the publication are more than one
    grace period ago (the due date is the later of the two plus the grace)."""
    cutoff = grace.before(today)
    pending = (Employee.active == True) & ~covering_signoff(material)  # noqa: E712
    total = session.exec(select(func.count()).select_from(Employee).where(pending)).one()
    if material.published_on >= cutoff:
        board.pending_overdue, board.pending_in_grace = 0, total
        return
    overdue = session.exec(select(func.count()).select_from(Employee).where(pending, Employee.hire_date < cutoff)).one()
    board.pending_overdue, board.pending_in_grace = overdue, total - overdue


def _missed_this_week(session: Session, board: Dashboard, channels, now: datetime) -> None:  # type: ignore[no-untyped-def]
    since = _midnight(board.week_start or local_date(now))
    late = dict(
        session.exec(
            select(Complaint.channel, func.count())
            .where(Complaint.received_at >= since, Complaint.first_response_seconds > Complaint.target_seconds)
            .group_by(Complaint.channel)
        ).all()
    )
    for code, channel in channels.items():
        cutoff = now - channel.target.as_timedelta()
        unanswered = session.exec(
            select(func.count()).select_from(Complaint).where(
                Complaint.status == flow.RECEIVED, Complaint.channel == code,
                Complaint.received_at >= since, Complaint.received_at < cutoff,
            )
        ).one()
        board.missed_this_week[code] = late.get(code, 0) + unanswered


def _trends(session: Session, board: Dashboard, version_id: int, weeks: int) -> None:
    assert board.week_start is not None
    starts = [board.week_start - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    for start in starts:
        count = session.exec(
            select(func.count()).select_from(Complaint).where(
                Complaint.received_at >= _midnight(start), Complaint.received_at < _midnight(start + timedelta(weeks=1))
            )
        ).one()
        board.weekly_complaints.append((start, count))
    since = _midnight(starts[0])
    rows = session.exec(
        select(ComplaintRule.rule_id, func.count())
        .join(Complaint, Complaint.id == ComplaintRule.complaint_id)
        .where(Complaint.received_at >= since)
        .group_by(ComplaintRule.rule_id)
        .order_by(func.count().desc(), ComplaintRule.rule_id)
        .limit(5)
    ).all()
    titles = dict(session.exec(select(HandbookRule.rule_id, HandbookRule.title).where(HandbookRule.version_id == version_id)).all())
    board.top_rules = [(rule_id, titles.get(rule_id, ""), count) for rule_id, count in rows]

