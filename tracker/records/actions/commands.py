"""Corrective actions: issued on the handbook's ladder, followed up, closed
only with an effectiveness check.

The suggested level and its reason are stored with every action, next to the
level actually chosen, so a decision to skip steps is visible in the record.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from tracker.audit import chain as audit
from tracker.audit import snapshots
from tracker.db.models import (
    ActionComplaint,
    ActionRule,
    Complaint,
    CorrectiveAction,
    Employee,
    FollowUp,
)
from tracker.db.revisions import bump, check_revision
from tracker.domain import action_flow as flow
from tracker.domain.errors import InputError
from tracker.domain.inputs import ActionInput, CloseInput, FollowUpInput, ResponseInput
from tracker.domain.ladder import (
    check_level_choice,
)
from tracker.domain.timeutil import local_date, not_in_future, utcnow
from tracker.records.actions.queries import get_action_row, links_of, suggest
from tracker.records.complaints.queries import get_complaint_row
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import standards, version_in_force


def _snapshot(session: Session, action: CorrectiveAction) -> dict:
    employee = session.get(Employee, action.employee_id)
    refs, rules = links_of(session, action.id or 0)
    return snapshots.action(action, employee.number if employee else "?", refs, rules)


def issue_action(
    data: ActionInput, *, session: Session, actor: str, now: datetime | None = None, today: date | None = None
) -> CorrectiveAction:
    now = now or utcnow()
    today = today or local_date(now)
    employee = get_employee(session, data.employee_number)
    if not employee.active:
        raise InputError("employee", f"{employee.number} ({employee.name}) is inactive")
    not_in_future("issued_on", data.issued_on, today)
    if data.issued_on < employee.hire_date:
        raise InputError("issued_on", f"{data.issued_on} is before {employee.number} was hired ({employee.hire_date})")
    version = version_in_force(session)
    std = standards(session, version)
    suggestion = suggest(session, employee.number, today=data.issued_on)
    code = (data.level or suggestion.level.code).strip().lower()
    try:
        level = std.level(code)
    except KeyError:
        raise InputError(
            "level", f"'{code}' is not a ladder level ({', '.join(level.code for level in std.ladder)})"
        ) from None
    check_level_choice(suggestion, level, data.gross_misconduct_reason)
    is_final = level.step == len(std.ladder)
    if is_final:
        if data.follow_up_due is not None:
            raise InputError("follow_up_due", f"{level.name} ends employment and takes no follow-up date")
        due = None
    else:
        assert level.follow_up is not None
        due = data.follow_up_due or level.follow_up.after(data.issued_on)
    problem = std.citation_problem(data.rule_ids)
    if problem:
        raise InputError("rule_ids", problem)
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
        status=flow.OPEN,
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
    audit.append(
        session,
        actor=actor,
        action="action.issue",
        entity="corrective_action",
        key=str(action.id),
        after=_snapshot(session, action),
        at=now,
    )
    return action


def _opened(session: Session, action_id: int, expected_revision: int | None) -> CorrectiveAction:
    """The action, locked for this change; refused if someone saved it since the user opened it."""
    action = get_action_row(session, action_id, for_update=True)
    check_revision(action, expected_revision, f"action {action_id}")
    return action


def _check_step_date(action: CorrectiveAction, field: str, day: date, now: datetime) -> None:
    """A follow-up or a closing happens after the action was issued, and not in the future."""
    if day < action.issued_on:
        raise InputError(field, f"{day} is before the action was issued ({action.issued_on})")
    not_in_future(field, day, now)


def _change(session: Session, action: CorrectiveAction, before: dict, name: str, actor: str, now: datetime) -> None:
    bump(action, actor, now)
    session.add(action)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action=name,
        entity="corrective_action",
        key=str(action.id),
        before=before,
        after=_snapshot(session, action),
        at=now,
    )


def record_response(
    action_id: int,
    data: ResponseInput,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> CorrectiveAction:
    """The employee's written response; a later response is added, never replaces."""
    now = now or utcnow()
    action = _opened(session, action_id, expected_revision)
    before = _snapshot(session, action)
    stamped = f"[{local_date(now)}] {data.text}"
    action.employee_response = stamped if not action.employee_response else f"{action.employee_response}\n\n{stamped}"
    _change(session, action, before, "action.respond", actor, now)
    return action


def record_follow_up(
    action_id: int,
    data: FollowUpInput,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> FollowUp:
    now = now or utcnow()
    action = _opened(session, action_id, expected_revision)
    if not flow.can_follow_up(action.status, action.is_final):
        if action.is_final:
            raise InputError("action", f"action {action_id} ended employment; it has no follow-ups")
        raise InputError("action", f"action {action_id} is closed")
    _check_step_date(action, "held_on", data.held_on, now)
    before = _snapshot(session, action)
    follow_up = FollowUp(
        action_id=action_id,
        held_on=data.held_on,
        outcome=data.outcome,
        notes=data.notes,
        new_due_date=data.new_due_date,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(follow_up)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="action.follow-up",
        entity="follow_up",
        key=str(follow_up.id),
        after=snapshots.follow_up(follow_up),
        at=now,
    )
    if data.outcome == flow.MORE_TIME:
        action.follow_up_due = data.new_due_date
        action.follow_up_done = False
    else:
        action.follow_up_done = True
    _change(session, action, before, "action.follow-up-outcome", actor, now)
    return follow_up


def close_action(
    action_id: int,
    data: CloseInput,
    *,
    session: Session,
    actor: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
) -> CorrectiveAction:
    now = now or utcnow()
    action = _opened(session, action_id, expected_revision)
    if not flow.can_close(action.status):
        raise InputError("action", f"action {action_id} was already closed on {action.closed_on}")
    _check_step_date(action, "closed_on", data.closed_on, now)
    before = _snapshot(session, action)
    action.status = flow.CLOSED
    action.closed_on = data.closed_on
    action.effectiveness_check = data.effectiveness_check
    _change(session, action, before, "action.close", actor, now)
    return action
