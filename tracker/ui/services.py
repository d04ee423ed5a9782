"""The app's handle on the record-keeping core.

Screens never open sessions or build queries: they pass a function of a
session to ``read`` or ``write`` (always from a worker thread, see
``worker.run_db``), and that function calls the same storage functions the
command line uses.
"""

from __future__ import annotations

from threading import Lock
from typing import Callable, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import Settings
from tracker.domain.handbook import Handbook, load_handbook
from tracker.storage import db
from tracker.storage.migrate import open_database

T = TypeVar("T")


class Services:
    def __init__(self, settings: Settings, engine: Engine | None = None):
        self.settings = settings
        self._engine = engine
        self._lock = Lock()

    @property
    def actor(self) -> str:
        return self.settings.actor

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = open_database(self.settings.database_url)
            return self._engine

    def read(self, work: Callable[[Session], T]) -> T:
        with db.read_session(self.engine) as session:
            return work(session)

    def write(self, work: Callable[[Session], T]) -> T:
        return db.write(self.engine, work)

    def handbook(self) -> Handbook:
        """The working handbook, read afresh so edits to the Markdown show at once."""
        return load_handbook(self.settings.handbook)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
