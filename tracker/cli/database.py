"""``tracker db``: where the data lives, schema upgrades."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tracker.cli import context
from tracker.cli.output import Format, emit, say, say_error, say_json
from tracker.domain.errors import InputError
from tracker.domain.wording import plural

app = typer.Typer(help="The database: where it is, its schema, upgrades.", no_args_is_help=True)


@app.command("info")
def info(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table for people, json for scripts."),
) -> None:
    """Print where the data lives, the schema revision and the handbook version in force."""
    from tracker.audit import chain as audit_store
    from tracker.db.engine import sqlite_path
    from tracker.db.migrate import current_revision, head_revision
    from tracker.records.handbook.queries import latest_version
    from tracker.records.handbook.sql import material_version

    c = context.backend(ctx)
    engine = c.engine
    version, material, head = c.read(lambda s: (latest_version(s), material_version(s), audit_store.head(s)))
    path = sqlite_path(c.settings.database_url)
    facts = {
        "database": str(path) if path else engine.url.render_as_string(hide_password=True),
        "backend": engine.dialect.name,
        "schema_revision": current_revision(engine),
        "schema_head": head_revision(),
        "handbook_in_force": version.label if version else None,
        "material_version": material.label if material else None,
        "audit_events": head.seq if head else 0,
        "acting_as": c.actor,
        "handbook_folder": str(c.settings.handbook.docs_dir),
    }
    if fmt == Format.json:
        say_json(facts)
        return
    emit(
        [{"setting": k, "value": v if v is not None else "(none yet)"} for k, v in facts.items()],
        ["setting", "value"],
        fmt,
    )


@app.command("init")
def init_command(ctx: typer.Context) -> None:
    """Start a new, empty database at --db (a SQLite file named with --db is never created by other
    commands: a typo must not start a stray database). Harmless on one that exists."""
    from tracker.db.engine import sqlite_path
    from tracker.db.migrate import current_revision

    c = context.backend(ctx)
    path = sqlite_path(c.settings.database_url)
    existed = path is None or path.exists()
    c.settings.creates_database = True
    revision = current_revision(c.engine)
    where = str(path) if path else c.engine.url.render_as_string(hide_password=True)
    if existed:
        say(f"The database at {where} already exists (schema {revision}); nothing changed.")
    else:
        say(f"Started a new database at {where} (schema {revision}). Next: tracker --db {where} handbook publish")


@app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Bring the database schema up to this tracker's version (run once for a shared PostgreSQL database)."""
    from tracker.maintenance.schema import upgrade_database

    c = context.backend(ctx)
    before, after = upgrade_database(c.settings.database_url)
    if before == after:
        say(f"Schema already up to date (revision {after}).")
    else:
        say(f"Schema upgraded from {before or 'empty'} to {after}.")


@app.command("recount")
def recount(ctx: typer.Context) -> None:
    """Rebuild the dashboard's complaint counters from the complaints (after a repair made outside the tracker)."""
    from tracker.maintenance import backup

    c = context.backend(ctx)
    backup.recount(c.engine, actor=c.actor)
    say("Complaint counters rebuilt from the complaints.")


@app.command("backup")
def backup_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A new file for the backup (never overwritten)."),
) -> None:
    """Copy the SQLite database to PATH while the tracker stays in use (SQLite's backup API; owner-only file)."""
    from tracker.maintenance import backup

    c = context.backend(ctx)
    result = backup.backup(c.engine, path, actor=c.actor)
    say(
        f"Backed up to {result.path} ({result.bytes:,} bytes, SHA-256 {result.sha256}); "
        f"audit head in the backup {result.audit_head}."
    )


@app.command("restore")
def restore_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A backup made with 'tracker db backup'."),
    yes: bool = typer.Option(False, "--yes", help="Replace the current database without asking."),
) -> None:
    """Replace the current SQLite database with a backup. The current one is kept beside it first, and the
    restore is recorded in the restored audit chain."""
    from tracker.maintenance import backup

    c = context.backend(ctx)
    c.settings.creates_database = True  # restoring onto a new machine: the backup becomes the database
    if not yes:
        if not sys.stdin.isatty():
            raise InputError("yes", "restoring replaces the current database; pass --yes to confirm")
        typer.confirm(f"Replace {c.settings.database_url} with {path}?", abort=True)
    result = backup.restore(c.engine, path, actor=c.actor)
    purges = (
        f" {plural(result.purges_reapplied, 'purge')} of customer details recorded since the backup "
        f"{'was' if result.purges_reapplied == 1 else 'were'} applied again."
        if result.purges_reapplied
        else ""
    )
    say(
        f"Restored from {result.restored_from}.{purges} The replaced database is kept at {result.safety_copy}. "
        f"Audit chain: restored head {result.restored_head}, replaced head {result.replaced_head}."
    )


@app.command("check")
def check_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A database file, e.g. a backup made with 'tracker db backup'."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Check a backup without changing a byte (read-only, so it works on read-only media): integrity,
    schema, audit chain and, at this tracker's schema, every record against its trail."""
    from tracker.maintenance import backup

    report = backup.check_backup(path.expanduser())
    if fmt == Format.json:
        say_json(report.as_dict())
    elif report.ok:
        say(
            f"{path}: sound. Schema {report.revision}, {report.events} audit events, head {report.head}"
            f"{'' if report.records_checked else ' (records not checked: an older schema; restore checks them)'}; "
            f"SHA-256 {report.sha256}."
        )
    if not report.ok:
        for problem in report.problems:
            say_error(f"{path}: {problem}")
        raise typer.Exit(1)
