"""Benchmark databases, built once with ``tracker demo`` and kept between runs.

SQLite files live in tests/bench/.data/ (ignored by git); PostgreSQL databases
are named bench_<name> on the server given by TRACKER_BENCH_POSTGRES_URL (or
TRACKER_TEST_POSTGRES_URL), a role that may CREATE DATABASE.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from tracker.db import engine as db
from tracker.db.migrate import upgrade
from tracker.db.models import Complaint, Employee
from tracker.demo.generate import generate
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / ".data"
# Every benchmark database is generated as of this moment, so runs compare like with like.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Dataset:
    name: str
    employees: int
    complaints: int


DEMO = Dataset("demo", 1_000, 50_000)  # what `tracker demo` builds: the size a new supervisor tries first
LARGE = Dataset("large", 10_000, 1_000_000)
SMALL = Dataset("small", 10_000, 10_000)
TINY = Dataset("tiny", 10_000, 1_000)
STAFF = Dataset("staff", 100_000, 1_000)
ROSTER = Dataset("roster", 10_000, 0)  # published handbook and employees, no complaints: the import target


def postgres_admin_url() -> str | None:
    return os.environ.get("TRACKER_BENCH_POSTGRES_URL") or os.environ.get("TRACKER_TEST_POSTGRES_URL")


def url_for(dataset: Dataset, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{DATA / (dataset.name + '.db')}"
    admin = postgres_admin_url()
    assert admin, "PostgreSQL benchmarks need TRACKER_BENCH_POSTGRES_URL"
    return make_url(admin).set(database=f"bench_{dataset.name}").render_as_string(hide_password=False)


def _complete(url: str, dataset: Dataset) -> bool:
    try:
        engine = db.make_engine(url)
        with db.read_session(engine) as session:
            complaints = session.exec(select(func.count()).select_from(Complaint)).one()
            employees = session.exec(select(func.count()).select_from(Employee)).one()
        engine.dispose()
    except Exception:  # noqa: BLE001 - missing or half-built: build again
        return False
    return complaints == dataset.complaints and employees == dataset.employees


def _reset(url: str, backend: str) -> None:
    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def ensure(dataset: Dataset, backend: str, log=print) -> str:  # type: ignore[no-untyped-def]
    """The dataset's URL, building it first if it is missing or incomplete."""
    url = url_for(dataset, backend)
    if _complete(url, dataset):
        engine = db.make_engine(url)
        upgrade(engine)  # built by an older tracker: upgraded as a user's database would be
        engine.dispose()
        return url
    log(f"building {dataset.name} on {backend} ({dataset.employees:,} employees, {dataset.complaints:,} complaints)…")
    _reset(url, backend)
    engine = db.make_engine(url)
    upgrade(engine)
    handbook = load_handbook(source_from_config(ROOT / "mkdocs.yml"))
    generate(engine, handbook, employees=dataset.employees, complaints=dataset.complaints, seed=1, now=NOW)
    if backend == "postgres":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return url
