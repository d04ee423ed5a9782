"""Forms of the corrective-action flow: issue (with the suggested level),
follow-up, the employee's response, and closing with the effectiveness check.

``issue_action_form`` works in a plain ``FormDialog``; pushed in a
``LiveFormDialog`` its fields also follow each other as the user types (the
follow-up date follows the chosen level, the final level takes none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from pydantic import BaseModel, model_validator
from textual.widgets import Input

from tracker.backend import Backend
from tracker.db.models import CorrectiveAction, FollowUp
from tracker.domain.action_flow import FOLLOW_UP_OUTCOMES
from tracker.domain.errors import InputError
from tracker.domain.handbook.model import LadderLevel, Standards
from tracker.domain.inputs import ActionInput, CloseInput, FollowUpInput, ResponseInput
from tracker.domain.ladder import Suggestion, check_level_choice
from tracker.domain.timeutil import today
from tracker.records.actions import commands as action_commands
from tracker.records.actions import queries as action_queries
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import standards, version_in_force
from tracker.ui.screens.complaints.forms import rule_options
from tracker.ui.widgets.form import Field, FormDialog, FormSpec, LiveFormSpec

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
DATE_HINT = "YYYY-MM-DD"


def _blank_to_none(data: Any, names: tuple[str, ...]) -> Any:
    if isinstance(data, dict):
        data = dict(data)
        for name in names:
            if isinstance(data.get(name), str) and not data[name].strip():
                data[name] = None
    return data


class ActionFields(ActionInput):
    """ActionInput as typed in the form: an empty date or level means 'the default'."""

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        return _blank_to_none(data, ("follow_up_due", "level"))


class FollowUpFields(FollowUpInput):
    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        return _blank_to_none(data, ("new_due_date",))


# --- issuing ------------------------------------------------------------------


@dataclass(frozen=True)
class IssueContext:
    """What the issue form needs: the standards in force and the suggestion."""

    std: Standards
    suggestion: Suggestion
    employee_number: str
    employee_name: str


def load_issue_context(session: Session, employee_number: str) -> IssueContext:
    employee = get_employee(session, employee_number)
    std = standards(session, version_in_force(session))
    return IssueContext(
        std, action_queries.suggest(session, employee.number, today=today()), employee.number, employee.name
    )


def employee_prompt_form(backend: Backend) -> FormSpec[IssueContext]:
    """Step 1 of issuing: whose action? Loads the suggestion for the next step."""

    def save(data: dict[str, Any]) -> IssueContext:
        number = str(data["employee_number"]).strip()
        return backend.read(lambda s: load_issue_context(s, number))

    return FormSpec(
        title="Issue a corrective action",
        intro="Type the employee's number. The next step on the ladder is suggested from their earlier actions.",
        fields=[Field("employee_number", "Employee number", placeholder="e.g. E-1042")],
        check=lambda data: {} if str(data.get("employee_number") or "").strip() else {"employee_number": "is required"},
        save=save,
        success=lambda ctx: f"Next step for {ctx.employee_number}: {ctx.suggestion.level.name}.",
        aliases={"employee": "employee_number"},
        save_label="Continue",
    )


def _level_label(level: LadderLevel, suggested: LadderLevel) -> str:
    follow = f"follow-up within {level.follow_up}" if level.follow_up else "no follow-up"
    mark = "  ← suggested" if level.code == suggested.code else ""
    return f"{level.step}. {level.name} ({follow}){mark}"


def issue_action_form(
    backend: Backend,
    std: Standards,
    suggestion: Suggestion,
    employee_number: str,
    *,
    employee_name: str | None = None,
) -> LiveFormSpec[CorrectiveAction]:
    """Issue an action to one employee, the suggested level pre-selected (overridable).

    Works in ``FormDialog``; in ``LiveFormDialog`` the follow-up date also follows
    the chosen level and is switched off for the final level.
    """
    number = employee_number.strip().upper()
    suggested = suggestion.level
    final = std.ladder[-1]
    issued = today()

    def level_of(code: Any) -> LadderLevel | None:
        try:
            return std.level(str(code)) if code else suggested
        except KeyError:
            return None

    def default_due(level: LadderLevel | None, issued_on: date) -> str:
        if level is None or level.follow_up is None or level.code == final.code:
            return ""
        return level.follow_up.after(issued_on).isoformat()

    prefilled = default_due(suggested, issued)

    def check(data: dict[str, Any]) -> dict[str, str]:
        level = level_of(data.get("level"))
        if level is None:
            return {"level": "choose a level of the ladder"}
        try:
            check_level_choice(suggestion, level, str(data.get("gross_misconduct_reason") or "").strip() or None)
        except InputError as exc:
            return {exc.field: exc.reason}
        return {}

    def save(data: dict[str, Any]) -> CorrectiveAction:
        values = dict(data)
        level = level_of(values.get("level"))
        if level is not None and level.code == final.code:
            values["follow_up_due"] = None  # the final level takes no follow-up
        elif level is not None and level.code != suggested.code and values.get("follow_up_due") == prefilled:
            values["follow_up_due"] = None  # untouched pre-fill of another level: the ladder's default
        model = ActionFields.model_validate(values)
        return backend.write(lambda s: action_commands.issue_action(model, session=s, actor=backend.actor))

    auto = {"due": prefilled}

    def react(dialog: FormDialog[Any], name: str) -> None:
        if name not in ("", "level", "issued_on"):
            return
        values = dialog.values()
        level = level_of(values.get("level"))
        due = dialog.query_one("#field-follow_up_due", Input)
        if level is not None and level.code == final.code:
            auto["due"] = ""
            due.value = ""
            due.placeholder = f"none: {final.name} takes no follow-up"
            due.disabled = True
        else:
            due.disabled = False
            due.placeholder = DATE_HINT
            try:
                issued_on = date.fromisoformat(str(values.get("issued_on") or "").strip())
            except ValueError:
                issued_on = issued
            if due.value in (auto["due"], ""):
                auto["due"] = default_due(level, issued_on)
                due.value = auto["due"]
        if name == "level":
            dialog.show_problems(dialog.problems(), only={"gross_misconduct_reason"})

    who = f"{number} {employee_name}" if employee_name else number
    return LiveFormSpec(
        title=f"Issue a corrective action to {who}",
        intro=(
            f"Suggested: step {suggested.step}, {suggested.name} — {suggestion.reason}.\n"
            f"Checked against handbook version {std.label}. You may choose another level; a level above the "
            "suggestion skips steps and needs the gross-misconduct reason."
        ),
        fields=[
            Field(
                "level",
                "Level",
                "select",
                [(_level_label(level, suggested), level.code) for level in std.ladder],
                value=suggested.code,
            ),
            Field("issued_on", "Issued on", value=issued.isoformat(), hint=DATE_HINT),
            Field(
                "follow_up_due",
                "Follow-up due",
                value=prefilled,
                placeholder=DATE_HINT,
                hint=f"From the ladder; change it if agreed otherwise. {final.name} takes none.",
            ),
            Field("expectations", "Expectations: what the employee must do differently", "longtext"),
            Field("gross_misconduct_reason", "Gross-misconduct reason (only to skip steps)", "longtext"),
            Field("rule_ids", "Rules breached (space to tick)", "multi", rule_options(std)),
            Field("complaint_refs", "Complaints it answers (optional)", placeholder="e.g. C-2026-00012, C-2026-00015"),
        ],
        model=ActionFields,
        fixed={"employee_number": number},
        check=check,
        save=save,
        success=lambda a: (
            f"Issued action {a.id}: {a.level} for {number}"
            + (f", follow-up due {a.follow_up_due}." if a.follow_up_due else ".")
        ),
        save_label="Issue action",
        react=react,
    )


# --- after issuing --------------------------------------------------------------
# ``revision`` returns the revision the user last saw; after a conflict the page
# reloads underneath the open form, so saving again applies to what they now see.


def _step_save(
    backend: Backend,
    view: action_queries.ActionView,
    model: type[M],
    command: Callable[..., T],
    revision: Callable[[], int] | None,
) -> Callable[[dict[str, Any]], T]:
    """The save of a form that takes one step on the open action, at the revision the user last saw."""
    action_id = view.action.id or 0
    current = revision or (lambda: view.action.revision)

    def save(data: dict[str, Any]) -> T:
        values = model.model_validate(data)
        return backend.write(
            lambda s: command(action_id, values, session=s, actor=backend.actor, expected_revision=current())
        )

    return save


def follow_up_form(
    backend: Backend,
    view: action_queries.ActionView,
    *,
    on_conflict: Callable[[], object] | None = None,
    revision: Callable[[], int] | None = None,
) -> LiveFormSpec[FollowUp]:
    action_id = view.action.id or 0
    save = _step_save(backend, view, FollowUpFields, action_commands.record_follow_up, revision)

    def react(dialog: FormDialog[Any], name: str) -> None:
        if name not in ("", "outcome"):
            return
        more_time = dialog.values().get("outcome") == "more_time"
        field = dialog.query_one("#field-new_due_date", Input)
        field.disabled = not more_time
        field.placeholder = DATE_HINT if more_time else "only for 'more time'"
        if not more_time:
            field.value = ""
        if name and (not more_time or "new_due_date" in dialog.touched):
            dialog.show_problems(dialog.problems(), only={"new_due_date"})

    due = f"due {view.action.follow_up_due}" if view.action.follow_up_due else "no date set"
    return LiveFormSpec(
        title=f"Record the follow-up of action {action_id} ({view.employee_number})",
        intro=f"{view.level_name}, follow-up {due}. Expectations: {view.action.expectations}",
        fields=[
            Field("held_on", "Held on", value=today().isoformat(), hint=DATE_HINT),
            Field(
                "outcome",
                "Outcome",
                "select",
                [(label.capitalize(), code) for code, label in FOLLOW_UP_OUTCOMES.items()],
            ),
            Field("new_due_date", "New follow-up date (for 'more time' only)", placeholder=DATE_HINT),
            Field("notes", "What was observed and agreed (optional)", "longtext"),
        ],
        model=FollowUpFields,
        save=save,
        success=lambda f: f"Follow-up recorded on action {action_id}: {FOLLOW_UP_OUTCOMES[f.outcome]}.",
        save_label="Record follow-up",
        on_conflict=on_conflict,
        react=react,
    )


def response_form(
    backend: Backend,
    view: action_queries.ActionView,
    *,
    on_conflict: Callable[[], object] | None = None,
    revision: Callable[[], int] | None = None,
) -> FormSpec[CorrectiveAction]:
    action_id = view.action.id or 0
    save = _step_save(backend, view, ResponseInput, action_commands.record_response, revision)

    return FormSpec(
        title=f"Record {view.employee_number}'s response to action {action_id}",
        intro="Write the employee's response as they gave it. A later response is added; it never replaces one.",
        fields=[Field("text", "The employee's response", "longtext")],
        model=ResponseInput,
        save=save,
        success=lambda _: f"Response recorded on action {action_id}.",
        save_label="Record response",
        on_conflict=on_conflict,
    )


def close_form(
    backend: Backend,
    view: action_queries.ActionView,
    *,
    on_conflict: Callable[[], object] | None = None,
    revision: Callable[[], int] | None = None,
) -> FormSpec[CorrectiveAction]:
    action_id = view.action.id or 0
    save = _step_save(backend, view, CloseInput, action_commands.close_action, revision)

    last = view.follow_ups[-1] if view.follow_ups else None
    history = (
        f"Last follow-up {last.held_on}: {FOLLOW_UP_OUTCOMES.get(last.outcome, last.outcome)}."
        if last
        else "No follow-up recorded yet."
    )
    return FormSpec(
        title=f"Close action {action_id} ({view.employee_number}, {view.level_name})",
        intro=f"{history} Closing needs the effectiveness check: did the behaviour change, and how do you know?",
        fields=[
            Field("closed_on", "Closed on", value=today().isoformat(), hint=DATE_HINT),
            Field("effectiveness_check", "Effectiveness check", "longtext"),
        ],
        model=CloseInput,
        save=save,
        success=lambda a: f"Action {action_id} closed.",
        save_label="Close action",
        on_conflict=on_conflict,
    )
