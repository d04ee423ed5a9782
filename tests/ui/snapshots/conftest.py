"""Fixtures for the snapshot tests: one realistic demo database per test
session, a fresh copy of it for every test, an empty database, and the helpers
the tests use to drive the app until every database read has arrived.

The demo data is made by ``tracker.demo.generate.generate`` with a fixed seed
and the pinned clock of tests/ui/conftest.py (2026-11-23 10:00 UTC, TZ=UTC), so
every run draws the same employees, complaints and actions, and every screen
computes "today", "overdue" and "this week" against the same moment.

Snapshots are SVG files under ``__snapshots__/`` (pytest-textual-snapshot).
Write or refresh them with ``--snapshot-update`` and look at each changed file
before committing it: a snapshot is only as good as the human who accepted it.
On a mismatch the plugin writes an HTML report to ``--snapshot-report``
(default: snapshot_report.html in the working directory; point it at /tmp).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import pytest

from tests.ui.conftest import NOW, make_app
from tracker.db import engine as db
from tracker.demo.generate import generate
from tracker.domain.handbook.model import Handbook
from tracker.domain.timeutil import set_clock
from tracker.ui.app import TrackerApp

# The demo database every snapshot of a populated screen is taken on.
DEMO = {"employees": 60, "complaints": 1500, "seed": 3}


def _checkpoint(engine) -> None:  # type: ignore[no-untyped-def]
    """Fold SQLite's write-ahead log into the main file, so a plain file copy is complete."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def demo_database(sqlite_template: Path, handbook: Handbook, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data, generated once per session under the pinned clock.

    tests/ui/conftest.py pins the clock per test (an autouse function-scoped
    fixture), which is not active while a session fixture runs: pin it here too.
    """
    path = tmp_path_factory.mktemp("snapshot-data") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        set_clock(lambda: NOW)
        engine = db.make_engine(f"sqlite:///{path}")
        try:
            generate(engine, handbook, now=NOW, **DEMO)
            _checkpoint(engine)
        finally:
            engine.dispose()
            set_clock(None)
    time.tzset()  # TZ restored by the monkeypatch context
    return path


@pytest.fixture
def demo_url(demo_database: Path, tmp_path: Path) -> str:
    """A private copy of the demo database: a test that writes cannot change another's snapshot."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def snap_app() -> Iterator[Callable[[str], TrackerApp]]:
    """``snap_app(database_url)``: the app as tests/ui builds it (same settings, same actor)."""
    apps: list[TrackerApp] = []

    def factory(database_url: str) -> TrackerApp:
        app = make_app(database_url)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.backend.close()


# --------------------------------------------------------------------------
# Driving the app
# --------------------------------------------------------------------------


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Wait until every database worker has finished and its result is on screen.

    Several rounds, because a result often starts another read (a list's first
    page, then the count; a screen's facts, then its choices).
    """
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def assert_loaded(pilot: Any) -> None:
    """Fail rather than accept a snapshot of a screen still saying "Loading…"."""
    from textual.widgets import Static

    for widget in pilot.app.screen.query(Static):
        shown = all(getattr(node, "display", True) for node in (widget, *widget.ancestors))
        if shown and "Loading" in str(widget.render()):
            raise AssertionError(f"{widget!r} still shows {str(widget.render())!r}: a worker never finished")


def keys(*presses: str, rounds: int = 3) -> Callable[[Any], Awaitable[None]]:
    """A ``run_before`` that settles, then presses each key (or types each
    ``"text:..."`` string character by character) and settles after each;
    at the end nothing on screen may still be loading."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot, rounds)
        for press in presses:
            if press.startswith("text:"):
                await pilot.press(*press.removeprefix("text:"))
            else:
                await pilot.press(press)
            await settle(pilot, rounds)
        assert_loaded(pilot)

    return run_before
