"""A roster file: previewed row by row, then applied all rows or none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from tracker.audit import snapshots
from tracker.db.dialect import lock
from tracker.db.models import Employee
from tracker.domain.errors import RowError, RowErrors
from tracker.domain.roster import RosterRow, parse_roster
from tracker.domain.timeutil import utcnow
from tracker.records.employees.commands import add_employee, save_change, set_active


@dataclass
class ImportResult:
    rows: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "ignored_columns": self.ignored_columns,
        }


def import_roster(data: bytes, *, session: Session, actor: str, now: datetime | None = None) -> ImportResult:
    """Apply a roster file in the caller's transaction: every row or none.

    A row whose number exists updates that employee; the same file imported
    twice changes nothing the second time.
    """
    parsed = parse_roster(data)
    if parsed.errors:
        raise RowErrors(parsed.errors, max(parsed.total, 1))
    rows = parsed.rows
    now = now or utcnow()
    result = ImportResult(rows=len(rows), ignored_columns=parsed.ignored)
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
        save_change(session, employee, before, "employee.import-update", actor, now)
        result.updated.append(employee.number)
    return result


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
    wanted: dict[str, object] = {
        "name": row.employee.name,
        "team": row.employee.team,
        "hire_date": row.employee.hire_date,
    }
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
    parsed = parse_roster(data)
    if parsed.errors:
        return RosterPreview(rows=max(parsed.total, 1), errors=parsed.errors)
    rows = parsed.rows
    preview = RosterPreview(rows=len(rows))
    existing = _existing_by_number(session, [row.employee.number for row in rows], for_update=False)
    for row in rows:
        employee = existing.get(row.employee.number)
        if employee is None:
            detail = f"{row.employee.team}, hired {row.employee.hire_date}" + (
                ", inactive" if row.active is False else ""
            )
            preview.changes.append(RosterChange(row.row, row.employee.number, row.employee.name, "add", detail))
            continue
        differences = [
            f"{key}: {_shown(getattr(employee, key))} → {_shown(value)}"
            for key, value in _roster_wanted(row).items()
            if getattr(employee, key) != value
        ]
        action = "update" if differences else "unchanged"
        preview.changes.append(
            RosterChange(row.row, employee.number, row.employee.name, action, "; ".join(differences))
        )
    return preview
