"""The life of a corrective action, as the handbook's corrective-action page describes it.

An action is issued at a step of the ladder, followed up by the date the ladder
sets (the final step, dismissal, has none), and closed with an effectiveness
check. ``follow_up_state`` is the one definition of where an action stands on a
given day; every screen, command and report shows these words, and the SQL
twin in ``tracker.records.actions.sql`` selects the same rows (a test checks
the two agree on generated actions and days).
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from tracker.domain.timeutil import end_of_week

OPEN = "open"
CLOSED = "closed"
STATUSES: tuple[str, ...] = (OPEN, CLOSED)

# Outcomes of a follow-up meeting, and how each is shown to people.
FOLLOW_UP_OUTCOMES: dict[str, str] = {
    "improved": "improved",
    "not_improved": "not improved",
    "more_time": "more time (new due date)",
}
MORE_TIME = "more_time"


class FollowUpState(str, Enum):
    """Where an action stands on a day."""

    CLOSED = "closed"
    FINAL = "final level"  # open, at the final step: no follow-up, awaiting its close
    FOLLOWED_UP = "followed up"  # the follow-up was held: awaiting close
    OVERDUE = "overdue"  # the follow-up date has passed and it was not held
    DUE_THIS_WEEK = "due this week"  # not held, due from today to the end of this week
    SCHEDULED = "open"  # not held, due after this week

    @property
    def outstanding(self) -> bool:
        """A follow-up still to be held (what the 'due' lists and the dashboard count)."""
        return self in (FollowUpState.OVERDUE, FollowUpState.DUE_THIS_WEEK, FollowUpState.SCHEDULED)


def follow_up_state(status: str, follow_up_due: date | None, follow_up_done: bool, day: date) -> FollowUpState:
    if status == CLOSED:
        return FollowUpState.CLOSED
    if follow_up_due is None:
        return FollowUpState.FINAL
    if follow_up_done:
        return FollowUpState.FOLLOWED_UP
    if follow_up_due < day:
        return FollowUpState.OVERDUE
    if follow_up_due <= end_of_week(day):
        return FollowUpState.DUE_THIS_WEEK
    return FollowUpState.SCHEDULED


# The lists a supervisor chooses between, and which states each shows.
LISTS: dict[str, tuple[FollowUpState, ...] | None] = {
    "open": (
        FollowUpState.FINAL,
        FollowUpState.FOLLOWED_UP,
        FollowUpState.OVERDUE,
        FollowUpState.DUE_THIS_WEEK,
        FollowUpState.SCHEDULED,
    ),
    "overdue": (FollowUpState.OVERDUE,),
    "due": (FollowUpState.OVERDUE, FollowUpState.DUE_THIS_WEEK),
    "closed": (FollowUpState.CLOSED,),
    "all": None,
}


def can_follow_up(status: str, is_final: bool) -> bool:
    return status == OPEN and not is_final


def can_close(status: str) -> bool:
    return status == OPEN
