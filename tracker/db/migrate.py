"""Schema migrations (Alembic, inside the package) and the start-up check.

An embedded SQLite database is upgraded automatically when the tracker starts;
a shared PostgreSQL database is upgraded on purpose with ``tracker db upgrade``
(one supervisor does it, not whoever starts first). A database newer than this
tracker is refused: an older program must not write to a schema it does not know.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.db.engine import is_sqlite, write
from tracker.domain.errors import TrackerError


class SchemaError(TrackerError):
    """The database schema does not match this tracker."""


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(str(files("tracker.db") / "migrations"))))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate in one write transaction (BEGIN IMMEDIATE on SQLite, the advisory lock on
    PostgreSQL), retried while another writer holds the lock: several supervisors starting
    on an older database queue behind the first, whose upgrade the others then find done."""
    config = alembic_config(engine)

    def migrate(session: Session) -> None:
        config.attributes["connection"] = session.connection()
        command.upgrade(config, revision)

    write(engine, migrate)


def ensure_schema(engine: Engine, *, auto_upgrade: bool | None = None) -> bool:
    """Refuse a newer schema; bring an older one up to date where that is safe. True if it upgraded."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return False
    if current is not None and current not in known_revisions():
        raise SchemaError(
            f"database: its schema ({current}) is newer than this tracker knows ({head}); "
            "install the newer tracker before using this database"
        )
    if auto_upgrade is None:
        auto_upgrade = is_sqlite(engine)
    if not auto_upgrade:
        raise SchemaError(
            f"database: schema {current or 'empty'} is older than this tracker ({head}); "
            "run 'tracker db upgrade' once for everyone"
        )
    upgrade(engine)
    return True
