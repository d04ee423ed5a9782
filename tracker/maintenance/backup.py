"""Backups, restores and recounts of the embedded SQLite database, each on record.

A backup uses SQLite's online backup API: a consistent copy taken while
supervisors keep working (a file copy of a database in WAL mode can be torn).
A backup is only ever read read-only and immutable, so its SHA-256 stays the one
printed when it was taken, and it can be checked on read-only media.

A restore is one transaction on the live database, holding its write lock from
before the safety copy until the restored records and the restore's own audit
event are committed together:

1. the backup is copied to a work file (in a private folder beside the database, locked while
   the restore runs; one left by a killed restore is removed by the next), upgraded to this
   tracker's schema, its schema objects compared with what this tracker's migrations create (a
   trigger dropped or added outside the tracker is refused), and its chain and every record
   checked against its trail (nothing is replaced if not);
2. the live database's write lock is taken (other supervisors' saves wait, or are
   refused with the one-line message) and the safety copy taken under it;
3. into the work file go the purges of customer details recorded since the backup
   (the retention promise holds across a restore) and the ``db.restore`` event
   naming the head replaced, read under the lock;
4. the live database's contents are replaced by the work file's, the tracker's own triggers
   (never the copy's) put back, and all of it committed.

A restore killed at any point before that commit leaves the live database as it
was; after it, the restore is complete and on record. Complaint references keep
counting from the higher of the two databases, so none is handed out twice.
PostgreSQL databases are backed up with pg_dump (see the README).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

try:
    import fcntl
except ImportError:  # not on POSIX: a stale work folder is then left for the operator
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.audit import chain as audit
from tracker.audit.integrity import verify_records
from tracker.db import counters, sqlite_setup
from tracker.db import engine as db
from tracker.db.dialect import sqlite_url
from tracker.db.migrate import ensure_schema, head_revision, known_revisions, upgrade
from tracker.db.raw import of_session
from tracker.db.triggers import GENESIS
from tracker.domain.errors import InputError, TrackerError
from tracker.domain.file_digest import sha256_of
from tracker.domain.timeutil import utcnow
from tracker.records.complaints.retention import PURGE_ACTION, purge_contacts


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


def _owner_only_file(path: Path) -> None:
    """Create the file readable by its owner only, before any data goes into it."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise InputError("path", f"{path} already exists; choose a new file name") from None
    except OSError as exc:
        raise InputError("path", f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)


