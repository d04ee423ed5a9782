"""Everything on record about one employee, in date order: the personnel file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlmodel import Session, col, func, select

from tracker.db.models import Complaint
from tracker.domain import action_flow
from tracker.domain.timeutil import local_date, utcnow
from tracker.records.actions.queries import ActionView, actions_of
from tracker.records.complaints.queries import ComplaintView, complaint_views
from tracker.records.employees.queries import get_employee
from tracker.records.signoffs.queries import SignoffView, signoffs_of


class EntryKind(str, Enum):
    """What a timeline entry records; the value is the printed file's word for it."""

    SIGNOFF = "sign-off"
    REVOCATION = "sign-off revoked"
    COMPLAINT = "complaint"
    ACTION = "corrective action"
    RESPONSE = "employee response"
    FOLLOW_UP = "follow-up"
    CLOSED = "action closed"


@dataclass(frozen=True)
class TimelineEntry:
    """One dated entry of an employee's record, in both of its wordings.

    ``text`` is the printed file's (complete, for the personnel file); ``line`` the one line the
    employee's page shows, or None where the page leaves it to the record's own page (an
    employee's response, shown on the action's page). ``about`` names the record the entry
    belongs to: ``signoff:<id>``, ``complaint:<ref>`` or ``action:<id>``.
    """

    day: date
    kind: EntryKind
    about: str
    text: str
    line: str | None


def _outcome(outcome: str) -> str:
    return action_flow.FOLLOW_UP_OUTCOMES.get(outcome, outcome)


def _signoff_entries(s: SignoffView) -> list[TimelineEntry]:
    so = s.signoff
    filed = f", filed: {so.filing_ref}" if so.filing_ref else ""
    entries = [
        TimelineEntry(
            so.signed_on,
            EntryKind.SIGNOFF,
            f"signoff:{so.id}",
            f"Signed handbook version {s.version_label} ({so.method}; filed: {so.filing_ref or '—'}). “{so.meaning}”",
            f"Version {s.version_label}, {so.method}{filed}; printed name {so.printed_name} "
            f"(sign-off {so.id}, recorded by {so.recorded_by})",
        )
    ]
    if s.revocation:
        r = s.revocation
        entries.append(
            TimelineEntry(
                local_date(r.revoked_at),
                EntryKind.REVOCATION,
                f"signoff:{so.id}",
                f"Sign-off of {s.version_label} revoked: {r.reason}",
                f"Sign-off {so.id} of version {s.version_label} revoked by {r.revoked_by}: {r.reason}",
            )
        )
    return entries


def _complaint_entry(c: ComplaintView) -> TimelineEntry:
    cp = c.complaint
    rules = ", ".join(rule for rule, _ in c.rules) or "no rule cited"
    outcome = cp.resolution or cp.dismissal_reason or ""
    return TimelineEntry(
        local_date(cp.received_at),
        EntryKind.COMPLAINT,
        f"complaint:{cp.ref}",
        f"{cp.ref} via {c.channel_name} ({rules}): {cp.summary} — {cp.status}{': ' + outcome if outcome else ''}",
        f"{cp.ref} {cp.status} via {c.channel_name} ({rules}): {cp.summary}",
    )


def _action_entries(a: ActionView) -> list[TimelineEntry]:
    act = a.action
    about = f"action:{act.id}"
    extra = f" Gross misconduct: {act.gross_misconduct_reason}" if act.gross_misconduct_reason else ""
    entries = [
        TimelineEntry(
            act.issued_on,
            EntryKind.ACTION,
            about,
            f"Action {act.id}: {a.level_name}. Expectations: {act.expectations}.{extra} "
            f"Follow-up due {act.follow_up_due or '—'}.",
            f"Action {act.id}: {a.level_name} — {act.status}; follow-up due {act.follow_up_due or '—'}. "
            f"{act.expectations}",
        )
    ]
    if act.employee_response:
        entries.append(
            TimelineEntry(act.issued_on, EntryKind.RESPONSE, about, f"Action {act.id}: {act.employee_response}", None)
        )
    for f in a.follow_ups:
        said = f"Action {act.id}: {_outcome(f.outcome)}. {f.notes or ''}"
        entries.append(TimelineEntry(f.held_on, EntryKind.FOLLOW_UP, about, said, said))
    if act.closed_on:
        closed = f"Action {act.id} closed. Effectiveness check: {act.effectiveness_check}"
        entries.append(TimelineEntry(act.closed_on, EntryKind.CLOSED, about, closed, closed))
    return entries


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
    complaints_total: int | None = None  # every complaint on record; None: ``complaints`` holds them all
    from_day: date | None = None  # the timeline starts here when earlier complaints were left out

    @property
    def complaint_count(self) -> int:
        return len(self.complaints) if self.complaints_total is None else self.complaints_total

    @property
    def earlier_complaints(self) -> int:
        """Complaints on record before ``from_day``, not read (``employee_file(..., latest=N)``)."""
        return self.complaint_count - len(self.complaints)

    def entries(self) -> list[TimelineEntry]:
        """Every entry sorted by its local calendar date (the one timeline: printed and on screen).

        Times (a complaint's receipt, a revocation) are dated in local time, as people read them.
        A file read with only its latest complaints starts on the day of the oldest one read, so
        the timeline it shows has no gap where complaints were left out."""
        entries: list[TimelineEntry] = []
        for s in self.signoffs:
            entries += _signoff_entries(s)
        entries += [_complaint_entry(c) for c in self.complaints]
        for a in self.actions:
            entries += _action_entries(a)
        if self.from_day is not None:
            entries = [entry for entry in entries if entry.day >= self.from_day]
        return sorted(entries, key=lambda entry: entry.day)

    def timeline(self) -> list[tuple[date, str, str]]:
        """(date, kind, text) entries sorted by date, as the printed file words them."""
        return [(entry.day, entry.kind.value, entry.text) for entry in self.entries()]


def employee_file(
    session: Session, number: str, *, now: datetime | None = None, latest: int | None = None
) -> EmployeeFile:
    """The whole file; with ``latest``, only that many of the most recent complaints (the page
    opens on them: an employee with thousands opens as fast as one with ten, issue 15) and the
    timeline from the oldest of them on. Printouts and exports always read the whole file."""
    employee = get_employee(session, number)
    statement = select(Complaint).where(Complaint.employee_id == employee.id)
    total = 0  # counted only when ``latest`` may have left complaints out
    if latest is None:
        complaints = list(session.exec(statement.order_by(col(Complaint.received_at), col(Complaint.id))).all())
    else:
        newest_first = session.exec(
            statement.order_by(col(Complaint.received_at).desc(), col(Complaint.id).desc()).limit(latest)
        ).all()
        complaints = list(reversed(newest_first))
        if len(complaints) == latest:
            total = session.exec(
                select(func.count()).select_from(Complaint).where(Complaint.employee_id == employee.id)
            ).one()
    views = complaint_views(session, complaints, now=now)
    earlier = total > len(complaints)
    return EmployeeFile(
        number=employee.number,
        name=employee.name,
        team=employee.team,
        hire_date=employee.hire_date,
        active=employee.active,
        signoffs=signoffs_of(session, employee.number),
        complaints=views,
        actions=actions_of(session, employee.number),
        printed_at=now or utcnow(),
        complaints_total=total if earlier else None,
        from_day=local_date(views[0].complaint.received_at) if earlier else None,
    )
