"""Time that counts opening hours only, for targets whose clock stops while the company is closed.

The handbook states its hours on the wall clock of one zone ("when the clocks change, the opening
hours stay the same on the wall clock"), so each day's intervals are placed on that day's wall clock
and only then turned into instants: on the day the clocks change, an interval the change falls
inside is an hour shorter or longer, and every other interval keeps its length.

Spans are walked a local day at a time; over long spans the weeks in the middle that hold no holiday
and no clock change are counted whole, so a two-year span costs about a hundred steps, not seven
hundred.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from tracker.domain.opening_hours import OpeningHours

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)
# Below this span, counting whole weeks saves less than it costs to check them.
WHOLE_WEEKS_AFTER = timedelta(days=60)
_DAY_LENGTH = timedelta(hours=24)


def elapsed(start: datetime, end: datetime, hours: OpeningHours | None) -> timedelta:
    """Time from ``start`` to ``end`` that falls inside ``hours`` (all of it when ``hours`` is None).

    Zero when ``end`` is not after ``start``, and zero for hours that are never open: a clock that
    never runs has measured nothing, which is the honest reading of a target nobody can meet."""
    _require_aware(start, end)
    if end <= start:
        return ZERO
    if hours is None:
        return end - start
    if weekly_open_time(hours) == ZERO:
        return ZERO
    zone = _zone(hours.zone)
    last = end.astimezone(zone).date()
    whole_weeks = end - start > WHOLE_WEEKS_AFTER
    total = ZERO
    first = day = start.astimezone(zone).date()
    while day <= last:
        if whole_weeks and first < day and day + ONE_WEEK <= last and _plain_week(day, hours, zone):
            # The whole week lies inside the span: it begins after ``start``'s day, ends by ``end``'s.
            total += weekly_open_time(hours)
            day += ONE_WEEK
            continue
        for opens, closes in _open_intervals(day, hours, zone):
            total += max(ZERO, min(closes, end) - max(opens, start))
        day += ONE_DAY
    return total


def deadline(start: datetime, allowed: timedelta, hours: OpeningHours | None) -> datetime:
    """The UTC instant at which ``allowed`` of open time has passed since ``start``: a target is
    being missed right now when this is behind us. A start while closed counts from the next
    opening. The earliest such instant, so ``elapsed(start, deadline(...)) == allowed``."""
    _require_aware(start)
    if allowed < ZERO:
        raise ValueError(f"the time allowed cannot be negative (got {allowed})")
    start = start.astimezone(timezone.utc)
    if hours is None or allowed == ZERO:
        return start + allowed
    if weekly_open_time(hours) == ZERO:
        raise ValueError(
            f"the opening hours in {hours.zone} are never open: a target counting opening hours can never be "
            "reached (state at least one day's hours on the speed page)"
        )
    zone = _zone(hours.zone)
    remaining = allowed
    first = day = start.astimezone(zone).date()
    while True:
        if first < day and remaining > weekly_open_time(hours) and _plain_week(day, hours, zone):
            remaining -= weekly_open_time(hours)
            day += ONE_WEEK
            continue
        for opens, closes in _open_intervals(day, hours, zone):
            begin = max(opens, start)
            if closes <= begin:
                continue
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        day += ONE_DAY


def weekly_open_time(hours: OpeningHours) -> timedelta:
    """How long a week without holidays or clock changes is open, by the wall clock."""
    return _weekly_open_time(hours.week)


@lru_cache(maxsize=64)
def _weekly_open_time(week: tuple[tuple[tuple[time, time | None], ...], ...]) -> timedelta:
    return sum((_wall_length(opens, closes) for day in week for opens, closes in day), ZERO)


def _wall_length(opens: time, closes: time | None) -> timedelta:
    day = date(2000, 1, 3)  # any date: wall-clock arithmetic only
    end = datetime.combine(day, closes) if closes is not None else datetime.combine(day, time()) + _DAY_LENGTH
    return max(ZERO, end - datetime.combine(day, opens))


def _open_intervals(day: date, hours: OpeningHours, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """The day's open intervals as UTC instants; none on a holiday."""
    if day in hours.holidays:
        return
    for opens, closes in hours.week[day.weekday()]:
        begin = _instant(day, opens, zone)
        end = _instant(day, closes, zone) if closes is not None else _instant(day + ONE_DAY, time(), zone)
        if end > begin:
            yield begin, end


def _plain_week(monday: date, hours: OpeningHours, zone: ZoneInfo) -> bool:
    """Whether the week from ``monday`` is open exactly ``weekly_open_time``: a Monday, no holiday
    in the week, and exactly seven days of 24 hours from its first midnight to the next week's (no
    zone changes its clocks and back again within one week)."""
    if monday.weekday() != 0 or any(monday + timedelta(days=n) in hours.holidays for n in range(7)):
        return False
    return _instant(monday + ONE_WEEK, time(), zone) - _instant(monday, time(), zone) == ONE_WEEK


def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the wall clock in ``zone`` first shows ``wall`` on ``day``: the first of the
    two when the clocks go back, and the moment of the change when they skip past it."""
    naive = datetime.combine(day, wall)
    earlier = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    if _wall(earlier, zone) == naive:
        return earlier
    later = naive.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    return _first_showing(naive, min(earlier, later), max(earlier, later), zone)


def _first_showing(naive: datetime, low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """Bisect to the second for the first instant in (low, high] whose wall time is ``naive`` or
    later: the moment the clocks jump over it. Runs only on the days the clocks go forward."""
    lo, hi = 0, int((high - low).total_seconds())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(low + timedelta(seconds=mid), zone) >= naive:
            hi = mid
        else:
            lo = mid
    return low + timedelta(seconds=hi)


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _require_aware(*moments: datetime) -> None:
    """A naive time here would be read in the machine's zone and silently shift a measure by hours."""
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{moment.isoformat()} has no time zone: business time needs aware UTC times")
