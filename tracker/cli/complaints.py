"""``tracker complaints``: log complaints and work them through the handbook's flow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from tracker.cli import context
from tracker.cli.output import (
    Format,
    emit,
    error_console,
    report_row_errors,
    say,
    say_ignored,
    say_json,
)
from tracker.domain import complaint_flow as flow
from tracker.domain.errors import InputError, RowErrors
from tracker.domain.limits import LARGEST_INTEGER
from tracker.domain.periods import Period, PeriodError, format_seconds
from tracker.domain.timeutil import as_utc, format_local, parse_date, today, utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.domain.inputs import OutcomeInput, ReplyInput
    from tracker.records.complaints.importing.bulk import ComplaintImportResult

app = typer.Typer(
    help="Customer complaints: log, acknowledge, reply, investigate, resolve or dismiss.", no_args_is_help=True
)

_NOW = "now"


@app.command("log")
def log(
    ctx: typer.Context,
    channel: str = typer.Option(
        ..., "--channel", help="Channel from the handbook's speed standards (e.g. email, chat)."
    ),
    summary: str = typer.Option(..., "--summary", help="What the customer complained about."),
    received_at: str = typer.Option(
        _NOW, "--received-at", help="When it arrived, local time 'YYYY-MM-DD HH:MM' (default: now)."
    ),
    employee: Optional[str] = typer.Option(None, "--employee", help="Employee number, if known."),
    rules: Optional[str] = typer.Option(None, "--rules", help="Rule IDs breached, e.g. 'CON-01,CON-04'."),
    severity: str = typer.Option("medium", "--severity", help="low, medium or high."),
    urgent: bool = typer.Option(False, "--urgent", help="Outage, publicity or key customer: answer immediately."),
    customer_name: Optional[str] = typer.Option(None, "--customer-name", help="Customer's name (optional)."),
    customer_contact: Optional[str] = typer.Option(
        None, "--customer-contact", help="Customer's email or phone (optional)."
    ),
    contact: Optional[str] = typer.Option(
        None, "--contact", help="The imported contact it came from, SOURCE:ID (e.g. zendesk:16988; optional)."
    ),
) -> None:
    """Log a complaint; prints its reference (e.g. C-2026-00042)."""
    from tracker.domain.inputs import ComplaintInput, validate
    from tracker.records.complaints import commands as complaint_commands

    c = context.backend(ctx)
    data = validate(
        ComplaintInput,
        channel=channel,
        summary=summary,
        received_at=utcnow() if received_at == _NOW else received_at,
        employee_number=employee,
        rule_ids=rules or (),
        severity=severity,
        urgent=urgent,
        customer_name=customer_name,
        customer_contact=customer_contact,
        contact=contact,
    )
    from tracker.records.complaints import queries as complaint_queries

    complaint = c.write(lambda s: complaint_commands.log_complaint(data, session=s, actor=c.actor))
    target = format_seconds(complaint.target_seconds)
    if c.read(lambda s: complaint_queries.get_complaint(s, complaint.ref)).target_missed:
        # Logged after the fact: saying "due within 2 min" of a complaint from Monday would mislead.
        due = format_local(as_utc(complaint.received_at) + timedelta(seconds=complaint.target_seconds))
        say(
            f"Logged {complaint.ref} ({complaint.channel}): its first response was due by {due} ({target}); "
            f"if a person answered in time, record it: tracker complaints acknowledge {complaint.ref} --at '{due}'"
        )
    else:
        say(f"Logged {complaint.ref} ({complaint.channel}, first response due within {target}).")


def _reply(at: str, automatic: bool, note: Optional[str]) -> "ReplyInput":
    from tracker.domain.inputs import ReplyInput, validate

    return validate(ReplyInput, replied_at=utcnow() if at == _NOW else at, automatic=automatic, note=note)


@app.command("acknowledge")
def acknowledge(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Complaint reference."),
    at: str = typer.Option(_NOW, "--at", help="When a person first replied, local 'YYYY-MM-DD HH:MM' (default: now)."),
    note: Optional[str] = typer.Option(None, "--note", help="What was said."),
) -> None:
    """Record the first response by a person (automatic replies never count)."""
    from tracker.records.complaints import commands as complaint_commands
    from tracker.records.complaints import queries as complaint_queries

    c = context.backend(ctx)
    data = _reply(at, False, note)
    complaint = c.write(lambda s: complaint_commands.acknowledge(ref, data, session=s, actor=c.actor))
    view = c.read(lambda s: complaint_queries.get_complaint(s, complaint.ref))
    verdict = "MISSED the target" if view.target_missed else "within target"
    say(
        f"{complaint.ref} acknowledged: first response after {format_seconds(view.first_response_seconds)} "
        f"(target {view.target}) — {verdict}."
    )


@app.command("reply")
def reply(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Complaint reference."),
    at: str = typer.Option(_NOW, "--at", help="When the reply was sent, local 'YYYY-MM-DD HH:MM' (default: now)."),
    automatic: bool = typer.Option(False, "--automatic", help="An automatic reply (not counted as a response)."),
    note: Optional[str] = typer.Option(None, "--note", help="What was said."),
) -> None:
    """Record a further reply in the conversation."""
    from tracker.records.complaints import commands as complaint_commands

    c = context.backend(ctx)
    data = _reply(at, automatic, note)
    c.write(lambda s: complaint_commands.add_reply(ref, data, session=s, actor=c.actor))
    say(f"Reply recorded on {ref.upper()}{' (automatic)' if automatic else ''}.")


def _outcome(text: str, option: str) -> "OutcomeInput":
    """The written outcome, refused under the name of the option the user typed."""
    from tracker.domain.inputs import OutcomeInput, validate

    try:
        return validate(OutcomeInput, text=text)
    except InputError as exc:
        raise InputError(option, exc.reason) from None


@app.command("investigate")
def investigate(ctx: typer.Context, ref: str = typer.Argument(..., help="Complaint reference.")) -> None:
    """Start the investigation (the supervisor talks to the employee)."""
    from tracker.records.complaints import commands as complaint_commands

    c = context.backend(ctx)
    complaint = c.write(lambda s: complaint_commands.investigate(ref, session=s, actor=c.actor))
    say(f"{complaint.ref} is being investigated.")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Complaint reference."),
    resolution: str = typer.Option(..., "--resolution", help="What was done and told to the customer."),
) -> None:
    """Close the complaint with its resolution."""
    from tracker.records.complaints import commands as complaint_commands

    c = context.backend(ctx)
    data = _outcome(resolution, "resolution")
    complaint = c.write(lambda s: complaint_commands.resolve(ref, data, session=s, actor=c.actor))
    say(f"{complaint.ref} resolved.")


@app.command("dismiss")
def dismiss(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Complaint reference."),
    reason: str = typer.Option(..., "--reason", help="Why the complaint is dismissed (required, kept in the record)."),
) -> None:
    """Close the complaint as not justified, or as recorded in error (a duplicate), with the written reason."""
    from tracker.records.complaints import commands as complaint_commands

    c = context.backend(ctx)
    data = _outcome(reason, "reason")
    complaint = c.write(lambda s: complaint_commands.dismiss(ref, data, session=s, actor=c.actor))
    say(f"{complaint.ref} dismissed.")


@app.command("import")
def import_history(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., help="CSV export; columns in the README (received_at, channel, summary required)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
    again: bool = typer.Option(False, "--again", help="Import a file that was imported before a second time."),
) -> None:
    """Import complaint history from a help-desk export: all rows or none, every bad row listed."""
    from tracker.domain.file_digest import sha256_of_stream
    from tracker.records.complaints.importing.bulk import import_complaints, refuse_repeated_file

    c = context.backend(ctx)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError("file", f"cannot read {path}: {exc.strerror}") from None
    with stream:
        sha256 = sha256_of_stream(stream)
        if not again:  # told before the progress bar starts; checked again in the write (a colleague's import)
            c.read(lambda session: refuse_repeated_file(session, sha256))
        size = max(path.stat().st_size, 1)
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]} rows"),
            console=error_console(),
            transient=True,
            disable=fmt != Format.table,
        ) as progress:
            task = progress.add_task(f"Importing {path.name}", total=size, rows=0)

            def advance(rows: int, position: int | None) -> None:
                progress.update(task, completed=position or 0, rows=rows)

            def work(session: "Session") -> ComplaintImportResult:
                if not again:
                    refuse_repeated_file(session, sha256)
                stream.seek(0)
                return import_complaints(
                    stream, session=session, actor=c.actor, source=path.name, sha256=sha256, progress=advance
                )

            try:
                result = c.write(work)
            except RowErrors as exc:
                progress.stop()
                report_row_errors(path.name, exc.errors, fmt)
                raise

    if fmt == Format.json:
        say_json({"imported": True} | result.as_dict())
        return
    say_ignored(path.name, result.ignored_columns)
    say(
        f"Imported {result.rows} complaints from {path.name} ({result.first_ref} … {result.last_ref}); "
        f"file SHA-256 {result.file_sha256}, audit event {result.audit_seq}."
    )


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Complaint reference."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
    redact: bool = typer.Option(False, "--redact", help="Leave out the customer's name and contact."),
) -> None:
    """One complaint with its replies, first-response time and the next allowed steps."""
    from tracker.records.complaints import queries as complaint_queries

    c = context.backend(ctx)
    view = c.read(lambda s: complaint_queries.get_complaint(s, ref))
    if fmt != Format.table:
        say_json(view.as_dict(redact=redact))
        return
    cpl = view.complaint
    missed = " MISSED" if view.target_missed else ""
    lines = [
        f"{cpl.ref}  {cpl.status}{'  URGENT' if cpl.urgent else ''}  severity {cpl.severity}",
        f"Received   {format_local(cpl.received_at)} via {view.channel_name}",
        f"Employee   {view.employee_number or 'unknown'} {view.employee_name or ''}",
        f"Rules      {', '.join(f'{r} {t}' for r, t in view.rules) or 'none given'}",
        f"Summary    {cpl.summary}",
        *([f"Contact    {view.contact} (tracker contacts show {view.contact})"] if view.contact else []),
        f"First response {format_seconds(view.first_response_seconds)} (target {view.target}){missed}",
        f"Response time  {format_seconds(view.response_time_seconds)} (mean wait for an answer, SPD-03)",
    ]
    if not redact and (cpl.customer_name or cpl.customer_contact):
        lines.insert(3, f"Customer   {cpl.customer_name or ''} {cpl.customer_contact or ''}")
    if cpl.resolution:
        lines.append(f"Resolution {cpl.resolution}")
    if cpl.dismissal_reason:
        lines.append(f"Dismissed  {cpl.dismissal_reason}")
    for line in lines:
        say(line)
    for r in view.replies:
        say(f"  reply {format_local(r.replied_at)}{' (automatic)' if r.automatic else ''}  {r.note or ''}")
    if view.allowed_next:
        say(
            "Next: " + "; ".join(f"tracker complaints {_COMMAND_FOR[status]} {cpl.ref}" for status in view.allowed_next)
        )
    else:
        say("Closed: nothing follows.")


# The command that moves a complaint to each status (what a user types, not the state's name).
_COMMAND_FOR = {
    flow.ACKNOWLEDGED: "acknowledge",
    flow.INVESTIGATING: "investigate",
    flow.RESOLVED: "resolve",
    flow.DISMISSED: "dismiss",
}


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(
        None, "--status", help="received, acknowledged, investigating, resolved, dismissed, or open."
    ),
    channel: Optional[str] = typer.Option(None, "--channel", help="Only this channel."),
    employee: Optional[str] = typer.Option(None, "--employee", help="Only this employee number."),
    rule: Optional[str] = typer.Option(None, "--rule", help="Only complaints citing this rule ID."),
    since: Optional[str] = typer.Option(None, "--from", help="Received on or after this date, YYYY-MM-DD."),
    until: Optional[str] = typer.Option(None, "--to", help="Received on or before this date, YYYY-MM-DD."),
    limit: int = typer.Option(
        100, "--limit", min=1, max=LARGEST_INTEGER, help="At most this many rows (newest first)."
    ),
    fmt: Format = typer.Option(
        Format.table, "--format", help="table, json or csv (json and csv include customer details)."
    ),
    redact: bool = typer.Option(False, "--redact", help="Leave out customers' names and contacts (json, csv)."),
) -> None:
    """List complaints, newest first."""
    from tracker.records.complaints import queries as complaint_queries
    from tracker.reporting.paging import every_page

    c = context.backend(ctx)
    flt = complaint_queries.ComplaintFilter(
        status=status,
        channel=channel,
        employee_number=employee,
        rule_id=rule,
        received_from=parse_date(since, "from") if since else None,
        received_to=parse_date(until, "to") if until else None,
    )
    if flt.received_from and flt.received_to and flt.received_to < flt.received_from:
        raise InputError("to", "is before --from")
    now = utcnow()

    def rows(session: "Session") -> list[dict[str, object]]:
        pages = every_page(
            lambda before, n: complaint_queries.list_complaints(session, flt, before=before, limit=n),
            lambda row: (row.received_at, row.id),
            limit=limit,
        )
        return [
            {
                "ref": r.ref,
                "received": format_local(r.received_at) if fmt == Format.table else r.received_at,
                "channel": r.channel,
                "status": r.status + (" !" if r.urgent and fmt == Format.table else ""),
                "severity": r.severity,
                "urgent": r.urgent,
                "employee": r.employee_number,
                "target_missed": r.target_missed(now),
                "summary": r.summary,
                "customer_name": None if redact else r.customer_name,
                "customer_contact": None if redact else r.customer_contact,
            }
            for r in pages
        ]

    found = c.read(rows)
    if fmt == Format.table:
        columns = ["ref", "received", "channel", "status", "employee", "target_missed", "summary"]
    else:
        columns = ["ref", "received", "channel", "status", "severity", "urgent", "employee", "target_missed", "summary"]
        if not redact:
            columns += ["customer_name", "customer_contact"]
    emit(found, columns, fmt, empty="No complaints match. ('!' after a status marks an urgent complaint.)")


@app.command("purge-contacts")
def purge_contacts(
    ctx: typer.Context,
    older_than: str = typer.Option(
        ...,
        "--older-than",
        help="A date (YYYY-MM-DD) or an age such as '24 months': closed complaints received before it lose the customer's name and contact.",
    ),
) -> None:
    """Remove customers' names and contacts from closed complaints past the retention period (recorded in the audit trail)."""
    from tracker.records.complaints import retention

    c = context.backend(ctx)
    try:
        cutoff = parse_date(older_than, "older_than")
    except InputError:
        try:
            cutoff = Period.parse(older_than).before(today())
        except PeriodError as exc:
            if Period.looks_like(older_than):  # an age, wrong in its own way: say how
                raise InputError("older_than", str(exc)) from None
            raise InputError(
                "older_than", f"'{older_than}' is neither a date like 2024-11-23 nor an age like '24 months'"
            ) from None
    purged = c.write(lambda s: retention.purge_contacts(s, received_before=cutoff, actor=c.actor))
    say(f"Removed customer details from {purged} closed complaints received before {cutoff}.")
