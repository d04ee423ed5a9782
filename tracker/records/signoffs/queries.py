"""Who signed what, who still has to sign, and what changed since someone last signed.

Every "valid" and "covered" below is ``tracker.records.signoffs.sql``'s definition,
wrapped for the ORM by ``_covered`` and ``_last_signed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import TextClause, case, false, func, literal_column, not_, null, text, true, tuple_
from sqlmodel import Session, col, select

from tracker.db.models import Employee, HandbookVersion, Signoff, SignoffRevocation
from tracker.db.raw import of_session
from tracker.domain.errors import InputError, NotFound, NoVersionPublished
from tracker.domain.handbook.diff import RuleChange
from tracker.domain.periods import Period
from tracker.domain.timeutil import today as local_today
from tracker.records.employees.queries import PAGE, EmployeeFilter, filtered, get_employee
from tracker.records.handbook.queries import changes_between, rules_of, standards, version_in_force
from tracker.records.handbook.sql import VersionRef, material_version
from tracker.records.signoffs import sql as signoff_sql


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
        .join(HandbookVersion, col(HandbookVersion.id) == Signoff.version_id)
        .outerjoin(SignoffRevocation, col(SignoffRevocation.signoff_id) == Signoff.id)
        .where(Signoff.employee_id == employee.id)
        .order_by(col(Signoff.signed_on), col(Signoff.id))
    ).all()
    return [SignoffView(s, label, employee.number, employee.name, r) for s, label, r in rows]


def get_signoff(session: Session, signoff_id: int) -> SignoffView:
    row = session.exec(
        select(Signoff, HandbookVersion.label, Employee, SignoffRevocation)
        .join(HandbookVersion, col(HandbookVersion.id) == Signoff.version_id)
        .join(Employee, col(Employee.id) == Signoff.employee_id)
        .outerjoin(SignoffRevocation, col(SignoffRevocation.signoff_id) == Signoff.id)
        .where(Signoff.id == signoff_id)
    ).first()
    if row is None:
        raise NotFound("signoff", f"no sign-off with id {signoff_id}")
    signoff, label, employee, revocation = row
    return SignoffView(signoff, label, employee.number, employee.name, revocation)


PENDING_STATES = ("overdue", "grace")
PendingCursor = tuple[str, str, int]  # (state, name, employee id)


@dataclass(frozen=True)
class PendingRow:
    """Someone who still has to sign: a row of the pending list (``pending_page``) and, with the
    rules changed since they last signed filled in, of the printed list
    (``reporting.pending.pending_signoffs``)."""

    employee_id: int
    number: str
    name: str
    team: str
    hire_date: date
    due: date
    overdue: bool
    last_signed: str | None  # label of the latest version with a valid sign-off
    changed_rules: tuple[RuleChange, ...] = ()  # since ``last_signed``; filled in for the printed list

    @property
    def state(self) -> str:
        return "overdue" if self.overdue else "grace"

    @property
    def cursor(self) -> PendingCursor:
        return (self.state, self.name, self.employee_id)

    def as_dict(self) -> dict[str, object]:
        """As the printed list's JSON has it."""
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


def _covered(material: VersionRef, *, covered: bool = True) -> TextClause:
    """The employee row in the statement holds (or, with ``covered=False``, lacks) a sign-off covering ``material``."""
    predicate = signoff_sql.covered("employee.id")
    return text(predicate if covered else f"NOT {predicate}").bindparams(material=material.id)


def _last_signed() -> Any:
    """The id of the latest version the employee row holds a valid sign-off of."""
    return literal_column(signoff_sql.last_signed("employee.id"))


