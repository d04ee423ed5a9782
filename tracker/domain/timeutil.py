"""Time as the tracker keeps it: aware UTC in the program and the database,
local time for people.

Dates (a hire date, the date written on a signed form) are local calendar
dates and carry no time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from tracker.domain.errors import InputError, shown


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


_clock: Callable[[], datetime] = _system_clock
# Clocks of supervisors' machines differ a little: a time this far ahead is not yet "in the future".
CLOCK_SKEW = timedelta(minutes=5)


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests and snapshots pin 'now'); None restores the system clock."""
    global _clock
    _clock = clock or _system_clock


def utcnow() -> datetime:
    return _clock()


def today() -> date:
    """Today in the user's local time zone (sign-off dates are local calendar dates)."""
    return to_local(utcnow()).date()


def to_utc(moment: datetime) -> datetime:
    """Naive values are local time as typed by a person; return aware UTC."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # interpret as local time
    return moment.astimezone(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Naive values from the program (or an old database row) are UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def to_local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone().replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def parse_date(text: str, field: str) -> date:
    if len(text.strip()) == 10:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise InputError(field, f"'{shown(text)}' is not a date like 2026-11-23")


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, as aware UTC (where date ranges begin and end)."""
    return to_utc(datetime(day.year, day.month, day.day))


@dataclass(frozen=True)
class DateRange:
    """Local calendar days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[first moment, first moment after) in UTC, for half-open comparisons in queries."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))


def last_days(days: int, today: date) -> DateRange:
    return DateRange(today - timedelta(days=days - 1), today)


def parse_range(since: str | None, until: str | None, *, default_days: int, today: date) -> DateRange:
    """The days from ``since`` to ``until`` as typed (YYYY-MM-DD); by default the last
    ``default_days`` days up to today. 'from' after 'to' is refused."""
    end = parse_date(until, "to") if until else today
    start = parse_date(since, "from") if since else last_days(default_days, end).start
    if start > end:
        raise InputError("from", f"{start} is after the 'to' date {end}")
    return DateRange(start, end)


def not_in_future(field: str, value: date | datetime, now: date | datetime, *, advice: str = "") -> None:
    """Refuse a date or time that has not happened yet; ``now`` is the current time or today's date.

    Times get a few minutes' grace for the difference between supervisors' clocks.
    """
    if isinstance(value, datetime):
        future = as_utc(value) > as_utc(now if isinstance(now, datetime) else local_midnight(now)) + CLOCK_SKEW
        text = format_local(value)
    else:
        future = value > (local_date(now) if isinstance(now, datetime) else now)
        text = value.isoformat()
    if future:
        raise InputError(field, f"{text} is in the future" + (f"; {advice}" if advice else ""))


def format_local(moment: datetime | None) -> str:
    return "" if moment is None else to_local(moment).strftime("%Y-%m-%d %H:%M")


def start_of_week(day: date) -> date:
    """Monday of the week (the dashboard's and the due lists' "this week")."""
    return day - timedelta(days=day.weekday())


def end_of_week(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())
