"""Where SQLite and PostgreSQL differ, in one module: which of the two a URL, an engine, a
connection or a session is on, row locks, epoch seconds, the calendar month and day of a
timestamp, byte-order collation, planner statistics.

SQLite stores times as UTC text, PostgreSQL as timestamps; every query that needs
one of these reads it from here, so no record module branches on the backend.

Importing this module imports no SQLAlchemy (the functions that build SQLAlchemy expressions
import it when called): ``db/raw.py``, on the app's start-up path, asks it which dialect a URL is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.sql import Select
    from sqlmodel import Session

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

S = TypeVar("S", bound="Select[Any]")


def sqlite_url(path: Path | str) -> str:
    """The URL of a SQLite file, its path percent-encoded: a folder named ``shelf #1?`` would
    otherwise end the path at ``#`` or start a query at ``?``, and open another file."""
    return "sqlite:///" + quote(str(path), safe="/")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, decoded as SQLAlchemy decodes it (None for PostgreSQL or an
    in-memory database); no SQLAlchemy, so the app's start-up can ask."""
    if not url.startswith("sqlite:///"):
        return None
    path = unquote(url[len("sqlite:///") :].split("?", 1)[0])
    return Path(path) if path and path != ":memory:" else None


def dialect_of(url: str) -> str:
    """``sqlite`` or ``postgresql``: the dialect of a database URL, read without SQLAlchemy."""
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    return SQLITE if scheme == SQLITE else POSTGRESQL


def name_of(where: Session | Engine | Connection | str) -> str:
    """The dialect of a session, an engine or a connection; a string is a dialect's name already
    (``Raw.dialect``, the argument of the trigger and migration builders)."""
    if isinstance(where, str):
        return where
    from sqlalchemy.orm import Session as OrmSession  # loaded already: ``where`` is one of its objects

    if isinstance(where, OrmSession):
        return where.get_bind().dialect.name
    return where.dialect.name


def is_sqlite(where: Session | Engine | Connection | str) -> bool:
    return name_of(where) == SQLITE


def is_postgres(where: Session | Engine | Connection | str) -> bool:
    return name_of(where) == POSTGRESQL


def lock(session: Session, statement: S) -> S:
    """Select rows for update (a no-op on SQLite, whose writers are serialised)."""
    if is_postgres(session):
        statement = statement.with_for_update()
    return statement


def epoch_seconds(session: Session, column: Any) -> Any:
    """Seconds since 1970 of a timestamp column."""
    from sqlalchemy import Integer, func

    if is_postgres(session):
        return func.extract("epoch", column)
    return func.cast(func.strftime("%s", column), Integer)


def utc_month(session: Session, column: Any) -> Any:
    """'2026-11': the UTC calendar month of a timestamp column."""
    from sqlalchemy import func

    if is_postgres(session):
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def utc_day_sql(dialect: str, column: str) -> str:
    """The UTC calendar day of a timestamp column, as SQL text (for the driver-level queries)."""
    return f"date({column})" if is_sqlite(dialect) else f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def byte_order(session: Session, expression: Any) -> Any:
    """Byte-order collation on both backends: the order Python compares strings in."""
    return expression.collate("C") if is_postgres(session) else expression


def refresh_statistics(connection: Connection) -> None:
    """Table statistics after a bulk load, so the query planner picks the
    index-backed plans (for example the partial index of open complaints)."""
    if is_sqlite(connection):
        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")  # a sample: a fraction of a second at 1M rows
        connection.exec_driver_sql("ANALYZE")
    else:
        connection.exec_driver_sql("ANALYZE complaint")
        connection.exec_driver_sql("ANALYZE complaint_rule")
