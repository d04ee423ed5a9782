"""One app factory for every UI test, a pinned clock and time zone, and
realistic data built through the record-keeping functions."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, ROOT, write
from tracker.backend import Backend
from tracker.config import Settings
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.source import source_from_config
from tracker.domain.timeutil import set_clock
from tracker.records.handbook.commands import publish
from tracker.ui.app import TrackerApp

# Every UI test and snapshot sees the same "now": Monday 2026-11-23 10:00 UTC.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)
SIZE = (120, 40)


@pytest.fixture(autouse=True)
def pinned_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    set_clock(lambda: NOW)
    yield
    set_clock(None)
    monkeypatch.delenv("TZ", raising=False)
    time.tzset()


def make_app(database_url: str, *, engine: Engine | None = None, actor: str = ACTOR) -> TrackerApp:
    settings = Settings(database_url=database_url, handbook=source_from_config(ROOT / "mkdocs.yml"), actor=actor)
    return TrackerApp(settings, Backend(settings, engine))


@pytest.fixture
def app_factory(database_url: str):  # type: ignore[no-untyped-def]
    apps: list[TrackerApp] = []

    def factory(actor: str = ACTOR) -> TrackerApp:
        app = make_app(database_url, actor=actor)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.backend.close()


@pytest.fixture
def published_sqlite_url(sqlite_url: str, handbook: Handbook) -> str:
    """A SQLite database with the real handbook published (on disk, for a subprocess to open)."""
    engine = make_engine(sqlite_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR))
    engine.dispose()
    return sqlite_url