def _head_of(connection: sqlite3.Connection) -> tuple[int, str]:
    row = connection.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _text(head: tuple[int, str]) -> str:
    return f"{head[0]}:{head[1]}"


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of ``source`` into a new owner-only file, as one self-contained file."""
    _owner_only_file(target)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # one step: a snapshot as of one moment, while others keep writing
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


# The schema objects of a database (type, name, table, SQL), SQLite's own left out.
_OBJECTS = "SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
SchemaObjects = dict[tuple[str, str], tuple[str, str | None]]


def _objects(rows: Iterable[Sequence[Any]]) -> SchemaObjects:
    return {(str(kind), str(name)): (str(table), sql) for kind, name, table, sql in rows}


@functools.lru_cache(maxsize=1)
def tracker_schema() -> SchemaObjects:
    """The tables, indexes and triggers this tracker's migrations create, at its schema head:
    read from a database migrated for the purpose (the migrations are the only definition)."""
    with tempfile.TemporaryDirectory(prefix="tracker-schema-") as folder:
        path = Path(folder) / "schema.db"
        engine = db.make_engine(sqlite_url(path))
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        connection = sqlite3.connect(path)
        try:
            return _objects(connection.execute(_OBJECTS.format(schema="main")).fetchall())
        finally:
            connection.close()


def schema_differences(found: SchemaObjects) -> list[str]:
    """How a database's schema objects (at this tracker's head) differ from what its migrations create."""
    expected = tracker_schema()
    differences = [f"{kind} {name} is missing" for kind, name in sorted(expected.keys() - found.keys())]
    differences += [f"{kind} {name} is not the tracker's" for kind, name in sorted(found.keys() - expected.keys())]
    differences += [
        f"{kind} {name} was changed"
        for (kind, name) in sorted(expected.keys() & found.keys())
        if expected[(kind, name)] != found[(kind, name)]
    ]
    return differences


def live_schema_differences(session: Session) -> list[str]:
    """``schema_differences`` of the SQLite database ``session`` is on (at this tracker's schema head:
    an older one is upgraded before the tracker uses it): its triggers dropped, say."""
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision not in known_revisions():
        return [f"schema revision {revision!r} is not one this tracker knows"]
    if revision != head_revision():
        return []
    return schema_differences(_objects(session.execute(text(_OBJECTS.format(schema="main"))).all()))


def _schema_problem(differences: list[str]) -> str:
    more = f" and {len(differences) - 1} more" if len(differences) > 1 else ""
    return f"its schema differs from this tracker's ({differences[0]}{more}): it was altered outside the tracker"


@dataclass(frozen=True)
class FileCheck:
    revision: str
    head: tuple[int, str]


def check_file(path: Path) -> FileCheck:
    """A tracker database file, read without changing a byte: sound, of a known schema; its head."""
    if not path.is_file():
        raise InputError("path", f"{path} is not a file")
    try:
        connection = sqlite_setup.connect_read_only(str(path))
    except sqlite3.Error as exc:
        raise InputError("path", f"{path} cannot be opened ({exc})") from None
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise InputError("path", f"{path} is damaged (integrity check: {result})")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        head = _head_of(connection)
    except sqlite3.DatabaseError as exc:
        raise InputError("path", f"{path} is not a readable tracker database ({exc})") from None
    finally:
        connection.close()
    if revision is None or revision[0] not in known_revisions():
        raise InputError(
            "path", f"{path} has a schema this tracker does not know ({revision[0] if revision else 'none'})"
        )
    return FileCheck(revision[0], head)


@dataclass(frozen=True)
class BackupReport:
    path: Path
    sha256: str
    revision: str
    events: int
    head: str
    records_checked: bool
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "sha256": self.sha256,
            "schema_revision": self.revision,
            "events": self.events,
            "head": self.head,
            "records_checked": self.records_checked,
            "problems": self.problems,
        }


def check_backup(path: Path) -> BackupReport:
    """``tracker db check``: a backup's chain and (at this tracker's schema) records, read-only and immutable."""
    checked = check_file(path)
    engine = db.read_only_engine(path)
    try:
        with db.read_session(engine) as session:
            chain = audit.verify_chain(session)
            problems = [] if chain.ok else [f"audit chain broken at event {chain.broken_seq}: {chain.problem}"]
            problems += chain.clock_problems
            at_head = checked.revision == head_revision()
            if at_head:
                found = _objects(session.connection().exec_driver_sql(_OBJECTS.format(schema="main")).all())
                differences = schema_differences(found)
                problems += [_schema_problem(differences)] if differences else []
            if chain.ok and at_head:
                problems += verify_records(session, limit=20)
    finally:
        engine.dispose()
    return BackupReport(path, sha256_of(path), checked.revision, chain.events, _text(checked.head), at_head, problems)


def backup(engine: Engine, target: Path, *, actor: str | None = None) -> BackupResult:
    """A consistent copy of the live database at ``target`` (owner-only); with ``actor``,
    the backup is recorded in the live audit trail (a ``db.backup`` event)."""
    source_path = _database_path(engine)
    target = target.expanduser()
    if not target.parent.is_dir():
        raise InputError("path", f"the folder {target.parent} does not exist")
    source = sqlite_setup.connect(str(source_path))
    try:
        _copy(source, target)
    finally:
        source.close()
    checked = check_file(target)
    result = BackupResult(target, target.stat().st_size, sha256_of(target), _text(checked.head))
    if actor is not None:
        db.write(
            engine,
            lambda s: audit.append(
                s, actor=actor, action="db.backup", entity="database", key=target.name, after=result.as_dict()
            ),
        )
    return result


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    safety_copy: Path
    replaced_head: str
    restored_head: str
    purges_reapplied: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "restored_from": str(self.restored_from),
            "safety_copy": str(self.safety_copy),
            "replaced_head": self.replaced_head,
            "restored_head": self.restored_head,
            "purges_reapplied": self.purges_reapplied,
        }


def _checked_work_copy(source: Path, work: Path) -> Engine:
    """The backup copied to ``work``, upgraded, its chain and records checked; refused if not sound."""
    reader = sqlite_setup.connect_read_only(str(source))
    try:
        _copy(reader, work)
    finally:
        reader.close()
    engine = db.make_engine(sqlite_url(work))
    ensure_schema(engine, auto_upgrade=True)
    with db.read_session(engine) as session:
        # A trigger dropped or added with raw sqlite3 (the append-only guarantee gone, or a trigger
        # that rewrites what the tracker saves): the copy is refused, whatever its records say.
        found = _objects(session.connection().exec_driver_sql(_OBJECTS.format(schema="main")).all())
        differences = schema_differences(found)
        if differences:
            raise InputError("path", f"{source}: {_schema_problem(differences)}; nothing was restored")
        chain = audit.verify_chain(session)
        if not chain.ok:
            raise InputError(
                "path", f"{source}: its audit chain is broken at event {chain.broken_seq} ({chain.problem})"
            )
        problems = verify_records(session, limit=5)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError("path", f"{source}: its records do not match its audit trail: {problems[0]}{more}")
    return engine


def _lock(live: sqlite3.Connection, attempts: int = db.WRITE_ATTEMPTS) -> None:
    """The live database's write lock, as every tracker writer takes it (bounded wait)."""
    for attempt in range(1, attempts + 1):
        try:
            live.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts:
                raise TrackerError(
                    "database: another supervisor held the database for too long; nothing was restored, try again"
                ) from exc
            time.sleep(0.2 * attempt)


