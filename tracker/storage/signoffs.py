"""Sign-offs: an employee's signature on one exact handbook version.

A sign-off is never updated or deleted. A mistake is corrected by revoking it
(a new record with the reason) and recording a new one. An employee is up to
date when they hold a valid sign-off of the latest material version, or of any
later (editorial) version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, false, func, not_, tuple_
from sqlmodel import Session, col, select

from tracker.domain.errors import InputError, NotFound
from tracker.domain.handbook import RuleChange
from tracker.domain.inputs import RevokeInput, SignoffInput
from tracker.domain.timeutil import local_date, utcnow
from tracker.domain.timeutil import today as local_today
from tracker.storage import audit, dashboard, snapshots
from tracker.storage.employees import get_employee
from tracker.storage.handbook_versions import (
    NoVersionPublished,
    changes_between,
    get_version,
    material_version,
    rules_of,
    standards,
    version_in_force,
)
from tracker.storage.models import Employee, HandbookVersion, Signoff, SignoffRevocation
from tracker.storage.rawsql import of_session


def meaning_of(label: str) -> str:
    """What the signature means, stored with it so the record speaks for itself."""
    return f"I have read handbook version {label} and will follow its rules."


def _not_revoked():  # type: ignore[no-untyped-def]
    return not_(exists().where(SignoffRevocation.signoff_id == Signoff.id))


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
    """The whole pending list for printing (the command line): every page of
    ``pending_page``, each person with the rules changed since their last sign-off."""
    today = today or local_today()
    in_force = version_in_force(session)
    material = material_version(session)
    if material is None:
        raise NoVersionPublished()
    report = PendingReport(in_force.label, material.label, str(standards(session, in_force).grace_period))
    versions = {v.label: v for v in session.exec(select(HandbookVersion)).all()}
    changes_cache: dict[str | None, list[RuleChange]] = {}
    after: PendingCursor | None = None
    while True:
        page = pending_page(session, team=team, after=after, limit=500, today=today)
        for row in page:
            if row.last_signed not in changes_cache:
                changes_cache[row.last_signed] = changes_between(session, versions.get(row.last_signed or ""), in_force)
            item = PendingSignoff(number=row.number, name=row.name, team=row.team, hire_date=row.hire_date,
                                  due=row.due, overdue=row.overdue, last_signed=row.last_signed,
                                  changed_rules=changes_cache[row.last_signed])
            (report.overdue if item.overdue else report.in_grace).append(item)
            if limit is not None and len(report.overdue) + len(report.in_grace) >= limit:
                return report
        if len(page) < 500:
            return report
        after = page[-1].cursor


# --- paged lists for the app ---------------------------------------------------

PAGE = 50
PENDING_STATES = ("overdue", "grace")
PendingCursor = tuple[str, str, int]  # (state, name, employee id)


@dataclass(frozen=True)
class PendingRow:
    employee_id: int
    number: str
    name: str
    team: str
    hire_date: date
    due: date
    overdue: bool
    last_signed: str | None  # label of the latest version with a valid sign-off

    @property
    def state(self) -> str:
        return "overdue" if self.overdue else "grace"

    @property
    def cursor(self) -> PendingCursor:
        return (self.state, self.name, self.employee_id)


def _overdue_condition(material: HandbookVersion, grace, today: date):  # type: ignore[no-untyped-def]
    """Overdue when both the hire date and the publication are more than one
    grace period ago (the same split as the dashboard's figures)."""
    cutoff = grace.before(today)
    if material.published_on >= cutoff:
        return false()
    return Employee.hire_date < cutoff


def pending_page(
    session: Session,
    *,
    state: str | None = None,
    team: str | None = None,
    after: PendingCursor | None = None,
    limit: int = PAGE,
    today: date | None = None,
) -> list[PendingRow]:
    """One page of the pending list: overdue first, then those inside the grace
    period, each ordered by (name, id); ``state`` keeps one of the two.

    Unlike ``pending_signoffs`` (a whole report for printing, by team), this
    pages from the database: the keyset follows ix_employee_active_name
    (active, name, id), and each row is checked with NOT EXISTS on
    ix_signoff_employee_version, so a page of 100,000 employees costs what a
    page of 100 does (ordering by team first would sort every pending row).
    Pass the last row's ``cursor`` as ``after``.
    """
    if state is not None and state not in PENDING_STATES:
        raise InputError("state", f"'{state}' is not one of {', '.join(PENDING_STATES)}")
    today = today or local_today()
    in_force = version_in_force(session)
    material = material_version(session)
    if material is None:
        raise NoVersionPublished()
    grace = standards(session, in_force).grace_period
    overdue = _overdue_condition(material, grace, today)
    last_signed_id = (
        select(func.max(Signoff.version_id))
        .where(Signoff.employee_id == Employee.id, _not_revoked())
        .correlate(Employee)
        .scalar_subquery()
    )
    states = [s for s in PENDING_STATES if state is None or s == state]
    if after is not None:
        states = [s for s in states if PENDING_STATES.index(s) >= PENDING_STATES.index(after[0])]
    labels = {v.id: v.label for v in session.exec(select(HandbookVersion)).all()}
    rows: list[PendingRow] = []
    for current in states:
        if len(rows) >= limit:
            break
        statement = select(Employee, last_signed_id).where(
            Employee.active == True, not_(covering_signoff(material)),  # noqa: E712
            overdue if current == "overdue" else not_(overdue),
        )
        if team:
            statement = statement.where(Employee.team == team)
        if after is not None and after[0] == current:
            statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after[1:]))
        statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit - len(rows))
        for employee, last_id in session.exec(statement).all():
            rows.append(PendingRow(
                employee_id=employee.id or 0, number=employee.number, name=employee.name, team=employee.team,
                hire_date=employee.hire_date, due=grace.after(max(employee.hire_date, material.published_on)),
                overdue=current == "overdue", last_signed=labels.get(last_id),
            ))
    return rows


