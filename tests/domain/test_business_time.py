"""Opening-hours arithmetic: hand-computed spans over nights, weekends, holidays and clock changes,
and properties that tie ``elapsed`` and ``deadline`` together."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.business_time import deadline, elapsed, weekly_open_time
from tracker.domain.opening_hours import OpeningHours

LONDON = ZoneInfo("Europe/London")
WEEKDAY = ((time(8), time(20)),)
SATURDAY = ((time(9), time(17)),)
# The speed page's hours: Monday to Friday 08:00-20:00, Saturday 09:00-17:00, Sunday closed.
HANDBOOK = OpeningHours(
    "Europe/London",
    (WEEKDAY,) * 5 + (SATURDAY, ()),
    frozenset({date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25), date(2026, 12, 28)}),
)
WEEKDAYS_ONLY = OpeningHours("Europe/London", (WEEKDAY,) * 5 + ((), ()))
EVERY_DAY_8_TO_8 = OpeningHours("Europe/London", (WEEKDAY,) * 7)
ALWAYS = OpeningHours("Europe/London", (((time(0), None),),) * 7)
NEVER = OpeningHours("Europe/London", ((),) * 7)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime:
    """A wall-clock time in London as the aware UTC instant the functions take."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold).astimezone(timezone.utc)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- calendar time and the edges ---------------------------------------------------------------


def test_without_opening_hours_every_hour_counts() -> None:
    start = local(2026, 1, 9, 19, 55)  # a Friday evening
    assert elapsed(start, local(2026, 1, 12, 8, 10), None) == timedelta(days=2, hours=12, minutes=15)


def test_nothing_has_elapsed_when_the_end_is_not_after_the_start() -> None:
    start = local(2026, 1, 7, 10)
    assert elapsed(start, start, HANDBOOK) == timedelta(0)
    assert elapsed(start, start - hours(3), HANDBOOK) == timedelta(0)
    assert elapsed(start, start - hours(3), None) == timedelta(0)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        elapsed(datetime(2026, 1, 7, 10), local(2026, 1, 7, 11), HANDBOOK)
    with pytest.raises(ValueError, match="no time zone"):
        deadline(datetime(2026, 1, 7, 10), minutes(2), HANDBOOK)


def test_within_one_open_day() -> None:
    assert elapsed(local(2026, 1, 7, 10), local(2026, 1, 7, 10, 7), HANDBOOK) == minutes(7)


def test_time_before_opening_and_after_closing_does_not_count() -> None:
    # 06:00 to 08:30 is half an hour open; 19:30 to 23:00 is half an hour open.
    assert elapsed(local(2026, 1, 7, 6), local(2026, 1, 7, 8, 30), HANDBOOK) == minutes(30)
    assert elapsed(local(2026, 1, 7, 19, 30), local(2026, 1, 7, 23), HANDBOOK) == minutes(30)


# --- nights, weekends, holidays -----------------------------------------------------------------


def test_across_midnight_only_the_open_minutes_count() -> None:
    # Tuesday 19:55 to Wednesday 08:10: 5 minutes before closing, 10 after opening.
    assert elapsed(local(2026, 1, 6, 19, 55), local(2026, 1, 7, 8, 10), HANDBOOK) == minutes(15)


def test_across_a_weekend_of_weekday_hours() -> None:
    # Friday 19:55 to Monday 08:10, closed all weekend: 5 + 10 minutes.
    assert elapsed(local(2026, 1, 9, 19, 55), local(2026, 1, 12, 8, 10), WEEKDAYS_ONLY) == minutes(15)


def test_across_a_weekend_the_saturday_hours_count() -> None:
    # The handbook's hours open Saturday 09:00-17:00: 5 minutes + 8 hours + 10 minutes.
    assert elapsed(local(2026, 1, 9, 19, 55), local(2026, 1, 12, 8, 10), HANDBOOK) == hours(8) + minutes(15)


def test_a_holiday_is_closed_all_day() -> None:
    # Thursday 2 April 19:58 to Saturday 4 April 09:03, Good Friday between: 2 + 3 minutes.
    assert elapsed(local(2026, 4, 2, 19, 58), local(2026, 4, 4, 9, 3), HANDBOOK) == minutes(5)
    # Saturday 16:59 to Tuesday 08:01 over Sunday and Easter Monday: 1 + 1 minute.
    assert elapsed(local(2026, 4, 4, 16, 59), local(2026, 4, 7, 8, 1), HANDBOOK) == minutes(2)


