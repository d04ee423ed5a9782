"""Chatwoot (``--from chatwoot``): a CSV file of messages, one row each, with Chatwoot's own field
names: ``conversation_id``, ``created_at``, ``message_type``, ``private``, ``sender_type`` and
``sender_id``. Several files may be given; a conversation may span them.

Each conversation is a contact from source ``chatwoot``, with the conversation's ID. It arrived
with the customer's first message; messages of ours before it (a campaign, an outbound message
that started the conversation) are not part of the contact, and a conversation the customer never
wrote in is not a contact at all. Its channel is the ``channel`` or ``inbox`` column where the
file has one (as Chatwoot names it: the speed page's "Also called in exports" maps it), else
``chat``; who handled it is the ``assignee_id`` column where the file has one, else the sender of
the last reply by a person of ours.

Each message's ``message_type`` (the number, or Chatwoot's word for it) says who wrote it:

- ``0`` (incoming): the customer;
- ``1`` (outgoing): one of ours when ``sender_type`` is ``User`` (named by ``sender_id``, as the
  roster must know them), otherwise automatic (an ``AgentBot``, an automation);
- ``2`` (activity): a line of the conversation's timeline ("assigned to ..."), not a message: left
  out, counted in nothing;
- ``3`` (template): automatic.

A ``private`` message (``true``) is an internal note, whatever its type. ``created_at`` may be a
Unix time (seconds since 1970, as Chatwoot's API gives it) or a date and time. The message text
(``content``) is never read or stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.domain import contact_words, limits
from tracker.domain.contact_profiles.cells import CHANNEL, Bad, Kind, Reading, flag, line, moment, names_of
from tracker.domain.contact_rows import ContactRow, MessageRow, ProfileRead
from tracker.domain.errors import shown

SOURCE = "chatwoot"
DEFAULT_CHANNEL = "chat"
MESSAGES = Kind(
    "Chatwoot messages file",
    required=("conversation_id", "created_at", "message_type", "sender_type"),
    optional=("private", "sender_id", "inbox", "channel", "assignee_id", "id"),
    marks=("conversation_id", "message_type"),
)
INCOMING, OUTGOING, ACTIVITY, TEMPLATE = "0", "1", "2", "3"
TYPE_WORDS = {"incoming": INCOMING, "outgoing": OUTGOING, "activity": ACTIVITY, "template": TEMPLATE}
PERSON_SENDER = "user"  # sender_type of an agent; Contact, AgentBot and the rest are not people of ours


@dataclass
class Conversation:
    """A conversation's messages as the rows give them, in any order."""

    messages: list[MessageRow] = field(default_factory=list)
    incoming: list[MessageRow] = field(default_factory=list)
    channel: str | None = None
    assigned: list[tuple[datetime, str]] = field(default_factory=list)


def read(paths: list[Path], zone: ZoneInfo) -> ProfileRead:
    reading = Reading(paths, zone)
    conversations: dict[str, Conversation] = {}
    message_ids: dict[str, tuple[str, int]] = {}
    for name, path in zip(names_of(paths), paths):
        if reading.kind_of(name, path, (MESSAGES,)) is None:
            continue
        for row, cells in reading.rows(name, path, MESSAGES):
            _read_row(reading, name, row, cells, conversations, message_ids)
    for conversation_id, conversation in conversations.items():
        _keep(reading, conversation_id, conversation)
    return reading.finish()


def _read_row(
    reading: Reading,
    file: str,
    row: int,
    cells: dict[str, str],
    conversations: dict[str, Conversation],
    message_ids: dict[str, tuple[str, int]],
) -> None:
    try:
        conversation_id = line(cells, "conversation_id", limits.EXTERNAL_ID, required=True)
    except Bad as unnamed:
        reading.bad(file, row, unnamed)
        return
    assert conversation_id is not None
    try:
        kind = _message_type(cells)
    except Bad as untyped:
        reading.spoilt((SOURCE, conversation_id), file, row, untyped)
        return
    if kind == ACTIVITY:
        reading.skipped()
        return
    conversation = conversations.setdefault(conversation_id, Conversation())
    try:
        _duplicate(cells, file, row, message_ids)
        message = _message(file, row, cells, kind, reading.zone)
        channel = line(cells, "channel", CHANNEL) or line(cells, "inbox", CHANNEL)
        assignee = line(cells, "assignee_id", limits.PERSON_NAME)
    except Bad as problem:
        reading.spoilt((SOURCE, conversation_id), file, row, problem)
        return
    conversation.messages.append(message)
    if kind == INCOMING:
        conversation.incoming.append(message)
    conversation.channel = conversation.channel or channel
    if assignee:
        conversation.assigned.append((message.at, assignee))


def _message_type(cells: dict[str, str]) -> str:
    raw = cells.get("message_type", "").strip()
    kind = TYPE_WORDS.get(raw.lower(), raw)
    if kind not in (INCOMING, OUTGOING, ACTIVITY, TEMPLATE):
        known = "0 (incoming), 1 (outgoing), 2 (activity) or 3 (template)"
        raise Bad("message_type", f"'{shown(raw)}' is not a message type: {known}" if raw else f"is blank: {known}")
    return kind


def _duplicate(cells: dict[str, str], file: str, row: int, seen: dict[str, tuple[str, int]]) -> None:
    """A message ID seen before: the same export given twice would count every message twice."""
    message_id = cells.get("id", "").strip()
    if not message_id:
        return
    first = seen.setdefault(message_id, (file, row))
    if first != (file, row):
        where = f"row {first[1]}" if first[0] == file else f"{first[0]}, row {first[1]}"
        raise Bad("id", f"message '{shown(message_id)}' appears twice; first in {where}")


def _message(file: str, row: int, cells: dict[str, str], kind: str, zone: ZoneInfo) -> MessageRow:
    at = moment(cells, "created_at", zone, required=True, epoch=True)
    assert at is not None
    private = flag(cells, "private", False, "true or false")
    sender = line(cells, "sender_id", limits.PERSON_NAME)
    by_person = kind == OUTGOING and cells.get("sender_type", "").strip().lower() == PERSON_SENDER
    if private:
        author = contact_words.NOTE
    elif kind == INCOMING:
        author = contact_words.CUSTOMER
    elif by_person:
        author = contact_words.PERSON
    else:
        author = contact_words.AUTOMATIC
    return MessageRow(
        at=at, author=author, agent=sender if author == contact_words.PERSON else None, row=row, file=file
    )


def _keep(reading: Reading, conversation_id: str, conversation: Conversation) -> None:
    """The conversation as a contact, from the customer's first message on."""
    if not conversation.incoming:
        return
    first = min(conversation.incoming, key=lambda m: (m.at, m.row))
    replies = sorted(
        (m for m in conversation.messages if m.author == contact_words.PERSON and m.agent and m.at >= first.at),
        key=lambda m: m.at,
    )
    assigned = max(conversation.assigned)[1] if conversation.assigned else None
    contact = ContactRow(
        file=first.file,
        row=first.row,
        source=SOURCE,
        external_id=conversation_id,
        channel=conversation.channel or DEFAULT_CHANNEL,
        received_at=first.at,
        agent=assigned or (replies[-1].agent if replies else None),
        messages=(),
    )
    if reading.contact(contact, "conversation_id") is not None:
        return
    key = (SOURCE, conversation_id)
    for message in conversation.messages:
        if message.at >= contact.received_at:
            reading.message(key, "created_at", message)
