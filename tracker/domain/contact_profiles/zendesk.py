"""Zendesk (``--from zendesk``): the ticket, comment and user tables as Zendesk's data connectors
land them (``ticket_data``, ``ticket_comment_data`` and ``user_data`` CSV files), given in any
order: the tracker tells them apart by their first rows. The ticket and user files are needed;
without the comment file the tickets have no messages, and only their arrival is recorded.

Each ticket is a contact from source ``zendesk``: its ``id`` is the contact's ID, ``created_at``
when it arrived, ``via_channel`` its channel as Zendesk names it (``web``, ``email``, ``voice``
...: the speed page's "Also called in exports" maps them), ``assignee_id`` who handled it,
``group_id`` its topic (``group 360006965034``; the subject is the customer's own text, and is
not read), ``priority`` and ``status`` as Zendesk has them. A priority of ``urgent`` marks it
urgent. Deleted tickets (status ``deleted``) are left out, and so are their comments: they are
counted in nothing.

Each comment is one of its ticket's messages, at its ``created`` time, written by:

- an internal note when ``public`` is FALSE;
- an automatic message when a trigger or automation wrote it (the comment's ``via_channel`` is
  ``rule``: the "we have received your request" acknowledgement, never a first response) or
  Zendesk's system user (user ID -1) did;
- one of ours, for a voice comment (``voice_comment`` TRUE: the call itself);
- the customer, when its user is an end-user or the ticket's requester (so the requester's
  comment at the ticket's creation is the customer's opening message);
- one of ours otherwise (an agent's or admin's public reply).

People of ours are named by their user's ``external_id`` where it is set (put the employee number
there), else by their ``name``, as the roster knows them.

Rows that are errors: a ticket whose ``assignee_id`` is not in the user file; a comment for a
ticket not in the ticket file (connector exports can be incomplete), or by a user not in the user
file; a ticket ID twice; a time, ``public`` or ``voice_comment`` that cannot be read; a comment
before its ticket was created. A ticket with a bad comment is left out too, and its own row says
so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.domain import contact_words, limits
from tracker.domain.contact_profiles.cells import CHANNEL, Bad, Kind, Reading, flag, line, moment, names_of
from tracker.domain.contact_rows import ContactRow, MessageRow, ProfileRead
from tracker.domain.errors import shown

SOURCE = "zendesk"
TICKETS = Kind(
    "ticket file",
    required=("id", "created_at", "via_channel"),
    optional=("assignee_id", "group_id", "priority", "status", "requester_id"),
    marks=("via_channel",),
)
COMMENTS = Kind(
    "comment file",
    required=("ticket_id", "user_id", "created", "public"),
    optional=("voice_comment", "via_channel", "via__channel"),
    marks=("ticket_id", "public"),
)
USERS = Kind("user file", required=("id", "name", "role"), optional=("external_id",), marks=("role",))
KINDS = (TICKETS, COMMENTS, USERS)
SYSTEM_USER = "-1"  # Zendesk's own user: what its system writes
END_USER = "end-user"
BY_RULE = "rule"  # a comment's via channel when a trigger or automation wrote it
TRUE_OR_FALSE = "TRUE or FALSE"


@dataclass(frozen=True)
class User:
    role: str
    label: str | None  # how the roster knows them: external_id, else name


@dataclass
class Tickets:
    """What the comments are read against."""

    users: dict[str, User]
    bad_users: set[str]  # users whose own row is an error
    requester: dict[str, str | None]
    deleted: set[str]
    spoilt: set[str]  # tickets whose own row is an error: their comments add nothing


def read(paths: list[Path], zone: ZoneInfo) -> ProfileRead:
    reading = Reading(paths, zone)
    files: dict[Kind, list[tuple[str, Path]]] = {kind: [] for kind in KINDS}
    for name, path in zip(names_of(paths), paths):
        kind = reading.kind_of(name, path, KINDS)
        if kind is not None:
            files[kind].append((name, path))
    if not _complete(reading, files, names_of(paths)):
        return reading.finish()
    tickets = Tickets({}, set(), {}, set(), set())
    for name, path in files[USERS]:
        _read_users(reading, name, path, tickets)
    for name, path in files[TICKETS]:
        _read_tickets(reading, name, path, tickets)
    for name, path in files[COMMENTS]:
        _read_comments(reading, name, path, tickets)
    return reading.finish()


def _complete(reading: Reading, files: dict[Kind, list[tuple[str, Path]]], names: list[str]) -> bool:
    """A ticket file and a user file are there; if not (and no file has an error saying why) one
    error says which is missing."""
    missing = [kind for kind in (TICKETS, USERS) if not files[kind]]
    if not missing:
        return True
    if not reading.result.errors:
        needed = "; ".join(f"a {kind.name} has {', '.join(kind.required)}" for kind in missing)
        which = " and ".join(kind.name for kind in missing)
        reading.error(names[0], 1, "file", f"the Zendesk import needs a {which} as well ({needed})")
    return False


def _read_users(reading: Reading, file: str, path: Path, tickets: Tickets) -> None:
    first_row: dict[str, int] = {}
    for row, cells in reading.rows(file, path, USERS):
        user_id = cells.get("id", "").strip()
        try:
            checked = line(cells, "id", limits.EXTERNAL_ID, required=True)
            assert checked is not None
            if checked in first_row:
                raise Bad("id", f"'{shown(checked)}' appears twice; first in row {first_row[checked]}")
            label = line(cells, "external_id", limits.PERSON_NAME) or line(cells, "name", limits.PERSON_NAME)
            role = (line(cells, "role", limits.TOPIC) or "").lower()
        except Bad as problem:
            reading.bad(file, row, problem)
            if user_id not in tickets.users:
                tickets.bad_users.add(user_id)
            continue
        first_row[checked] = row
        tickets.users.setdefault(checked, User(role, label))


def _read_tickets(reading: Reading, file: str, path: Path, tickets: Tickets) -> None:
    for row, cells in reading.rows(file, path, TICKETS):
        ticket_id = cells.get("id", "").strip()
        if cells.get("status", "").strip().lower() == "deleted":
            tickets.deleted.add(ticket_id)
            reading.skipped()
            continue
        try:
            contact = _ticket(file, row, cells, reading.zone, tickets)
            problem = reading.contact(contact)
        except Bad as bad:
            problem = bad
        if problem is not None:
            reading.bad(file, row, problem)
            tickets.spoilt.add(ticket_id)
            continue
        requester = cells.get("requester_id", "").strip()
        tickets.requester[contact.external_id] = requester or None


def _ticket(file: str, row: int, cells: dict[str, str], zone: ZoneInfo, tickets: Tickets) -> ContactRow:
    external_id = line(cells, "id", limits.EXTERNAL_ID, required=True)
    received_at = moment(cells, "created_at", zone, required=True)
    channel = line(cells, "via_channel", CHANNEL, required=True)
    assert external_id and received_at and channel
    group = line(cells, "group_id", limits.TOPIC - len("group "))
    priority = line(cells, "priority", limits.TOPIC)
    assignee = line(cells, "assignee_id", limits.EXTERNAL_ID)
    return ContactRow(
        file=file,
        row=row,
        source=SOURCE,
        external_id=external_id,
        channel=channel,
        received_at=received_at,
        agent=_named(tickets, assignee, "assignee_id") if assignee else None,
        topic=f"group {group}" if group else None,
        priority=priority,
        urgent=(priority or "").lower() == "urgent",
        status=line(cells, "status", limits.TOPIC),
    )


def _user(tickets: Tickets, user_id: str, column: str) -> User:
    user = tickets.users.get(user_id)
    if user is not None:
        return user
    if user_id in tickets.bad_users:
        raise Bad(column, f"user {shown(user_id)} has an error in the user file")
    raise Bad(column, f"no user {shown(user_id)} in the user file")


def _named(tickets: Tickets, user_id: str, column: str) -> str:
    """How the roster knows one of ours: their user's external_id, else name."""
    user = _user(tickets, user_id, column)
    if user.label is None:
        raise Bad(column, f"user {shown(user_id)} has neither an external_id nor a name in the user file")
    return user.label


