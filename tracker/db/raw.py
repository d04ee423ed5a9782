"""Plain DB-API access for the one path that must not wait for SQLAlchemy: the
dashboard the app paints at start-up.

Importing SQLAlchemy, SQLModel and Alembic costs more than half a second on
these machines, longer than an empty Textual app takes to start. The home
screen's figures are therefore read with the database driver directly (the
same SQL on SQLite and PostgreSQL), after checking that the schema is the one
this tracker knows; anything else goes through SQLAlchemy as usual.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Any, Iterator

from tracker.db import sqlite_setup
from tracker.db.dialect import POSTGRESQL, SQLITE, dialect_of, is_sqlite, name_of, sqlite_file

# The newest migration in db/migrations/versions (a test checks they agree).
SCHEMA_HEAD = "0009"

_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


class SchemaNotCurrent(Exception):
    """The database is new, older or newer than this tracker: take the SQLAlchemy path."""


class Raw:
    """A DB-API connection and the dialect its SQL and parameters follow."""

    def __init__(self, connection: Any, dialect: str):
        self.connection = connection
        self.dialect = dialect

    def _param(self, value: Any) -> Any:
        if not is_sqlite(self.dialect):
            return value
        if isinstance(value, datetime):  # the text SQLAlchemy stores for a UTC datetime
            return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return self._execute(sql, params, fetch=True)

    def run(self, sql: str, **params: Any) -> None:
        """A statement that returns no rows (an insert or update)."""
        self._execute(sql, params, fetch=False)

    def _execute(self, sql: str, params: dict[str, Any], *, fetch: bool) -> list[tuple[Any, ...]]:
        if not is_sqlite(self.dialect):
            sql = _NAMED.sub(r"%(\1)s", sql)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, {name: self._param(value) for name, value in params.items()})
            return [tuple(row) for row in cursor.fetchall()] if fetch else []
        finally:
            cursor.close()

    def value(self, sql: str, **params: Any) -> Any:
        found = self.rows(sql, **params)
        return found[0][0] if found else None


def libpq_uri(url: str) -> str:
    """The SQLAlchemy URL as libpq reads it: the same host, user, password and database, and every
    query parameter (``sslmode``, ``sslrootcert``, ``connect_timeout``...) kept, so the fast path
    connects exactly as the engine would, never in plaintext where the engine would refuse to."""
    scheme, rest = url.split("://", 1)
    if scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {scheme}://")
    return f"postgresql://{rest}"


@contextmanager
def connect(url: str) -> Iterator[Raw]:
    """A short-lived read connection, its schema checked against ``SCHEMA_HEAD``."""
    if is_sqlite(dialect_of(url)):
        path = sqlite_file(url)
        if path is None:
            raise SchemaNotCurrent("in-memory database")
        if not path.exists():
            raise SchemaNotCurrent("no database file yet")
        connection: Any = sqlite_setup.connect(str(path))
        raw = Raw(connection, SQLITE)
    else:
        import psycopg  # only when the tracker runs on PostgreSQL

        connection = psycopg.connect(libpq_uri(url), autocommit=True)
        raw = Raw(connection, POSTGRESQL)
    try:
        try:
            revision = raw.value("SELECT version_num FROM alembic_version")
        except Exception as exc:
            raise SchemaNotCurrent("no schema yet") from exc
        if revision != SCHEMA_HEAD:
            raise SchemaNotCurrent(f"schema {revision}, this tracker knows {SCHEMA_HEAD}")
        yield raw
    finally:
        connection.close()


def of_session(session: Any) -> Raw:
    """The raw connection under a SQLAlchemy session (same transaction)."""
    connection = session.connection()
    return Raw(connection.connection.driver_connection, name_of(connection))


def as_date(value: Any) -> date:
    """A date column's value: SQLite's driver returns text, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_raw(db: Any) -> Raw:
    """A Raw as is, or the raw connection under a SQLAlchemy session."""
    return db if isinstance(db, Raw) else of_session(db)