def _purges_since(live: sqlite3.Connection, restored_head: tuple[int, str]) -> list[date]:
    """The dates of customer-detail purges the live trail records after the backup was taken.

    When the backup is an earlier state of this same database (its head is on the live chain),
    only the purges after it; otherwise every purge the live database recorded.
    """
    seq, digest = restored_head
    shared = live.execute("SELECT 1 FROM audit_event WHERE seq = ? AND hash = ?", (seq, digest)).fetchone()
    rows = live.execute(
        "SELECT after FROM audit_event WHERE action = ? AND seq > ? ORDER BY seq", (PURGE_ACTION, seq if shared else 0)
    ).fetchall()
    return sorted({date.fromisoformat(json.loads(after)["received_before"]) for (after,) in rows})


def _replace_contents(live: sqlite3.Connection, work: Path) -> None:
    """Inside the live connection's transaction: every table's rows become the work file's."""
    live.execute("ATTACH DATABASE ? AS restored", (str(work),))
    try:
        live.execute("PRAGMA defer_foreign_keys = ON")
        for (name,) in live.execute("SELECT name FROM main.sqlite_master WHERE type = 'trigger'").fetchall():
            live.execute(f'DROP TRIGGER main."{name}"')
        tables = [
            name
            for (name,) in live.execute(
                "SELECT name FROM restored.sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
            if name == "sqlite_sequence" or not name.startswith("sqlite_")
        ]
        kept_counters = dict(live.execute("SELECT name, value FROM main.counter").fetchall())
        for table in tables:
            columns = ", ".join(f'"{row[1]}"' for row in live.execute(f'PRAGMA restored.table_info("{table}")'))
            live.execute(f'DELETE FROM main."{table}"')
            live.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM restored."{table}"')
        for name, value in kept_counters.items():  # references are never handed out twice
            live.execute(
                "INSERT INTO main.counter (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
                (name, value),
            )
        # The tracker's own triggers, never the copy's: the live database keeps its protection
        # whatever was done to the file restored from (or to the live one).
        for (kind, _name), (_table, sql) in sorted(tracker_schema().items()):
            if kind == "trigger" and sql:
                live.execute(sql)
        live.execute("COMMIT")
    finally:
        if live.in_transaction:
            live.execute("ROLLBACK")
        live.execute("DETACH DATABASE restored")


def _hold(folder: Path, *, wait: bool) -> int | None:
    """An exclusive lock on ``folder`` (a file descriptor to keep open while it is held), or None
    when another process holds it (``wait`` false) or the folder has gone."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


def _remove_stale_work(live_path: Path) -> None:
    """Work copies left by restores that were killed (their lock is free): they hold every record,
    customers' details too, and must not outlive the next restore. One in use is left alone."""
    for leftover in live_path.parent.glob(f"{live_path.name}.restoring-*"):
        if leftover.is_dir() and not leftover.is_symlink():
            fd = _hold(leftover, wait=False)
            if fd is not None:
                try:
                    shutil.rmtree(leftover, ignore_errors=True)
                finally:
                    os.close(fd)
        elif leftover.is_file() or leftover.is_symlink():  # an earlier tracker's work file, and its -wal/-shm
            leftover.unlink(missing_ok=True)


@contextmanager
def work_folder(live_path: Path) -> Iterator[Path]:
    """A private folder (0700) beside the live database for a restore's work copy, locked while the
    restore runs (so another restore knows it is in use) and removed when it ends. A folder left by a
    killed restore is removed by the next one (``_remove_stale_work``)."""
    while True:
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"{live_path.name}.restoring-", dir=live_path.parent))
        except OSError as exc:
            raise TrackerError(
                f"database: cannot make a work folder beside {live_path} ({exc.strerror}); nothing was restored"
            ) from None
        fd = _hold(folder, wait=True)  # None where the file system has no locks: then unlocked
        if folder.is_dir():
            break
        if fd is not None:  # another restore took it for stale in the instant between: a new one
            os.close(fd)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if fd is not None:
            os.close(fd)


