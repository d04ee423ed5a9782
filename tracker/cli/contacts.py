"""``tracker contacts``: customer contacts from help-desk exports, measured against the speed page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from tracker.cli import context
from tracker.cli.output import Format, emit, error_console, say, say_heading, say_ignored, say_json
from tracker.domain.errors import InputError
from tracker.domain.periods import format_seconds
from tracker.domain.timeutil import format_local

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.records.contacts.commands import ContactImportResult

app = typer.Typer(
    help="Customer contacts from help-desk exports: import, list, and each one's measures explained.",
    no_args_is_help=True,
)


def _profiles_help() -> str:
    from tracker.domain.contact_profiles import PROFILES

    return "; ".join(f"{name}: {text}" for name, text in PROFILES.items())


@app.command("import")
def import_contacts(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="The export's files (a profile may take several)."),
    profile: str = typer.Option(
        ..., "--from", help="Where the files come from: generic, zendesk, chatwoot or ticket-metrics."
    ),
    zone: str = typer.Option(
        "UTC", "--time-zone", help="Time zone of times written without one in the files (e.g. Europe/London)."
    ),
    rejects: Optional[Path] = typer.Option(
        None, "--rejects", help="Import the good contacts and write the bad rows, with reasons, to this CSV file."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything and say what would change; write nothing."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Import contacts: all or nothing (unless --rejects), the same export twice changes nothing."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tracker.domain.contact_profiles import PROFILES, read
    from tracker.domain.file_digest import sha256_of
    from tracker.records.contacts.commands import ContactRowErrors
    from tracker.records.contacts.commands import import_contacts as run_import

    if profile not in PROFILES:
        raise InputError("--from", f"'{profile}' is not a profile (use one of: {', '.join(PROFILES)})")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("--time-zone", f"'{zone}' is not a time zone name like Europe/London") from None
    files = []
    for path in paths:
        try:
            files.append((path.name, sha256_of(path)))
        except OSError as exc:
            raise InputError("file", f"cannot read {path}: {exc.strerror}") from None
    if rejects is not None:
        _write_rejects(rejects, None)
    exported = read(profile, paths, zone=zone)
    c = context.backend(ctx)
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=error_console(),
        transient=True,
        disable=fmt != Format.table,
    ) as progress:
        task = progress.add_task("Importing contacts", total=max(len(exported.contacts), 1))

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=max(total, 1))

        def work(session: "Session") -> ContactImportResult:
            return run_import(
                exported,
                session=session,
                actor=c.actor,
                profile=profile,
                files=files,
                keep_good=rejects is not None,
                dry_run=dry_run,
                progress=advance,
            )

        try:
            result = c.read(work) if dry_run else c.write(work)
        except ContactRowErrors as exc:
            progress.stop()
            _report_errors(exc.errors, fmt)
            raise
    if rejects is not None:
        _write_rejects(rejects, result)
    if fmt == Format.json:
        say_json(
            {
                "imported": not dry_run,
                "new": result.new,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": len(result.rejected),
                "ignored_columns": result.ignored_columns,
                "audit_event": result.audit_seq,
            }
        )
        return
    for name, columns in result.ignored_columns.items():
        say_ignored(name, columns)
    from tracker.domain.wording import plural

    verb = "Would import" if dry_run else "Imported"
    line = f"{verb} {plural(result.total, 'contact')}: {result.new} new, {result.updated} updated, {result.unchanged} unchanged"
    if rejects is not None:
        line += f"; {plural(len(result.rejected), 'row')} rejected, written to {rejects}"
    if result.audit_seq:
        line += f" (audit event {result.audit_seq})"
    say(line + ".")
    if dry_run:
        say("Nothing was written (--dry-run).")


def _report_errors(errors: List[Any], fmt: Format) -> None:
    if fmt == Format.json:
        say_json({"imported": False, "errors": [{"file": e.file} | e.error.as_dict() for e in errors]})
        return
    from tracker.domain.text_safety import visible

    for error in errors:
        print(visible(str(error)), file=sys.stderr)


def _write_rejects(path: Path, result: "ContactImportResult | None") -> None:
    """The rejected rows with their reasons; called once before the import (so a path that cannot
    be written is refused before anything is imported) and once after it."""
    from tracker.output.files import write_export
    from tracker.output.tables import csv_text

    rows = [{"file": e.file} | e.error.as_dict() for e in (result.rejected if result else [])]
    write_export(path, csv_text(["file", "row", "column", "reason"], rows), replace=True)


@app.command("list")
def list_contacts(
    ctx: typer.Context,
    employee: Optional[str] = typer.Option(None, "--employee", help="Employee number."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Channel code (e.g. chat)."),
    state: Optional[str] = typer.Option(None, "--first-response", help="met, missed, pending or 'not measured'."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="How many, newest first."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Contacts, newest first, with their first response against the channel's target."""
    from tracker.domain.contact_words import FIRST_RESPONSE_STATES
    from tracker.records.contacts.queries import list_contacts as query

    if state is not None and state not in FIRST_RESPONSE_STATES:
        raise InputError("--first-response", f"'{state}' is not one of {', '.join(FIRST_RESPONSE_STATES)}")
    c = context.backend(ctx)
    rows = c.read(lambda s: query(s, employee=employee, channel=channel, state=state, limit=limit))
    if fmt != Format.table:  # machine-readable: the stored values, times in UTC
        columns = ["contact", "received_at", "channel", "employee", "first_response_seconds",
                   "first_response_state", "replies", "over_ceiling"]  # fmt: skip
        records = [
            {
                "contact": r.key,
                "received_at": r.received_at,
                "channel": r.channel,
                "employee": r.employee,
                "first_response_seconds": r.first_response_seconds,
                "first_response_state": r.first_response_state,
                "replies": r.replies,
                "over_ceiling": r.over_ceiling,
            }
            for r in rows
        ]
        emit(records, columns, fmt)
        return
    emit(
        [
            {
                "contact": r.key,
                "received": format_local(r.received_at),
                "channel": r.channel,
                "employee": r.employee or "",
                "first_response": format_seconds(r.first_response_seconds),
                "target": r.first_response_state,
                "replies": r.replies,
                "over_ceiling": {True: "yes", False: "no", None: "—"}[r.over_ceiling],
            }
            for r in rows
        ],
        ["contact", "received", "channel", "employee", "first_response", "target", "replies", "over_ceiling"],
        fmt,
        empty="No contacts. Import some with: tracker contacts import FILE --from PROFILE",
    )


