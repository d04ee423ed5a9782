"""A database made by the first released schema upgrades with every record intact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import text

from tests.conftest import ROOT, read
from tracker.audit.chain import verify_chain
from tracker.audit.integrity import verify_records
from tracker.cli.main import run
from tracker.db import engine as db
from tracker.db.migrate import current_revision, head_revision
from tracker.db.raw import SCHEMA_HEAD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_first_released_database_upgrades_intact(tmp_path: Path) -> None:
    expected = json.loads((FIXTURES / "schema-0001.json").read_text(encoding="utf-8"))
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema-0001.db", path)
    url = f"sqlite:///{path}"
    assert run(["--db", url, "--handbook", str(ROOT / "mkdocs.yml"), "db", "upgrade"]) == 0
    engine = db.make_engine(url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        for table, count in expected["counts"].items():
            assert connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == count, table
    seq, digest = expected["audit_head"].split(":")
    with read(engine) as session:
        report = verify_chain(session, (int(seq), digest))
        assert report.ok, report.problem
        assert verify_records(session) == []
    engine.dispose()


def test_the_fast_start_knows_the_newest_migration() -> None:
    """rawsql.SCHEMA_HEAD lets the app skip Alembic at start-up; it must name the newest migration."""
    assert SCHEMA_HEAD == head_revision()
