"""`--format json` on every list and report parses and has the documented keys."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import Runner

# Long, with characters a terminal renderer would treat as markup: JSON must carry it unchanged.
SUMMARY = "The agent said [bold]no[/bold] and hung up; " + "the customer waited a long time, " * 12 + "[red]twice[/]."


@pytest.fixture
def seeded(tracker: Runner, tmp_path: Path) -> Runner:
    today = date.today()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"number,name,team,hire_date\nE-1,Ann Lee,Desk,2024-01-01\nE-2,Bob Ray,Phone,{today}\n", encoding="utf-8"
    )
    received = (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    commands = [
        ("employees", "import", str(roster)),
        ("handbook", "publish"),
        ("signoffs", "record", "--employee", "E-1", "--signed-on", str(today), "--method", "terminal"),
        (
            "complaints",
            "log",
            "--channel",
            "chat",
            "--summary",
            SUMMARY,
            "--employee",
            "E-1",
            "--rules",
            "CON-01",
            "--received-at",
            received,
        ),
        (
            "actions",
            "issue",
            "--employee",
            "E-1",
            "--expectations",
            "Answer chats within two minutes",
            "--follow-up-due",
            str(today + timedelta(days=2)),
        ),
    ]
    for command in commands:
        result = tracker(*command)
        assert result.code == 0, result.err
    return tracker


def rows(tracker: Runner, *command: str) -> object:
    result = tracker(*command, "--format", "json")
    assert result.code == 0, result.err
    return result.json()


@pytest.mark.parametrize(
    "command, keys",
    [
        (("employees", "list"), {"number", "name", "team", "hire_date", "active", "revision"}),
        (
            ("signoffs", "list", "--employee", "E-1"),
            {
                "id",
                "version",
                "signed_on",
                "method",
                "filing_ref",
                "printed_name",
                "meaning",
                "recorded_by",
                "valid",
                "revoked_reason",
            },
        ),
        (
            ("complaints", "list"),
            {
                "ref",
                "received",
                "channel",
                "status",
                "severity",
                "urgent",
                "employee",
                "target_missed",
                "summary",
                "customer_name",
                "customer_contact",
            },
        ),
        (
            ("actions", "list"),
            {"id", "employee", "name", "level", "issued_on", "follow_up_due", "follow_up_done", "status", "state"},
        ),
        (
            ("actions", "due"),
            {"id", "employee", "name", "level", "issued_on", "follow_up_due", "follow_up_done", "status", "state"},
        ),
        (("handbook", "versions"), {"label", "published", "by", "editorial", "content_hash"}),
        (("audit", "log"), {"seq", "at", "actor", "action", "entity", "key", "before", "after", "hash"}),
        (("report", "compliance"), None),
        (
            ("report", "first-response"),
            {
                "channel",
                "name",
                "target_seconds",
                "complaints",
                "answered",
                "within_target",
                "missed",
                "waiting",
                "attainment_percent",
                "mean_first_response_seconds",
            },
        ),
        (("report", "complaints-by-rule"), {"rule", "title", "complaints"}),
        (("report", "complaints-by-month"), {"month", "complaints", "first_response_missed", "dismissed"}),
        (("report", "actions"), {"id", "employee", "name", "level", "issued_on", "follow_up_due", "state"}),
    ],
)
def test_lists_and_reports(seeded: Runner, command: tuple[str, ...], keys: set[str] | None) -> None:
    data = rows(seeded, *command)
    if keys is None:  # report compliance: a summary with one row per team
        assert isinstance(data, dict)
        assert set(data) == {"version", "active", "signed", "teams"}
        assert (data["version"], data["active"], data["signed"]) == ("2026.2", 2, 1)
        assert data["teams"] == [
            {"team": "Desk", "active": 1, "signed": 1, "pending": 0, "percent": 100.0},
            {"team": "Phone", "active": 1, "signed": 0, "pending": 1, "percent": 0.0},
        ]
        return
    assert isinstance(data, list) and data, "the seeded database has a row for every list"
    for row in data:
        assert set(row) == keys


def test_complaints_list_carries_long_text_unchanged(seeded: Runner) -> None:
    [complaint] = rows(seeded, "complaints", "list")
    assert complaint["summary"] == SUMMARY
    assert complaint["ref"].startswith("C-")


def test_complaint_show(seeded: Runner) -> None:
    [listed] = rows(seeded, "complaints", "list")
    data = rows(seeded, "complaints", "show", listed["ref"])
    assert set(data) == {
        "ref",
        "received_at",
        "channel",
        "employee",
        "rules",
        "summary",
        "severity",
        "urgent",
        "status",
        "customer_name",
        "customer_contact",
        "first_response_at",
        "first_response_seconds",
        "target_seconds",
        "target_missed",
        "response_time_seconds",
        "resolution",
        "dismissal_reason",
        "contact",
        "replies",
        "next",
        "revision",
    }
    assert data["summary"] == SUMMARY
    assert data["contact"] is None  # logged without --contact
    assert (data["status"], data["next"], data["target_seconds"], data["target_missed"]) == (
        "received",
        ["acknowledged", "dismissed"],
        120,
        True,
    )


def test_employee_show_and_file(seeded: Runner) -> None:
    employee = rows(seeded, "employees", "show", "E-1")
    assert set(employee) == {"number", "name", "team", "hire_date", "active", "revision", "signoffs"}
    assert [s["version"] for s in employee["signoffs"]] == ["2026.2"]
    record = rows(seeded, "report", "employee", "E-1")
    assert set(record) == {
        "number",
        "name",
        "team",
        "hire_date",
        "active",
        "printed_at",
        "signoffs",
        "complaints",
        "actions",
        "timeline",
    }
    assert record["complaints"][0]["summary"] == SUMMARY


def test_pending(seeded: Runner) -> None:
    data = rows(seeded, "signoffs", "pending")
    assert set(data) == {"version", "material_version", "grace_period", "pending"}
    [item] = data["pending"]
    assert set(item) == {
        "employee",
        "name",
        "team",
        "hire_date",
        "due",
        "state",
        "last_signed_version",
        "changed_rules",
    }
    assert (item["employee"], item["state"], item["last_signed_version"]) == ("E-2", "in grace period", None)
    assert {"rule": "CON-01", "title": "Never argue with a customer", "change": "added"} in item["changed_rules"]


def test_actions_show_and_suggest(seeded: Runner) -> None:
    action = rows(seeded, "actions", "show", "1")
    assert {
        "id",
        "employee",
        "level",
        "level_name",
        "step",
        "issued_on",
        "expectations",
        "follow_up_due",
        "follow_up_done",
        "follow_ups",
        "status",
        "suggestion_reason",
        "revision",
    } <= set(action)
    assert (action["level"], action["status"]) == ("coaching", "open")
    suggestion = rows(seeded, "actions", "suggest", "--employee", "E-1")
    assert set(suggestion) == {"level", "level_name", "step", "reason"}
    assert (suggestion["level"], suggestion["step"]) == ("verbal", 2)


def test_handbook_rules_lists_every_rule(seeded: Runner, handbook) -> None:  # type: ignore[no-untyped-def]
    data = rows(seeded, "handbook", "rules")
    assert [r["id"] for r in data] == list(handbook.rules)
    for row in data:
        rule = handbook.rules[row["id"]]
        assert row == {
            "id": rule.id,
            "title": rule.title,
            "page": rule.page,
            "tags": list(rule.tags),
            "hash": rule.hash,
            "text": rule.text,
        }


def test_handbook_diff_audit_verify_and_db_info(seeded: Runner) -> None:
    diff = rows(seeded, "handbook", "diff")
    assert diff == {"from": "2026.2", "to": "2026.2 (working copy)", "changes": []}
    verify = rows(seeded, "audit", "verify")
    assert set(verify) == {
        "ok",
        "events",
        "head_seq",
        "head_hash",
        "broken_seq",
        "problem",
        "clock_problems",
        "record_problems",
        "schema_problems",
    }
    assert (verify["ok"], verify["record_problems"], verify["schema_problems"]) == (True, [], [])
    info = rows(seeded, "db", "info")
    assert set(info) == {
        "database",
        "backend",
        "schema_revision",
        "schema_head",
        "handbook_in_force",
        "material_version",
        "audit_events",
        "acting_as",
        "handbook_folder",
    }
    assert (info["backend"], info["handbook_in_force"], info["acting_as"]) == ("sqlite", "2026.2", "test-supervisor")
    assert info["schema_revision"] == info["schema_head"]


def test_roster_import_json(tracker: Runner, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("number,name,team,hire_date\nE-1,Ann,Desk,2024-01-01\n", encoding="utf-8")
    assert rows(tracker, "employees", "import", str(roster)) == {
        "imported": True,
        "rows": 1,
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "ignored_columns": [],
    }


def test_csv_output_is_spreadsheet_safe(seeded: Runner, tmp_path: Path) -> None:
    roster = tmp_path / "evil.csv"
    roster.write_text('number,name,team,hire_date\nE-9,"=HYPERLINK(""http://x"")",Desk,2024-01-01\n', encoding="utf-8")
    assert seeded("employees", "import", str(roster)).code == 0
    result = seeded("employees", "list", "--format", "csv")
    assert result.code == 0
    table = list(csv.DictReader(io.StringIO(result.out)))
    assert [row["name"] for row in table if row["number"] == "E-9"] == ['\'=HYPERLINK("http://x")']


def test_customer_details_are_exported_unless_redacted(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    received = (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    logged = tracker(
        "complaints",
        "log",
        "--channel",
        "email",
        "--summary",
        "Invoice wrong",
        "--received-at",
        received,
        "--customer-name",
        '=HYPERLINK("x")',
        "--customer-contact",
        "ann@example.com",
    )
    assert logged.code == 0, logged.err
    [full] = rows(tracker, "complaints", "list")
    assert full["customer_contact"] == "ann@example.com"
    [redacted] = rows(tracker, "complaints", "list", "--redact")
    assert redacted["customer_name"] is None and redacted["customer_contact"] is None
    exported = tracker("complaints", "list", "--format", "csv")
    header, line = exported.out.splitlines()[:2]
    assert header.endswith("customer_name,customer_contact")
    assert "'=HYPERLINK" in line and "ann@example.com" in line, "formula cells are neutralised in CSV"
    assert "customer" not in tracker("complaints", "list", "--format", "csv", "--redact").out.splitlines()[0]
