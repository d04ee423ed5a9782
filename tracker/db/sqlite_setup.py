"""Every SQLite connection the tracker opens is set up here, with or without SQLAlchemy.

WAL so readers never block the writer, ``synchronous=FULL`` so a saved
sign-off survives power loss, foreign keys on, and a busy timeout. The
sqlite3 module's own transaction handling is switched off: the tracker issues
BEGIN (or BEGIN IMMEDIATE for writes) itself.
"""

from __future__ import annotations

import sqlite3

BUSY_TIMEOUT_MS = 5000


def configure(connection: sqlite3.Connection) -> None:
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    configure(connection)
    return connection
