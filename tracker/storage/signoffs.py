"""Sign-offs: an employee's signature on one exact handbook version.

A sign-off is never updated or deleted. A mistake is corrected by revoking it
(a new record with the reason) and recording a new one. An employee is up to
date when they hold a valid sign-off of the latest material version, or of any
later (editorial) version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, exists, func, not_
from sqlmodel import Session, col, select

from tracker.domain.errors import InputError, NotFound
from tracker.domain.handbook import RuleChange
from tracker.domain.inputs import RevokeInput, SignoffInput
from tracker.domain.timeutil import local_date, today as local_today, utcnow
from tracker.storage import audit, snapshots
from tracker.storage.employees import get_employee
from tracker.storage.handbook_versions import (
    NoVersionPublished,
    changes_between,
    get_version,
    material_version,
    standards,
    version_in_force,
)
from tracker.storage.models import Employee, HandbookVersion, Signoff, SignoffRevocation


def meaning_of(label: str) -> str:
    """What the signature means, stored with it so the record speaks for itself."""
    return f"I have read handbook version {label} and will follow its rules."


def _not_revoked():  # type: ignore[no-untyped-def]
    return not_(exists().where(SignoffRevocation.signoff_id == Signoff.id))


def record_signoff(
    data: SignoffInput, *, session: Session, actor: str, now: datetime | None = None, today: date | None = None
) -> Signoff:
    now = now or utcnow()
    today = today or local_date(now)
    employee = get_employee(session, data.employee_number)
    if not employee.active:
        raise InputError("employee", f"{employee.number} ({employee.name}) is inactive; only active employees sign")
    version = get_version(session, data.version_label) if data.version_label else version_in_force(session)
    if data.signed_on > today:
        raise InputError("signed_on", f"{data.signed_on} is in the future; use the date written on the form")
    if data.signed_on < version.published_on:
        raise InputError(
            "signed_on", f"{data.signed_on} is before version {version.label} was published ({version.published_on})"
        )
    duplicate = session.exec(
        select(Signoff).where(
            Signoff.employee_id == employee.id, Signoff.version_id == version.id, _not_revoked()
        )
    ).first()
    if duplicate is not None:
        raise InputError(
            "version",
            f"{employee.number} already has a valid sign-off of version {version.label} "
            f"(sign-off {duplicate.id}, signed {duplicate.signed_on}); revoke it first to replace it",
        )
    signoff = Signoff(
        employee_id=employee.id or 0,
        version_id=version.id or 0,
        signed_on=data.signed_on,
        method=data.method,
        filing_ref=data.filing_ref,
        printed_name=data.printed_name or employee.name,
        meaning=meaning_of(version.label),
        recorded_by=actor,
        recorded_at=now,
        recorded_on=today,
    )
    session.add(signoff)
    session.flush()
    audit.append(session, actor=actor, action="signoff.record", entity="signoff", key=str(signoff.id),
                 after=snapshots.signoff(signoff, employee.number, version.label), at=now)
    return signoff


def revoke_signoff(
    signoff_id: int, data: RevokeInput, *, session: Session, actor: str, now: datetime | None = None
) -> SignoffRevocation:
    signoff = session.get(Signoff, signoff_id)
    if signoff is None:
        raise NotFound("signoff", f"no sign-off with id {signoff_id}")
    earlier = session.exec(select(SignoffRevocation).where(SignoffRevocation.signoff_id == signoff_id)).first()
    if earlier is not None:
        raise InputError("signoff", f"sign-off {signoff_id} was already revoked by {earlier.revoked_by}: {earlier.reason}")
    now = now or utcnow()
    revocation = SignoffRevocation(signoff_id=signoff_id, reason=data.reason, revoked_by=actor, revoked_at=now)
    session.add(revocation)
    session.flush()
    audit.append(session, actor=actor, action="signoff.revoke", entity="signoff_revocation", key=str(revocation.id),
                 after=snapshots.revocation(revocation), at=now)
    return revocation


@dataclass(frozen=True)
class SignoffView:
    signoff: Signoff
    version_label: str
    employee_number: str
    employee_name: str
    revocation: SignoffRevocation | None

    @property
    def valid(self) -> bool:
        return self.revocation is None


def signoffs_of(session: Session, employee_number: str) -> list[SignoffView]:
    employee = get_employee(session, employee_number)
    rows = session.exec(
        select(Signoff, HandbookVersion.label, SignoffRevocation)
        .join(HandbookVersion, HandbookVersion.id == Signoff.version_id)
        .outerjoin(SignoffRevocation, SignoffRevocation.signoff_id == Signoff.id)
        .where(Signoff.employee_id == employee.id)
        .order_by(col(Signoff.signed_on), col(Signoff.id))
    ).all()
    return [SignoffView(s, label, employee.number, employee.name, r) for s, label, r in rows]


def get_signoff(session: Session, signoff_id: int) -> SignoffView:
    row = session.exec(
        select(Signoff, HandbookVersion.label, Employee, SignoffRevocation)
        .join(HandbookVersion, HandbookVersion.id == Signoff.version_id)
        .join(Employee, Employee.id == Signoff.employee_id)
        .outerjoin(SignoffRevocation, SignoffRevocation.signoff_id == Signoff.id)
        .where(Signoff.id == signoff_id)
    ).first()
    if row is None:
        raise NotFound("signoff", f"no sign-off with id {signoff_id}")
    signoff, label, employee, revocation = row
    return SignoffView(signoff, label, employee.number, employee.name, revocation)


# --- who still has to sign ---------------------------------------------------


def covering_signoff(material: HandbookVersion):  # type: ignore[no-untyped-def]
    """EXISTS a valid sign-off of the material version or a later one."""
    return exists().where(
        Signoff.employee_id == Employee.id, Signoff.version_id >= material.id, _not_revoked()
    )


@dataclass(frozen=True)
class PendingSignoff:
    number: str
    name: str
    team: str
    hire_date: date
    due: date
    overdue: bool
    last_signed: str | None
    changed_rules: list[RuleChange]

    def as_dict(self) -> dict[str, object]:
        return {
            "employee": self.number,
            "name": self.name,
            "team": self.team,
            "hire_date": self.hire_date.isoformat(),
            "due": self.due.isoformat(),
            "state": "overdue" if self.overdue else "in grace period",
            "last_signed_version": self.last_signed,
            "changed_rules": [{"rule": c.rule_id, "title": c.title, "change": c.change} for c in self.changed_rules],
        }


@dataclass
class PendingReport:
    version: str
    material_version: str
    grace_period: str
    overdue: list[PendingSignoff] = field(default_factory=list)
    in_grace: list[PendingSignoff] = field(default_factory=list)


def pending_signoffs(
    session: Session, *, today: date | None = None, team: str | None = None, limit: int | None = None
) -> PendingReport:
    """Active employees without a valid sign-off covering the current material
    version, split into overdue and still inside the grace period."""
    today = today or local_today()
    in_force = version_in_force(session)
    material = material_version(session)
    if material is None:
        raise NoVersionPublished()
    grace = standards(session, in_force).grace_period
    last_signed_id = (
        select(func.max(Signoff.version_id))
        .where(Signoff.employee_id == Employee.id, _not_revoked())
        .correlate(Employee)
        .scalar_subquery()
    )
    statement = (
        select(Employee, last_signed_id)
        .where(Employee.active == True, not_(covering_signoff(material)))  # noqa: E712
        .order_by(col(Employee.team), col(Employee.name), col(Employee.id))
    )
    if team:
        statement = statement.where(Employee.team == team)
    if limit:
        statement = statement.limit(limit)
    versions = {v.id: v for v in session.exec(select(HandbookVersion)).all()}
    changes_cache: dict[int | None, list[RuleChange]] = {}
    report = PendingReport(in_force.label, material.label, str(grace))
    for employee, last_id in session.exec(statement).all():
        start = max(employee.hire_date, material.published_on)
        due = grace.after(start)
        if last_id not in changes_cache:
            changes_cache[last_id] = changes_between(session, versions.get(last_id), in_force)
        item = PendingSignoff(
            number=employee.number,
            name=employee.name,
            team=employee.team,
            hire_date=employee.hire_date,
            due=due,
            overdue=today > due,
            last_signed=versions[last_id].label if last_id in versions else None,
            changed_rules=changes_cache[last_id],
        )
        (report.overdue if item.overdue else report.in_grace).append(item)
    return report


@dataclass(frozen=True)
class TeamCompliance:
    team: str
    active: int
    signed: int

    @property
    def pending(self) -> int:
        return self.active - self.signed

    @property
    def percent(self) -> float:
        return 100.0 * self.signed / self.active if self.active else 100.0


def compliance_by_team(session: Session) -> tuple[str, list[TeamCompliance]]:
    """Share of active employees holding a sign-off that covers the material version."""
    material = material_version(session)
    if material is None:
        raise NoVersionPublished()
    signed = func.sum(case((covering_signoff(material), 1), else_=0))
    rows = session.exec(
        select(Employee.team, func.count(), signed)
        .where(Employee.active == True)  # noqa: E712
        .group_by(Employee.team)
        .order_by(Employee.team)
    ).all()
    return material.label, [TeamCompliance(team, total, int(done or 0)) for team, total, done in rows]

