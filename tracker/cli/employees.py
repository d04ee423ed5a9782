"""``tracker employees``: the roster."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from tracker.cli import context
from tracker.cli.output import (
    Format,
    emit,
    report_row_errors,
    say,
    say_heading,
    say_json,
)
from tracker.domain.errors import InputError, RowErrors
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate, validate
from tracker.storage import employees as store
from tracker.storage.signoffs import signoffs_of

app = typer.Typer(help="Employees: add, change, deactivate, list, import a roster.", no_args_is_help=True)


def employee_dict(e) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {"number": e.number, "name": e.name, "team": e.team, "hire_date": e.hire_date, "active": e.active,
            "revision": e.revision}


@app.command("add")
def add(
    ctx: typer.Context,
    number: str = typer.Option(..., "--number", help="Employee number, unique (e.g. E-1042)."),
    name: str = typer.Option(..., "--name", help="Full name as it appears on the signed form."),
    team: str = typer.Option(..., "--team", help="Team or shift the employee works in."),
    hire_date: str = typer.Option(..., "--hire-date", help="First working day, YYYY-MM-DD (starts the sign-off grace period)."),
) -> None:
    """Add an employee."""
    c = context.get(ctx)
    data = validate(EmployeeInput, number=number, name=name, team=team, hire_date=hire_date)
    employee = c.write(lambda s: store.add_employee(data, session=s, actor=c.actor))
    say(f"Added {employee.number} {employee.name} ({employee.team}).")


@app.command("update")
def update(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Employee number."),
    name: Optional[str] = typer.Option(None, "--name", help="New full name."),
    team: Optional[str] = typer.Option(None, "--team", help="New team."),
    hire_date: Optional[str] = typer.Option(None, "--hire-date", help="Corrected hire date, YYYY-MM-DD."),
) -> None:
    """Change an employee's name, team or hire date."""
    c = context.get(ctx)
    if name is None and team is None and hire_date is None:
        raise InputError("update", "give at least one of --name, --team, --hire-date")
    changes = validate(EmployeeUpdate, name=name, team=team, hire_date=hire_date)
    employee = c.write(lambda s: store.update_employee(number, changes, session=s, actor=c.actor))
    say(f"Updated {employee.number}: {employee.name}, {employee.team}, hired {employee.hire_date}.")


@app.command("deactivate")
def deactivate(ctx: typer.Context, number: str = typer.Argument(..., help="Employee number.")) -> None:
    """Mark an employee as having left. Their records are kept; nothing is deleted."""
    c = context.get(ctx)
    employee = c.write(lambda s: store.set_active(number, False, session=s, actor=c.actor))
    say(f"{employee.number} {employee.name} is now inactive.")


@app.command("reactivate")
def reactivate(ctx: typer.Context, number: str = typer.Argument(..., help="Employee number.")) -> None:
    """Mark a returning employee active again."""
    c = context.get(ctx)
    employee = c.write(lambda s: store.set_active(number, True, session=s, actor=c.actor))
    say(f"{employee.number} {employee.name} is active again.")


@app.command("list")
def list_command(
    ctx: typer.Context,
    search: Optional[str] = typer.Option(None, "--search", help="Words in the name, or the start of the number."),
    team: Optional[str] = typer.Option(None, "--team", help="Only this team."),
    status: str = typer.Option("active", "--status", help="active, inactive or all."),
    limit: int = typer.Option(1000, "--limit", min=1, help="At most this many rows."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """List employees by name."""
    states = {"active": True, "inactive": False, "all": None}
    if status not in states:
        raise InputError("status", f"'{status}' is not one of active, inactive, all")
    c = context.get(ctx)
    flt = store.EmployeeFilter(search=search, team=team, active=states[status])
    rows: list[dict[str, object]] = []
    with c.session() as session:
        after = None
        while len(rows) < limit:
            want = min(500, limit - len(rows))
            page = store.list_employees(session, flt, after=after, limit=want)
            rows.extend(employee_dict(e) for e in page)
            if len(page) < want:
                break
            after = (page[-1].name, page[-1].id or 0)
    emit(rows, ["number", "name", "team", "hire_date", "active"], fmt,
         empty="No employees match. Add one with 'tracker employees add' or import a roster CSV.")


@app.command("show")
def show(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Employee number."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """One employee with their sign-offs. ('tracker report employee' prints the whole file.)"""
    c = context.get(ctx)
    with c.session() as session:
        employee = store.get_employee(session, number)
        signed = signoffs_of(session, number)
    data = employee_dict(employee) | {
        "signoffs": [
            {"id": v.signoff.id, "version": v.version_label, "signed_on": v.signoff.signed_on,
             "method": v.signoff.method, "valid": v.valid}
            for v in signed
        ]
    }
    if fmt == Format.json:
        say_json(data)
        return
    say_heading(f"{employee.number} {employee.name}", f" — {employee.team}, hired {employee.hire_date}, "
                f"{'active' if employee.active else 'inactive'}")
    emit(data["signoffs"], ["id", "version", "signed_on", "method", "valid"], fmt, empty="No sign-offs yet.")  # type: ignore[arg-type]


@app.command("import")
def import_roster(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="CSV with columns number, name, team, hire_date and optionally active (yes/no)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Import a roster: all rows or none. Existing numbers are updated; an identical re-import changes nothing."""
    c = context.get(ctx)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("file", f"cannot read {path}: {exc.strerror}") from None
    try:
        result = c.write(lambda s: store.import_roster(data, session=s, actor=c.actor))
    except RowErrors as exc:
        report_row_errors(path.name, exc.errors, fmt)
        raise
    if fmt == Format.json:
        say_json({"imported": True} | result.as_dict())
        return
    say(f"Imported {path.name}: {len(result.added)} added, {len(result.updated)} updated, {result.unchanged} unchanged.")
