"""Corrective actions: issued on the handbook's ladder, followed up, closed
only with an effectiveness check.

The suggested level and its reason are stored with every action, next to the
level actually chosen, so a decision to skip steps is visible in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from tracker.domain.errors import InputError, NotFound
from tracker.domain.inputs import ActionInput, CloseInput, FollowUpInput, ResponseInput
from tracker.domain.ladder import (
    PriorAction,
    Suggestion,
    check_level_choice,
    suggest_next,
)
from tracker.domain.timeutil import end_of_week, local_date, utcnow
from tracker.storage import audit, snapshots
from tracker.storage.common import bump, check_revision, lock
from tracker.storage.complaints import get_complaint_row
from tracker.storage.employees import get_employee
from tracker.storage.handbook_versions import standards, version_in_force
from tracker.storage.models import (
    ActionComplaint,
    ActionRule,
    Complaint,
    CorrectiveAction,
    Employee,
    FollowUp,
    HandbookLevel,
)

PAGE = 50


def suggest(session: Session, employee_number: str, *, today: date | None = None) -> Suggestion:
    """The next ladder step for an employee, with the reason in words."""
    today = today or local_date(utcnow())
    employee = get_employee(session, employee_number)
    std = standards(session, version_in_force(session))
    prior = [
        PriorAction(level, step, issued_on)
        for level, step, issued_on in session.exec(
            select(CorrectiveAction.level, CorrectiveAction.step, CorrectiveAction.issued_on).where(
                CorrectiveAction.employee_id == employee.id
            )
        ).all()
    ]
    return suggest_next(std.ladder, std.look_back, prior, today)


def _links(session: Session, action_id: int) -> tuple[list[str], list[str]]:
    refs = session.exec(
        select(Complaint.ref).join(ActionComplaint, ActionComplaint.complaint_id == Complaint.id)
        .where(ActionComplaint.action_id == action_id).order_by(Complaint.ref)
    ).all()
    rules = session.exec(
        select(ActionRule.rule_id).where(ActionRule.action_id == action_id).order_by(ActionRule.rule_id)
    ).all()
    return list(refs), list(rules)


def _snapshot(session: Session, action: CorrectiveAction) -> dict:
    employee = session.get(Employee, action.employee_id)
    refs, rules = _links(session, action.id or 0)
    return snapshots.action(action, employee.number if employee else "?", refs, rules)


def issue_action(
    data: ActionInput, *, session: Session, actor: str, now: datetime | None = None, today: date | None = None
) -> CorrectiveAction:
    now = now or utcnow()
    today = today or local_date(now)
    employee = get_employee(session, data.employee_number)
    if not employee.active:
        raise InputError("employee", f"{employee.number} ({employee.name}) is inactive")
    if data.issued_on > today:
        raise InputError("issued_on", f"{data.issued_on} is in the future")
    if data.issued_on < employee.hire_date:
        raise InputError("issued_on", f"{data.issued_on} is before {employee.number} was hired ({employee.hire_date})")
    version = version_in_force(session)
    std = standards(session, version)
    suggestion = suggest(session, employee.number, today=data.issued_on)
    code = (data.level or suggestion.level.code).strip().lower()
    try:
        level = std.level(code)
    except KeyError:
        raise InputError("level", f"'{code}' is not a ladder level ({', '.join(l.code for l in std.ladder)})") from None
    check_level_choice(suggestion, level, data.gross_misconduct_reason)
    is_final = level.step == len(std.ladder)
    if is_final:
        if data.follow_up_due is not None:
            raise InputError("follow_up_due", f"{level.name} ends employment and takes no follow-up date")
        due = None
    else:
        assert level.follow_up is not None
        due = data.follow_up_due or level.follow_up.after(data.issued_on)
    unknown = [rule_id for rule_id in data.rule_ids if rule_id not in std.rule_titles]
    if unknown:
        raise InputError("rule_ids", f"{unknown[0]} is not a rule of handbook version {version.label}")
    complaints: list[Complaint] = []
    for ref in data.complaint_refs:
        complaint = get_complaint_row(session, ref)
        if complaint.employee_id not in (None, employee.id):
            raise InputError("complaint_refs", f"{complaint.ref} is about another employee")
        complaints.append(complaint)
    action = CorrectiveAction(
        employee_id=employee.id or 0,
        version_id=version.id or 0,
        level=level.code,
        step=level.step,
        is_final=is_final,
        expectations=data.expectations,
        issued_on=data.issued_on,
        issued_by=actor,
        follow_up_due=due,
        gross_misconduct_reason=data.gross_misconduct_reason,
        suggested_level=suggestion.level.code,
        suggestion_reason=suggestion.reason,
        status="open",
        created_at=now,
        updated_at=now,
        updated_by=actor,
        revision=1,
    )
    session.add(action)
    session.flush()
    for complaint in complaints:
        session.add(ActionComplaint(action_id=action.id or 0, complaint_id=complaint.id or 0))
    for rule_id in data.rule_ids:
        session.add(ActionRule(action_id=action.id or 0, rule_id=rule_id, version_id=version.id or 0))
    session.flush()
    audit.append(session, actor=actor, action="action.issue", entity="corrective_action", key=str(action.id),
                 after=_snapshot(session, action), at=now)
    return action


def get_action_row(session: Session, action_id: int, *, for_update: bool = False) -> CorrectiveAction:
    statement = select(CorrectiveAction).where(CorrectiveAction.id == action_id)
    if for_update:
        statement = lock(session, statement)
    action = session.exec(statement).first()
    if action is None:
        raise NotFound("action", f"no corrective action with id {action_id}")
    return action


def _change(session: Session, action: CorrectiveAction, before: dict, name: str, actor: str, now: datetime) -> None:
    bump(action, actor, now)
    session.add(action)
    session.flush()
    audit.append(session, actor=actor, action=name, entity="corrective_action", key=str(action.id),
                 before=before, after=_snapshot(session, action), at=now)


def record_response(
    action_id: int, data: ResponseInput, *, session: Session, actor: str, expected_revision: int | None = None,
    now: datetime | None = None,
) -> CorrectiveAction:
    """The employee's written response; a later response is added, never replaces."""
    now = now or utcnow()
    action = get_action_row(session, action_id, for_update=True)
    check_revision(action, expected_revision, f"action {action_id}")
    before = _snapshot(session, action)
    stamped = f"[{local_date(now)}] {data.text}"
    action.employee_response = stamped if not action.employee_response else f"{action.employee_response}\n\n{stamped}"
    _change(session, action, before, "action.respond", actor, now)
    return action


