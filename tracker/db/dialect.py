"""Where SQLite and PostgreSQL differ, in one module: row locks, epoch seconds, the
calendar month and day of a timestamp, byte-order collation, planner statistics.

SQLite stores times as UTC text, PostgreSQL as timestamps; every query that needs
one of these reads it from here, so no record module branches on the backend.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Integer, func
from sqlalchemy.engine import Connection
from sqlmodel import Session

S = TypeVar("S")


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock(session: Session, statement: S) -> S:
    """Select rows for update (a no-op on SQLite, whose writers are serialised)."""
    if is_postgres(session):
        statement = statement.with_for_update()  # type: ignore[attr-defined]
    return statement


def epoch_seconds(session: Session, column: Any) -> Any:
    """Seconds since 1970 of a timestamp column."""
    if is_postgres(session):
        return func.extract("epoch", column)
    return func.cast(func.strftime("%s", column), Integer)


def utc_month(session: Session, column: Any) -> Any:
    """'2026-11': the UTC calendar month of a timestamp column."""
    if is_postgres(session):
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def utc_day_sql(dialect: str, column: str) -> str:
    """The UTC calendar day of a timestamp column, as SQL text (for the driver-level queries)."""
    return f"date({column})" if dialect == "sqlite" else f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def byte_order(session: Session, expression: Any) -> Any:
    """Byte-order collation on both backends: the order Python compares strings in."""
    return expression.collate("C") if is_postgres(session) else expression


def refresh_statistics(connection: Connection) -> None:
    """Table statistics after a bulk load, so the query planner picks the
    index-backed plans (for example the partial index of open complaints)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")  # a sample: a fraction of a second at 1M rows
        connection.exec_driver_sql("ANALYZE")
    else:
        connection.exec_driver_sql("ANALYZE complaint")
        connection.exec_driver_sql("ANALYZE complaint_rule")
