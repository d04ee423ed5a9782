"""The handbook versions the rest of the tracker asks about, in plain driver SQL.

"The material version" (the latest one that needs re-signing) is read here once
for everyone: the app's first frame (before SQLAlchemy is imported), the
sign-off lists, the dashboard and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.db.raw import as_date, as_raw


@dataclass(frozen=True)
class VersionRef:
    """A published version as the queries need it: which one, and when."""

    id: int
    label: str
    published_on: date


def material_version(db: Any) -> VersionRef | None:
    """The latest version whose changes need re-signing (not editorial); ``db`` is a Raw or a Session."""
    row = as_raw(db).rows(
        "SELECT id, label, published_on FROM handbook_version WHERE NOT editorial ORDER BY id DESC LIMIT 1"
    )
    return VersionRef(row[0][0], row[0][1], as_date(row[0][2])) if row else None
