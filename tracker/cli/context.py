"""What every command needs: settings, the database, the handbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, TypeVar

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import Settings
from tracker.domain.handbook import Handbook, load_handbook
from tracker.storage import db
from tracker.storage.migrate import open_database

T = TypeVar("T")


@dataclass
class Context:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        return self.settings.actor

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_database(self.settings.database_url)
        return self._engine

    def write(self, work: Callable[[Session], T]) -> T:
        return db.write(self.engine, work)

    def session(self) -> Session:
        return db.read_session(self.engine)

    def handbook(self) -> Handbook:
        return load_handbook(self.settings.handbook)


def get(ctx: typer.Context) -> Context:
    root = ctx.find_root()
    assert isinstance(root.obj, Context)
    return root.obj
