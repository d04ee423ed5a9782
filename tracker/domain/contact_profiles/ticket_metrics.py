"""Ticket-level metrics exports (``--from ticket-metrics``): one row per ticket, as analytics tools
and help-desk reports write them (``ticket_id, created_date, channel, category, priority, agent,
first_response_minutes, status, resolved_date, ...``).

Each row is a contact from source ``tickets``: ``ticket_id`` is its ID, ``created_date`` when it
arrived, ``channel`` as the file names it (``Chat``, ``Self-Service``, ``Social Media`` ...: the
speed page's "Also called in exports" maps them), ``category`` its topic, ``agent`` who handled it,
``resolved_date`` when it was closed, and ``first_response_minutes`` the first-reply time the file
states (blank: not stated). A ``priority`` of ``Critical`` or ``Urgent`` marks it urgent. The file
has no messages, so the first response is measured only as it states it.

Every other column (team, resolution hours, satisfaction scores, derived date parts ...) is
ignored, and the import names them.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.domain import limits
from tracker.domain.contact_profiles.cells import (
    CHANNEL,
    Bad,
    Kind,
    Reading,
    before_arrival,
    line,
    minutes,
    moment,
    names_of,
)
from tracker.domain.contact_rows import ContactRow, ProfileRead

SOURCE = "tickets"
TICKETS = Kind(
    "ticket metrics file",
    required=("ticket_id", "created_date", "channel"),
    optional=("category", "priority", "agent", "status", "resolved_date", "first_response_minutes"),
)
URGENT_PRIORITIES = ("critical", "urgent")


def read(paths: list[Path], zone: ZoneInfo) -> ProfileRead:
    reading = Reading(paths, zone)
    for name, path in zip(names_of(paths), paths):
        if reading.kind_of(name, path, (TICKETS,)) is None:
            continue
        for row, cells in reading.rows(name, path, TICKETS):
            try:
                problem = reading.contact(ticket(name, row, cells, zone), "ticket_id")
            except Bad as bad:
                problem = bad
            if problem is not None:
                reading.bad(name, row, problem)
    return reading.finish()


def ticket(file: str, row: int, cells: dict[str, str], zone: ZoneInfo) -> ContactRow:
    external_id = line(cells, "ticket_id", limits.EXTERNAL_ID, required=True)
    received_at = moment(cells, "created_date", zone, required=True)
    channel = line(cells, "channel", CHANNEL, required=True)
    assert external_id and received_at and channel
    closed_at = moment(cells, "resolved_date", zone)
    if closed_at is not None and closed_at < received_at:
        raise before_arrival("resolved_date", closed_at, received_at, zone)
    priority = line(cells, "priority", limits.TOPIC)
    return ContactRow(
        file=file,
        row=row,
        source=SOURCE,
        external_id=external_id,
        channel=channel,
        received_at=received_at,
        agent=line(cells, "agent", limits.PERSON_NAME),
        topic=line(cells, "category", limits.TOPIC),
        priority=priority,
        urgent=(priority or "").lower() in URGENT_PRIORITIES,
        status=line(cells, "status", limits.TOPIC),
        closed_at=closed_at,
        reported_first_response=minutes(cells, "first_response_minutes"),
    )
