"""Employees: add, change, deactivate, list and import a roster.

An employee is never deleted: sign-offs, complaints and actions point at them
for as long as the records are kept. Deactivation is how someone leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, col, select

from tracker.domain.errors import InputError, NotFound, RowErrors
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate
from tracker.domain.roster import parse_roster
from tracker.domain.timeutil import utcnow
from tracker.storage import audit, snapshots
from tracker.storage.common import bump, check_revision, lock
from tracker.storage.models import Employee

PAGE = 50


def get_employee(session: Session, number: str, *, for_update: bool = False) -> Employee:
    statement = select(Employee).where(Employee.number == number.strip().upper())
    if for_update:
        statement = lock(session, statement)
    employee = session.exec(statement).first()
    if employee is None:
        raise NotFound("employee", f"no employee with number '{number}'")
    return employee


def add_employee(data: EmployeeInput, *, session: Session, actor: str, now: datetime | None = None) -> Employee:
    now = now or utcnow()
    if session.exec(select(Employee.id).where(Employee.number == data.number)).first() is not None:
        raise InputError("number", f"{data.number} already belongs to another employee")
    employee = Employee(
        number=data.number,
        name=data.name,
        team=data.team,
        hire_date=data.hire_date,
        active=True,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        revision=1,
    )
    session.add(employee)
    session.flush()
    audit.append(session, actor=actor, action="employee.add", entity="employee", key=employee.number,
                 after=snapshots.employee(employee), at=now)
    return employee


def update_employee(
    number: str,
    changes: EmployeeUpdate,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> Employee:
    employee = get_employee(session, number, for_update=True)
    check_revision(employee, expected_revision, f"employee {employee.number}")
    before = snapshots.employee(employee)
    values = changes.model_dump(exclude_none=True)
    if all(getattr(employee, name) == value for name, value in values.items()):
        return employee
    for name, value in values.items():
        setattr(employee, name, value)
    bump(employee, actor, now or utcnow())
    session.add(employee)
    session.flush()
    audit.append(session, actor=actor, action="employee.update", entity="employee", key=employee.number,
                 before=before, after=snapshots.employee(employee), at=employee.updated_at)
    return employee


def set_active(
    number: str,
    active: bool,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> Employee:
    employee = get_employee(session, number, for_update=True)
    check_revision(employee, expected_revision, f"employee {employee.number}")
    if employee.active == active:
        state = "active" if active else "inactive"
        raise InputError("active", f"employee {employee.number} is already {state}")
    before = snapshots.employee(employee)
    employee.active = active
    bump(employee, actor, now or utcnow())
    session.add(employee)
    session.flush()
    audit.append(session, actor=actor, action="employee.activate" if active else "employee.deactivate",
                 entity="employee", key=employee.number, before=before, after=snapshots.employee(employee),
                 at=employee.updated_at)
    return employee


@dataclass(frozen=True)
class EmployeeFilter:
    search: str | None = None  # words in name, or the start of the number
    team: str | None = None
    active: bool | None = True


def _filtered(statement, flt: EmployeeFilter):  # type: ignore[no-untyped-def]
    if flt.team:
        statement = statement.where(Employee.team == flt.team)
    if flt.active is not None:
        statement = statement.where(Employee.active == flt.active)
    if flt.search:
        term = flt.search.strip()
        statement = statement.where(
            or_(
                func.lower(Employee.name).contains(term.lower(), autoescape=True),
                Employee.number.startswith(term.upper(), autoescape=True),
            )
        )
    return statement


def list_employees(
    session: Session, flt: EmployeeFilter = EmployeeFilter(), *, after: tuple[str, int] | None = None, limit: int = PAGE
) -> list[Employee]:
    """One page ordered by name; pass the last row's (name, id) for the next page."""
    statement = _filtered(select(Employee), flt)
    if after is not None:
        statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after))
    statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit)
    return list(session.exec(statement).all())


def count_employees(session: Session, flt: EmployeeFilter = EmployeeFilter()) -> int:
    return session.exec(_filtered(select(func.count()).select_from(Employee), flt)).one()


def teams(session: Session) -> list[str]:
    return list(session.exec(select(Employee.team).distinct().order_by(Employee.team)).all())


@dataclass
class ImportResult:
    rows: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "added": len(self.added), "updated": len(self.updated), "unchanged": self.unchanged}


def import_roster(data: bytes, *, session: Session, actor: str, now: datetime | None = None) -> ImportResult:
    """Apply a roster file in the caller's transaction: every row or none.

    A row whose number exists updates that employee; the same file imported
    twice changes nothing the second time.
    """
    rows, errors, total = parse_roster(data)
    if errors:
        raise RowErrors(errors, max(total, 1))
    now = now or utcnow()
    result = ImportResult(rows=len(rows))
    existing: dict[str, Employee] = {}
    numbers = [row.employee.number for row in rows]
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        for employee in session.exec(lock(session, select(Employee).where(col(Employee.number).in_(chunk)))).all():
            existing[employee.number] = employee
    for row in rows:
        data_row = row.employee
        employee = existing.get(data_row.number)
        if employee is None:
            employee = add_employee(data_row, session=session, actor=actor, now=now)
            if row.active is False:
                set_active(employee.number, False, session=session, actor=actor, now=now)
            result.added.append(employee.number)
            continue
        wanted = {"name": data_row.name, "team": data_row.team, "hire_date": data_row.hire_date}
        if row.active is not None:
            wanted["active"] = row.active
        if all(getattr(employee, key) == value for key, value in wanted.items()):
            result.unchanged += 1
            continue
        before = snapshots.employee(employee)
        for key, value in wanted.items():
            setattr(employee, key, value)
        bump(employee, actor, now)
        session.add(employee)
        session.flush()
        audit.append(session, actor=actor, action="employee.import-update", entity="employee", key=employee.number,
                     before=before, after=snapshots.employee(employee), at=now)
        result.updated.append(employee.number)
    return result
