"""Optimistic concurrency for records people edit: a revision number, who changed it and when."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tracker.domain.errors import ConflictError
from tracker.domain.timeutil import format_local


class Revisioned(Protocol):
    revision: int
    updated_by: str
    updated_at: datetime


def check_revision(row: Revisioned, expected: int | None, what: str) -> None:
    """Refuse to overwrite a record someone else saved since it was opened."""
    if expected is None or row.revision == expected:
        return
    raise ConflictError(
        f"{what} was changed by {row.updated_by} at {format_local(row.updated_at)} since you opened it; "
        "nothing was saved — reload to see their change, then apply yours again"
    )


def bump(row: Revisioned, actor: str, now: datetime) -> None:
    row.revision += 1
    row.updated_by = actor
    row.updated_at = now
