"""``tracker audit``: verify the hash chain and print its head."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from tracker.audit.entities import ENTITIES
from tracker.cli import context
from tracker.cli.output import Format, emit, say, say_error, say_json
from tracker.domain.errors import InputError, shown
from tracker.domain.limits import LARGEST_INTEGER
from tracker.domain.timeutil import format_local

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.audit.chain import ChainReport

app = typer.Typer(help="The audit trail: verify the hash chain, print its head, read events.", no_args_is_help=True)


def _parse_head(text: str) -> tuple[int, str]:
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise InputError("expect_head", "must look like 'SEQ:HASH' as printed by 'tracker audit head'")
    return int(seq), digest.lower()


SCHEMA_ALTERED = "the database was altered outside the tracker"


def schema_problems(session: "Session") -> list[str]:
    """The database's own schema objects against the tracker's: a trigger dropped is the first step of
    a quiet forgery. SQLite: every table, index and trigger; PostgreSQL: the triggers (defined and
    enabled as the tracker's), their functions' bodies and the constraints by name."""
    from tracker.audit import pg_schema
    from tracker.db.dialect import is_sqlite

    if is_sqlite(session):
        from tracker.maintenance.backup import live_schema_differences

        differences = live_schema_differences(session)
    else:
        differences = pg_schema.differences(session)
    return [f"schema: {difference}: {SCHEMA_ALTERED}" for difference in differences]


def _verify(session: "Session", expected: tuple[int, str] | None) -> tuple["ChainReport", list[str], list[str]]:
    from tracker.audit import chain as store
    from tracker.audit.integrity import verify_records
    from tracker.records.contacts.integrity import verify_contacts

    report = store.verify_chain(session, expected)
    records = verify_records(session) + verify_contacts(session) if report.ok else []
    return report, records, schema_problems(session)


@app.command("verify")
def verify(
    ctx: typer.Context,
    expect_head: Optional[str] = typer.Option(
        None,
        "--expect-head",
        help="A head you kept earlier ('SEQ:HASH' from 'tracker audit head'): also check the chain still contains it.",
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Re-check every link of the audit chain, every record against its last audited state and the database's triggers; report the first break."""
    c = context.backend(ctx)
    expected = _parse_head(expect_head) if expect_head else None
    report, records, schema = c.read(lambda s: _verify(s, expected))
    ok = report.ok and not records and not report.clock_problems and not schema
    if fmt != Format.table:
        say_json(report.as_dict() | {"ok": ok, "record_problems": records, "schema_problems": schema})
    elif ok:
        say(
            f"Audit chain OK: {report.events} events, head {report.head_seq}:{report.head_hash}. "
            "Every record matches its last audited state."
        )
    else:
        if not report.ok:
            say_error(f"audit: chain broken at event {report.broken_seq}: {report.problem}")
        for problem in report.clock_problems + records[:20]:
            say_error(f"audit: {problem}")  # may quote stored text (an imported file's name)
        if len(records) > 20:
            typer.echo(f"error: audit: … and {len(records) - 20} more records differ from the audit trail", err=True)
        for problem in schema:
            say_error(f"audit: {problem}")
    if not ok:
        raise typer.Exit(1)


@app.command("head")
def head(ctx: typer.Context) -> None:
    """Print the chain head as SEQ:HASH — keep it outside the database (e.g. in a signed email) to detect a rewritten chain."""
    from tracker.audit import chain as store

    c = context.backend(ctx)
    event = c.read(store.head)
    typer.echo(f"{event.seq}:{event.hash}" if event else f"0:{store.GENESIS}")


@app.command("log")
def log(
    ctx: typer.Context,
    entity: Optional[str] = typer.Option(
        None, "--entity", help="Only this kind of record: " + ", ".join(ENTITIES) + "."
    ),
    key: Optional[str] = typer.Option(
        None, "--key", help="Only this record (employee number, complaint reference, id)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=LARGEST_INTEGER, help="The newest this many events."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """The newest audit events."""
    from tracker.audit import chain as store

    c = context.backend(ctx)
    if entity is not None and entity not in ENTITIES:
        raise InputError("entity", f"'{shown(entity)}' is not a kind of record; use one of {', '.join(ENTITIES)}")
    events = c.read(lambda s: store.recent(s, entity=entity, key=key, limit=limit))
    rows = [
        {
            "seq": e.seq,
            "at": format_local(e.at) if fmt == Format.table else e.at,
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "key": e.entity_key,
            "before": e.before,
            "after": e.after,
            "hash": e.hash,
        }
        for e in events
    ]
    columns = ["seq", "at", "actor", "action", "entity", "key"]
    emit(
        rows,
        columns if fmt == Format.table else columns + ["before", "after", "hash"],
        fmt,
        empty="No audit events yet.",
    )
