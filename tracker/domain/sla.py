"""Speed measures of a logged complaint, by the speed page's definitions (``contact_measures`` has
them in full; this is the older API the complaint screens use, kept so they keep working).

* First response (SPD-01, SPD-02): the first reply written by a person. Automatic replies never
  count.
* Response time (SPD-03): every wait from a customer's message to our answer to it, added up and
  divided by the number of replies. A complaint records only the customer's first message (when it
  was received) and our replies, so its one wait runs from arrival to the first reply by a person:
  later replies with no customer message before them answer nothing and add no wait. (Replies after
  20, 3 and 10 minutes of waiting give 11 minutes only when the customer wrote before each of them:
  see ``contact_measures.reply_gaps``.)
* Missed target: calendar time, as complaints have always been logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from tracker.domain.contact_measures import Author, Message, reply_gaps


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
    """Mean wait for our answers (SPD-03); None before a person has replied."""
    messages = [Message(reply.at, Author.AUTOMATIC if reply.automatic else Author.PERSON) for reply in replies]
    gaps = reply_gaps(received_at, messages)
    if not gaps:
        return None
    return sum(gap.length.total_seconds() for gap in gaps) / len(gaps)


def target_missed(
    received_at: datetime, first_response_at: datetime | None, target_seconds: int, now: datetime
) -> bool:
    """Missed when the first response came late, or has not come and the target has passed."""
    answered_or_now = first_response_at if first_response_at is not None else now
    return (answered_or_now - received_at).total_seconds() > target_seconds
