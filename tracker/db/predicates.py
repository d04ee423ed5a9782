"""SQL predicates written from the domain's word lists, with no SQLAlchemy import.

The schema's CHECK constraints and partial index (``models``) and the queries,
including the app's start-up path, read them from here, so a status or severity
is spelled once: in ``tracker.domain``.
"""

from __future__ import annotations

from typing import Iterable

from tracker.domain import complaint_flow


def one_of(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


OPEN_COMPLAINT = one_of("status", complaint_flow.OPEN_STATUSES)
