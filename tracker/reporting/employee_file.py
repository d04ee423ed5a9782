"""Everything on record about one employee, in date order: the personnel file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.db.models import Complaint
from tracker.domain.timeutil import as_utc, utcnow
from tracker.records.actions.queries import ActionView, actions_of
from tracker.records.complaints.queries import ComplaintView, get_complaint
from tracker.records.employees.queries import get_employee
from tracker.records.signoffs.queries import SignoffView, signoffs_of


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
                entries.append(
                    (
                        s.revocation.revoked_at.date(),
                        "sign-off revoked",
                        f"Sign-off of {s.version_label} revoked: {s.revocation.reason}",
                    )
                )
        for c in self.complaints:
            cp = c.complaint
            rules = ", ".join(r for r, _ in c.rules) or "no rule cited"
            outcome = cp.resolution or cp.dismissal_reason or ""
            entries.append(
                (
                    as_utc(cp.received_at).date(),
                    "complaint",
                    f"{cp.ref} via {c.channel_name} ({rules}): {cp.summary} — {cp.status}{': ' + outcome if outcome else ''}",
                )
            )
        for a in self.actions:
            act = a.action
            extra = f" Gross misconduct: {act.gross_misconduct_reason}" if act.gross_misconduct_reason else ""
            entries.append(
                (
                    act.issued_on,
                    "corrective action",
                    f"Action {act.id}: {a.level_name}. Expectations: {act.expectations}.{extra} "
                    f"Follow-up due {act.follow_up_due or '—'}.",
                )
            )
            if act.employee_response:
                entries.append((act.issued_on, "employee response", f"Action {act.id}: {act.employee_response}"))
            for f in a.follow_ups:
                entries.append(
                    (f.held_on, "follow-up", f"Action {act.id}: {f.outcome.replace('_', ' ')}. {f.notes or ''}")
                )
            if act.closed_on:
                entries.append(
                    (
                        act.closed_on,
                        "action closed",
                        f"Action {act.id} closed. Effectiveness check: {act.effectiveness_check}",
                    )
                )
        return sorted(entries, key=lambda e: e[0])


def employee_file(session: Session, number: str, *, now: datetime | None = None) -> EmployeeFile:
    employee = get_employee(session, number)
    refs = session.exec(
        select(Complaint.ref).where(Complaint.employee_id == employee.id).order_by(col(Complaint.received_at))
    ).all()
    return EmployeeFile(
        number=employee.number,
        name=employee.name,
        team=employee.team,
        hire_date=employee.hire_date,
        active=employee.active,
        signoffs=signoffs_of(session, employee.number),
        complaints=[get_complaint(session, ref, now=now) for ref in refs],
        actions=actions_of(session, employee.number),
        printed_at=now or utcnow(),
    )
