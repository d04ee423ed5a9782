"""Table cells the lists share: data shown as typed, and each state in the same words and colours."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text

from tracker.domain.action_flow import FollowUpState
from tracker.records.actions.queries import ActionRow
from tracker.records.complaints.queries import ComplaintRow
from tracker.ui.text import as_text

_STATE_STYLE = {FollowUpState.CLOSED: "dim", FollowUpState.OVERDUE: "bold red", FollowUpState.DUE_THIS_WEEK: "yellow"}


def plain(*values: object) -> tuple[Text, ...]:
    """Cells as plain text: names, summaries and reasons are never read as markup, and a control
    character stored before they were refused is shown escaped (``\\x1b``), never sent raw."""
    return tuple(as_text(value) for value in values)


def action_state_cell(row: ActionRow, day: date) -> Text:
    """The action's follow-up state on ``day``; an overdue one says by how many days."""
    state = row.state(day)
    if state is FollowUpState.OVERDUE and row.follow_up_due is not None:
        return Text(f"OVERDUE {(day - row.follow_up_due).days} d", style=_STATE_STYLE[state])
    return Text(state.value, style=_STATE_STYLE.get(state, ""))


def first_response_cell(row: ComplaintRow, now: datetime) -> Text:
    if row.target_missed(now):
        return Text("MISSED", style="bold red")
    return Text("waiting") if row.first_response_at is None else Text("in time", style="green")
