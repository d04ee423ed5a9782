"""A correctly chained event dated before the one it follows (a supervisor's clock set back, or a
back-dated write) is reported by `audit verify`, not passed."""

from __future__ import annotations

from datetime import timedelta

from tests.cli.conftest import Runner
from tests.cli.test_errors import ready  # noqa: F401 - the fixture
from tracker.domain import timeutil


def test_an_event_recorded_fourteen_hours_before_the_last_is_reported(ready: Runner) -> None:  # noqa: F811
    assert ready("audit", "verify").code == 0
    real_now = timeutil.utcnow()
    timeutil.set_clock(lambda: real_now - timedelta(hours=14))
    try:
        added = ready(
            "employees", "add", "--number", "E-3", "--name", "Cy Dee", "--team", "Desk", "--hire-date", "2024-01-01"
        )
        assert added.code == 0, added.err
    finally:
        timeutil.set_clock(None)
    result = ready("audit", "verify")
    assert result.code == 1, result.out
    assert "the chain's clock went back" in result.out + result.err
    assert "employee E-3" in result.out + result.err
