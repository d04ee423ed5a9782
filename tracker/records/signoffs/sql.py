"""The one definition of a valid sign-off, and of an employee covered by one.

A sign-off is valid while no revocation points at it. An employee is covered
(up to date with the handbook) when they hold a valid sign-off of the material
version or of any later one: an editorial version after it needs no new
signature. Written here once as SQL text, with the material version's id as the
parameter ``:material``; the ORM queries wrap the same text (``sqlalchemy.text``),
the dashboard runs it on the driver's connection before SQLAlchemy is loaded,
and a test checks the database triggers agree with it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.db.raw import Raw
from tracker.domain.periods import Period
from tracker.records.handbook.sql import VersionRef


def valid(signoff: str = "s") -> str:
    """The sign-off row ``signoff`` (a table name or alias) has not been revoked."""
    return f"NOT EXISTS (SELECT 1 FROM signoff_revocation r WHERE r.signoff_id = {signoff}.id)"


_COVERS = f"s.version_id >= :material AND {valid()}"


def covered(employee_id: str) -> str:
    """The employee whose id is the SQL expression ``employee_id`` is covered."""
    return f"EXISTS (SELECT 1 FROM signoff s WHERE s.employee_id = {employee_id} AND {_COVERS})"


# Every covered employee once: joined against a page of employees, PostgreSQL runs
# this as one hash join where an EXISTS per row would be a subplan per row.
COVERED_EMPLOYEES = f"SELECT DISTINCT s.employee_id FROM signoff s WHERE {_COVERS}"


def last_signed(employee_id: str) -> str:
    """The id of the latest version the employee holds a valid sign-off of (NULL if none)."""
    return f"(SELECT MAX(s.version_id) FROM signoff s WHERE s.employee_id = {employee_id} AND {valid()})"


def pending_split(
    raw: Raw, material: VersionRef, grace: Period, today: date, team: str | None = None
) -> tuple[int, int]:
    """(overdue, inside the grace period) among active employees not covered. A person's
    due date is the later of their hire date and the publication, plus the grace period."""
    cutoff = grace.before(today)
    pending = f"e.active AND NOT {covered('e.id')}" + (" AND e.team = :team" if team else "")
    params: dict[str, Any] = {"material": material.id} | ({"team": team} if team else {})
    total = int(raw.value(f"SELECT COUNT(*) FROM employee e WHERE {pending}", **params) or 0)
    if material.published_on >= cutoff:
        return 0, total
    overdue = int(
        raw.value(f"SELECT COUNT(*) FROM employee e WHERE {pending} AND e.hire_date < :cutoff", cutoff=cutoff, **params)
        or 0
    )
    return overdue, total - overdue