def _overdue_condition(material: VersionRef, grace: Period, today: date) -> Any:
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
    states = [s for s in PENDING_STATES if state is None or s == state]
    if after is not None:
        states = [s for s in states if PENDING_STATES.index(s) >= PENDING_STATES.index(after[0])]
    labels = {v.id: v.label for v in session.exec(select(HandbookVersion)).all()}
    rows: list[PendingRow] = []
    for current in states:
        if len(rows) >= limit:
            break
        statement = select(Employee, _last_signed()).where(
            Employee.active == true(),
            _covered(material, covered=False),
            overdue if current == "overdue" else not_(overdue),
        )
        if team:
            statement = statement.where(Employee.team == team)
        if after is not None and after[0] == current:
            statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after[1:]))
        statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit - len(rows))
        for employee, last_id in session.exec(statement).all():
            rows.append(
                PendingRow(
                    employee_id=employee.id or 0,
                    number=employee.number,
                    name=employee.name,
                    team=employee.team,
                    hire_date=employee.hire_date,
                    due=grace.after(max(employee.hire_date, material.published_on)),
                    overdue=current == "overdue",
                    last_signed=labels.get(last_id),
                )
            )
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
    material = material_version(raw)
    if material is None:
        raise NoVersionPublished()
    overdue, in_grace = signoff_sql.pending_split(raw, material, grace, today, team=team)
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
        .join(HandbookVersion, col(HandbookVersion.id) == Signoff.version_id)
        .join(Employee, col(Employee.id) == Signoff.employee_id)
        .outerjoin(SignoffRevocation, col(SignoffRevocation.signoff_id) == Signoff.id)
    )
    if employee_number:
        statement = statement.where(Employee.number == employee_number.strip().upper())
    if before is not None:
        statement = statement.where(col(Signoff.id) < before)
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
    last_id = session.exec(select(_last_signed()).select_from(Employee).where(Employee.id == employee.id)).one()
    last = session.get(HandbookVersion, last_id) if last_id is not None else None
    covered = material is not None and bool(
        session.exec(select(_covered(material)).select_from(Employee).where(Employee.id == employee.id)).one()
    )
    changes = changes_between(session, last, in_force)
    wanted = {c.rule_id for c in changes if c.change != "removed"}
    texts = {rule.rule_id: rule.text for rule in rules_of(session, in_force.id or 0) if rule.rule_id in wanted}
    return SignoffStanding(
        number=employee.number,
        name=employee.name,
        active=employee.active,
        in_force=in_force.label,
        material_version=material.label if material else None,
        up_to_date=covered,
        last_signed=last.label if last else None,
        changes=changes,
        texts=texts,
    )


SIGNOFF_STATES = ("signed", "pending")


def _standing(statement: Any, signoff: str | None, material: VersionRef | None) -> Any:
    """Keep the employees who have signed ("signed") or not ("pending"). With no handbook
    published nobody has signed: "signed" matches nobody and "pending" everybody."""
    if not signoff:
        return statement
    if signoff not in SIGNOFF_STATES:
        raise InputError("signoff", f"'{signoff}' is not one of {', '.join(SIGNOFF_STATES)}")
    if material is None:
        return statement.where(false()) if signoff == "signed" else statement
    return statement.where(_covered(material, covered=signoff == "signed"))


@dataclass(frozen=True)
class EmployeeRow:
    """A row of the employees list: the employee and where they stand with the handbook."""

    employee: Employee
    signed_current: bool | None  # holds a sign-off covering the material version; None: nothing published
    last_signed: str | None  # label of the latest version they hold a valid sign-off of


def employee_rows(
    session: Session,
    flt: EmployeeFilter = EmployeeFilter(),
    *,
    signoff: str | None = None,
    after: tuple[str, int] | None = None,
    limit: int = PAGE,
) -> list[EmployeeRow]:
    """``list_employees`` plus each row's sign-off standing, for the app's list;
    ``signoff`` keeps only those who have ("signed") or have not ("pending") signed.

    Same keyset (name, id) and filter; the standing is two correlated lookups
    per row on ix_signoff_employee_version, so a page costs the same however
    many employees and sign-offs exist.
    """
    material = material_version(session)
    last_label = select(HandbookVersion.label).where(HandbookVersion.id == _last_signed()).scalar_subquery()
    signed = case((_covered(material), True), else_=False) if material is not None else null()
    statement = _standing(filtered(select(Employee, signed, last_label), flt), signoff, material)
    if after is not None:
        statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after))
    statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit)
    return [
        EmployeeRow(employee, None if material is None else bool(is_signed), label)
        for employee, is_signed, label in session.exec(statement).all()
    ]


def count_by_standing(session: Session, flt: EmployeeFilter = EmployeeFilter(), *, signoff: str | None = None) -> int:
    """How many employees ``employee_rows`` would list, over all its pages."""
    statement = filtered(select(func.count()).select_from(Employee), flt)
    return session.exec(_standing(statement, signoff, material_version(session))).one()
