"""Sign-offs: an employee's signature on one exact handbook version.

A sign-off is never updated or deleted. A mistake is corrected by revoking it
(a new record with the reason) and recording a new one. An employee is up to
date when they hold a valid sign-off of the latest material version, or of any
later (editorial) version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Session, select

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db.models import Employee, HandbookVersion, Signoff, SignoffRevocation
from tracker.domain.errors import InputError, NotFound
from tracker.domain.inputs import RevokeInput, SignoffInput
from tracker.domain.signing import meaning_of
from tracker.domain.text_safety import unsafe_character
from tracker.domain.timeutil import local_date, not_in_future, utcnow
from tracker.domain.timeutil import today as local_today
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import get_version, version_in_force
from tracker.records.signoffs import sql as signoff_sql


@dataclass(frozen=True)
class PreparedSignoff:
    """A sign-off that passed every check, not yet written: what the app's
    confirmation shows (the printed name and meaning exactly as they will be stored)."""

    employee: Employee
    version: HandbookVersion
    data: SignoffInput

    @property
    def printed_name(self) -> str:
        return self.data.printed_name or self.employee.name

    @property
    def meaning(self) -> str:
        return meaning_of(self.version.label)


def prepare_signoff(data: SignoffInput, *, session: Session, today: date | None = None) -> PreparedSignoff:
    """Every check ``record_signoff`` makes, without writing anything, so a form
    can show a refusal under its field before asking for confirmation."""
    today = today or local_today()
    employee = get_employee(session, data.employee_number)
    if not employee.active:
        raise InputError("employee", f"{employee.number} ({employee.name}) is inactive; only active employees sign")
    version = get_version(session, data.version_label) if data.version_label else version_in_force(session)
    not_in_future("signed_on", data.signed_on, today, advice="use the date written on the form")
    if data.signed_on < employee.hire_date:  # the form is signed as an employee, from the first day
        raise InputError("signed_on", f"{data.signed_on} is before {employee.number} was hired ({employee.hire_date})")
    if data.signed_on < version.published_on:
        raise InputError(
            "signed_on", f"{data.signed_on} is before version {version.label} was published ({version.published_on})"
        )
    duplicate = session.exec(
        select(Signoff).where(
            Signoff.employee_id == employee.id, Signoff.version_id == version.id, text(signoff_sql.valid("signoff"))
        )
    ).first()
    if duplicate is not None:
        raise InputError(
            "version",
            f"{employee.number} already has a valid sign-off of version {version.label} "
            f"(sign-off {duplicate.id}, signed {duplicate.signed_on}); revoke it first to replace it",
        )
    problem = None if data.printed_name else unsafe_character(employee.name)
    if problem:  # a name stored before such characters were refused is not copied onto a signature
        raise InputError("printed_name", f"the stored name of {employee.number} {problem}: type the name as printed")
    return PreparedSignoff(employee, version, data)


def record_signoff(
    data: SignoffInput, *, session: Session, actor: str, now: datetime | None = None, today: date | None = None
) -> Signoff:
    now = now or utcnow()
    today = today or local_date(now)
    prepared = prepare_signoff(data, session=session, today=today)
    employee, version = prepared.employee, prepared.version
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
    audit.append(
        session,
        actor=actor,
        action="signoff.record",
        entity="signoff",
        key=str(signoff.id),
        after=snapshots.signoff(signoff, employee.number, version.label),
        at=now,
    )
    return signoff


def revoke_signoff(
    signoff_id: int, data: RevokeInput, *, session: Session, actor: str, now: datetime | None = None
) -> SignoffRevocation:
    signoff = session.get(Signoff, signoff_id)
    if signoff is None:
        raise NotFound("signoff", f"no sign-off with id {signoff_id}")
    earlier = session.exec(select(SignoffRevocation).where(SignoffRevocation.signoff_id == signoff_id)).first()
    if earlier is not None:
        raise InputError(
            "signoff", f"sign-off {signoff_id} was already revoked by {earlier.revoked_by}: {earlier.reason}"
        )
    now = now or utcnow()
    revocation = SignoffRevocation(signoff_id=signoff_id, reason=data.reason, revoked_by=actor, revoked_at=now)
    session.add(revocation)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="signoff.revoke",
        entity="signoff_revocation",
        key=str(revocation.id),
        after=snapshots.revocation(revocation),
        at=now,
    )
    return revocation
