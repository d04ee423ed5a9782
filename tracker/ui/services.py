"""The app's handle on the record-keeping core.

Screens never open sessions or build queries: they pass a function of a
session to ``read`` or ``write`` (always from a worker thread, see
``worker.run_db``), and that function calls the same storage functions the
command line uses. SQLAlchemy is imported on first use, not at start-up: the
dashboard's first figures come through ``quick`` (see ``storage/rawsql.py``).
"""

from __future__ import annotations

from threading import Lock
from typing import TYPE_CHECKING, Callable, TypeVar

from tracker.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from tracker.domain.handbook import Handbook
    from tracker.storage.rawsql import Raw

T = TypeVar("T")


class Services:
    def __init__(self, settings: Settings, engine: "Engine | None" = None):
        self.settings = settings
        self._engine = engine
        self._lock = Lock()

    @property
    def actor(self) -> str:
        return self.settings.actor

    @property
    def engine(self) -> "Engine":
        with self._lock:
            if self._engine is None:
                from tracker.storage.migrate import open_database

                self._engine = open_database(self.settings.database_url)
            return self._engine

    def read(self, work: "Callable[[Session], T]") -> T:
        from tracker.storage import db

        with db.read_session(self.engine) as session:
            return work(session)

    def write(self, work: "Callable[[Session], T]") -> T:
        from tracker.storage import db

        return db.write(self.engine, work)

    def quick(self, work: "Callable[[Raw], T]") -> T:
        """Run a read on the driver's connection: before SQLAlchemy is loaded on
        a database whose schema is current, else through the engine (which
        upgrades an older SQLite schema, or explains what is wrong)."""
        from tracker.storage import rawsql

        if self._engine is None:
            try:
                with rawsql.connect(self.settings.database_url) as raw:
                    return work(raw)
            except rawsql.SchemaNotCurrent:
                pass
        return self.read(lambda session: work(rawsql.of_session(session)))

    def handbook(self) -> "Handbook":
        """The working handbook, read afresh so edits to the Markdown show at once."""
        from tracker.domain.handbook import load_handbook

        return load_handbook(self.settings.handbook)

    def close(self) -> None:
        """On leaving the app: let SQLite refresh its planner statistics where they went stale
        (SQLite's advice for long-lived applications), then close."""
        if self._engine is not None:
            if self._engine.dialect.name == "sqlite":
                try:
                    with self._engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
                        connection.exec_driver_sql("PRAGMA optimize")
                except Exception:  # noqa: BLE001 - statistics are an optimisation; never fail on exit
                    pass
            self._engine.dispose()


