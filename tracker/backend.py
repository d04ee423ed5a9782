"""The front ends' one handle on the core: settings, the database, the handbook.

The command line and the terminal app both hold one ``Backend``. They pass a
function of a session to ``read`` or ``write`` (the app always from a worker
thread, see ``ui/worker.py``), and that function calls the record-keeping
functions in ``tracker.records``. SQLAlchemy is imported on first use, not at
start-up: the dashboard's first figures come through ``quick`` on the driver's
own connection (see ``db/raw.py``). ``error_message`` is the one place where
any failure becomes the one-line message a user sees.
"""

from __future__ import annotations

from threading import Lock
from typing import TYPE_CHECKING, Callable, TypeVar

from tracker.config import Settings
from tracker.db.dialect import is_sqlite
from tracker.domain.errors import TrackerError
from tracker.domain.text_safety import visible

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from tracker.db.raw import Raw
    from tracker.domain.handbook.model import Handbook

T = TypeVar("T")


class Backend:
    def __init__(self, settings: Settings, engine: "Engine | None" = None):
        self.settings = settings
        self._engine = engine
        self._lock = Lock()

    @property
    def actor(self) -> str:
        return self.settings.actor

    @property
    def engine(self) -> "Engine":
        """The engine on a database whose schema matches this tracker (an older SQLite one is upgraded)."""
        with self._lock:
            if self._engine is None:
                from tracker.maintenance.schema import open_database

                self.settings.refuse_missing_database()
                self._engine = open_database(self.settings.database_url)
            return self._engine

    def read(self, work: "Callable[[Session], T]") -> T:
        from tracker.db.engine import read_session

        with read_session(self.engine) as session:
            return work(session)

    def write(self, work: "Callable[[Session], T]") -> T:
        """``work`` in one write transaction, retried as a whole while another writer holds the lock."""
        from tracker.db.engine import write

        return write(self.engine, work)

    def quick(self, work: "Callable[[Raw], T]") -> T:
        """Run a read on the driver's connection: before SQLAlchemy is loaded on
        a database whose schema is current, else through the engine (which
        upgrades an older SQLite schema, or explains what is wrong)."""
        from tracker.db import raw

        if self._engine is None:
            try:
                with raw.connect(self.settings.database_url) as connection:
                    return work(connection)
            except raw.SchemaNotCurrent:
                pass
        return self.read(lambda session: work(raw.of_session(session)))

    def handbook(self) -> "Handbook":
        """The working handbook, read afresh so edits to the Markdown show at once."""
        from tracker.domain.handbook.parser import load_handbook

        return load_handbook(self.settings.handbook)

    def close(self) -> None:
        """On leaving: let SQLite refresh its planner statistics where they went stale
        (SQLite's advice for long-lived applications), then close."""
        if self._engine is not None:
            if is_sqlite(self._engine):
                try:
                    with self._engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
                        connection.exec_driver_sql("PRAGMA optimize")
                except Exception:  # noqa: BLE001 - statistics are an optimisation; never fail on exit
                    pass
            self._engine.dispose()


def is_storage_error(exc: BaseException) -> bool:
    """Raised by SQLAlchemy or the database driver (checked without importing either)."""
    return type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3")


def error_message(exc: BaseException) -> str:
    """Any failure as the one line a user sees (no traceback ever), control characters escaped:
    a message may quote a value someone else wrote."""
    return visible(_message(exc))


def _message(exc: BaseException) -> str:
    if isinstance(exc, TrackerError):
        return str(exc)
    if is_storage_error(exc):
        lines = str(getattr(exc, "orig", None) or exc).splitlines()
        return f"database: {lines[0] if lines else type(exc).__name__} (nothing was saved)"
    return f"unexpected problem: {type(exc).__name__}: {exc}"
