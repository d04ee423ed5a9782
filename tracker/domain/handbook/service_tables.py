"""The speed page's tables beyond the first-response targets: when the clock runs (opening hours,
public holidays, the time zone), each channel's response-time aim and ceiling, the handle-time
guides and the new-hire period. Read here, from the rows the parser found under a rule, so a
changed hour or aim changes that rule's text, and its hash, like any other standard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.domain.handbook.model import CLOCK_OPEN, Channel
from tracker.domain.opening_hours import DAYS, OpeningHours
from tracker.domain.periods import Period, PeriodError

AIM_HEADER = ("channel", "response-time aim", "ceiling")
HOURS_HEADER = ("days", "open from", "open until")
HOLIDAY_HEADER = ("public holiday", "date")
HANDLE_HEADER = ("channel", "handle-time guide", "during your first weeks")
TIME_ZONE = "time zone"
NEW_HIRE_PERIOD = "new-hire period"
SMALLEST_SAMPLE = "fewest contacts for a rate"

Rows = list[tuple[int, list[str]]]
NO_VALUE = {"—", "-", "–", "none", "n/a", ""}
_CLOSED = {"closed", *NO_VALUE}
_CLOCK = re.compile(r"^\d{2}:\d{2}$")


@dataclass
class ServiceTables:
    """What the speed page's extra tables said, gathered while the parser walks the rules."""

    aims: Rows | None = None
    handle: Rows | None = None
    week: list[tuple[tuple[time, time | None], ...]] | None = None
    holidays: set[date] = field(default_factory=set)
    zone: str | None = None
    smallest_sample: int | None = None
    where: dict[str, tuple[str, int]] = field(default_factory=dict)  # table -> (page, line) for messages


def read_hours(
    page: str, rows: Rows, problems: list[tuple[str, int, str]]
) -> list[tuple[tuple[time, time | None], ...]]:
    """Rows like 'Monday to Friday | 08:00 | 20:00' or 'Sunday | closed | closed' into seven days."""
    week: list[list[tuple[time, time | None]] | None] = [None] * 7
    for line, cells in rows:
        days_text, opens_text, closes_text = (cells + ["", "", ""])[:3]
        days = _days(days_text)
        if days is None:
            problems.append((page, line, f"opening hours: '{days_text}' is not a day or 'Monday to Friday'"))
            continue
        interval: list[tuple[time, time | None]] = []
        if opens_text.lower() not in _CLOSED or closes_text.lower() not in _CLOSED:
            opens, closes = _clock(opens_text), _clock(closes_text, end=True)
            if not isinstance(opens, time) or closes is False or closes is True:
                problems.append((page, line, f"opening hours for {days_text}: write times as 08:00 and 20:00"))
                continue
            if isinstance(closes, time) and closes <= opens:
                problems.append((page, line, f"opening hours for {days_text}: closing must come after opening"))
                continue
            interval.append((opens, closes if isinstance(closes, time) else None))
        for day in days:
            if week[day] is not None:
                problems.append((page, line, f"opening hours: {DAYS[day].capitalize()} is listed twice"))
                continue
            week[day] = interval
    missing = [DAYS[day].capitalize() for day, hours in enumerate(week) if hours is None]
    if missing and rows:
        problems.append((page, rows[0][0], f"opening hours: no row for {', '.join(missing)} (write 'closed')"))
    return [tuple(day or ()) for day in week]


def read_holidays(page: str, rows: Rows, holidays: set[date], problems: list[tuple[str, int, str]]) -> None:
    for line, cells in rows:
        name, when = (cells + ["", ""])[:2]
        try:
            day = date.fromisoformat(when)
        except ValueError:
            problems.append((page, line, f"public holiday '{name}': '{when}' is not a date like 2026-12-25"))
            continue
        holidays.add(day)


def read_count(page: str, line: int, value: str, problems: list[tuple[str, int, str]]) -> int | None:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        problems.append((page, line, f"'{text}' is not a whole number of contacts from 1 to 100,000"))
        return None
    return int(text)


def read_zone(page: str, line: int, value: str, problems: list[tuple[str, int, str]]) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append((page, line, f"time zone '{value}' is not a time zone name like Europe/London"))
        return None
    return value


def apply(
    tables: ServiceTables, channels: dict[str, Channel], problems: list[tuple[str, int, str]]
) -> tuple[dict[str, Channel], OpeningHours | None]:
    """The channels with their aims and guides filled in, and the opening hours, checked as a whole."""
    result = dict(channels)
    for kind, rows, fields in (
        ("response-time aim", tables.aims, ("aim", "ceiling")),
        ("handle-time guide", tables.handle, ("handle_guide", "new_hire_guide")),
    ):
        page, _ = tables.where.get(kind, ("", 0))
        for line, cells in rows or []:
            name, first, second = (cells + ["", "", ""])[:3]
            channel = _channel(result, name)
            if channel is None:
                problems.append((page, line, f"{kind}: '{name}' is not a channel of the first-response table"))
                continue
            values: list[Period | None] = []
            for text in (first, second):
                if text.lower() in NO_VALUE:
                    values.append(None)
                    continue
                try:
                    period = Period.parse(text)
                    period.as_timedelta()
                    values.append(period)
                except PeriodError as exc:
                    problems.append((page, line, f"{kind} for {channel.name}: {exc}"))
                    values.append(None)
            low, high = values
            if low is not None and high is not None and low.as_timedelta() > high.as_timedelta():
                problems.append((page, line, f"{kind} for {channel.name}: {first} is longer than {second}"))
                continue
            if fields[0] == "aim":
                result[channel.code] = replace(channel, aim=low, ceiling=high)
            else:
                result[channel.code] = replace(channel, handle_guide=low, new_hire_guide=high)
    hours = None
    if tables.week is not None:
        if tables.zone is None:
            page, line = tables.where["opening hours"]
            problems.append((page, line, "opening hours need a 'Time zone' row in a '| Standard | Value |' table"))
        elif not any(tables.week):
            page, line = tables.where["opening hours"]
            problems.append((page, line, "opening hours: the company is never open"))
        else:
            hours = OpeningHours(zone=tables.zone, week=tuple(tables.week), holidays=frozenset(tables.holidays))
    if hours is None and not problems:
        for channel in result.values():
            if channel.clock == CLOCK_OPEN:
                problems.append(
                    (
                        "speed.md",
                        0,
                        f"channel '{channel.code}' counts opening hours, but no opening-hours table says when",
                    )
                )
                break
    return result, hours


def _channel(channels: dict[str, Channel], name: str) -> Channel | None:
    wanted = name.strip().lower()
    return next((c for c in channels.values() if wanted in (c.code, c.name.lower())), None)


def _days(text: str) -> list[int] | None:
    words = text.strip().lower().split()
    if len(words) == 1 and words[0] in DAYS:
        return [DAYS.index(words[0])]
    if len(words) == 3 and words[1] in ("to", "–", "-") and words[0] in DAYS and words[2] in DAYS:
        first, last = DAYS.index(words[0]), DAYS.index(words[2])
        return list(range(first, last + 1)) if first <= last else None
    return None


def _clock(text: str, end: bool = False) -> time | None | bool:
    """'08:00' -> 08:00; '24:00' (only as a closing time) -> None, the day's end; anything else
    -> None for an opening time and False for a closing time, which the caller reports."""
    text = text.strip()
    if end and text == "24:00":
        return None
    if not _CLOCK.match(text):
        return False if end else None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return False if end else None