@app.command("show")
def show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="SOURCE:ID, e.g. zendesk:16988 (see tracker contacts list)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """One contact: its messages and how each measure was derived, in words."""
    from tracker.records.contacts.queries import get_contact

    c = context.backend(ctx)
    view = c.read(lambda s: get_contact(s, key))
    contact = view.contact
    if fmt != Format.table:
        say_json(
            {
                "contact": f"{contact.source}:{contact.external_id}",
                "channel": contact.channel,
                "received_at": contact.received_at,
                "employee": view.employee,
                "handbook_version": view.version,
                "first_response_state": view.measures.first_response_state,
                "first_response_seconds": contact.first_response_seconds,
                "response_time_seconds": view.measures.response_time.total_seconds()
                if view.measures.response_time is not None
                else None,
                "explanation": list(view.measures.explanation),
                "complaints": view.complaints,
            }
        )
        return
    say_heading(f"{contact.source}:{contact.external_id}", f"  {view.channel.name}, handbook {view.version}")
    say(f"Employee      {view.employee or '—'}")
    say(f"Topic         {contact.topic or '—'}   Status {contact.status or '—'}")
    if view.complaints:
        say(f"Complaints    {', '.join(view.complaints)} (a service measure: the contact is in no conduct file)")
    say("")
    for line in view.measures.explanation:
        say(f"  {line}")
