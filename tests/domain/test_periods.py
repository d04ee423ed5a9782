"""Durations as the handbook writes them, and calendar arithmetic with months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.periods import Period, PeriodError, format_seconds


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2 minutes", Period(2, "minutes")),
        ("1 minute", Period(1, "minutes")),
        ("60 min", Period(60, "minutes")),
        ("24 hours", Period(24, "hours")),
        ("14 Days", Period(14, "days")),
        ("2 weeks", Period(2, "weeks")),
        ("  12 months ", Period(12, "months")),
    ],
)
def test_parse(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is not a duration like '2 minutes'"),
        ("two minutes", "is not a duration like '2 minutes'"),
        ("2", "is not a duration like '2 minutes'"),
        ("2.5 hours", "is not a duration like '2 minutes'"),
        ("-3 days", "is not a duration like '2 minutes'"),
        ("2 fortnights", "'fortnights' is not a known unit"),
        ("0 days", "must be longer than zero"),
    ],
)
def test_parse_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message.replace("(", r"\(")):
        Period.parse(text)


def test_fixed_lengths() -> None:
    assert Period(2, "minutes").seconds == 120
    assert Period(24, "hours").as_timedelta() == timedelta(days=1)
    assert Period(2, "weeks").as_timedelta() == timedelta(days=14)


def test_months_have_no_fixed_length() -> None:
    with pytest.raises(PeriodError, match="no fixed length"):
        Period(12, "months").as_timedelta()


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the end of February
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year end
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_months_after_by_the_calendar(start: date, months: int, expected: date) -> None:
    assert Period(months, "months").after(start) == expected


@pytest.mark.parametrize(
    "end, months, expected",
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 12, date(2025, 1, 15)),
        (date(2026, 2, 10), 3, date(2025, 11, 10)),
    ],
)
def test_months_before_by_the_calendar(end: date, months: int, expected: date) -> None:
    assert Period(months, "months").before(end) == expected


def test_days_and_weeks_before_and_after() -> None:
    assert Period(14, "days").after(date(2026, 12, 25)) == date(2027, 1, 8)
    assert Period(2, "weeks").before(date(2026, 3, 1)) == date(2026, 2, 15)


def test_str_is_how_the_handbook_says_it() -> None:
    assert str(Period(1, "months")) == "1 month"
    assert str(Period(12, "months")) == "12 months"
    assert str(Period.parse(str(Period(14, "days")))) == "14 days"


@pytest.mark.parametrize(
    "seconds, text",
    [
        (None, "—"),
        (45, "45 s"),
        (120, "2 min"),
        (125, "2 min 05 s"),
        (3900, "1 h 05 min"),
        (86400, "24 h 00 min"),
        (3 * 86400 + 7200, "3 d 2 h"),
        (-90, "-1 min 30 s"),
    ],
)
def test_format_seconds(seconds: int | None, text: str) -> None:
    assert format_seconds(seconds) == text
