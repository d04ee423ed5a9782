"""Reading corrective actions: the suggested next step, one action, paged lists by follow-up state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text, tuple_
from sqlmodel import Session, col, select

from tracker.db.dialect import lock
from tracker.db.models import (
    ActionComplaint,
    ActionRule,
    Complaint,
    CorrectiveAction,
    Employee,
    FollowUp,
    HandbookLevel,
)
from tracker.domain import action_flow
from tracker.domain.action_flow import FollowUpState, follow_up_state
from tracker.domain.errors import InputError, NotFound
from tracker.domain.ladder import (
    PriorAction,
    Suggestion,
    suggest_next,
)
from tracker.domain.timeutil import local_date, utcnow
from tracker.records.actions import sql as action_sql
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import standards, version_in_force

PAGE = 50


def suggest(session: Session, employee_number: str, *, today: date | None = None) -> Suggestion:
    """The next ladder step for an employee, with the reason in words."""
    today = today or local_date(utcnow())
    employee = get_employee(session, employee_number)
    std = standards(session, version_in_force(session))
    prior = [
        PriorAction(level, step, issued_on)
        for level, step, issued_on in session.exec(
            select(col(CorrectiveAction.level), col(CorrectiveAction.step), col(CorrectiveAction.issued_on)).where(
                CorrectiveAction.employee_id == employee.id
            )
        ).all()
    ]
    return suggest_next(std.ladder, std.look_back, prior, today)


def links_of(session: Session, action_id: int) -> tuple[list[str], list[str]]:
    refs = session.exec(
        select(Complaint.ref)
        .join(ActionComplaint, col(ActionComplaint.complaint_id) == Complaint.id)
        .where(ActionComplaint.action_id == action_id)
        .order_by(Complaint.ref)
    ).all()
    rules = session.exec(
        select(ActionRule.rule_id).where(ActionRule.action_id == action_id).order_by(ActionRule.rule_id)
    ).all()
    return list(refs), list(rules)


def get_action_row(session: Session, action_id: int, *, for_update: bool = False) -> CorrectiveAction:
    statement = select(CorrectiveAction).where(CorrectiveAction.id == action_id)
    if for_update:
        statement = lock(session, statement)
    action = session.exec(statement).first()
    if action is None:
        raise NotFound("action", f"no corrective action with id {action_id}")
    return action


@dataclass(frozen=True)
class ActionView:
    action: CorrectiveAction
    employee_number: str
    employee_name: str
    level_name: str
    complaint_refs: list[str]
    rule_ids: list[str]
    follow_ups: list[FollowUp]

    def state(self, day: date) -> FollowUpState:
        a = self.action
        return follow_up_state(a.status, a.follow_up_due, a.follow_up_done, day)

    @property
    def can_follow_up(self) -> bool:
        return action_flow.can_follow_up(self.action.status, self.action.is_final)

    @property
    def can_close(self) -> bool:
        return action_flow.can_close(self.action.status)

    def follow_up_rows(self) -> list[dict[str, object]]:
        return [
            {
                "held_on": f.held_on.isoformat(),
                "outcome": f.outcome,
                "notes": f.notes,
                "new_due_date": f.new_due_date.isoformat() if f.new_due_date else None,
            }
            for f in self.follow_ups
        ]

    def as_dict(self) -> dict[str, object]:
        a = self.action
        return {
            "id": a.id,
            "employee": self.employee_number,
            "employee_name": self.employee_name,
            "level": a.level,
            "level_name": self.level_name,
            "step": a.step,
            "issued_on": a.issued_on.isoformat(),
            "issued_by": a.issued_by,
            "expectations": a.expectations,
            "suggested_level": a.suggested_level,
            "suggestion_reason": a.suggestion_reason,
            "gross_misconduct_reason": a.gross_misconduct_reason,
            "follow_up_due": a.follow_up_due.isoformat() if a.follow_up_due else None,
            "follow_up_done": bool(a.follow_up_done),
            "complaints": self.complaint_refs,
            "rules": self.rule_ids,
            "employee_response": a.employee_response,
            "follow_ups": self.follow_up_rows(),
            "status": a.status,
            "closed_on": a.closed_on.isoformat() if a.closed_on else None,
            "effectiveness_check": a.effectiveness_check,
            "revision": a.revision,
        }


def _level_name(session: Session, action: CorrectiveAction) -> str:
    level = session.get(HandbookLevel, (action.version_id, action.level))
    return level.name if level else action.level


def get_action(session: Session, action_id: int) -> ActionView:
    action = get_action_row(session, action_id)
    employee = session.get(Employee, action.employee_id)
    refs, rules = links_of(session, action_id)
    follow_ups = session.exec(
        select(FollowUp).where(FollowUp.action_id == action_id).order_by(col(FollowUp.held_on), col(FollowUp.id))
    ).all()
    return ActionView(
        action,
        employee.number if employee else "?",
        employee.name if employee else "?",
        _level_name(session, action),
        refs,
        rules,
        list(follow_ups),
    )


def actions_of(session: Session, employee_number: str) -> list[ActionView]:
    employee = get_employee(session, employee_number)
    ids = session.exec(
        select(CorrectiveAction.id)
        .where(CorrectiveAction.employee_id == employee.id)
        .order_by(col(CorrectiveAction.issued_on), col(CorrectiveAction.id))
    ).all()
    return [get_action(session, action_id) for action_id in ids if action_id is not None]


@dataclass(frozen=True)
class ActionRow:
    id: int
    employee_number: str
    employee_name: str
    level: str
    issued_on: date
    follow_up_due: date | None
    follow_up_done: bool
    status: str

    def state(self, day: date) -> FollowUpState:
        return follow_up_state(self.status, self.follow_up_due, self.follow_up_done, day)


def list_actions(
    session: Session,
    *,
    state: str = "open",  # a list of action_flow.LISTS: open, overdue, due (overdue or due this week), closed, all
    employee_number: str | None = None,
    today: date | None = None,
    after: "ActionRow | None" = None,
    limit: int = PAGE,
) -> list[ActionRow]:
    """One page; pass the last row of the previous page as ``after``.

    Follow-up lists (overdue, due) are ordered by due date, the others newest first.
    """
    today = today or local_date(utcnow())
    statement = select(  # type: ignore[call-overload]  # SQLModel types select() for at most four columns
        CorrectiveAction.id,
        Employee.number,
        Employee.name,
        CorrectiveAction.level,
        CorrectiveAction.issued_on,
        CorrectiveAction.follow_up_due,
        CorrectiveAction.follow_up_done,
        CorrectiveAction.status,
    ).join(Employee, col(Employee.id) == CorrectiveAction.employee_id)
    if state not in action_sql.LIST:
        raise InputError("state", f"'{state}' is not one of {', '.join(action_sql.LIST)}")
    predicate = action_sql.LIST[state]
    if predicate is not None:
        statement = statement.where(text(predicate).bindparams(**action_sql.params(predicate, today)))
    if employee_number:
        employee = get_employee(session, employee_number)
        statement = statement.where(CorrectiveAction.employee_id == employee.id)
    if state in ("overdue", "due"):
        if after is not None:
            statement = statement.where(
                tuple_(CorrectiveAction.follow_up_due, CorrectiveAction.id) > tuple_(after.follow_up_due, after.id)
            )
        statement = statement.order_by(col(CorrectiveAction.follow_up_due), col(CorrectiveAction.id))
    else:
        if after is not None:
            statement = statement.where(col(CorrectiveAction.id) < after.id)
        statement = statement.order_by(col(CorrectiveAction.id).desc())
    return [ActionRow(*row) for row in session.exec(statement.limit(limit)).all()]
