"""Engines, connections and write transactions for SQLite and PostgreSQL.

SQLite is set up per connection for durability (WAL, ``synchronous=FULL``,
foreign keys, a busy timeout). Every write transaction starts with ``BEGIN
IMMEDIATE`` so two writers queue at the start instead of failing halfway with
"database is locked"; if the lock still cannot be had, the whole transaction is
retried a bounded number of times. On PostgreSQL every write transaction takes
one advisory lock first, which keeps the audit chain linear under concurrent
supervisors (the same one-writer-at-a-time model as SQLite).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from tracker.db import sqlite_setup
from tracker.db.dialect import dialect_of
from tracker.db.dialect import is_sqlite as is_sqlite  # where ``db.migrate`` asks it
from tracker.domain.errors import InputError, TrackerError
from tracker.domain.private_paths import PRIVATE_FILE, private_folder

T = TypeVar("T")

BUSY_TIMEOUT_MS = sqlite_setup.BUSY_TIMEOUT_MS
WRITE_ATTEMPTS = 6
_WRITE_OPTION = "tracker_write"
_AUDIT_LOCK_KEY = 0x7472_6163  # "trac": one lock id for every tracker writer


class DatabaseError(TrackerError):
    """The database could not be reached or refused the operation."""


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not is_sqlite(dialect_of(url)) or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _prepare_sqlite_file(url: str) -> None:
    """Create the folders (0700) and an owner-only file (0600) before SQLite creates them from the umask.

    SQLite gives the ``-wal``, ``-shm`` and ``-journal`` files it makes beside the database the
    database file's own mode, so they are 0600 too. Folders that already existed are left alone.
    """
    path = sqlite_path(url)
    if path is None:
        return
    private_folder(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)  # exactly 0600, whatever the umask took away
        finally:
            os.close(fd)


# Every engine hides parameters: the message of a refused statement (a constraint the database
# enforced) then never quotes the values it was writing (employees' names, complaint text),
# wherever it ends up: a log, a traceback, ``echo``'s output.
HIDE_PARAMETERS = True


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if is_sqlite(dialect_of(url)):
        try:
            _prepare_sqlite_file(url)
        except OSError as exc:  # a read-only file system, /proc, a file where a folder should be
            where = exc.filename or sqlite_path(url)
            raise InputError("database", f"cannot create {where} ({exc.strerror or exc.__class__.__name__})") from None
        engine = create_engine(
            url, echo=echo, hide_parameters=HIDE_PARAMETERS, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, echo=echo, hide_parameters=HIDE_PARAMETERS, pool_pre_ping=True)
        _configure_postgres(engine)
    return engine


def read_only_engine(path: Path) -> Engine:
    """An engine on a SQLite file that must not change (a backup): read-only, immutable, never WAL."""
    return create_engine(
        "sqlite://",
        creator=lambda: sqlite_setup.connect_read_only(str(path)),
        poolclass=NullPool,
        hide_parameters=HIDE_PARAMETERS,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        sqlite_setup.configure(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            # Bounded like SQLite's busy timeout: behind a writer that holds on (a stuck session),
            # the wait ends, the write is retried, then refused with the one-line message.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_MS}ms'")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_AUDIT_LOCK_KEY})")


def _is_busy(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return any(
        marker in message
        for marker in (
            "database is locked",
            "database table is locked",
            "deadlock detected",
            "could not serialize",
            "lock timeout",  # PostgreSQL: "canceling statement due to lock timeout"
        )
    )


def read_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def write(engine: Engine, work: Callable[[Session], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
    """Run ``work`` in one write transaction, retrying the whole of it while busy.

    ``work`` must be safe to run again from the start: it receives a fresh
    session each attempt and nothing is committed until it returns.
    """
    writer = engine.execution_options(**{_WRITE_OPTION: True})
    delay = 0.05
    for attempt in range(1, attempts + 1):
        try:
            with Session(writer, expire_on_commit=False) as session:
                with session.begin():
                    return work(session)
        except OperationalError as exc:
            if not _is_busy(exc) or attempt == attempts:
                if _is_busy(exc):
                    raise DatabaseError(
                        "database: another supervisor held the database for too long; nothing was saved, try again"
                    ) from exc
                raise
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 1.0)
        except DBAPIError as exc:
            if not _is_busy(exc) or attempt == attempts:
                raise
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")
