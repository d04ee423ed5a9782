"""Shared fixtures: the real handbook, fresh migrated databases on SQLite and
(when a server is available) PostgreSQL, and a command-line runner.

PostgreSQL: set TRACKER_TEST_POSTGRES_URL to a role that may CREATE DATABASE,
e.g. postgresql+psycopg://tracker:tracker@127.0.0.1/postgres. Each test gets its
own database cloned from a migrated template. In CI (CI=true) a missing server
is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from tracker.db import engine as db
from tracker.db.migrate import upgrade
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import HandbookSource, source_from_config
from tracker.records.handbook.commands import publish

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"
ACTOR = "test-supervisor"
T = TypeVar("T")


@pytest.fixture(scope="session", autouse=True)
def private_log_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tracker's log (unexpected errors, a failed write in the app) goes to a folder of the test
    run, not into the tester's own ~/.local/state; child processes inherit it."""
    before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state-home"))
    yield
    if before is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = before


@pytest.fixture(scope="session")
def handbook_source() -> HandbookSource:
    return source_from_config(ROOT / "mkdocs.yml")


@pytest.fixture(scope="session")
def handbook(handbook_source: HandbookSource) -> Handbook:
    return load_handbook(handbook_source)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        message = f"PostgreSQL tests need {POSTGRES_ENV} (a role that may CREATE DATABASE)"
        if IN_CI:
            pytest.fail(message + " — in CI a missing server is a failure")
        pytest.skip(message)
    return url


def _admin_engine(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    admin_url = postgres_admin_url()
    assert admin_url
    name = f"tracker_tpl_{os.getpid()}"
    admin = _admin_engine(admin_url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    template_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = db.make_engine(template_url)
    upgrade(engine)
    engine.dispose()
    yield admin_url, name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_sqlite(template: Path, folder: Path) -> str:
    path = folder / "tracker.db"
    shutil.copyfile(template, path)
    path.chmod(0o600)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return _fresh_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    admin_url, template = request.getfixturevalue("postgres_template")
    name = f"tracker_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(admin_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database; storage and workflow tests run on both backends."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def published(engine: Engine, handbook: Handbook) -> Engine:
    """A database with the real handbook published as its first version."""
    db.write(engine, lambda s: publish(handbook, session=s, actor=ACTOR))
    return engine


def write(engine: Engine, work: Callable[[Session], T]) -> T:
    return db.write(engine, work)


def read(engine: Engine) -> Session:
    return db.read_session(engine)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``-n 2 --dist loadgroup``), the browser tests share one worker and the
    PostgreSQL tests another: one Chromium and one stream of database clones at a time on two cores."""
    for item in items:
        for suite in ("browser", "postgres"):
            if item.get_closest_marker(suite):
                item.add_marker(pytest.mark.xdist_group(suite))
                break


@contextmanager
def local_zone(zone: str) -> Iterator[None]:
    """The process's local time zone set to ``zone`` (as TZ sets it) for the block, then restored."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", zone)
        time.tzset()
        yield
    time.tzset()
