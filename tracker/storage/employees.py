"""Employees: add, change, deactivate, list and import a roster.

An employee is never deleted: sign-offs, complaints and actions point at them
for as long as the records are kept. Deactivation is how someone leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, exists, false, func, not_, null, or_, tuple_
from sqlmodel import Session, col, select

from tracker.domain.errors import InputError, NotFound, RowError, RowErrors
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate
from tracker.domain.roster import RosterRow, parse_roster
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
    return _save(session, employee, before, "employee.update", actor, now)


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
    return _save(session, employee, before, "employee.activate" if active else "employee.deactivate", actor, now)


def _save(session: Session, employee: Employee, before: dict, action: str, actor: str, now: datetime | None) -> Employee:
    """Write a change to an employee: a new revision, and its audit event with the state before."""
    bump(employee, actor, now or utcnow())
    session.add(employee)
    session.flush()
    audit.append(session, actor=actor, action=action, entity="employee", key=employee.number,
                 before=before, after=snapshots.employee(employee), at=employee.updated_at)
    return employee


@dataclass(frozen=True)
class EmployeeFilter:
    search: str | None = None  # words in name, or the start of the number
    team: str | None = None
    active: bool | None = True
    # "signed" / "pending": holds / lacks a valid sign-off covering the current
    # material handbook version (an EXISTS on ix_signoff_employee_version).
    signoff: str | None = None


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
    statement = _signoff_filtered(session, _filtered(select(Employee), flt), flt)
    if after is not None:
        statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after))
    statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit)
    return list(session.exec(statement).all())


def count_employees(session: Session, flt: EmployeeFilter = EmployeeFilter()) -> int:
    return session.exec(_signoff_filtered(session, _filtered(select(func.count()).select_from(Employee), flt), flt)).one()


SIGNOFF_STATES = ("signed", "pending")


def _signoff_filtered(session: Session, statement, flt: EmployeeFilter):  # type: ignore[no-untyped-def]
    """Apply ``flt.signoff``. With no handbook published nobody has signed:
    "signed" matches nobody and "pending" everybody."""
    if not flt.signoff:
        return statement
    if flt.signoff not in SIGNOFF_STATES:
        raise InputError("signoff", f"'{flt.signoff}' is not one of {', '.join(SIGNOFF_STATES)}")
    from tracker.storage.handbook_versions import material_version
    from tracker.storage.signoffs import (
        covering_signoff,  # signoffs imports this module
    )

    material = material_version(session)
    if material is None:
        return statement.where(false()) if flt.signoff == "signed" else statement
    covered = covering_signoff(material)
    return statement.where(covered if flt.signoff == "signed" else not_(covered))


@dataclass(frozen=True)
class EmployeeRow:
    """A row of the employees list: the employee and where they stand with the handbook."""

    employee: Employee
    signed_current: bool | None  # holds a sign-off covering the material version; None: nothing published
    last_signed: str | None  # label of the latest version they hold a valid sign-off of


def employee_rows(
    session: Session, flt: EmployeeFilter = EmployeeFilter(), *, after: tuple[str, int] | None = None, limit: int = PAGE
) -> list[EmployeeRow]:
    """``list_employees`` plus each row's sign-off standing, for the app's list.

    Same keyset (name, id) and filter; the standing is two correlated lookups
    per row on ix_signoff_employee_version, so a page costs the same however
    many employees and sign-offs exist.
    """
    from tracker.storage.handbook_versions import material_version
    from tracker.storage.models import HandbookVersion, Signoff, SignoffRevocation
    from tracker.storage.signoffs import covering_signoff

    material = material_version(session)
    valid = not_(exists().where(SignoffRevocation.signoff_id == Signoff.id))
    last_id = (
        select(func.max(Signoff.version_id)).where(Signoff.employee_id == Employee.id, valid)
        .correlate(Employee).scalar_subquery()
    )
    last_label = select(HandbookVersion.label).where(HandbookVersion.id == last_id).scalar_subquery()
    signed = case((covering_signoff(material), True), else_=False) if material is not None else null()
    statement = _signoff_filtered(session, _filtered(select(Employee, signed, last_label), flt), flt)
    if after is not None:
        statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after))
    statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit)
    return [
        EmployeeRow(employee, None if material is None else bool(is_signed), label)
        for employee, is_signed, label in session.exec(statement).all()
    ]


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
    existing = _existing_by_number(session, [row.employee.number for row in rows], for_update=True)
    for row in rows:
        data_row = row.employee
        employee = existing.get(data_row.number)
        if employee is None:
            employee = add_employee(data_row, session=session, actor=actor, now=now)
            if row.active is False:
                set_active(employee.number, False, session=session, actor=actor, now=now)
            result.added.append(employee.number)
            continue
        wanted = _roster_wanted(row)
        if all(getattr(employee, key) == value for key, value in wanted.items()):
            result.unchanged += 1
            continue
        before = snapshots.employee(employee)
        for key, value in wanted.items():
            setattr(employee, key, value)
        _save(session, employee, before, "employee.import-update", actor, now)
        result.updated.append(employee.number)
    return result


# --- roster preview: the same parsing and matching as import_roster, nothing written ---


def _existing_by_number(session: Session, numbers: list[str], *, for_update: bool) -> dict[str, Employee]:
    """The employees a roster names, looked up 500 numbers at a time (unique index on number)."""
    existing: dict[str, Employee] = {}
    for start in range(0, len(numbers), 500):
        statement = select(Employee).where(col(Employee.number).in_(numbers[start : start + 500]))
        for employee in session.exec(lock(session, statement) if for_update else statement).all():
            existing[employee.number] = employee
    return existing


def _roster_wanted(row: RosterRow) -> dict[str, object]:
    """What a roster row sets on an existing employee (active only when the file says)."""
    wanted: dict[str, object] = {"name": row.employee.name, "team": row.employee.team, "hire_date": row.employee.hire_date}
    if row.active is not None:
        wanted["active"] = row.active
    return wanted


@dataclass(frozen=True)
class RosterChange:
    row: int  # spreadsheet row number (the header is row 1)
    number: str
    name: str
    action: str  # "add", "update" or "unchanged"
    detail: str


@dataclass
class RosterPreview:
    """What importing a roster file would do, or every bad row; nothing is written."""

    rows: int  # data rows in the file
    changes: list[RosterChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def _count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def added(self) -> int:
        return self._count("add")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def ok(self) -> bool:
        return not self.errors


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "active" if value else "inactive"
    return str(value)


def preview_roster(data: bytes, *, session: Session) -> RosterPreview:
    """Parse and check a roster exactly as ``import_roster`` does, and say row by
    row what it would add, update or leave unchanged — without writing anything.

    A file with bad rows reports every bad row (number, column, reason) and no
    changes, since importing it would apply none.
    """
    rows, errors, total = parse_roster(data)
    if errors:
        return RosterPreview(rows=max(total, 1), errors=errors)
    preview = RosterPreview(rows=len(rows))
    existing = _existing_by_number(session, [row.employee.number for row in rows], for_update=False)
    for row in rows:
        employee = existing.get(row.employee.number)
        if employee is None:
            detail = f"{row.employee.team}, hired {row.employee.hire_date}" + (", inactive" if row.active is False else "")
            preview.changes.append(RosterChange(row.row, row.employee.number, row.employee.name, "add", detail))
            continue
        differences = [
            f"{key}: {_shown(getattr(employee, key))} → {_shown(value)}"
            for key, value in _roster_wanted(row).items()
            if getattr(employee, key) != value
        ]
        action = "update" if differences else "unchanged"
        preview.changes.append(RosterChange(row.row, employee.number, row.employee.name, action, "; ".join(differences)))
    return preview
