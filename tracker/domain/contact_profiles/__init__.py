"""Import profiles: each turns one help desk's export files into ``ContactRow``s (``contact_rows``),
so that mapping, checking, measuring and writing are written once (``records/contacts``).

``read(profile, paths, zone)`` never raises on what the files hold: every row it cannot use comes
back as a ``FileRowError`` (file, row, column, reason; the header is row 1, as a spreadsheet shows
it, and a JSON lines file's rows are its lines), one per bad row, in file and row order. A file
that cannot be opened or is not of a kind the profile reads is one error in row 1, column
``file``; a file missing columns the profile needs is one error in row 1 naming them. Columns a
profile does not use are ignored and named once per file in ``ignored_columns``. ``rows_read``
counts every data row of every file read, bad ones included and rows left out on purpose (deleted
tickets, timeline entries) not.

Times come back as aware UTC: a time the file writes with an offset or 'Z' is that moment, one
without is read on the clocks of ``zone`` (an IANA name), and one in the hour those clocks skip or
show twice is a row error asking for the offset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from tracker.domain.contact_profiles import chatwoot, generic, ticket_metrics, zendesk
from tracker.domain.contact_profiles.cells import zone_named
from tracker.domain.contact_rows import ProfileRead
from tracker.domain.errors import InputError, shown

PROFILES: dict[str, str] = {
    "generic": "the tracker's own format: a contacts CSV (source, id, channel, received_at ...), optionally a "
    "messages CSV (contact_id, at, author), or JSON lines",
    "zendesk": "Zendesk: ticket_data, ticket_comment_data and user_data CSV files (any order)",
    "chatwoot": "Chatwoot: a messages CSV (conversation_id, created_at, message_type, private, sender_type, sender_id)",
    "ticket-metrics": "one row per ticket (ticket_id, created_date, channel, category, priority, agent, "
    "first_response_minutes ...); no messages",
}

_READERS: dict[str, Callable[[list[Path], ZoneInfo], ProfileRead]] = {
    "generic": generic.read,
    "zendesk": zendesk.read,
    "chatwoot": chatwoot.read,
    "ticket-metrics": ticket_metrics.read,
}


def read(profile_name: str, paths: list[Path], zone: str = "UTC") -> ProfileRead:
    """The contacts in ``paths`` as the profile reads them, with every row it could not.

    A profile name or zone that is not one is the caller's ``InputError`` (they are options, not
    file content), and so is an empty list of files."""
    reader = _READERS.get(profile_name.strip().lower())
    if reader is None:
        raise InputError("--from", f"'{shown(profile_name)}' is not a profile (use one of: {', '.join(PROFILES)})")
    if not paths:
        raise InputError("file", "give at least one file to import")
    return reader(list(paths), zone_named(zone))
