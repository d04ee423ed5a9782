"""Corrective actions as rows of a report or list: the one place their fields and their
follow-up state are put into words.

``tracker report actions``, ``tracker actions list`` / ``due`` and the app's "Open corrective
actions" report (on screen and exported) all build their rows here, so the state a row shows is
always ``action_flow.follow_up_state``'s word for that day (overdue, due this week, followed up,
final level, open, closed), whichever front end prints it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sqlmodel import Session

from tracker.records.actions.queries import ActionRow, list_actions
from tracker.reporting.paging import every_page

# The open-actions report's columns, in the command line's order.
REPORT_FIELDS: tuple[str, ...] = ("id", "employee", "name", "level", "issued_on", "follow_up_due", "state")
# A list of actions (``tracker actions list`` and ``due``): the stored status and follow-up flag too.
LIST_FIELDS: tuple[str, ...] = (
    "id",
    "employee",
    "name",
    "level",
    "issued_on",
    "follow_up_due",
    "follow_up_done",
    "status",
    "state",
)


def action_row(row: ActionRow, day: date, fields: Sequence[str] = REPORT_FIELDS) -> dict[str, Any]:
    """One action as a row of ``fields`` (in that order); ``state`` is its follow-up state on ``day``."""
    values: dict[str, Any] = {
        "id": row.id,
        "employee": row.employee_number,
        "name": row.employee_name,
        "level": row.level,
        "issued_on": row.issued_on,
        "follow_up_due": row.follow_up_due,
        "follow_up_done": row.follow_up_done,
        "status": row.status,
        "state": row.state(day).value,
    }
    return {field: values[field] for field in fields}


def action_rows(
    session: Session,
    *,
    day: date,
    state: str = "open",
    employee_number: str | None = None,
    limit: int | None = None,
    fields: Sequence[str] = REPORT_FIELDS,
) -> list[dict[str, Any]]:
    """Every action of the list ``state`` (``action_flow.LISTS``), read page by page, up to ``limit``."""
    pages = every_page(
        lambda after, n: list_actions(
            session, state=state, employee_number=employee_number, today=day, after=after, limit=n
        ),
        lambda row: row,
        limit=limit,
    )
    return [action_row(row, day, fields) for row in pages]
