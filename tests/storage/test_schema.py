"""The schema: migrations match the models, the database's own guarantees
(constraints, append-only triggers), SQLite settings, and the version check."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from tests.conftest import ACTOR, write
from tests.storage.conftest import add, counts
from tracker.db import engine as db
from tracker.db.migrate import SchemaError, current_revision, ensure_schema, head_revision
from tracker.db.models import metadata
from tracker.domain.inputs import EmployeeInput, SignoffInput, validate
from tracker.maintenance.schema import open_database
from tracker.records.employees.commands import add_employee
from tracker.records.signoffs.commands import record_signoff

# --- alembic check ----------------------------------------------------------------


def test_models_match_the_migrations(engine: Engine) -> None:
    """What `alembic check` does: autogenerate finds nothing to migrate."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert current_revision(engine) == head_revision()


def test_a_database_newer_than_the_tracker_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaError) as caught:
        ensure_schema(engine)
    message = str(caught.value)
    assert "its schema (9999_from_the_future) is newer than this tracker knows" in message
    assert f"({head_revision()})" in message
    assert "install the newer tracker" in message
    with pytest.raises(SchemaError, match="newer than this tracker"):
        open_database(engine.url.render_as_string(hide_password=False)).dispose()


def test_a_shared_database_is_not_upgraded_behind_everyones_back(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    with pytest.raises(SchemaError, match="run 'tracker db upgrade' once for everyone"):
        ensure_schema(engine, auto_upgrade=False)


def test_a_new_sqlite_database_is_created_upgraded_and_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "tracker.db"
    engine = open_database(f"sqlite:///{path}")
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
            assert {t.name for t in metadata.sorted_tables} <= tables
            # The database and its write-ahead log are readable by their owner only.
            for name in (path.name, path.name + "-wal"):
                assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
    finally:
        engine.dispose()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'settings.db'}")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL: a sign-off survives a power cut
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == db.BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


# --- append-only triggers -----------------------------------------------------------


@pytest.fixture
def signed(published: Engine) -> Engine:
    """E-1 has signed the published handbook; E-2 has not."""
    add(published, "E-1")
    add(published, "E-2")
    data = validate(SignoffInput, employee_number="E-1", signed_on=date.today(), method="terminal")
    write(published, lambda s: record_signoff(data, session=s, actor=ACTOR))
    return published


def _refusal(engine: Engine, sql: str) -> str:
    """Run raw SQL that the database must refuse, changing nothing; return its message."""
    before = counts(engine)
    with pytest.raises(DBAPIError) as caught:
        with engine.begin() as connection:
            connection.execute(text(sql))
    assert counts(engine) == before
    return str(caught.value.orig)


def _contents(engine: Engine) -> list[list[tuple]]:
    with engine.connect() as connection:
        return [
            list(connection.execute(text(f"SELECT * FROM {table}")).all())
            for table in ("signoff", "audit_event", "handbook_version", "handbook_rule")
        ]


APPEND_ONLY_EDITS = [
    "UPDATE signoff SET method = 'paper', filing_ref = 'cabinet 9'",
    "DELETE FROM signoff",
    "UPDATE audit_event SET actor = 'someone else'",
    "DELETE FROM audit_event WHERE seq = 1",
    "DELETE FROM handbook_rule",
    "UPDATE handbook_version SET label = 'rewritten'",
]


def test_database_refuses_to_edit_or_delete_append_only_records(signed: Engine) -> None:
    contents = _contents(signed)
    for sql in APPEND_ONLY_EDITS:
        message = _refusal(signed, sql)
        assert "is append-only" in message and "refused" in message, (sql, message)
    assert _contents(signed) == contents


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_the_audit_trail(postgres_url: str) -> None:
    engine = db.make_engine(postgres_url)
    try:
        write(
            engine,
            lambda s: add_employee(
                validate(EmployeeInput, number="E-1", name="Ann", team="Desk", hire_date="2024-01-01"),
                session=s,
                actor=ACTOR,
            ),
        )
        for table in ("audit_event", "signoff"):
            assert f"{table} is append-only: TRUNCATE refused" in _refusal(engine, f"TRUNCATE {table} CASCADE")
        assert counts(engine)["audit_event"] == 1
    finally:
        engine.dispose()


# --- constraints that back the Python validation --------------------------------------


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert_sql(table: str, values: dict[str, Any]) -> str:
    return f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(_literal(v) for v in values.values())})"


STAMP = "2026-11-23 10:00:00"