RESTORE_STEPS = ("checked", "locked", "safety copy taken", "restored records prepared", "replaced")


def restore(
    engine: Engine,
    source: Path,
    *,
    actor: str,
    now: datetime | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> RestoreResult:
    """Replace the live database with a backup, in one transaction under its write lock;
    the replaced one is kept beside it and the restore is the newest event of the restored chain."""
    live_path = _database_path(engine)
    source = source.expanduser()
    checked = check_file(source)
    now = now or utcnow()
    stamp = f"{now:%Y%m%dT%H%M%S}"
    safety = live_path.with_name(f"{live_path.name}.before-restore-{stamp}")
    for number in range(2, 100):  # two restores in one second keep both safety copies
        if not safety.exists():
            break
        safety = live_path.with_name(f"{live_path.name}.before-restore-{stamp}-{number}")
    _remove_stale_work(live_path)
    with work_folder(live_path) as folder:
        return _restore(engine, live_path, source, checked, folder / "restoring.db", safety, actor, now, progress)


def _restore(
    engine: Engine,
    live_path: Path,
    source: Path,
    checked: FileCheck,
    work: Path,
    safety: Path,
    actor: str,
    now: datetime,
    progress: Callable[[str], None],
) -> RestoreResult:
    work_engine: Engine | None = None
    try:
        work_engine = _checked_work_copy(source, work)
        progress(RESTORE_STEPS[0])
        engine.dispose()
        live = sqlite_setup.connect(str(live_path))
        try:
            _lock(live)
            progress(RESTORE_STEPS[1])
            reader = sqlite_setup.connect(str(live_path))  # reads what is committed: all of it, the lock is ours
            try:
                _copy(reader, safety)
            finally:
                reader.close()
            progress(RESTORE_STEPS[2])
            replaced = _head_of(live)
            purges = _purges_since(live, checked.head)

            def finish(session: Session) -> None:
                for received_before in purges:
                    purge_contacts(session, received_before=received_before, actor=actor, now=now)
                audit.append(
                    session,
                    actor=actor,
                    action="db.restore",
                    entity="database",
                    key=live_path.name,
                    after={
                        "restored_from": str(source),
                        "backup_sha256": sha256_of(source),
                        "replaced_head": _text(replaced),
                        "restored_head": _text(checked.head),
                        "safety_copy": str(safety),
                        "purges_reapplied": [day.isoformat() for day in purges],
                    },
                    at=now,
                )

            db.write(work_engine, finish)
            work_engine.dispose()
            progress(RESTORE_STEPS[3])
            _replace_contents(live, work)
            progress(RESTORE_STEPS[4])
        finally:
            if live.in_transaction:
                live.execute("ROLLBACK")
            live.close()
    finally:
        if work_engine is not None:
            work_engine.dispose()  # the work folder, and the copy in it, go when the restore ends
    return RestoreResult(source, safety, _text(replaced), _text(checked.head), len(purges))


def recount(engine: Engine, *, actor: str) -> None:
    """Rebuild the dashboard's complaint counters from the complaints (after a repair made
    outside the tracker), on record."""

    def work(session: Session) -> None:
        chain = audit.verify_chain(session)  # only a sound chain vouches for the records counted
        if not chain.ok:
            raise TrackerError(
                f"recount refused: the audit chain is broken at event {chain.broken_seq}: {chain.problem}"
            )
        problems = verify_records(session, limit=5, counters=False)
        if problems:  # counters rebuilt from forged records would make the forgery look consistent
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise TrackerError(f"recount refused: {problems[0]}{more}")
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
