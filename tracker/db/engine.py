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
from tracker.domain.errors import TrackerError

T = TypeVar("T")

BUSY_TIMEOUT_MS = sqlite_setup.BUSY_TIMEOUT_MS
WRITE_ATTEMPTS = 6
_WRITE_OPTION = "tracker_write"
_AUDIT_LOCK_KEY = 0x7472_6163  # "trac": one lock id for every tracker writer


class DatabaseError(TrackerError):
    """The database could not be reached or refused the operation."""


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _prepare_sqlite_file(url: str) -> None:
    """Create the folder and an owner-only file before SQLite creates it world-readable."""
    path = sqlite_path(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
        _configure_postgres(engine)
    return engine


def read_only_engine(path: Path) -> Engine:
    """An engine on a SQLite file that must not change (a backup): read-only, immutable, never WAL."""
    return create_engine("sqlite://", creator=lambda: sqlite_setup.connect_read_only(str(path)), poolclass=NullPool)


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
