"""Opening a database for use: its schema brought up to date, and the audit trail with it.

``db/migrate.py`` migrates the tables; after an upgrade the trail is brought up to
what this tracker records (``audit/attest.py``), in its own write transaction.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tracker.audit.attest import attest_versions
from tracker.db.engine import make_engine, write
from tracker.db.migrate import current_revision, ensure_schema, upgrade


def open_database(url: str) -> Engine:
    """An engine on a database whose schema matches this tracker (an older SQLite one is upgraded)."""
    engine = make_engine(url)
    if ensure_schema(engine):
        write(engine, attest_versions)
    return engine


def upgrade_database(url: str) -> tuple[str | None, str | None]:
    """``tracker db upgrade``: (revision before, revision after); also for a shared PostgreSQL database."""
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        if before is None or ensure_schema(engine, auto_upgrade=True):
            if before is None:
                upgrade(engine)
            write(engine, attest_versions)
        return before, current_revision(engine)
    finally:
        engine.dispose()
