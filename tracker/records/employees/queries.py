"""Finding employees: by number, and paged lists by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, col, select

from tracker.db.dialect import lock
from tracker.db.folding import folded
from tracker.db.models import Employee
from tracker.domain.errors import NotFound
from tracker.domain.text_fold import fold

PAGE = 50
S = TypeVar("S", bound=Any)


def get_employee(session: Session, number: str, *, for_update: bool = False) -> Employee:
    statement = select(Employee).where(Employee.number == number.strip().upper())
    if for_update:
        statement = lock(session, statement)
    employee = session.exec(statement).first()
    if employee is None:
        raise NotFound("employee", f"no employee with number '{number}'")
    return employee


@dataclass(frozen=True)
class EmployeeFilter:
    search: str | None = None  # words in name, or the start of the number
    team: str | None = None
    active: bool | None = True


def filtered(statement: S, flt: EmployeeFilter) -> S:
    """``statement`` (over the employee table) narrowed to the employees the filter keeps."""
    if flt.team:
        statement = statement.where(Employee.team == flt.team)
    if flt.active is not None:
        statement = statement.where(Employee.active == flt.active)
    if flt.search:
        term = flt.search.strip()
        statement = statement.where(
            or_(
                # Accents and case aside: "zoe" finds Zoë, "angstrom" Ångström (db/folding).
                folded(Employee.name).contains(fold(term), autoescape=True),
                col(Employee.number).startswith(term.upper(), autoescape=True),
            )
        )
    return statement


def list_employees(
    session: Session, flt: EmployeeFilter = EmployeeFilter(), *, after: tuple[str, int] | None = None, limit: int = PAGE
) -> list[Employee]:
    """One page ordered by name; pass the last row's (name, id) for the next page."""
    statement = filtered(select(Employee), flt)
    if after is not None:
        statement = statement.where(tuple_(Employee.name, Employee.id) > tuple_(*after))
    statement = statement.order_by(col(Employee.name), col(Employee.id)).limit(limit)
    return list(session.exec(statement).all())


def count_employees(session: Session, flt: EmployeeFilter = EmployeeFilter()) -> int:
    return session.exec(filtered(select(func.count()).select_from(Employee), flt)).one()


def teams(session: Session) -> list[str]:
    return list(session.exec(select(Employee.team).distinct().order_by(Employee.team)).all())


def find_employees(session: Session, term: str, limit: int) -> list[tuple[str, str, str]]:
    """(number, name, team) of the employees whose name holds ``term`` or whose number starts
    with it, then of those whose number holds it ("10015" finds E-10015), at most ``limit``.

    The roster is thousands of rows, not millions: the number search reads the number index alone."""
    people = [
        (e.number, e.name, e.team)
        for e in list_employees(session, EmployeeFilter(search=term, active=None), limit=limit)
    ]
    if len(people) < limit:
        seen = {number for number, _, _ in people}
        statement = (
            select(Employee.number, Employee.name, Employee.team)
            .where(col(Employee.number).contains(term.upper(), autoescape=True))
            .order_by(col(Employee.number))
            .limit(limit)
        )
        people.extend(
            (number, name, team) for number, name, team in session.exec(statement).all() if number not in seen
        )
    return people[:limit]
