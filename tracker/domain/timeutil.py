"""Time as the tracker keeps it: aware UTC in the program and the database,
local time for people.

Dates (a hire date, the date written on a signed form) are local calendar
dates and carry no time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable

from tracker.domain.errors import InputError, shown


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


_clock: Callable[[], datetime] = _system_clock


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


def parse_moment(text: str, field: str) -> datetime:
    """A local date-time typed by a person ('2026-11-23 14:05'), returned as aware UTC."""
    cleaned = text.strip().replace("T", " ")
    try:
        return to_utc(datetime.fromisoformat(cleaned))
    except (ValueError, OverflowError):
        raise InputError(field, f"'{shown(text)}' is not a date and time like 2026-11-23 14:05") from None


def format_local(moment: datetime | None) -> str:
    return "" if moment is None else to_local(moment).strftime("%Y-%m-%d %H:%M")


def start_of_week(day: date) -> date:
    """Monday of the week (the dashboard's and the due lists' "this week")."""
    return day - timedelta(days=day.weekday())


def end_of_week(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())
