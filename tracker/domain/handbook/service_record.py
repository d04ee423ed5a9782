"""A published version's service standards as one canonical JSON text (``handbook_service``):
what the handbook set beyond each channel's first-response target, so a contact is measured by
the version in force when it arrived, whatever the pages say today."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tracker.domain.handbook.model import Handbook, Standards
from tracker.domain.opening_hours import OpeningHours
from tracker.domain.periods import Period


def _period(value: Period | None) -> str | None:
    return str(value) if value is not None else None


def to_json(handbook: Handbook) -> str:
    channels, hours = handbook.channels, handbook.hours
    data: dict[str, Any] = {
        "channels": {
            code: {
                "clock": channel.clock,
                "aim": _period(channel.aim),
                "ceiling": _period(channel.ceiling),
                "handle_guide": _period(channel.handle_guide),
                "new_hire_guide": _period(channel.new_hire_guide),
                "aliases": list(channel.aliases),
            }
            for code, channel in sorted(channels.items())
        },
        "hours": hours.as_json() if hours is not None else None,
        "new_hire_period": _period(handbook.new_hire_period),
        "smallest_sample": handbook.smallest_sample,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def with_service(standards: Standards, text: str | None) -> Standards:
    """``standards`` (read from a version's channels and ladder) completed by its service row;
    unchanged for a version published before the handbook stated these."""
    if text is None:
        return standards
    data = json.loads(text)
    channels = dict(standards.channels)
    for code, fields in data["channels"].items():
        if code not in channels:
            continue
        channels[code] = replace(
            channels[code],
            clock=fields["clock"],
            aim=_parse(fields["aim"]),
            ceiling=_parse(fields["ceiling"]),
            handle_guide=_parse(fields["handle_guide"]),
            new_hire_guide=_parse(fields["new_hire_guide"]),
            aliases=tuple(fields["aliases"]),
        )
    hours = OpeningHours.from_json(data["hours"]) if data.get("hours") else None
    return replace(
        standards,
        channels=channels,
        hours=hours,
        new_hire_period=_parse(data.get("new_hire_period")),
        smallest_sample=stated_smallest_sample(text),
    )


def stated_smallest_sample(text: str | None) -> int | None:
    """The fewest contacts a rate is judged on, as a version's service row states it (None: not
    stated), read without the rest of the standards (the dashboard's first frame)."""
    return json.loads(text).get("smallest_sample") if text else None


def _parse(text: str | None) -> Period | None:
    return Period.parse(text) if text else None