def record_follow_up(
    action_id: int, data: FollowUpInput, *, session: Session, actor: str, expected_revision: int | None = None,
    now: datetime | None = None,
) -> FollowUp:
    now = now or utcnow()
    action = get_action_row(session, action_id, for_update=True)
    check_revision(action, expected_revision, f"action {action_id}")
    if action.status != "open":
        raise InputError("action", f"action {action_id} is closed")
    if action.is_final:
        raise InputError("action", f"action {action_id} ended employment; it has no follow-ups")
    if data.held_on < action.issued_on:
        raise InputError("held_on", f"{data.held_on} is before the action was issued ({action.issued_on})")
    if data.held_on > local_date(now):
        raise InputError("held_on", f"{data.held_on} is in the future")
    before = _snapshot(session, action)
    follow_up = FollowUp(action_id=action_id, held_on=data.held_on, outcome=data.outcome, notes=data.notes,
                         new_due_date=data.new_due_date, recorded_by=actor, recorded_at=now)
    session.add(follow_up)
    session.flush()
    audit.append(session, actor=actor, action="action.follow-up", entity="follow_up", key=str(follow_up.id),
                 after=snapshots.follow_up(follow_up), at=now)
    if data.outcome == "more_time":
        action.follow_up_due = data.new_due_date
        action.follow_up_done = False
    else:
        action.follow_up_done = True
    _change(session, action, before, "action.follow-up-outcome", actor, now)
    return follow_up


