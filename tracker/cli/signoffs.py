"""``tracker signoffs``: record, revoke and chase handbook sign-offs."""

from __future__ import annotations

from typing import Optional

import typer

from tracker.cli import context
from tracker.cli.output import Format, emit, say, say_document, say_json
from tracker.domain.limits import LARGEST_INTEGER
from tracker.domain.timeutil import today

app = typer.Typer(help="Handbook sign-offs: record, revoke, list who still has to sign.", no_args_is_help=True)


@app.command("record")
def record(
    ctx: typer.Context,
    employee: str = typer.Option(..., "--employee", help="Employee number."),
    signed_on: str = typer.Option(..., "--signed-on", help="The date written on the signed form, YYYY-MM-DD."),
    method: str = typer.Option(
        ..., "--method", help="paper (form signed and filed) or terminal (signed in person here)."
    ),
    filing_ref: Optional[str] = typer.Option(
        None, "--filing-ref", help="Where the paper form is filed (required for paper)."
    ),
    version: Optional[str] = typer.Option(
        None, "--version", help="Handbook version signed (default: the version in force)."
    ),
    printed_name: Optional[str] = typer.Option(
        None, "--printed-name", help="Name as printed on the form (default: the employee's name)."
    ),
) -> None:
    """Record that an employee signed and dated the handbook's acknowledgement page."""
    from tracker.domain.inputs import SignoffInput, validate
    from tracker.records.signoffs import commands as signoff_commands

    c = context.backend(ctx)
    data = validate(
        SignoffInput,
        employee_number=employee,
        signed_on=signed_on,
        method=method,
        filing_ref=filing_ref,
        version_label=version,
        printed_name=printed_name,
    )
    signoff = c.write(lambda s: signoff_commands.record_signoff(data, session=s, actor=c.actor))
    say(f"Recorded sign-off {signoff.id}: {signoff.printed_name} — “{signoff.meaning}” signed {signoff.signed_on}.")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    signoff_id: int = typer.Argument(
        ..., min=1, max=LARGEST_INTEGER, help="Sign-off id (see 'tracker signoffs list')."
    ),
    reason: str = typer.Option(..., "--reason", help="Why the sign-off is not valid (kept in the record)."),
) -> None:
    """Revoke a sign-off. The original is kept; the revocation is a new record with the reason."""
    from tracker.domain.inputs import RevokeInput, validate
    from tracker.records.signoffs import commands as signoff_commands

    c = context.backend(ctx)
    data = validate(RevokeInput, reason=reason)
    c.write(lambda s: signoff_commands.revoke_signoff(signoff_id, data, session=s, actor=c.actor))
    say(f"Revoked sign-off {signoff_id}.")


@app.command("list")
def list_command(
    ctx: typer.Context,
    employee: str = typer.Option(..., "--employee", help="Employee number."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Every sign-off of one employee, valid or revoked."""
    from tracker.records.signoffs import queries as signoff_queries

    c = context.backend(ctx)
    views = c.read(lambda s: signoff_queries.signoffs_of(s, employee))
    rows = [
        {
            "id": v.signoff.id,
            "version": v.version_label,
            "signed_on": v.signoff.signed_on,
            "method": v.signoff.method,
            "filing_ref": v.signoff.filing_ref,
            "printed_name": v.signoff.printed_name,
            "meaning": v.signoff.meaning,
            "recorded_by": v.signoff.recorded_by,
            "valid": v.valid,
            "revoked_reason": v.revocation.reason if v.revocation else None,
        }
        for v in views
    ]
    columns = ["id", "version", "signed_on", "method", "filing_ref", "valid", "revoked_reason"]
    if fmt != Format.table:
        columns += ["printed_name", "meaning", "recorded_by"]
    emit(rows, columns, fmt, empty="No sign-offs recorded for this employee.")


@app.command("pending")
def pending(
    ctx: typer.Context,
    team: Optional[str] = typer.Option(None, "--team", help="Only this team."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Active employees who have not signed the current handbook: overdue first, then those still in their grace period."""
    from tracker.reporting.pending import pending_signoffs

    c = context.backend(ctx)
    report = c.read(lambda s: pending_signoffs(s, today=today(), team=team))
    people = report.overdue + report.in_grace
    items = [p.as_dict() for p in people]
    if fmt == Format.json:
        say_json(
            {
                "version": report.version,
                "material_version": report.material_version,
                "grace_period": report.grace_period,
                "pending": items,
            }
        )
        return
    rows = [
        item
        | {
            "changed_rules": ", ".join(f"{c.rule_id} ({c.change})" for c in person.changed_rules)
            if person.last_signed
            else "all rules (never signed)"
        }
        for person, item in zip(people, items)
    ]
    if fmt == Format.table:
        say(
            f"Handbook {report.version}; sign-off of {report.material_version} or later required; "
            f"grace period {report.grace_period}. {len(report.overdue)} overdue, {len(report.in_grace)} in grace period."
        )
    emit(
        rows,
        ["employee", "name", "team", "state", "due", "last_signed_version", "changed_rules"],
        fmt,
        empty="Everyone active has signed the current handbook.",
    )


@app.command("sheet")
def sheet(
    ctx: typer.Context,
    employee: str = typer.Argument(..., help="Employee number."),
    output: Optional[str] = typer.Option(
        None, "--output", help="Write the HTML here, readable only by you (default: print it)."
    ),
    replace: bool = typer.Option(False, "--replace", help="With --output: replace a file already there."),
) -> None:
    """The employee's re-signing pack: their acknowledgement form filled in, and the full text of the rules changed since they last signed."""
    from tracker.output.resign_pack import load_pack, render_pack

    c = context.backend(ctx)
    source = c.settings.handbook
    pack = c.read(lambda s: load_pack(s, employee, source))
    if pack.up_to_date:
        say(
            f"Nothing to re-sign: {pack.name} ({pack.number}) holds a valid sign-off of {pack.last_signed}, "
            f"which covers handbook {pack.version} in force."
        )
        return
    document = render_pack(pack, source)
    if output is None:
        say_document(document)
        return
    from tracker.output.files import export_path, write_export

    path = write_export(export_path(output, None), document, replace=replace, how_to_replace="pass --replace")
    what = f"{len(pack.rules)} rule(s) changed since {pack.last_signed}" if pack.last_signed else "every rule"
    say(
        f"Wrote the re-signing pack of {pack.number} for handbook {pack.version} ({what}) to {path} (readable only by you)."
    )
