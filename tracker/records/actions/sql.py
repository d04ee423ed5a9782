"""``tracker.domain.action_flow.follow_up_state`` in SQL, for the lists and the dashboard.

Each predicate selects exactly the actions the domain function puts in that
state on the day ``:today`` (with ``:week_end``, the Sunday of that week); a test
runs both on generated actions and days. Plain text with no SQLAlchemy import:
the dashboard counts with it on the driver's connection at start-up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.domain.action_flow import CLOSED, OPEN, FollowUpState
from tracker.domain.timeutil import end_of_week

_OUTSTANDING = f"status = '{OPEN}' AND NOT follow_up_done AND follow_up_due IS NOT NULL"

STATE: dict[FollowUpState, str] = {
    FollowUpState.CLOSED: f"status = '{CLOSED}'",
    FollowUpState.FINAL: f"status = '{OPEN}' AND follow_up_due IS NULL",
    FollowUpState.FOLLOWED_UP: f"status = '{OPEN}' AND follow_up_due IS NOT NULL AND follow_up_done",
    FollowUpState.OVERDUE: f"{_OUTSTANDING} AND follow_up_due < :today",
    FollowUpState.DUE_THIS_WEEK: f"{_OUTSTANDING} AND follow_up_due >= :today AND follow_up_due <= :week_end",
    FollowUpState.SCHEDULED: f"{_OUTSTANDING} AND follow_up_due > :week_end",
}

# The lists of ``action_flow.LISTS``, written so the index on (status, follow_up_due, id) serves them.
LIST: dict[str, str | None] = {
    "open": f"status = '{OPEN}'",
    "overdue": STATE[FollowUpState.OVERDUE],
    "due": f"{_OUTSTANDING} AND follow_up_due <= :week_end",
    "closed": STATE[FollowUpState.CLOSED],
    "all": None,
}


def params(sql: str, today: date) -> dict[str, Any]:
    """The parameters a predicate above takes, for the day ``today``."""
    values = {"today": today, "week_end": end_of_week(today)}
    return {name: value for name, value in values.items() if f":{name}" in sql}
