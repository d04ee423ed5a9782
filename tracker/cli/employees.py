"""``tracker employees``: the roster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TypeVar

import typer

from tracker.cli import context
from tracker.cli.output import (
    Format,
    emit,
    report_row_errors,
    say,
    say_heading,
    say_ignored,
    say_json,
)
from tracker.domain.errors import InputError, RowErrors
from tracker.domain.limits import LARGEST_INTEGER

if TYPE_CHECKING:
    from pydantic import BaseModel

    from tracker.db.models import Employee

_M = TypeVar("_M", bound="BaseModel")

app = typer.Typer(help="Employees: add, change, deactivate, list, import a roster.", no_args_is_help=True)


def validate(model: type[_M], **data: Any) -> _M:
    """``domain.inputs.validate``, by a name of this module: a test stands in for the check here."""
    from tracker.domain.inputs import validate as checked

    return checked(model, **data)


def employee_dict(e: "Employee") -> dict[str, object]:
    return {
        "number": e.number,
        "name": e.name,
        "team": e.team,
        "hire_date": e.hire_date,
        "active": e.active,
        "revision": e.revision,
    }


@app.command("add")
def add(
    ctx: typer.Context,
    number: str = typer.Option(..., "--number", help="Employee number, unique (e.g. E-1042)."),
    name: str = typer.Option(..., "--name", help="Full name as it appears on the signed form."),
    team: str = typer.Option(..., "--team", help="Team or shift the employee works in."),
    hire_date: str = typer.Option(
        ..., "--hire-date", help="First working day, YYYY-MM-DD (starts the sign-off grace period)."
    ),
) -> None:
    """Add an employee."""
    from tracker.domain.inputs import EmployeeInput
    from tracker.records.employees import commands as employee_commands

    c = context.backend(ctx)
    data = validate(EmployeeInput, number=number, name=name, team=team, hire_date=hire_date)
    employee = c.write(lambda s: employee_commands.add_employee(data, session=s, actor=c.actor))
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
    from tracker.domain.inputs import EmployeeUpdate
    from tracker.records.employees import commands as employee_commands

    c = context.backend(ctx)
    if name is None and team is None and hire_date is None:
        raise InputError("update", "give at least one of --name, --team, --hire-date")
    changes = validate(EmployeeUpdate, name=name, team=team, hire_date=hire_date)
    employee = c.write(lambda s: employee_commands.update_employee(number, changes, session=s, actor=c.actor))
    say(f"Updated {employee.number}: {employee.name}, {employee.team}, hired {employee.hire_date}.")


@app.command("deactivate")
def deactivate(ctx: typer.Context, number: str = typer.Argument(..., help="Employee number.")) -> None:
    """Mark an employee as having left. Their records are kept; nothing is deleted."""
    from tracker.records.employees import commands as employee_commands

    c = context.backend(ctx)
    employee = c.write(lambda s: employee_commands.set_active(number, False, session=s, actor=c.actor))
    say(f"{employee.number} {employee.name} is now inactive.")


@app.command("reactivate")
def reactivate(ctx: typer.Context, number: str = typer.Argument(..., help="Employee number.")) -> None:
    """Mark a returning employee active again."""
    from tracker.records.employees import commands as employee_commands

    c = context.backend(ctx)
    employee = c.write(lambda s: employee_commands.set_active(number, True, session=s, actor=c.actor))
    say(f"{employee.number} {employee.name} is active again.")


@app.command("list")
def list_command(
    ctx: typer.Context,
    search: Optional[str] = typer.Option(
        None, "--search", help="Words in the name (accents and case aside: zoe finds Zoë), or the start of the number."
    ),
    team: Optional[str] = typer.Option(None, "--team", help="Only this team."),
    status: str = typer.Option("active", "--status", help="active, inactive or all."),
    limit: int = typer.Option(1000, "--limit", min=1, max=LARGEST_INTEGER, help="At most this many rows."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """List employees by name."""
    from tracker.records.employees import queries as employee_queries
    from tracker.reporting.paging import every_page

    states = {"active": True, "inactive": False, "all": None}
    if status not in states:
        raise InputError("status", f"'{status}' is not one of active, inactive, all")
    c = context.backend(ctx)
    flt = employee_queries.EmployeeFilter(search=search, team=team, active=states[status])
    rows = c.read(
        lambda s: [
            employee_dict(e)
            for e in every_page(
                lambda after, n: employee_queries.list_employees(s, flt, after=after, limit=n),
                lambda e: (e.name, e.id or 0),
                limit=limit,
            )
        ]
    )
    emit(
        rows,
        ["number", "name", "team", "hire_date", "active"],
        fmt,
        empty="No employees match. Add one with 'tracker employees add' or import a roster CSV.",
    )


@app.command("show")
def show(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Employee number."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """One employee with their sign-offs. ('tracker report employee' prints the whole file.)"""
    from tracker.records.employees import queries as employee_queries
    from tracker.records.signoffs.queries import signoffs_of

    c = context.backend(ctx)
    employee, signed = c.read(lambda s: (employee_queries.get_employee(s, number), signoffs_of(s, number)))
    signoffs: list[dict[str, object]] = [
        {
            "id": v.signoff.id,
            "version": v.version_label,
            "signed_on": v.signoff.signed_on,
            "method": v.signoff.method,
            "valid": v.valid,
        }
        for v in signed
    ]
    data = employee_dict(employee) | {"signoffs": signoffs}
    if fmt == Format.json:
        say_json(data)
        return
    say_heading(
        f"{employee.number} {employee.name}",
        f" — {employee.team}, hired {employee.hire_date}, {'active' if employee.active else 'inactive'}",
    )
    emit(signoffs, ["id", "version", "signed_on", "method", "valid"], fmt, empty="No sign-offs yet.")


@app.command("import")
def import_roster(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., help="CSV with columns number, name, team, hire_date and optionally active (yes/no)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Import a roster: all rows or none. Existing numbers are updated; an identical re-import changes nothing."""
    from tracker.records.employees import roster as employee_roster

    c = context.backend(ctx)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("file", f"cannot read {path}: {exc.strerror}") from None
    try:
        result = c.write(lambda s: employee_roster.import_roster(data, session=s, actor=c.actor))
    except RowErrors as exc:
        report_row_errors(path.name, exc.errors, fmt)
        raise
    if fmt == Format.json:
        say_json({"imported": True} | result.as_dict())
        return
    say_ignored(path.name, result.ignored_columns)
    say(
        f"Imported {path.name}: {len(result.added)} added, {len(result.updated)} updated, {result.unchanged} unchanged."
    )
