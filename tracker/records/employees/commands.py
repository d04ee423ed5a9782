"""Employees: add, change, deactivate, list and import a roster.

An employee is never deleted: sign-offs, complaints and actions point at them
for as long as the records are kept. Deactivation is how someone leaves.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db.models import Employee
from tracker.db.revisions import bump, check_revision
from tracker.domain.errors import InputError
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate
from tracker.domain.timeutil import utcnow
from tracker.records.employees.queries import get_employee


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
    audit.append(
        session,
        actor=actor,
        action="employee.add",
        entity="employee",
        key=employee.number,
        after=snapshots.employee(employee),
        at=now,
    )
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
    return save_change(session, employee, before, "employee.update", actor, now)


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
    return save_change(session, employee, before, "employee.activate" if active else "employee.deactivate", actor, now)


def save_change(
    session: Session, employee: Employee, before: dict, action: str, actor: str, now: datetime | None
) -> Employee:
    """Write a change to an employee: a new revision, and its audit event with the state before."""
    bump(employee, actor, now or utcnow())
    session.add(employee)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action=action,
        entity="employee",
        key=employee.number,
        before=before,
        after=snapshots.employee(employee),
        at=employee.updated_at,
    )
    return employee
