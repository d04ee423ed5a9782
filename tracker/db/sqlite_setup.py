"""Every SQLite connection the tracker opens is set up here, with or without SQLAlchemy.

WAL so readers never block the writer, ``synchronous=FULL`` so a saved
sign-off survives power loss, foreign keys on, and a busy timeout. The
sqlite3 module's own transaction handling is switched off: the tracker issues
BEGIN (or BEGIN IMMEDIATE for writes) itself.

WAL is a property of the file, set once when the tracker creates a database:
opening a backup (a single file in rollback-journal mode) to read or verify it
must not turn it into a WAL database, or its SHA-256 would no longer match the
one ``tracker db backup`` printed. Backups are read through ``connect_read_only``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from tracker.domain.text_fold import fold

BUSY_TIMEOUT_MS = 5000


def configure(connection: sqlite3.Connection) -> None:
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new, empty database: make it a WAL one
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
    # Search folds accents and case in the database as in Python (db/dialect.folded).
    connection.create_function("tracker_fold", 1, _fold_or_null, deterministic=True)


def _fold_or_null(value: str | None) -> str | None:
    return fold(value) if isinstance(value, str) else None


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    configure(connection)
    return connection


def read_only_uri(path: str) -> str:
    """The URI of a file opened read-only and immutable. The path is percent-encoded: in a URI
    ``?`` starts the options, ``#`` a fragment and ``%`` an escape, so a backup named
    ``shelf #1/b?.db`` would otherwise open (or create) another file."""
    absolute = Path(path).absolute().as_posix()
    if not absolute.startswith("/"):  # a drive letter: file:///C:/...
        absolute = "/" + absolute
    return f"file://{quote(absolute, safe='/:')}?mode=ro&immutable=1"


def connect_read_only(path: str) -> sqlite3.Connection:
    """A file that must not change at all (a backup, perhaps on read-only media): opened
    read-only and immutable, so SQLite neither writes nor locks it."""
    connection = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
    connection.isolation_level = None
    return connection