def test_holidays_are_dates_on_the_local_calendar() -> None:
    # 1 July is a holiday. 23:30 UTC on 30 June is already 00:30 on 1 July in London (summer time):
    # from 23:30 local on 30 June to 00:30 local on 2 July, only the two half hours either side count.
    hours_with_holiday = OpeningHours("Europe/London", ALWAYS.week, frozenset({date(2026, 7, 1)}))
    start, end = local(2026, 6, 30, 23, 30), local(2026, 7, 2, 0, 30)
    assert elapsed(start, end, hours_with_holiday) == hours(1)


def test_split_shifts_and_a_day_open_until_midnight() -> None:
    split = OpeningHours("Europe/London", (((time(9), time(12)), (time(13), time(17))),) * 5 + ((), ()))
    assert elapsed(local(2026, 1, 7, 11), local(2026, 1, 7, 14), split) == hours(2)
    late = OpeningHours("Europe/London", (((time(22), None),),) * 7)
    assert elapsed(local(2026, 1, 7, 23), local(2026, 1, 8, 23), late) == hours(2)


# --- clock changes (Europe/London: forward 2026-03-29, back 2026-10-25) -------------------------


def test_the_spring_forward_day_open_all_day_has_23_hours() -> None:
    assert elapsed(local(2026, 3, 29), local(2026, 3, 30), ALWAYS) == hours(23)


def test_the_fall_back_day_open_all_day_has_25_hours() -> None:
    assert elapsed(local(2026, 10, 25), local(2026, 10, 26), ALWAYS) == hours(25)


def test_hours_away_from_the_change_keep_their_length_on_clock_change_days() -> None:
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        start = local(day.year, day.month, day.day)
        assert elapsed(start, start + timedelta(days=1, hours=2), EVERY_DAY_8_TO_8) == hours(12)


def test_an_interval_the_change_falls_inside_is_shorter_or_longer() -> None:
    night = OpeningHours("Europe/London", (((time(0, 30), time(3)),),) * 7)  # 2 h 30 on the wall clock
    assert elapsed(local(2026, 3, 29), local(2026, 3, 29, 12), night) == hours(1.5)
    assert elapsed(local(2026, 10, 25), local(2026, 10, 25, 12), night) == hours(3.5)


def test_an_opening_time_the_clocks_skip_opens_when_they_jump() -> None:
    # 01:30 does not exist on 29 March: the clocks go from 01:00 to 02:00. Open from the jump to 03:00.
    skipped = OpeningHours("Europe/London", (((time(1, 30), time(3)),),) * 7)
    assert elapsed(local(2026, 3, 29), local(2026, 3, 29, 12), skipped) == hours(1)
    assert deadline(local(2026, 3, 29), minutes(1), skipped) == datetime(2026, 3, 29, 1, 1, tzinfo=timezone.utc)


def test_a_week_across_a_clock_change_counts_each_day_on_its_wall_clock() -> None:
    # The week of 23 March 2026: 5 x 12 h + 8 h, the change on the (closed) Sunday changing nothing.
    assert elapsed(local(2026, 3, 23), local(2026, 3, 30), HANDBOOK) == hours(68)


# --- deadline ------------------------------------------------------------------------------------


def test_deadline_in_calendar_time_is_plain_addition() -> None:
    start = local(2026, 1, 9, 22)
    assert deadline(start, hours(24), None) == start + hours(24)


def test_deadline_stops_the_clock_while_closed() -> None:
    # A chat at 19:59 on a Friday with 2 minutes allowed: 1 minute on Friday, 1 at Saturday's opening.
    assert deadline(local(2026, 1, 9, 19, 59), minutes(2), HANDBOOK) == local(2026, 1, 10, 9, 1)
    assert deadline(local(2026, 1, 9, 19, 59), minutes(2), WEEKDAYS_ONLY) == local(2026, 1, 12, 8, 1)


def test_deadline_from_a_start_while_closed_counts_from_the_next_opening() -> None:
    assert deadline(local(2026, 1, 11, 12), minutes(10), HANDBOOK) == local(2026, 1, 12, 8, 10)
    assert deadline(local(2026, 1, 9, 20), minutes(10), HANDBOOK) == local(2026, 1, 10, 9, 10)
    assert deadline(local(2026, 4, 2, 21), minutes(10), HANDBOOK) == local(2026, 4, 4, 9, 10)  # over Good Friday


