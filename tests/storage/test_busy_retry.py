"""A write that finds the database held by another writer waits, retries the
whole transaction a bounded number of times, and either saves once or says so
in one line having saved nothing: on SQLite behind a writer's BEGIN IMMEDIATE,
on PostgreSQL behind a transaction holding the tracker's advisory lock (which
used to wait forever). The busy timeout is cut to 50 ms here so the retries
happen in a fraction of a second instead of the real 5 s each."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import engine as db
from tracker.db import sqlite_setup
from tracker.domain.errors import TrackerError

SHORT_MS = 50


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_setup, "BUSY_TIMEOUT_MS", SHORT_MS)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", SHORT_MS)


@contextmanager
def another_writer_holds_the_lock(url: str, seconds: float) -> Iterator[None]:
    """Another writer holds the write lock for ``seconds``, then lets go: BEGIN IMMEDIATE on the
    SQLite file, or a PostgreSQL transaction holding the tracker's advisory lock."""
    ready = threading.Event()

    def hold() -> None:
        if url.startswith("sqlite"):
            other = sqlite3.connect(make_url(url).database or "", isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            ready.set()
            time.sleep(seconds)
            other.execute("ROLLBACK")
            other.close()
            return
        engine = create_engine(url)
        with engine.connect() as connection, connection.begin():
            connection.execute(text(f"SELECT pg_advisory_xact_lock({db._AUDIT_LOCK_KEY})"))
            ready.set()
            time.sleep(seconds)
        engine.dispose()

    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait()
    try:
        yield
    finally:
        holder.join()


def _counter_rows(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM counter WHERE name = 'busy-drill'")).scalar() or 0)


def _save(session) -> str:  # type: ignore[no-untyped-def]
    session.execute(text("INSERT INTO counter (name, value) VALUES ('busy-drill', 1)"))
    return "saved"


def test_a_write_held_up_past_the_busy_timeout_is_retried_and_saved_once(
    database_url: str, short_busy_timeout: None
) -> None:
    engine = db.make_engine(database_url)
    with another_writer_holds_the_lock(database_url, 0.4):
        started = time.perf_counter()
        assert db.write(engine, _save) == "saved"
        waited = time.perf_counter() - started
    assert waited > 0.3, "the lock was held well past one busy timeout: the write must have retried"
    assert _counter_rows(engine) == 1
    engine.dispose()


def test_a_write_that_never_gets_the_lock_says_so_and_saves_nothing(
    database_url: str, short_busy_timeout: None
) -> None:
    engine = db.make_engine(database_url)
    with another_writer_holds_the_lock(database_url, 3.0):
        started = time.perf_counter()
        with pytest.raises(TrackerError) as refused:
            db.write(engine, _save, attempts=3)
        gave_up_after = time.perf_counter() - started
    assert str(refused.value) == (
        "database: another supervisor held the database for too long; nothing was saved, try again"
    )
    assert gave_up_after < 2.0, "the retries are bounded"
    assert _counter_rows(engine) == 0
    engine.dispose()
