"""``tracker actions``: corrective actions on the handbook's ladder."""

from __future__ import annotations

from typing import Optional

import typer

from tracker.cli import context
from tracker.cli.output import Format, emit, say, say_json
from tracker.domain.limits import LARGEST_INTEGER
from tracker.domain.timeutil import today

app = typer.Typer(help="Corrective actions: suggest the next step, issue, follow up, close.", no_args_is_help=True)


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    employee: str = typer.Option(..., "--employee", help="Employee number."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """The next ladder step for an employee, counting only actions inside the look-back window."""
    from tracker.records.actions import queries as action_queries

    c = context.backend(ctx)
    suggestion = c.read(lambda s: action_queries.suggest(s, employee, today=today()))
    if fmt != Format.table:
        say_json(
            {
                "level": suggestion.level.code,
                "level_name": suggestion.level.name,
                "step": suggestion.level.step,
                "reason": suggestion.reason,
            }
        )
        return
    say(
        f"Suggested: step {suggestion.level.step}, {suggestion.level.name} ({suggestion.level.code}) — {suggestion.reason}."
    )


@app.command("issue")
def issue(
    ctx: typer.Context,
    employee: str = typer.Option(..., "--employee", help="Employee number."),
    expectations: str = typer.Option(
        ..., "--expectations", help="What the employee must do differently, in plain words."
    ),
    level: Optional[str] = typer.Option(None, "--level", help="Ladder level code (default: the suggested next step)."),
    issued_on: Optional[str] = typer.Option(None, "--issued-on", help="Date issued, YYYY-MM-DD (default: today)."),
    follow_up_due: Optional[str] = typer.Option(
        None, "--follow-up-due", help="Follow-up date (default: from the ladder)."
    ),
    complaints: Optional[str] = typer.Option(
        None, "--complaints", help="Complaint references it answers, comma-separated."
    ),
    rules: Optional[str] = typer.Option(None, "--rules", help="Rule IDs breached, comma-separated."),
    gross_misconduct: Optional[str] = typer.Option(
        None, "--gross-misconduct", help="Required to skip ladder steps: the gross-misconduct reason."
    ),
) -> None:
    """Issue a corrective action."""
    from tracker.domain.inputs import ActionInput, validate
    from tracker.records.actions import commands as action_commands

    c = context.backend(ctx)
    data = validate(
        ActionInput,
        employee_number=employee,
        level=level,
        expectations=expectations,
        issued_on=issued_on or today(),
        follow_up_due=follow_up_due,
        complaint_refs=complaints or (),
        rule_ids=rules or (),
        gross_misconduct_reason=gross_misconduct,
    )
    action = c.write(lambda s: action_commands.issue_action(data, session=s, actor=c.actor))
    due = f", follow-up due {action.follow_up_due}" if action.follow_up_due else ""
    say(f"Issued action {action.id}: {action.level} for {employee.upper()}{due}.")


@app.command("respond")
def respond(
    ctx: typer.Context,
    action_id: int = typer.Argument(..., min=1, max=LARGEST_INTEGER, help="Action id."),
    text: str = typer.Option(..., "--text", help="The employee's written response, as they gave it."),
) -> None:
    """Record the employee's response to an action (their right to respond)."""
    from tracker.domain.inputs import ResponseInput, validate
    from tracker.records.actions import commands as action_commands

    c = context.backend(ctx)
    data = validate(ResponseInput, text=text)
    c.write(lambda s: action_commands.record_response(action_id, data, session=s, actor=c.actor))
    say(f"Response recorded on action {action_id}.")


@app.command("follow-up")
def follow_up(
    ctx: typer.Context,
    action_id: int = typer.Argument(..., min=1, max=LARGEST_INTEGER, help="Action id."),
    outcome: str = typer.Option(..., "--outcome", help="improved, not_improved or more_time."),
    held_on: Optional[str] = typer.Option(
        None, "--held-on", help="Date of the follow-up, YYYY-MM-DD (default: today)."
    ),
    notes: Optional[str] = typer.Option(None, "--notes", help="What was observed and agreed."),
    new_due_date: Optional[str] = typer.Option(
        None, "--new-due-date", help="Next follow-up date (required with more_time)."
    ),
) -> None:
    """Record a follow-up meeting and its outcome."""
    from tracker.domain.inputs import FollowUpInput, validate
    from tracker.records.actions import commands as action_commands

    c = context.backend(ctx)
    data = validate(FollowUpInput, held_on=held_on or today(), outcome=outcome, notes=notes, new_due_date=new_due_date)
    c.write(lambda s: action_commands.record_follow_up(action_id, data, session=s, actor=c.actor))
    say(f"Follow-up recorded on action {action_id}: {outcome}.")


@app.command("close")
def close(
    ctx: typer.Context,
    action_id: int = typer.Argument(..., min=1, max=LARGEST_INTEGER, help="Action id."),
    effectiveness_check: str = typer.Option(..., "--effectiveness-check", help="What shows the behaviour stopped."),
    closed_on: Optional[str] = typer.Option(None, "--closed-on", help="Date closed, YYYY-MM-DD (default: today)."),
) -> None:
    """Close an action with its effectiveness check."""
    from tracker.domain.inputs import CloseInput, validate
    from tracker.records.actions import commands as action_commands

    c = context.backend(ctx)
    data = validate(CloseInput, closed_on=closed_on or today(), effectiveness_check=effectiveness_check)
    c.write(lambda s: action_commands.close_action(action_id, data, session=s, actor=c.actor))
    say(f"Action {action_id} closed.")


@app.command("show")
def show(
    ctx: typer.Context,
    action_id: int = typer.Argument(..., min=1, max=LARGEST_INTEGER, help="Action id."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """One action with its follow-ups."""
    from tracker.records.actions import queries as action_queries

    c = context.backend(ctx)
    view = c.read(lambda s: action_queries.get_action(s, action_id))
    data = view.as_dict()
    if fmt != Format.table:
        say_json(data)
        return
    for key, value in data.items():
        if key != "follow_ups" and value not in (None, [], ""):
            say(f"{key.replace('_', ' '):<24} {value}")
    emit(view.follow_up_rows(), ["held_on", "outcome", "notes", "new_due_date"], fmt, empty="No follow-ups yet.")


def _rows(ctx: typer.Context, state: str, employee: Optional[str], limit: int | None) -> list[dict[str, object]]:
    """Every action of a list, with its follow-up state today (the same words as the app's and the report's)."""
    from tracker.reporting.actions import LIST_FIELDS, action_rows

    day = today()
    return context.backend(ctx).read(
        lambda session: action_rows(
            session, day=day, state=state, employee_number=employee, limit=limit, fields=LIST_FIELDS
        )
    )


@app.command("list")
def list_command(
    ctx: typer.Context,
    state: str = typer.Option("open", "--state", help="open, overdue, due, closed or all."),
    employee: Optional[str] = typer.Option(None, "--employee", help="Only this employee number."),
    limit: int = typer.Option(500, "--limit", min=1, max=LARGEST_INTEGER, help="At most this many rows."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """List corrective actions, with each one's follow-up state today."""
    from tracker.reporting.actions import LIST_FIELDS

    emit(_rows(ctx, state, employee, limit), list(LIST_FIELDS), fmt, empty="No corrective actions match.")


@app.command("due")
def due(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Follow-ups overdue and due by the end of this week."""
    emit(
        _rows(ctx, "due", None, None),
        ["id", "employee", "name", "level", "follow_up_due", "state"],
        fmt,
        empty="No follow-ups overdue or due this week.",
    )
