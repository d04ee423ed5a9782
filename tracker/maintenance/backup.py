"""Backups, restores and recounts of the embedded SQLite database, each on record.

A backup uses SQLite's online backup API: a consistent copy taken while
supervisors keep working (a file copy of a database in WAL mode can be torn).
A restore first keeps a copy of the database it replaces, then copies the
backup in, checks it, and appends a "restore" event to the restored audit
chain naming both chain heads, so the jump back in time is itself on record.
PostgreSQL databases are backed up with pg_dump (see the README).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.audit import chain as audit
from tracker.audit.integrity import verify_records
from tracker.db import counters, sqlite_setup
from tracker.db import engine as db
from tracker.db.migrate import current_revision, known_revisions
from tracker.db.raw import of_session
from tracker.domain.errors import InputError, TrackerError
from tracker.domain.timeutil import utcnow


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    sha256: str
    audit_head: str  # "SEQ:HASH" of the chain inside the backup

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "bytes": self.bytes, "sha256": self.sha256, "audit_head": self.audit_head}


def _database_path(engine: Engine) -> Path:
    path = db.sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        raise TrackerError(
            "database: backup and restore work on SQLite files; back up PostgreSQL with pg_dump "
            "(see 'PostgreSQL for teams' in the README)"
        )
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _owner_only_file(path: Path) -> None:
    """Create the file readable by its owner only, before any data goes into it."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise InputError("path", f"{path} already exists; choose a new file name") from None
    except OSError as exc:
        raise InputError("path", f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)


def _head_of(connection: sqlite3.Connection) -> str:
    row = connection.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    return f"{row[0]}:{row[1]}" if row else f"0:{audit.GENESIS}"


def _check(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise InputError("path", f"{path} is not a readable SQLite database ({exc})") from None
    if result != "ok":
        connection.close()
        raise InputError("path", f"{path} is damaged (integrity check: {result})")
    return connection


def backup(engine: Engine, target: Path, *, actor: str | None = None) -> BackupResult:
    """A consistent copy of the live database at ``target`` (owner-only); with ``actor``,
    the backup is recorded in the live audit trail (a ``db.backup`` event)."""
    source_path = _database_path(engine)
    target = target.expanduser()
    if not target.parent.is_dir():
        raise InputError("path", f"the folder {target.parent} does not exist")
    _owner_only_file(target)
    source = sqlite_setup.connect(str(source_path))
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # one step: a snapshot as of one moment, while others keep writing
        destination.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
    finally:
        destination.close()
        source.close()
    check = _check(target)
    head = _head_of(check)
    check.close()
    result = BackupResult(target, target.stat().st_size, _sha256(target), head)
    if actor is not None:
        db.write(
            engine,
            lambda s: audit.append(
                s, actor=actor, action="db.backup", entity="database", key=target.name, after=result.as_dict()
            ),
        )
    return result


def _verify_chain_of(path: Path) -> audit.ChainReport:
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with db.read_session(engine) as session:
            return audit.verify_chain(session)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    safety_copy: Path
    replaced_head: str
    restored_head: str

    def as_dict(self) -> dict[str, object]:
        return {
            "restored_from": str(self.restored_from),
            "safety_copy": str(self.safety_copy),
            "replaced_head": self.replaced_head,
            "restored_head": self.restored_head,
        }


def restore(engine: Engine, source: Path, *, actor: str, now: datetime | None = None) -> RestoreResult:
    """Replace the live database with a backup; the replaced one is kept beside it."""
    live_path = _database_path(engine)
    source = source.expanduser()
    if not source.is_file():
        raise InputError("path", f"{source} is not a file")
    checked = _check(source)
    try:
        revision = checked.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        checked.close()
        raise InputError("path", f"{source} is not a tracker database") from None
    restored_head = _head_of(checked)
    checked.close()
    if revision is None or revision[0] not in known_revisions():
        raise InputError(
            "path", f"{source} has a schema this tracker does not know ({revision[0] if revision else 'none'})"
        )
    chain = _verify_chain_of(source)
    if not chain.ok:
        raise InputError("path", f"{source}: its audit chain is broken at event {chain.broken_seq} ({chain.problem})")
    now = now or utcnow()
    safety = live_path.with_name(f"{live_path.name}.before-restore-{now:%Y%m%dT%H%M%S}")
    kept = backup(engine, safety)
    engine.dispose()
    backup_connection = sqlite3.connect(source)
    live = sqlite_setup.connect(str(live_path))
    try:
        backup_connection.backup(live)
    finally:
        live.close()
        backup_connection.close()
    engine.dispose()
    if current_revision(engine) not in known_revisions():
        raise TrackerError("database: the restored file has an unknown schema")
    db.write(
        engine,
        lambda s: audit.append(
            s,
            actor=actor,
            action="db.restore",
            entity="database",
            key=live_path.name,
            after={
                "restored_from": str(source),
                "backup_sha256": _sha256(source),
                "replaced_head": kept.audit_head,
                "restored_head": restored_head,
                "safety_copy": str(safety),
            },
            at=now,
        ),
    )
    return RestoreResult(source, safety, kept.audit_head, restored_head)


def recount(engine: Engine, *, actor: str) -> None:
    """Rebuild the dashboard's complaint counters from the complaints (after a repair made
    outside the tracker), on record."""

    def work(session: Session) -> None:
        problems = verify_records(session, limit=5, counters=False)
        if problems:  # counters rebuilt from forged records would make the forgery look consistent
            raise TrackerError(
                f"recount refused: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            )
        counters.recount(of_session(session))
        audit.append(
            session,
            actor=actor,
            action="counters.recount",
            entity="counters",
            key="complaints",
            after={"reason": "rebuilt from the complaints"},
        )

    db.write(engine, work)
