"""The README's PostgreSQL team set-up, replayed word for word: an owner role
runs the upgrade, and a supervisor role with only the README's grants can do
a supervisor's whole day (the demo's publish, roster, sign-offs, complaint
import and ladder) but cannot delete a record.

The README's SQL is run by a superuser (``sudo -u postgres psql``), so this
test needs the test role to be one; `.ci/run` creates it so.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from tests.conftest import IN_CI, postgres_admin_url, read
from tracker.audit.integrity import verify_records
from tracker.db.engine import make_engine
from tracker.db.migrate import upgrade
from tracker.demo import generate as demo

pytestmark = pytest.mark.postgres

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def readme_sql() -> list[str]:
    """The SQL blocks (psql here-documents) of the README's "PostgreSQL for teams" section."""
    section = README.read_text(encoding="utf-8").split("## PostgreSQL for teams", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"<<'SQL'\n(.*?)\nSQL\n", section, flags=re.S)
    assert len(blocks) == 2, "the README sets up roles, then grants after the upgrade"
    return blocks


def statements(block: str, names: dict[str, str]) -> list[str]:
    """The block's statements, comments dropped, with this test's unique names."""
    sql = re.sub(r"--[^\n]*", "", block)
    for old, new in names.items():
        sql = re.sub(rf"\b{old}\b", new, sql)
    return [part.strip() for part in sql.split(";") if part.strip()]


@pytest.fixture
def team() -> Iterator[dict[str, str]]:
    admin_url = postgres_admin_url()
    assert admin_url
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
            message = "the README's team set-up is run by a superuser; the test role is not one"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
    suffix = uuid.uuid4().hex[:8]
    names = {
        "tracker_owner": f"owner_{suffix}",
        "maria": f"maria_{suffix}",
        "tom": f"tom_{suffix}",
        "tracker": f"team_{suffix}",
    }
    yield {"admin": admin_url, **names}
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{names["tracker"]}" WITH (FORCE)'))
        for role in ("maria", "tom", "tracker_owner"):
            connection.execute(text(f'DROP ROLE IF EXISTS "{names[role]}"'))
    admin.dispose()


def test_a_supervisor_with_the_readme_grants_does_a_days_work_but_cannot_delete(team, handbook) -> None:  # type: ignore[no-untyped-def]
    roles, grants = readme_sql()
    names = {key: value for key, value in team.items() if key != "admin"}
    admin_url = make_url(team["admin"])

    def url(user: str, database: str) -> str:
        return admin_url.set(username=user, password="change-me", database=database).render_as_string(
            hide_password=False
        )

    admin = create_engine(team["admin"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements(roles, names):
            connection.execute(text(statement))
    owner = make_engine(url(names["tracker_owner"], names["tracker"]))
    upgrade(owner)
    owner.dispose()
    in_team_db = create_engine(admin_url.set(database=names["tracker"]), isolation_level="AUTOCOMMIT")
    with in_team_db.connect() as connection:
        for statement in statements(grants, names):
            connection.execute(text(statement))
    in_team_db.dispose()
    admin.dispose()

    maria = make_engine(url(names["maria"], names["tracker"]))
    try:
        summary = demo.generate(maria, handbook, employees=40, complaints=600, seed=2, now=NOW, actor=names["maria"])
        assert summary.complaints == 600 and summary.signoffs > 0 and summary.actions >= 1
        with read(maria) as session:
            assert verify_records(session) == []
        with maria.connect() as connection, pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("DELETE FROM complaint"))
    finally:
        maria.dispose()
