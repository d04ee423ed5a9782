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
from tracker.db import triggers
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
    versions = expected["counts"]["handbook_version"]
    with engine.connect() as connection:
        for table, count in expected["counts"].items():
            # The upgrade records each version published before the trail held its channels and
            # ladder (one 'handbook.attest' event each); every other record is exactly as it was.
            added = versions if table == "audit_event" else 0
            assert connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == count + added, table
        attested = connection.execute(
            text("SELECT COUNT(*) FROM audit_event WHERE action = 'handbook.attest'")
        ).scalar()
        assert attested == versions
    seq, digest = expected["audit_head"].split(":")
    with read(engine) as session:
        report = verify_chain(session, (int(seq), digest))
        assert report.ok, report.problem
        assert verify_records(session) == []
        # The first release's demo back-dated its corrective actions' events; verify says so.
        assert report.clock_problems and all("the chain's clock went back" in p for p in report.clock_problems)
        assert all("corrective_action" in p or "follow_up" in p for p in report.clock_problems)
    # From now on an old version's channel targets are held to what the upgrade recorded.
    with engine.begin() as connection:
        for statement in triggers.drop_chain_statements("sqlite") + triggers.drop_statements("sqlite"):
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql("UPDATE handbook_channel SET target_seconds = 2592000 WHERE code = 'email'")
    with read(engine) as session:
        assert any("handbook version" in problem for problem in verify_records(session))
    engine.dispose()


def test_the_fast_start_knows_the_newest_migration() -> None:
    """rawsql.SCHEMA_HEAD lets the app skip Alembic at start-up; it must name the newest migration."""
    assert SCHEMA_HEAD == head_revision()
