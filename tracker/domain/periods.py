"""Durations as the handbook writes them ("2 minutes", "12 months").

Months cannot be a timedelta (they differ in length), so a period keeps its unit
and applies itself to dates with calendar arithmetic.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_UNITS = {
    "minute": "minutes",
    "minutes": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "hour": "hours",
    "hours": "hours",
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
}
_PATTERN = re.compile(r"^\s*(\d{1,6})\s+([A-Za-z]+)\s*$")


# No standard, look-back or retention age is longer than a century: a typed '999999 months' is a
# mistake, and would put every "date plus the period" past the calendar's end.
LONGEST_YEARS = 100


class PeriodError(ValueError):
    """Raised when a duration in the handbook cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    amount: int
    unit: str  # one of minutes, hours, days, weeks, months

    @staticmethod
    def looks_like(text: str) -> bool:
        """Whether ``text`` has a period's shape (a number and a word), valid or not."""
        return _PATTERN.match(text) is not None

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PATTERN.match(text)
        if not match:
            raise PeriodError(f"'{text.strip()}' is not a duration like '2 minutes' or '12 months'")
        unit = _UNITS.get(match.group(2).lower())
        if unit is None:
            raise PeriodError(f"'{match.group(2)}' is not a known unit (use minutes, hours, days, weeks or months)")
        amount = int(match.group(1))
        if amount <= 0:
            raise PeriodError(f"'{text.strip()}' must be longer than zero")
        period = cls(amount, unit)
        if period > _LONGEST[unit]:
            raise PeriodError(
                f"'{text.strip()}' is longer than {LONGEST_YEARS} years, the longest period the tracker keeps"
            )
        return period

    def as_timedelta(self) -> timedelta:
        if self.unit == "months":
            raise PeriodError("a period in months has no fixed length")
        return timedelta(**{self.unit: self.amount})

    @property
    def seconds(self) -> int:
        return int(self.as_timedelta().total_seconds())

    def after(self, start: date) -> date:
        """The date this period after ``start`` (months by the calendar); the last date there is
        when that would pass the calendar's end (a stored 9999-12-31 must not break a report)."""
        return self._shift(start, 1)

    def before(self, end: date) -> date:
        """The date this period before ``end``; the first date there is at the calendar's start."""
        return self._shift(end, -1)

    def _shift(self, day: date, sign: int) -> date:
        try:
            if self.unit == "months":
                return _add_months(day, sign * self.amount)
            return day + sign * timedelta(days=self.as_timedelta().days)
        except (OverflowError, ValueError):
            return date.max if sign > 0 else date.min

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


def _add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def format_seconds(seconds: float | int | None) -> str:
    """A short human reading of a span of time, e.g. '1 h 05 min' or '45 s'."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{sign}{minutes} min" if sec == 0 else f"{sign}{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{sign}{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h"


_LONGEST = {
    "minutes": Period(LONGEST_YEARS * 366 * 24 * 60, "minutes"),
    "hours": Period(LONGEST_YEARS * 366 * 24, "hours"),
    "days": Period(LONGEST_YEARS * 366, "days"),
    "weeks": Period(LONGEST_YEARS * 53, "weeks"),
    "months": Period(LONGEST_YEARS * 12, "months"),
}
