"""``tracker report``: compliance and service reports, and the employee file."""

from __future__ import annotations

from typing import Optional

import typer

from tracker.cli import context
from tracker.cli.output import Format, PrintFormat, emit, say, say_json
from tracker.domain.errors import InputError
from tracker.domain.periods import format_seconds
from tracker.domain.timeutil import parse_date, today
from tracker.storage import reports as store
from tracker.storage.actions import list_actions
from tracker.storage.dashboard import compliance_report
from tracker.storage.printouts import (
    employee_file_dict,
    employee_file_html,
    employee_file_markdown,
)

app = typer.Typer(help="Reports: sign-off compliance, first-response attainment, complaints, actions, employee file.",
                  no_args_is_help=True)


def _period(since: Optional[str], until: Optional[str], days: int) -> store.Period:
    end = parse_date(until, "to") if until else today()
    start = parse_date(since, "from") if since else store.last_days(days, end).start
    if start > end:
        raise InputError("from", "is after --to")
    return store.Period(start, end)


_FROM = typer.Option(None, "--from", help="First day, YYYY-MM-DD (default: 90 days before --to).")
_TO = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (default: today).")


@app.command("compliance")
def compliance(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv.")) -> None:
    """Sign-off compliance by team for the current material handbook version."""
    c = context.get(ctx)
    with c.session() as session:
        label, teams = compliance_report(session)
    rows = [{"team": t.team, "active": t.active, "signed": t.signed, "pending": t.pending,
             "percent": round(t.percent, 1)} for t in teams]
    total_active = sum(t.active for t in teams)
    total_signed = sum(t.signed for t in teams)
    if fmt == Format.json:
        say_json({"version": label, "active": total_active, "signed": total_signed, "teams": rows})
        return
    if fmt == Format.table:
        pct = 100.0 * total_signed / total_active if total_active else 100.0
        say(f"Handbook {label}: {total_signed} of {total_active} active employees signed ({pct:.1f}%).")
    emit(rows, ["team", "active", "signed", "pending", "percent"], fmt, empty="No active employees.")


@app.command("first-response")
def first_response(
    ctx: typer.Context, since: Optional[str] = _FROM, until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """First-response attainment by channel against the handbook's targets."""
    c = context.get(ctx)
    period = _period(since, until, 90)
    with c.session() as session:
        rows = [r.as_dict() for r in store.first_response_attainment(session, period)]
    if fmt == Format.table:
        for row in rows:
            row["target"] = format_seconds(row["target_seconds"])  # type: ignore[arg-type]
            row["mean_first_response"] = format_seconds(row["mean_first_response_seconds"])  # type: ignore[arg-type]
        say(f"Complaints received {period.start} to {period.end}.")
        emit(rows, ["channel", "target", "complaints", "within_target", "missed", "waiting", "attainment_percent",
                    "mean_first_response"], fmt)
        return
    emit(rows, list(rows[0]) if rows else ["channel"], fmt)


@app.command("complaints-by-rule")
def by_rule(
    ctx: typer.Context, since: Optional[str] = _FROM, until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """How often each rule was cited in complaints."""
    c = context.get(ctx)
    with c.session() as session:
        rows = store.complaints_by_rule(session, _period(since, until, 90))
    emit(rows, ["rule", "title", "complaints"], fmt, empty="No complaint cited a rule in this period.")


@app.command("complaints-by-month")
def by_month(
    ctx: typer.Context, since: Optional[str] = _FROM, until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Complaints per month, with first-response targets missed and dismissals."""
    c = context.get(ctx)
    with c.session() as session:
        rows = store.complaints_by_month(session, _period(since, until, 365))
    emit(rows, ["month", "complaints", "first_response_missed", "dismissed"], fmt, empty="No complaints in this period.")


@app.command("actions")
def actions(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv.")) -> None:
    """Open corrective actions, with overdue follow-ups marked."""
    c = context.get(ctx)
    now = today()
    with c.session() as session:
        rows = [
            {"id": r.id, "employee": r.employee_number, "name": r.employee_name, "level": r.level,
             "issued_on": r.issued_on, "follow_up_due": r.follow_up_due,
             "state": "overdue" if (r.follow_up_due and not r.follow_up_done and r.follow_up_due < now)
             else ("awaiting close" if r.follow_up_done or r.follow_up_due is None else "open")}
            for r in list_actions(session, state="open", today=now, limit=100_000)
        ]
    emit(rows, ["id", "employee", "name", "level", "issued_on", "follow_up_due", "state"], fmt,
         empty="No open corrective actions.")


@app.command("employee")
def employee(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Employee number."),
    fmt: PrintFormat = typer.Option(PrintFormat.md, "--format", help="md or html to print and file, json for scripts."),
) -> None:
    """The employee's complete file in date order: sign-offs, complaints, actions, follow-ups."""
    c = context.get(ctx)
    with c.session() as session:
        record = store.employee_file(session, number)
    if fmt == PrintFormat.html:
        typer.echo(employee_file_html(record))
    elif fmt == PrintFormat.json:
        say_json(employee_file_dict(record))
    elif fmt in (PrintFormat.md, PrintFormat.table):
        typer.echo(employee_file_markdown(record))
    else:
        emit([{"date": d, "kind": k, "text": t} for d, k, t in record.timeline()], ["date", "kind", "text"], fmt)
