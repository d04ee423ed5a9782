"""Time as the tracker keeps it: aware UTC in the program and the database,
local time for people.

Dates (a hire date, the date written on a signed form) are local calendar
dates and carry no time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from tracker.domain import limits
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


class LocalTimeError(ValueError):
    """A local time typed without an offset that the clocks skipped or showed twice."""


def to_utc(moment: datetime) -> datetime:
    """Naive values are local time as typed by a person; return aware UTC.

    A time in the hour the clocks skip in spring, or the hour they show twice in autumn, has two
    readings: it is refused, naming both, rather than silently taken as one of them (a complaint
    answered "within the hour" could otherwise become two hours late). An explicit offset
    (``2026-10-25 01:30+01:00``) says which."""
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc)
    readings = _readings(moment)
    if len(readings) == 1:
        return readings[0]
    first, second = (_shown_with_offset(reading) for reading in readings)
    if all(_wall(reading) == moment for reading in readings):
        raise LocalTimeError(f"is in the hour the clocks show twice here: give the offset, {first} or {second}")
    raise LocalTimeError(f"is in the hour the clocks skip here: it reads as {first} or {second}; give the offset")


def _readings(moment: datetime) -> list[datetime]:
    """The UTC moments a naive local time can mean: one, or two around a clock change."""
    earlier = moment.replace(fold=0).astimezone().astimezone(timezone.utc)
    later = moment.replace(fold=1).astimezone().astimezone(timezone.utc)
    return [earlier] if earlier == later else sorted({earlier, later})


def _wall(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None, fold=0)


def _shown_with_offset(moment: datetime) -> str:
    local = moment.astimezone()
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M}{offset[:3]}:{offset[3:]}"


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
            day = date.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            problem = kept_day_problem(day)
            if problem:
                raise InputError(field, problem)
            return day
    raise InputError(field, f"'{shown(text)}' is not a date like 2026-11-23")


def kept_day_problem(day: date) -> str | None:
    """Why the tracker does not keep ``day`` (outside the years it keeps), or None."""
    if not limits.FIRST_YEAR <= day.year <= limits.LAST_YEAR:
        return f"is outside the range of dates the tracker keeps ({limits.FIRST_YEAR} to {limits.LAST_YEAR})"
    return None


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, as aware UTC (where date ranges begin and end): the
    first moment of that day even where the clocks change at midnight."""
    midnight = datetime(day.year, day.month, day.day)
    on_the_day = [reading for reading in _readings(midnight) if _wall(reading) >= midnight]
    return min(on_the_day or _readings(midnight))


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


def future_problem(value: date | datetime, now: date | datetime, *, advice: str = "") -> str | None:
    """Why ``value`` is refused as not having happened yet (the one wording), or None;
    ``now`` is the current time or today's date.

    Times get a few minutes' grace for the difference between supervisors' clocks.
    """
    if isinstance(value, datetime):
        future = as_utc(value) > as_utc(now if isinstance(now, datetime) else local_midnight(now)) + CLOCK_SKEW
    else:
        future = value > (local_date(now) if isinstance(now, datetime) else now)
    if not future:  # the common case, asked of every time of an import: no wording
        return None
    text = format_local(value) if isinstance(value, datetime) else value.isoformat()
    return f"{text} is in the future" + (f"; {advice}" if advice else "")


def not_in_future(field: str, value: date | datetime, now: date | datetime, *, advice: str = "") -> None:
    """Refuse a date or time that has not happened yet (``future_problem``), naming ``field``."""
    problem = future_problem(value, now, advice=advice)
    if problem:
        raise InputError(field, problem)


def format_local(moment: datetime | None) -> str:
    return "" if moment is None else to_local(moment).strftime("%Y-%m-%d %H:%M")


def start_of_week(day: date) -> date:
    """Monday of the week (the dashboard's and the due lists' "this week")."""
    return day - timedelta(days=day.weekday())


def end_of_week(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())
