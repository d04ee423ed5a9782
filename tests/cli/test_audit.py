"""`tracker audit`: the head to keep outside the database, and verify reporting a break."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.conftest import Runner
from tracker.db import engine as db
from tracker.db import triggers


@pytest.fixture
def recorded(tracker: Runner, tmp_path: Path) -> Runner:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "number,name,team,hire_date\nE-1,Ann Lee,Desk,2024-01-01\nE-2,Bob Ray,Desk,2024-01-01\n", encoding="utf-8"
    )
    assert tracker("employees", "import", str(roster)).code == 0
    assert tracker("handbook", "publish").code == 0
    return tracker


def tamper(runner: Runner, statement: str, *, put_back: bool = True) -> None:
    """Drop the triggers, run ``statement`` and (unless ``put_back`` is false) put the triggers back,
    as a careful intruder would: verify must then find the edit in the records themselves."""
    engine = db.make_engine(runner.url)
    dialect = engine.dialect.name
    try:
        with engine.begin() as connection:
            for drop in triggers.drop_chain_statements(dialect) + triggers.drop_statements(dialect):
                connection.exec_driver_sql(drop)
            if statement:
                connection.execute(text(statement))
            if put_back:
                service = triggers.service_statements(dialect) if dialect == "postgresql" else []  # dropped there too
                for create in triggers.create_statements(dialect) + triggers.chain_statements(dialect) + service:
                    connection.exec_driver_sql(create)
    finally:
        engine.dispose()


def test_head_is_seq_and_hash(recorded: Runner) -> None:
    head = recorded("audit", "head").out.strip()
    seq, _, digest = head.partition(":")
    assert seq == "3" and len(digest) == 64
    info = recorded("db", "info", "--format", "json").json()
    assert info["audit_events"] == 3


def test_verify_reports_an_edited_event(recorded: Runner) -> None:
    tamper(recorded, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 2")
    result = recorded("audit", "verify")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith(
        "error: audit: chain broken at event 2: event 2 (employee.add employee E-2) was altered"
    )
    data = recorded("audit", "verify", "--format", "json")
    assert data.code == 1
    assert (data.json()["ok"], data.json()["broken_seq"]) == (False, 2)


def test_verify_reports_every_edited_record(recorded: Runner) -> None:
    tamper(recorded, "UPDATE employee SET name = 'Someone Else'")
    result = recorded("audit", "verify")
    assert result.code == 1
    assert result.err.splitlines() == [
        "error: audit: employee E-1 differs from its last audited state: it was edited behind the tracker's back",
        "error: audit: employee E-2 differs from its last audited state: it was edited behind the tracker's back",
    ]


def test_verify_against_a_kept_head(recorded: Runner) -> None:
    kept = recorded("audit", "head").out.strip()
    tamper(recorded, "DELETE FROM audit_event WHERE seq = 3")
    result = recorded("audit", "verify", "--expect-head", kept)
    assert result.code == 1
    assert "before the head you kept (3): events were removed" in result.err


def test_an_unknown_entity_is_named_with_the_accepted_ones(tracker: Runner) -> None:
    """'action' is not what the trail calls corrective actions: say so, rather than "no events"."""
    result = tracker("audit", "log", "--entity", "action")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("error: --entity: 'action' is not a kind of record; use one of complaint, ")
    assert "corrective_action" in result.err and result.err.count("\n") == 1
    assert tracker("audit", "log", "--entity", "corrective_action").code == 0


def test_verify_reports_the_triggers_dropped(recorded: Runner) -> None:
    """Issue 16: the append-only triggers dropped (the first step of a quiet forgery) is reported
    even when no record has been edited yet."""
    tamper(recorded, "", put_back=False)
    result = recorded("audit", "verify")
    assert result.code == 1 and result.out == ""
    lines = result.err.splitlines()
    sqlite = recorded.url.startswith("sqlite")
    missing = (
        "error: audit: schema: trigger audit_event_no_delete is missing: the database was altered outside the tracker"
        if sqlite
        else "error: audit: schema: trigger audit_event_append_only on audit_event is missing: "
        "the database was altered outside the tracker"
    )
    assert missing in lines, lines
    assert all(line.startswith("error: audit: schema: trigger ") for line in lines), lines
    data = recorded("audit", "verify", "--format", "json")
    assert data.code == 1 and data.json()["ok"] is False
    assert any("audit_event_on_the_chain" in problem for problem in data.json()["schema_problems"])


def test_verify_reports_a_trigger_added_outside_the_tracker(recorded: Runner) -> None:
    sqlite = recorded.url.startswith("sqlite")
    tamper(
        recorded,
        "CREATE TRIGGER quiet AFTER INSERT ON employee BEGIN SELECT 1; END"
        if sqlite
        else "CREATE TRIGGER quiet AFTER INSERT ON employee FOR EACH ROW EXECUTE FUNCTION tracker_append_only()",
    )
    result = recorded("audit", "verify")
    assert result.code == 1
    assert "error: audit: schema: trigger quiet" in result.err and "is not the tracker's" in result.err


def test_verify_reports_a_lowered_reference_counter(recorded: Runner) -> None:
    logged = recorded("complaints", "log", "--channel", "email", "--summary", "Rude reply")
    assert logged.code == 0, logged.err
    ref = re.search(r"C-\d{4}-\d{5}", logged.out)
    assert ref is not None, logged.out
    assert recorded("audit", "verify").code == 0
    tamper(recorded, "UPDATE counter SET value = 0")
    result = recorded("audit", "verify")
    assert result.code == 1
    assert f"below the highest reference issued ({ref.group(0)})" in result.err
