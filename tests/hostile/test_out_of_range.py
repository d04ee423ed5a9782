"""Numbers, dates, periods and database paths out of any sensible range are bad input: exit 2,
one line naming the field, nothing written (not "unexpected problem", exit 1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_errors import assert_one_line_error, ready, refused  # noqa: F401 - the fixture
from tests.domain.editing import copy_handbook, edit
from tracker.domain.periods import Period, PeriodError

HUGE = "99999999999999999999"  # past a 64-bit integer
JUST_PAST = str(2**63)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (("signoffs", "revoke", JUST_PAST, "--reason", "Typed in error"), "'signoff_id'"),
        (("actions", "show", HUGE), "'action_id'"),
        (("actions", "show", "0"), "'action_id'"),
        (("actions", "respond", HUGE, "--text", "I disagree"), "'action_id'"),
        (("audit", "log", "--limit", HUGE), "'--limit'"),
        (("complaints", "list", "--limit", HUGE), "'--limit'"),
        (("complaints", "list", "--from", "0001-01-01"), "--from:"),
        (("report", "first-response", "--to", "9999-12-31"), "--to:"),
        (("complaints", "purge-contacts", "--older-than", "99999 months"), "--older-than:"),
        (("complaints", "purge-contacts", "--older-than", "999999 days"), "--older-than:"),
    ],
)
def test_out_of_range_arguments_are_bad_input(ready: Runner, command: tuple[str, ...], field: str) -> None:  # noqa: F811
    message = refused(ready, *command)
    assert field in message, message


def test_a_period_longer_than_a_century_is_refused_by_name() -> None:
    with pytest.raises(PeriodError, match="'1201 months' is longer than 100 years"):
        Period.parse("1201 months")
    with pytest.raises(PeriodError, match="'36601 days' is longer than 100 years"):
        Period.parse("36601 days")
    assert Period.parse("1200 months").before(date(2026, 12, 2)) == date(1926, 12, 2)


def test_an_overflowing_handbook_period_fails_the_check(tracker: Runner, tmp_path: Path) -> None:
    """Not later, in every pending list and suggestion: at the check, with file and line."""
    source = copy_handbook(tmp_path / "long")
    assert source.config is not None
    edit(source, "corrective-action.md", "| Look-back window | 12 months |", "| Look-back window | 999999 months |")
    result = tracker("--handbook", str(source.config), "handbook", "check")
    assert result.code == 2
    assert "corrective-action.md:" in result.err
    assert "standard 'Look-back window': '999999 months' is longer than 100 years" in result.err


@pytest.mark.parametrize("where", ["/proc/tracker-new.db", "{file}/new.db"])
def test_a_database_that_cannot_be_created_is_named(tracker: Runner, tmp_path: Path, where: str) -> None:
    """/proc refuses new files even to root, as a read-only file system does."""
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    path = where.format(file=a_file)
    tracker.url = f"sqlite:///{path}"
    result = tracker("db", "init")
    assert_one_line_error(result, 2)
    assert result.err.startswith("error: database: cannot create ")
    assert not Path(path).exists()