def _read_comments(reading: Reading, file: str, path: Path, tickets: Tickets) -> None:
    for row, cells in reading.rows(file, path, COMMENTS):
        ticket_id = cells.get("ticket_id", "").strip()
        if ticket_id in tickets.deleted:
            reading.skipped()
            continue
        if ticket_id in tickets.spoilt:
            continue  # the ticket's own row has the error
        key = (SOURCE, ticket_id)
        ticket = reading.found(key)
        if ticket is None:
            reading.bad(file, row, Bad("ticket_id", _no_ticket(ticket_id)))
            continue
        try:
            message = _comment(file, row, cells, reading.zone, tickets, ticket)
            problem = reading.message(key, "created", message)
        except Bad as bad:
            problem = bad
        if problem is not None:
            reading.spoilt(key, file, row, problem)


def _no_ticket(ticket_id: str) -> str:
    return f"no ticket {shown(ticket_id)} in the ticket file" if ticket_id else "is blank"


def _comment(
    file: str, row: int, cells: dict[str, str], zone: ZoneInfo, tickets: Tickets, ticket: ContactRow
) -> MessageRow:
    at = moment(cells, "created", zone, required=True)
    assert at is not None
    if not cells.get("public", "").strip():
        raise Bad("public", f"is blank; it must be {TRUE_OR_FALSE}")
    public = flag(cells, "public", True, TRUE_OR_FALSE)
    voice = flag(cells, "voice_comment", False, TRUE_OR_FALSE)
    via = (cells.get("via_channel") or cells.get("via__channel") or "").strip().lower()
    user_id = line(cells, "user_id", limits.EXTERNAL_ID) or ""
    author, agent = _author(tickets, ticket, user_id, public=public, voice=voice, by_rule=via == BY_RULE)
    return MessageRow(at=at, author=author, agent=agent, row=row, file=file)


def _author(
    tickets: Tickets, ticket: ContactRow, user_id: str, *, public: bool, voice: bool, by_rule: bool
) -> tuple[str, str | None]:
    """Who wrote a comment, as the tracker's author words, and which of ours (for a person)."""
    if not public:
        return contact_words.NOTE, None
    if by_rule or user_id == SYSTEM_USER:
        return contact_words.AUTOMATIC, None
    if not user_id:
        raise Bad("user_id", "is blank; a public comment needs its author")
    user = _user(tickets, user_id, "user_id")
    ours = user.role != END_USER and user_id != tickets.requester.get(ticket.external_id)
    if voice:
        return contact_words.PERSON, _named(tickets, user_id, "user_id") if ours else ticket.agent
    if not ours:
        return contact_words.CUSTOMER, None
    return contact_words.PERSON, _named(tickets, user_id, "user_id")