@dataclass(frozen=True)
class PendingCounts:
    version: str
    material_version: str
    grace_period: str
    overdue: int
    in_grace: int


def pending_counts(session: Session, *, team: str | None = None, today: date | None = None) -> PendingCounts:
    """How many active employees are overdue / inside the grace period (the dashboard's figures)."""
    today = today or local_today()
    in_force = version_in_force(session)
    grace = standards(session, in_force).grace_period
    raw = of_session(session)
    material = dashboard.material_version(raw)
    if material is None:
        raise NoVersionPublished()
    overdue, in_grace = dashboard.pending_split(raw, material, grace, today, team=team)
    return PendingCounts(in_force.label, material.label, str(grace), overdue, in_grace)


def recent_signoffs(
    session: Session, *, before: int | None = None, employee_number: str | None = None, limit: int = PAGE
) -> list[SignoffView]:
    """Sign-offs newest recorded first, revoked ones included (with their revocation).

    Sign-offs are append-only, so the id grows with recording order: the keyset
    is the primary key (pass the last row's id as ``before``) and no extra index
    is needed.
    """
    statement = (
        select(Signoff, HandbookVersion.label, Employee, SignoffRevocation)
        .join(HandbookVersion, HandbookVersion.id == Signoff.version_id)
        .join(Employee, Employee.id == Signoff.employee_id)
        .outerjoin(SignoffRevocation, SignoffRevocation.signoff_id == Signoff.id)
    )
    if employee_number:
        statement = statement.where(Employee.number == employee_number.strip().upper())
    if before is not None:
        statement = statement.where(Signoff.id < before)
    statement = statement.order_by(col(Signoff.id).desc()).limit(limit)
    return [
        SignoffView(signoff, label, employee.number, employee.name, revocation)
        for signoff, label, employee, revocation in session.exec(statement).all()
    ]


@dataclass(frozen=True)
class SignoffStanding:
    """Where one employee stands with the handbook, and what changed since they last signed."""

    number: str
    name: str
    active: bool
    in_force: str
    material_version: str | None
    up_to_date: bool
    last_signed: str | None
    changes: list[RuleChange]  # from the last signed version to the version in force (all rules if never signed)
    texts: dict[str, str]  # rule id -> text in the version in force, for added and changed rules


def signoff_standing(session: Session, employee_number: str) -> SignoffStanding:
    """What the supervisor shows an employee before they sign: the rules added,
    changed or removed since their last valid sign-off, with the current text."""
    employee = get_employee(session, employee_number)
    in_force = version_in_force(session)
    material = material_version(session)
    last_id = session.exec(
        select(func.max(Signoff.version_id)).where(Signoff.employee_id == employee.id, _not_revoked())
    ).one()
    last = session.get(HandbookVersion, last_id) if last_id is not None else None
    changes = changes_between(session, last, in_force)
    wanted = {c.rule_id for c in changes if c.change != "removed"}
    texts = {rule.rule_id: rule.text for rule in rules_of(session, in_force.id or 0) if rule.rule_id in wanted}
    up_to_date = material is not None and last is not None and (last.id or 0) >= (material.id or 0)
    return SignoffStanding(
        number=employee.number, name=employee.name, active=employee.active, in_force=in_force.label,
        material_version=material.label if material else None, up_to_date=up_to_date,
        last_signed=last.label if last else None, changes=changes, texts=texts,
    )