def _good_rows(engine: Engine) -> dict[str, dict[str, Any]]:
    """A valid raw row for each table whose constraints are tested (the sign-off is E-2's)."""
    with engine.connect() as connection:
        unsigned = connection.execute(text("SELECT id FROM employee WHERE number = 'E-2'")).scalar_one()
        version = connection.execute(text("SELECT id FROM handbook_version")).scalar_one()
    today = str(date.today())
    return {
        "employee": dict(
            number="E-RAW",
            name="Raw Row",
            team="Desk",
            hire_date="2024-01-01",
            active=True,
            created_at=STAMP,
            created_by="sql",
            updated_at=STAMP,
            updated_by="sql",
            revision=1,
        ),
        "signoff": dict(
            employee_id=unsigned,
            version_id=version,
            signed_on=today,
            method="paper",
            filing_ref="cabinet 3",
            printed_name="Employee E-2",
            meaning="read it",
            recorded_by="sql",
            recorded_at=STAMP,
            recorded_on=today,
        ),
        "complaint": dict(
            ref="C-RAW-1",
            received_at=STAMP,
            version_id=version,
            channel="chat",
            target_seconds=120,
            summary="Raw complaint",
            severity="medium",
            urgent=False,
            status="received",
            created_at=STAMP,
            created_by="sql",
            updated_at=STAMP,
            updated_by="sql",
            revision=1,
        ),
        "corrective_action": dict(
            employee_id=unsigned,
            version_id=version,
            level="coaching",
            step=1,
            is_final=False,
            expectations="Be calm",
            issued_on="2026-11-01",
            issued_by="sql",
            follow_up_due="2026-12-01",
            follow_up_done=False,
            suggested_level="coaching",
            suggestion_reason="first",
            status="open",
            created_at=STAMP,
            updated_at=STAMP,
            updated_by="sql",
            revision=1,
        ),
    }


ANSWERED = {"first_response_at": STAMP, "first_response_seconds": 0}
BAD_ROWS = [
    ("employee", {"name": "   "}, "ck_employee_name_nonblank"),
    ("employee", {"team": ""}, "ck_employee_team_nonblank"),
    ("signoff", {"method": "fax"}, "ck_signoff_method_known"),
    ("signoff", {"filing_ref": None}, "ck_signoff_paper_is_filed"),
    ("signoff", {"printed_name": " "}, "ck_signoff_printed_name_nonblank"),
    ("signoff", {"signed_on": "2099-01-01", "recorded_on": "2098-12-31"}, "ck_signoff_not_future"),
    ("complaint", {"status": "lost"} | ANSWERED, "ck_complaint_status_known"),
    ("complaint", {"severity": "extreme"}, "ck_complaint_severity_known"),
    ("complaint", {"summary": "  "}, "ck_complaint_summary_nonblank"),
    ("complaint", {"status": "acknowledged"}, "ck_complaint_acknowledged_has_first_response"),
    ("complaint", {"status": "resolved"} | ANSWERED, "ck_complaint_resolved_has_resolution"),
    ("complaint", {"status": "dismissed", "dismissal_reason": " "} | ANSWERED, "ck_complaint_dismissed_has_reason"),
    (
        "complaint",
        {"first_response_at": "2026-11-23 09:00:00", "first_response_seconds": -3600},
        "ck_complaint_response_after_receipt",
    ),
    ("complaint", {"first_response_at": STAMP}, "ck_complaint_response_seconds_derived"),
    ("corrective_action", {"follow_up_due": None}, "ck_corrective_action_follow_up_unless_final"),
    ("corrective_action", {"follow_up_due": "2026-10-01"}, "ck_corrective_action_due_after_issue"),
    (
        "corrective_action",
        {"status": "closed", "closed_on": "2026-12-02"},
        "ck_corrective_action_closed_has_effectiveness_check",
    ),
    ("corrective_action", {"expectations": ""}, "ck_corrective_action_expectations_nonblank"),
]


def test_check_constraints_refuse_bad_rows(signed: Engine) -> None:
    good = _good_rows(signed)
    # Each statement works with good values (rolled back), so every refusal below is the constraint's.
    for table, row in good.items():
        with signed.connect() as connection:
            with connection.begin() as transaction:
                connection.execute(text(_insert_sql(table, row)))
                transaction.rollback()
    for table, change, constraint in BAD_ROWS:
        message = _refusal(signed, _insert_sql(table, good[table] | change))
        assert constraint in message, (table, change, message)


def test_foreign_keys_refuse_a_channel_or_level_the_handbook_version_does_not_have(signed: Engine) -> None:
    good = _good_rows(signed)
    for table, change in [
        ("complaint", {"channel": "fax"}),
        ("corrective_action", {"level": "suspension"}),
        ("signoff", {"employee_id": 999_999}),
    ]:
        message = _refusal(signed, _insert_sql(table, good[table] | change))
        assert "foreign key" in message.lower(), (table, message)


def test_sign_off_trigger_refuses_what_the_tracker_refuses(signed: Engine) -> None:
    good = _good_rows(signed)
    with signed.connect() as connection:
        signed_id = connection.execute(text("SELECT id FROM employee WHERE number = 'E-1'")).scalar_one()
    cases = [
        ({"employee_id": signed_id}, "version: the employee already has a valid sign-off for this version"),
        ({"signed_on": "2020-01-01"}, "signed_on: before the version was published"),
    ]
    for change, expected in cases:
        assert expected in _refusal(signed, _insert_sql("signoff", good["signoff"] | change))
    with signed.begin() as connection:
        connection.execute(text("UPDATE employee SET active = FALSE WHERE number = 'E-2'"))
    assert "employee: inactive employees cannot sign" in _refusal(signed, _insert_sql("signoff", good["signoff"]))