def test_deadline_is_the_earliest_instant_so_it_can_fall_on_a_closing_time() -> None:
    assert deadline(local(2026, 1, 9, 19), hours(1), HANDBOOK) == local(2026, 1, 9, 20)


def test_deadline_with_nothing_allowed_is_the_start_and_negative_is_refused() -> None:
    start = local(2026, 1, 11, 12)
    assert deadline(start, timedelta(0), HANDBOOK) == start
    with pytest.raises(ValueError, match="negative"):
        deadline(start, -minutes(1), HANDBOOK)


def test_deadline_returns_utc() -> None:
    moment = deadline(local(2026, 7, 1, 10), minutes(5), HANDBOOK)
    assert moment.utcoffset() == timedelta(0)
    assert moment == datetime(2026, 7, 1, 9, 5, tzinfo=timezone.utc)


def test_hours_that_never_open() -> None:
    assert weekly_open_time(NEVER) == timedelta(0)
    assert elapsed(local(2026, 1, 1), local(2027, 1, 1), NEVER) == timedelta(0)
    with pytest.raises(ValueError, match="never open"):
        deadline(local(2026, 1, 1), minutes(2), NEVER)


# --- long spans ----------------------------------------------------------------------------------


def test_a_two_year_span_equals_its_parts_counted_day_by_day() -> None:
    # Parts under 60 days are walked day by day; the whole span counts plain weeks arithmetically.
    start, end = local(2026, 1, 1, 10, 17), local(2028, 1, 1, 15, 3)
    cuts = [start + timedelta(days=45 * n) for n in range(17)] + [end]
    parts = sum((elapsed(a, b, HANDBOOK) for a, b in zip(cuts, cuts[1:])), timedelta(0))
    assert elapsed(start, end, HANDBOOK) == parts


def test_a_deadline_years_away_round_trips() -> None:
    start = local(2026, 2, 17, 13, 45)
    allowed = elapsed(start, local(2028, 2, 17, 13, 45), HANDBOOK)
    due = deadline(start, allowed, HANDBOOK)
    assert elapsed(start, due, HANDBOOK) == allowed
    assert due <= local(2028, 2, 17, 13, 45)


def test_a_year_open_every_hour_is_every_hour_of_the_year() -> None:
    assert elapsed(local(2026, 1, 1), local(2027, 1, 1), ALWAYS) == timedelta(days=365)


# --- properties ----------------------------------------------------------------------------------

SCHEDULES = [
    HANDBOOK,
    WEEKDAYS_ONLY,
    EVERY_DAY_8_TO_8,
    ALWAYS,
    OpeningHours("Europe/London", (((time(0, 30), time(3)), (time(22), None)),) * 7),  # over both changes
    OpeningHours("America/Havana", (((time(0), time(6)), (time(22), None)),) * 7),  # changes at midnight
    OpeningHours("Australia/Lord_Howe", ((), ((time(1), time(3)),), (), (), (), (), ())),  # half-hour change
]
BASE = datetime(2025, 12, 20, tzinfo=timezone.utc)
instants = st.integers(min_value=0, max_value=2 * 366 * 24 * 3600).map(lambda s: BASE + timedelta(seconds=s))
allowances = st.integers(min_value=0, max_value=400 * 24 * 3600).map(lambda s: timedelta(seconds=s))
schedules = st.sampled_from(SCHEDULES)


@settings(max_examples=150, deadline=None)
@given(start=instants, allowed=allowances, hours=schedules)
def test_elapsed_until_the_deadline_is_what_was_allowed(
    start: datetime, allowed: timedelta, hours: OpeningHours
) -> None:
    due = deadline(start, allowed, hours)
    assert due >= start
    assert elapsed(start, due, hours) == allowed
    if allowed:  # the earliest such instant: a second earlier, less had passed
        assert elapsed(start, due - timedelta(seconds=1), hours) < allowed


@settings(max_examples=150, deadline=None)
@given(a=instants, b=instants, c=instants, hours=schedules)
def test_elapsed_adds_up_and_never_exceeds_calendar_time(
    a: datetime, b: datetime, c: datetime, hours: OpeningHours
) -> None:
    a, b, c = sorted((a, b, c))
    assert elapsed(a, c, hours) == elapsed(a, b, hours) + elapsed(b, c, hours)
    assert timedelta(0) <= elapsed(a, c, hours) <= c - a
