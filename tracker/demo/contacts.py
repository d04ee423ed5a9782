"""Practice contacts for the demo: twelve weeks of chats, calls, counter visits, posts and emails,
with the things real help desks carry (automatic acknowledgements, internal notes, emails written
at night, a weekend's backlog, a few requests closed without an answer), written through the same
import as a real export, so the demo shows what an import would.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Sequence

from sqlmodel import Session

from tracker.domain import contact_words as words
from tracker.domain.contact_rows import ContactRow, MessageRow, ProfileRead
from tracker.records.contacts.commands import import_contacts

TOPICS = ("billing", "deliveries", "account access", "returns", "product questions")
# channel code -> (share of contacts, typical first wait in seconds, typical gap between answers)
MIX = {
    "chat": (0.35, 70, 90),
    "phone": (0.25, 50, 0),
    "counter": (0.1, 40, 0),
    "social": (0.1, 1500, 1200),
    "email": (0.2, 5 * 3600, 3 * 3600),
}


def contact_rows(
    rng: random.Random, people: Sequence[str], count: int, now: datetime, channels: Sequence[str]
) -> list[ContactRow]:
    """``people`` are employee numbers; only channels the handbook has are used."""
    mix = {code: MIX[code] for code in MIX if code in channels}
    codes = list(mix)
    weights = [mix[code][0] for code in codes]
    rows: list[ContactRow] = []
    for index in range(count):
        code = rng.choices(codes, weights)[0]
        _, first_wait, gap = mix[code]
        received = now - timedelta(seconds=rng.randint(3600, 84 * 24 * 3600))
        if code in ("chat", "phone", "counter"):  # live channels: only while we are open
            received = received.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59))
            if received > now:  # today, at an hour still to come
                received -= timedelta(days=1)
            if received.weekday() == 6:
                received -= timedelta(days=1)
        agent = rng.choice(people)
        messages: list[MessageRow] = []
        if code not in ("phone", "counter"):  # a written contact opens with the customer's message
            messages.append(MessageRow(received, words.CUSTOMER))
        if code in ("email", "social"):
            messages.append(MessageRow(received, words.AUTOMATIC))  # "we have your message"
        at = received + timedelta(seconds=int(rng.expovariate(1 / first_wait)))
        if rng.random() < 0.15:
            messages.append(MessageRow(received + timedelta(seconds=20), words.NOTE, agent))
        unanswered = rng.random() < 0.01
        handle = None
        if code in ("phone", "counter"):
            messages.append(MessageRow(at, words.PERSON, agent))
            handle = (rng.randint(120, 900), rng.randint(0, 120), rng.randint(20, 180))
        elif not unanswered:
            messages.append(MessageRow(at, words.PERSON, agent))
            for _ in range(rng.randint(0, 3)):
                at += timedelta(seconds=rng.randint(60, 4 * 3600))  # the customer's own time to answer
                messages.append(MessageRow(at, words.CUSTOMER))
                at += timedelta(seconds=int(rng.expovariate(1 / gap)) + 5)
                messages.append(MessageRow(at, words.PERSON, agent))
        closed = at + timedelta(minutes=rng.randint(1, 600)) if at < now - timedelta(hours=2) else None
        if closed is not None and closed > now:
            closed = None
        rows.append(
            ContactRow(
                file="demo",
                row=index + 2,
                source="demo",
                external_id=f"D-{index + 1:06d}",
                channel=code,
                received_at=received,
                agent=agent,
                topic=rng.choice(TOPICS),
                priority="urgent" if rng.random() < 0.02 else "normal",
                urgent=False,
                status="solved" if closed else "open",
                closed_at=closed,
                talk_seconds=handle[0] if handle else None,
                hold_seconds=handle[1] if handle else None,
                wrap_seconds=handle[2] if handle else None,
                messages=tuple(m for m in messages if m.at <= now),
            )
        )
    return rows


def add_contacts(
    session: Session,
    rng: random.Random,
    people: Sequence[str],
    count: int,
    channels: Sequence[str],
    actor: str,
    now: datetime,
) -> int:
    if count == 0 or not people:
        return 0
    read = ProfileRead(contacts=contact_rows(rng, people, count, now, channels), rows_read=count)
    result = import_contacts(read, session=session, actor=actor, profile="demo", files=[], now=now)
    return result.new
