"""Speed measures exactly as the handbook defines them (speed standards page).

* First response: the first reply written by a person. Automatic replies never
  count.
* Response time: the mean gap between consecutive replies by a person over the
  conversation, the first gap measured from when the complaint arrived
  (replies after 20, 3 and 10 minutes give 11 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable


@dataclass(frozen=True)
class Reply:
    at: datetime
    automatic: bool


def first_response(replies: Iterable[Reply]) -> datetime | None:
    human = [reply.at for reply in replies if not reply.automatic]
    return min(human) if human else None


def first_response_seconds(received_at: datetime, replies: Iterable[Reply]) -> float | None:
    first = first_response(replies)
    return None if first is None else (first - received_at).total_seconds()


def response_time_seconds(received_at: datetime, replies: Iterable[Reply]) -> float | None:
    """Mean time between replies by a person; None before the first one."""
    times = sorted(reply.at for reply in replies if not reply.automatic)
    if not times:
        return None
    gaps = [(later - earlier).total_seconds() for earlier, later in zip([received_at, *times], times)]
    return sum(gaps) / len(gaps)


def target_missed(
    received_at: datetime, first_response_at: datetime | None, target_seconds: int, now: datetime
) -> bool:
    """Missed when the first response came late, or has not come and the target has passed."""
    answered_or_now = first_response_at if first_response_at is not None else now
    return (answered_or_now - received_at).total_seconds() > target_seconds
