"""Bad input: exit code 2, one line on stderr starting with "error: " that names
the field, no traceback, and nothing written."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.conftest import Result, Runner
from tests.storage.conftest import counts
from tracker.db import engine as db


def seed(tracker: Runner, tmp_path: Path, *extra: tuple[str, ...]) -> Runner:
    """A published handbook, two employees (E-1, E-2), a complaint just received and an open
    action for E-1; then the ``extra`` commands."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "number,name,team,hire_date\nE-1,Ann Lee,Desk,2024-01-01\nE-2,Bob Ray,Desk,2024-01-01\n", encoding="utf-8"
    )
    received = (datetime.now() - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    for command in [
        ("employees", "import", str(roster)),
        ("handbook", "publish"),
        *extra,
        ("complaints", "log", "--channel", "chat", "--summary", "Waited too long", "--received-at", received),
        ("actions", "issue", "--employee", "E-1", "--expectations", "Answer chats promptly"),
    ]:
        result = tracker(*command)
        assert result.code == 0, (command, result.err)
    return tracker


@pytest.fixture
def ready(tracker: Runner, tmp_path: Path) -> Runner:
    return seed(tracker, tmp_path)


def table_counts(runner: Runner) -> dict[str, int]:
    engine = db.make_engine(runner.url)
    try:
        return counts(engine)
    finally:
        engine.dispose()


def refused(runner: Runner, *command: str) -> str:
    """Run a command that must be refused as bad input; return its one-line message."""
    before = table_counts(runner)
    result = runner(*command)
    assert_one_line_error(result, 2)
    assert table_counts(runner) == before, "a refused command wrote to the database"
    return result.err.strip()


def assert_one_line_error(result: Result, code: int) -> None:
    assert result.code == code, (result.code, result.err)
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1 and result.err.endswith("\n"), result.err
    assert "Traceback" not in result.err + result.out
    assert result.out == ""


def ref(runner: Runner) -> str:
    [complaint] = runner("complaints", "list", "--format", "json").json()
    return complaint["ref"]


def test_bad_date(ready: Runner) -> None:
    message = refused(
        ready, "signoffs", "record", "--employee", "E-1", "--signed-on", "2026-13-01", "--method", "terminal"
    )
    assert message == "error: --signed-on: '2026-13-01' is not a date like 2026-11-23"


def test_date_in_the_future(ready: Runner) -> None:
    tomorrow = str(date.today() + timedelta(days=1))
    message = refused(ready, "signoffs", "record", "--employee", "E-1", "--signed-on", tomorrow, "--method", "terminal")
    assert message == f"error: --signed-on: {tomorrow} is in the future; use the date written on the form"


def test_a_hire_date_is_bounded_where_it_enters(ready: Runner, tmp_path: Path) -> None:
    tomorrow = str(date.today() + timedelta(days=1))
    add = ("employees", "add", "--number", "E-9", "--name", "Cy Dee", "--team", "Desk", "--hire-date")
    assert refused(ready, *add, "9999-12-31") == (
        "error: --hire-date: is outside the range of dates the tracker keeps (1900 to 2999)"
    )
    assert refused(ready, *add, tomorrow) == (
        f"error: --hire-date: {tomorrow} is in the future; add a new starter on or after their first day"
    )
    roster = tmp_path / "future.csv"
    roster.write_text(f"number,name,team,hire_date\nE-9,Cy Dee,Desk,{tomorrow}\n", encoding="utf-8")
    result = ready("employees", "import", str(roster))
    assert result.code == 2 and "row 2" in result.err and "hire_date" in result.err


def test_a_date_filter_past_the_calendar_is_refused(ready: Runner) -> None:
    assert refused(ready, "complaints", "list", "--to", "9999-12-31") == (
        "error: --to: is outside the range of dates the tracker keeps (1900 to 2999)"
    )


def test_a_stored_date_at_the_calendars_end_breaks_no_report(ready: Runner) -> None:
    """A hire date of 9999-12-31 accepted before it was bounded: the pending list still works for
    everyone (its due date is the calendar's last day), and so does the compliance figure."""
    engine = db.make_engine(ready.url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE employee SET hire_date = '9999-12-31' WHERE number = 'E-1'"))
    engine.dispose()
    result = ready("signoffs", "pending", "--format", "json")
    assert result.code == 0, result.err
    pending = {row["employee"]: row for row in json.loads(result.out)["pending"]}
    assert pending["E-1"]["due"] == "9999-12-31" and "E-2" in pending
    assert ready("report", "compliance").code == 0


def test_unknown_channel(ready: Runner) -> None:
    message = refused(ready, "complaints", "log", "--channel", "fax", "--summary", "Nobody answered")
    assert (
        message == "error: --channel: 'fax' is not a channel of handbook 2026.2 (chat, counter, email, phone, social)"
    )


def test_unknown_employee(ready: Runner) -> None:
    assert (
        refused(ready, "actions", "suggest", "--employee", "E-99")
        == "error: --employee: no employee with number 'E-99'"
    )
    assert refused(ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--employee", "E-99") == (
        "error: --employee: no employee with number 'E-99'"
    )


def test_unknown_rule(ready: Runner) -> None:
    message = refused(ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--rules", "CON-01,CON-42")
    assert message == "error: --rules: CON-42 is not a rule of handbook version 2026.2"


def test_guidance_cannot_be_cited_on_a_complaint_or_an_action(ready: Runner) -> None:
    """Issue 10: "VAL-01 use common sense" is a value, SPD-03 a definition: neither is a breach."""
    assert refused(
        ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--rules", "CON-01,VAL-01"
    ) == (
        "error: --rules: VAL-01 (Use common sense) is guidance, not a rule that can be breached; "
        "cite the rule that was broken"
    )
    assert refused(
        ready, "actions", "issue", "--employee", "E-2", "--expectations", "Answer faster", "--rules", "SPD-03"
    ).startswith("error: --rules: SPD-03 (")


def test_unknown_complaint_and_sign_off(ready: Runner) -> None:
    assert refused(ready, "complaints", "investigate", "C-1999-00001") == (
        "error: complaint: no complaint with reference 'C-1999-00001'"
    )
    assert (
        refused(ready, "signoffs", "revoke", "77", "--reason", "wrong person")
        == "error: signoff: no sign-off with id 77"
    )


def test_skipping_a_complaint_step(ready: Runner) -> None:
    message = refused(ready, "complaints", "investigate", ref(ready))
    assert (
        message == "error: status: cannot go from received to investigating; "
        "next allowed: acknowledge (acknowledged) or dismiss (dismissed)"
    )


def test_a_human_reply_before_the_first_response(ready: Runner) -> None:
    message = refused(ready, "complaints", "reply", ref(ready), "--note", "hello")
    assert message.startswith("error: --automatic: ") and "record it with 'acknowledge'" in message


@pytest.mark.parametrize("step, option", [("resolve", "--resolution"), ("dismiss", "--reason")])
def test_closing_a_complaint_needs_its_written_outcome(ready: Runner, step: str, option: str) -> None:
    complaint = ref(ready)
    assert ready("complaints", "acknowledge", complaint).code == 0
    assert ready("complaints", "investigate", complaint).code == 0
    message = refused(ready, "complaints", step, complaint, option, " ")
    assert message == f"error: {option}: is required"


def test_follow_up_more_time_needs_the_new_date(ready: Runner) -> None:
    message = refused(ready, "actions", "follow-up", "1", "--outcome", "more_time")
    assert message == "error: --new-due-date: 'more time' needs the new follow-up date"


def test_close_needs_an_effectiveness_check(ready: Runner) -> None:
    message = refused(ready, "actions", "close", "1", "--effectiveness-check", "")
    assert message == "error: --effectiveness-check: is required"


def test_skipping_ladder_steps(ready: Runner) -> None:
    message = refused(ready, "actions", "issue", "--employee", "E-2", "--level", "final", "--expectations", "Stop it")
    assert message.startswith("error: --gross-misconduct: Final written warning skips the ladder")


def test_publishing_again_or_under_another_label(ready: Runner) -> None:
    assert refused(ready, "handbook", "publish").startswith("error: --label: version 2026.2 is already published")
    assert refused(ready, "handbook", "publish", "--label", "2027.1").startswith(
        "error: --label: the handbook pages say version 2026.2"
    )


def test_a_bad_roster_lists_every_bad_row_and_imports_nothing(ready: Runner, tmp_path: Path) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_text(
        "number,name,team,hire_date\nE-3,Cy,Desk,2024-01-01\nE-4,,Desk,2024-01-01\nE-5,Dee,Desk,someday\n",
        encoding="utf-8",
    )
    before = table_counts(ready)
    result = ready("employees", "import", str(roster))
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines == [
        "bad.csv: row 3, name: is required",
        "bad.csv: row 4, hire_date: 'someday' is not a date like 2026-11-23",
        "error: file: 2 of 3 rows are invalid, nothing was imported; first: row 3, name: is required (and 1 more problem)",
    ]
    assert table_counts(ready) == before
    data = ready("employees", "import", str(roster), "--format", "json")
    assert data.code == 2
    assert data.json() == {
        "imported": False,
        "errors": [
            {"row": 3, "column": "name", "reason": "is required"},
            {"row": 4, "column": "hire_date", "reason": "'someday' is not a date like 2026-11-23"},
        ],
    }


def test_a_missing_file(ready: Runner, tmp_path: Path) -> None:
    message = refused(ready, "employees", "import", str(tmp_path / "nowhere.csv"))
    assert message.startswith("error: file: cannot read ") and "No such file or directory" in message


# Usage errors found by the command-line parser itself.


def test_missing_required_option(ready: Runner) -> None:
    message = refused(ready, "complaints", "log", "--summary", "Nobody answered")
    assert message.startswith("error: ") and "channel" in message


def test_a_choice_that_is_not_offered(ready: Runner) -> None:
    message = refused(ready, "complaints", "list", "--format", "xml")
    assert message.startswith("error: ") and "format" in message and "'xml'" in message


def test_an_id_that_is_not_a_number(ready: Runner) -> None:
    message = refused(ready, "actions", "close", "first", "--effectiveness-check", "Fine since")
    assert message.startswith("error: ") and "ACTION_ID" in message.upper()


# Not bad input, but still one line and no traceback.


def test_a_database_newer_than_the_tracker(tracker: Runner) -> None:
    engine = db.make_engine(tracker.url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = tracker("employees", "list")
    assert_one_line_error(result, 1)
    assert result.err.startswith("error: database: its schema (9999) is newer than this tracker knows")


def test_a_malformed_audit_head(ready: Runner) -> None:
    result = ready("audit", "verify", "--expect-head", "not-a-head")
    assert_one_line_error(result, 2)
    assert result.err == "error: --expect-head: must look like 'SEQ:HASH' as printed by 'tracker audit head'\n"
