"""When the company is open, as the handbook's speed page states it.

A target that "counts opening hours" only runs while the company is open (the handbook's own
words, read by the parser); a calendar target runs day and night. Data only: the arithmetic over
these hours is ``business_time``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class OpeningHours:
    """``week[0]`` is Monday: each day's (opens, closes) intervals in local time, in order and
    not overlapping. ``closes`` of ``None`` means the day's end (midnight). Holidays are closed."""

    zone: str
    week: tuple[tuple[tuple[time, time | None], ...], ...]
    holidays: frozenset[date] = frozenset()

    def as_json(self) -> dict[str, object]:
        return {
            "zone": self.zone,
            "week": [
                [[opens.strftime("%H:%M"), closes.strftime("%H:%M") if closes else "24:00"] for opens, closes in day]
                for day in self.week
            ],
            "holidays": sorted(day.isoformat() for day in self.holidays),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "OpeningHours":
        week_data = data["week"]
        holidays = data.get("holidays") or []
        if not isinstance(week_data, list) or len(week_data) != 7 or not isinstance(holidays, list):
            raise ValueError("stored opening hours must list seven days and a list of holidays")
        return cls(
            zone=str(data["zone"]),
            week=tuple(
                tuple(
                    (time.fromisoformat(opens), None if closes == "24:00" else time.fromisoformat(closes))
                    for opens, closes in day
                )
                for day in week_data
            ),
            holidays=frozenset(date.fromisoformat(str(day)) for day in holidays),
        )
