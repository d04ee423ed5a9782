"""One validation for every way in: what `complaints log` refuses, `complaints import` refuses, with
the same reason; and what publishes on PostgreSQL (which enforces column lengths) publishes on
SQLite (which does not), because the handbook's check holds the same limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_errors import ready, refused, table_counts  # noqa: F401 - the fixture
from tests.domain.editing import copy_handbook, relabel
from tracker.domain import limits

HEADER = "received_at,channel,summary,employee_number,reference\n"


def imported(runner: Runner, tmp_path: Path, row: str) -> str:
    """Import one row that must be refused; its one-line message (nothing applied)."""
    export = tmp_path / "export.csv"
    export.write_text(HEADER + row + "\n", encoding="utf-8")
    before = table_counts(runner)
    result = runner("complaints", "import", str(export))
    assert result.code == 2, (result.code, result.out, result.err)
    assert table_counts(runner) == before, "a refused import applied a row"
    assert "Traceback" not in result.err
    return result.err.strip()


def test_a_time_before_the_tracker_keeps_is_refused_both_ways(ready: Runner, tmp_path: Path) -> None:  # noqa: F811
    logged = refused(
        ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--received-at", "1900-01-01 10:00"
    )
    assert logged == (
        "error: --received-at: '1900-01-01 10:00' is outside the range of dates the tracker keeps (1970 to 2999)"
    )
    message = imported(ready, tmp_path, "1900-01-01 10:00,chat,Rude on the phone,,")
    assert "row 2" in message and "received_at" in message
    assert "received_at: '1900-01-01 10:00' is outside the range of dates the tracker keeps (1970 to 2999)" in message


def test_a_complaint_from_before_the_employee_was_hired_is_refused_both_ways(
    ready: Runner,  # noqa: F811
    tmp_path: Path,
) -> None:
    """E-1 was hired on 2024-01-01: a complaint about them from 2023 is about someone else."""
    logged = refused(
        ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--employee", "E-1",
        "--received-at", "2023-12-31 16:00",
    )  # fmt: skip
    assert logged == "error: --received-at: is before E-1 was hired (2024-01-01)"
    message = imported(ready, tmp_path, "2023-12-31 16:00,chat,Rude on the phone,E-1,")
    assert "row 2" in message and "received_at: is before E-1 was hired (2024-01-01)" in message
    # The day they started is fine.
    on_day_one = ready(
        "complaints", "log", "--channel", "chat", "--summary", "Rude", "--employee", "E-1",
        "--received-at", "2024-01-01 09:00",
    )  # fmt: skip
    assert on_day_one.code == 0, on_day_one.err


@pytest.mark.parametrize("spelling", ["C-2026-000001", "C-2026-0000001", "C-2026-000000042"])
def test_a_reference_with_extra_leading_zeros_is_refused(ready: Runner, tmp_path: Path, spelling: str) -> None:  # noqa: F811
    """C-2026-000001 beside C-2026-00001 would be two complaints that read as one."""
    received = (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    message = imported(ready, tmp_path, f"{received},chat,Rude on the phone,,{spelling}")
    number = int(spelling.rsplit("-", 1)[1])
    assert f"reference: '{spelling}' is written C-2026-{number:05d} here (no extra leading zeros)" in message


def test_a_version_label_too_long_for_the_database_fails_the_check(tracker: Runner, tmp_path: Path) -> None:
    """PostgreSQL refuses a label over the column's length at publish; SQLite would have kept it."""
    source = copy_handbook(tmp_path / "long-label")
    assert source.config is not None
    relabel(source, "2026." + "9" * (limits.VERSION_LABEL + 12))
    for command in (("handbook", "check"), ("handbook", "publish")):
        result = tracker("--handbook", str(source.config), *command)
        assert result.code == 2, result.out
        assert f"extra.handbook_version is longer than {limits.VERSION_LABEL} characters" in result.err
    assert tracker("handbook", "versions", "--format", "json").json() == []


def test_a_rule_title_too_long_for_the_database_fails_the_check(tracker: Runner, tmp_path: Path) -> None:
    source = copy_handbook(tmp_path / "long-title")
    assert source.config is not None
    page = source.docs_dir / "conduct.md"
    long_title = "Never argue " * 30
    page.write_text(
        page.read_text(encoding="utf-8").replace("Never argue with a customer {#CON-01}", f"{long_title} {{#CON-01}}"),
        encoding="utf-8",
    )
    result = tracker("--handbook", str(source.config), "handbook", "check")
    assert result.code == 2
    assert "conduct.md:" in result.err
    assert f"rule CON-01's title is longer than {limits.RULE_TITLE} characters" in result.err


def test_guidance_cited_as_a_breach_is_refused_both_ways(ready: Runner, tmp_path: Path) -> None:  # noqa: F811
    logged = refused(ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--rules", "VAL-01")
    reason = "VAL-01 (Use common sense) is guidance, not a rule that can be breached; cite the rule that was broken"
    assert logged == f"error: --rules: {reason}"
    export = tmp_path / "export.csv"
    received = (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    export.write_text(
        f"received_at,channel,summary,rules\n{received},chat,Rude on the phone,VAL-01\n", encoding="utf-8"
    )
    before = table_counts(ready)
    result = ready("complaints", "import", str(export))
    assert result.code == 2 and table_counts(ready) == before
    assert f"row 2, rules: {reason}" in result.err