def close_action(
    action_id: int, data: CloseInput, *, session: Session, actor: str, expected_revision: int | None = None,
    now: datetime | None = None,
) -> CorrectiveAction:
    now = now or utcnow()
    action = get_action_row(session, action_id, for_update=True)
    check_revision(action, expected_revision, f"action {action_id}")
    if action.status == "closed":
        raise InputError("action", f"action {action_id} was already closed on {action.closed_on}")
    if data.closed_on < action.issued_on:
        raise InputError("closed_on", f"{data.closed_on} is before the action was issued ({action.issued_on})")
    if data.closed_on > local_date(now):
        raise InputError("closed_on", f"{data.closed_on} is in the future")
    before = _snapshot(session, action)
    action.status = "closed"
    action.closed_on = data.closed_on
    action.effectiveness_check = data.effectiveness_check
    _change(session, action, before, "action.close", actor, now)
    return action


# --- reading -----------------------------------------------------------------


@dataclass(frozen=True)
class ActionView:
    action: CorrectiveAction
    employee_number: str
    employee_name: str
    level_name: str
    complaint_refs: list[str]
    rule_ids: list[str]
    follow_ups: list[FollowUp]

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
            "follow_ups": [
                {"held_on": f.held_on.isoformat(), "outcome": f.outcome, "notes": f.notes,
                 "new_due_date": f.new_due_date.isoformat() if f.new_due_date else None}
                for f in self.follow_ups
            ],
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
    refs, rules = _links(session, action_id)
    follow_ups = session.exec(
        select(FollowUp).where(FollowUp.action_id == action_id).order_by(col(FollowUp.held_on), col(FollowUp.id))
    ).all()
    return ActionView(action, employee.number if employee else "?", employee.name if employee else "?",
                      _level_name(session, action), refs, rules, list(follow_ups))


def actions_of(session: Session, employee_number: str) -> list[ActionView]:
    employee = get_employee(session, employee_number)
    ids = session.exec(
        select(CorrectiveAction.id).where(CorrectiveAction.employee_id == employee.id)
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


def list_actions(
    session: Session,
    *,
    state: str = "open",  # open, overdue, due (overdue or due this week), closed, all
    employee_number: str | None = None,
    today: date | None = None,
    after: "ActionRow | None" = None,
    limit: int = PAGE,
) -> list[ActionRow]:
    """One page; pass the last row of the previous page as ``after``.

    Follow-up lists (overdue, due) are ordered by due date, the others newest first.
    """
    today = today or local_date(utcnow())
    statement = select(
        CorrectiveAction.id, Employee.number, Employee.name, CorrectiveAction.level, CorrectiveAction.issued_on,
        CorrectiveAction.follow_up_due, CorrectiveAction.follow_up_done, CorrectiveAction.status,
    ).join(Employee, Employee.id == CorrectiveAction.employee_id)
    pending_follow_up = (CorrectiveAction.status == "open") & (CorrectiveAction.follow_up_done == False)  # noqa: E712
    if state == "open":
        statement = statement.where(CorrectiveAction.status == "open")
    elif state == "closed":
        statement = statement.where(CorrectiveAction.status == "closed")
    elif state == "overdue":
        statement = statement.where(pending_follow_up, CorrectiveAction.follow_up_due < today)
    elif state == "due":
        statement = statement.where(pending_follow_up, CorrectiveAction.follow_up_due <= end_of_week(today))
    elif state != "all":
        raise InputError("state", f"'{state}' is not one of open, overdue, due, closed, all")
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
            statement = statement.where(CorrectiveAction.id < after.id)
        statement = statement.order_by(col(CorrectiveAction.id).desc())
    return [ActionRow(*row) for row in session.exec(statement.limit(limit)).all()]
