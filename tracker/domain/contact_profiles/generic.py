"""The tracker's own contact format (`--from generic`), for any system that can write a CSV file.

Give a **contacts file**, and optionally a **messages file**, in either order: the tracker tells
them apart by their first row. Several files of each kind may be given (a month each, say).
Column names are matched without regard to case, spaces or hyphens (`Received At` is
`received_at`); columns the tracker does not know are ignored, and the import names them.
Commas, semicolons and tabs all work as separators; save the files as UTF-8.

Contacts file, one row per contact:

| column | needed | what it holds |
|---|---|---|
| `source` | yes | the system the contact came from (up to 40 characters, no `:`), e.g. `phone-system`; with `id` it names the contact, so importing the same or an overlapping export again changes nothing |
| `id` | yes | that system's ID of the contact (up to 200 characters) |
| `channel` | yes | the channel as that system names it: the handbook's channel code, or a name the speed page lists under "Also called in exports" |
| `received_at` | yes | when the customer's contact arrived |
| `agent` | no | who handled it: their employee number, or their name as on the roster |
| `topic`, `priority`, `status` | no | as that system names them, up to 100 characters each |
| `urgent` | no | yes/no, true/false or 1/0; blank is no |
| `closed_at` | no | when it was closed; not before `received_at` |
| `first_response_minutes` | no | the first-reply time the system reports, in minutes (decimals allowed) |
| `talk_seconds`, `hold_seconds`, `wrap_seconds` | no | a call's talk, hold and after-call work, in seconds |

Messages file, one row per message, in any order:

| column | needed | what it holds |
|---|---|---|
| `contact_id` | yes | the `id` of its contact in the contacts file |
| `at` | yes | when it was written; not before its contact arrived |
| `author` | yes | `customer`; `person`, one of ours (also `agent`); `automatic`, an auto-reply, trigger or bot, never a first response (also `auto`, `bot`, `system`); `note`, internal (also `internal`) |
| `agent` | no | who of ours wrote a `person` message (named as for contacts) |
| `source` | no | its contact's `source`: needed only where two sources use the same ID |

JSON lines instead of CSV (a file whose first character is `{`, such as `contacts.jsonl`): one
contact per line, an object with the contacts file's column names as keys (numbers and true/false
may be JSON values), and an optional `messages` list of objects with `at`, `author` and `agent`:

```
{"source": "web-desk", "id": "C-2", "channel": "email", "received_at": "2026-01-05 10:00:00", "messages": [{"at": "2026-01-05 10:30:00", "author": "person", "agent": "E-7"}]}
```

Times are written `2024-10-29 22:00:00` (a `T` between date and time also works; seconds and
fractions are optional). A time with an offset (`+01:00`) or `Z` is that moment; a time without one
is read on the clocks of the time zone the import is given (`--time-zone`, UTC unless told
another). Such a time in the hour the clocks skip in spring, or show twice in autumn, is refused:
write its offset.

Every bad row is reported with its file, row (the header is row 1, as a spreadsheet shows it; in
JSON lines, the line), column and reason: a time that cannot be read, a message before its contact
arrived, a negative or non-numeric number, a blank `id`, an `id` that appears twice (the second
row is the error), an author word not listed above, a message for a contact not in the contacts
file. A contact with a bad message row is left out too, and its own row says so: measured without
that message it would be measured wrongly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from tracker.domain import contact_words, limits
from tracker.domain.contact_profiles.cells import (
    CHANNEL,
    SOURCE,
    Bad,
    Kind,
    Reading,
    before_arrival,
    flag,
    line,
    minutes,
    moment,
    names_of,
    seconds,
)
from tracker.domain.contact_rows import ContactRow, MessageRow, ProfileRead
from tracker.domain.csvread import normalise_header
from tracker.domain.errors import RowError, shown

CONTACTS = Kind(
    "contacts file",
    required=("source", "id", "channel", "received_at"),
    optional=(
        "agent",
        "topic",
        "priority",
        "urgent",
        "status",
        "closed_at",
        "first_response_minutes",
        "talk_seconds",
        "hold_seconds",
        "wrap_seconds",
    ),
    marks=("channel", "received_at"),
)
MESSAGES = Kind(
    "messages file",
    required=("contact_id", "at", "author"),
    optional=("agent", "source"),
    marks=("contact_id", "author"),
)
MESSAGE_KEYS = ("at", "author", "agent")

AUTHOR_WORDS = {
    "customer": contact_words.CUSTOMER,
    "person": contact_words.PERSON,
    "agent": contact_words.PERSON,
    "automatic": contact_words.AUTOMATIC,
    "auto": contact_words.AUTOMATIC,
    "bot": contact_words.AUTOMATIC,
    "system": contact_words.AUTOMATIC,
    "note": contact_words.NOTE,
    "internal": contact_words.NOTE,
}
JSON_LINE = 1 << 20  # bytes: a contact with its messages on one line is longer than a CSV row


def read(paths: list[Path], zone: ZoneInfo) -> ProfileRead:
    reading = Reading(paths, zone)
    message_files: list[tuple[str, Path]] = []
    spoilt_ids: set[str] = set()  # contacts whose own row was bad: their messages say nothing more
    contact_files = 0
    for name, path in zip(names_of(paths), paths):
        if _is_json_lines(path):
            contact_files += 1
            _read_json_lines(reading, name, path, spoilt_ids)
            continue
        kind = reading.kind_of(name, path, (CONTACTS, MESSAGES))
        if kind is CONTACTS:
            contact_files += 1
            for row, cells in reading.rows(name, path, CONTACTS):
                _keep_contact(reading, name, row, cells, [], spoilt_ids)
        elif kind is MESSAGES:
            message_files.append((name, path))
    if message_files and not contact_files:
        for name, _ in message_files:
            needs = ", ".join(CONTACTS.required)
            reading.error(name, 1, "file", f"is a messages file: give its contacts file ({needs}) with it")
        return reading.finish()
    by_id = _by_id(reading)
    for name, path in message_files:
        for row, cells in reading.rows(name, path, MESSAGES):
            _attach(reading, name, row, cells, by_id, spoilt_ids)
    return reading.finish()


def contact_of(file: str, row: int, cells: dict[str, str], zone: ZoneInfo) -> ContactRow:
    """One contacts-file row (or JSON line) as a contact, or ``Bad``."""
    source = _source(cells, required=True)
    external_id = line(cells, "id", limits.EXTERNAL_ID, required=True)
    channel = line(cells, "channel", CHANNEL, required=True)
    received_at = moment(cells, "received_at", zone, required=True)
    assert source and external_id and channel and received_at
    closed_at = moment(cells, "closed_at", zone)
    if closed_at is not None and closed_at < received_at:
        raise before_arrival("closed_at", closed_at, received_at, zone)
    return ContactRow(
        file=file,
        row=row,
        source=source,
        external_id=external_id,
        channel=channel,
        received_at=received_at,
        agent=line(cells, "agent", limits.PERSON_NAME),
        topic=line(cells, "topic", limits.TOPIC),
        priority=line(cells, "priority", limits.TOPIC),
        urgent=flag(cells, "urgent", False),
        status=line(cells, "status", limits.TOPIC),
        closed_at=closed_at,
        reported_first_response=minutes(cells, "first_response_minutes"),
        talk_seconds=seconds(cells, "talk_seconds"),
        hold_seconds=seconds(cells, "hold_seconds"),
        wrap_seconds=seconds(cells, "wrap_seconds"),
    )


def _source(cells: dict[str, str], *, required: bool = False) -> str | None:
    """A contact's source: a line without ':', which splits SOURCE:ID where a contact is named."""
    source = line(cells, "source", SOURCE, required=required)
    if source is not None and ":" in source:
        raise Bad("source", f"'{shown(source)}' holds ':', which separates the source from the ID (SOURCE:ID)")
    return source


def message_of(file: str, row: int, cells: dict[str, str], zone: ZoneInfo, prefix: str = "") -> MessageRow:
    """A message's time, author and agent, or ``Bad`` (its column named with ``prefix``)."""
    try:
        at = moment(cells, "at", zone, required=True)
        raw = cells.get("author", "").strip()
        author = AUTHOR_WORDS.get(raw.lower())
        if author is None:
            known = ", ".join(contact_words.AUTHORS)
            raise Bad("author", f"'{shown(raw)}' is not an author word ({known})" if raw else f"is blank ({known})")
        agent = line(cells, "agent", limits.PERSON_NAME)
    except Bad as problem:
        raise Bad(prefix + problem.column, problem.reason) from None
    assert at is not None
    return MessageRow(at=at, author=author, agent=agent if author == contact_words.PERSON else None, row=row, file=file)


def _keep_contact(
    reading: Reading,
    file: str,
    row: int,
    cells: dict[str, str],
    messages: list[tuple[str, MessageRow]],
    spoilt_ids: set[str],
) -> None:
    """Keep a contact, with the messages of its own row (a JSON line's, each with the column that
    names it); or record its row's error."""
    try:
        contact = contact_of(file, row, cells, reading.zone)
        for column, message in messages:
            if message.at < contact.received_at:
                raise before_arrival(column, message.at, contact.received_at, reading.zone)
        if messages:
            contact = replace(contact, messages=tuple(message for _, message in messages))
        problem = reading.contact(contact)
    except Bad as bad:
        problem = bad
    if problem is not None:
        reading.bad(file, row, problem)
        spoilt_ids.add(cells.get("id", "").strip())


def _by_id(reading: Reading) -> dict[str, list[tuple[str, str]]]:
    index: dict[str, list[tuple[str, str]]] = {}
    for contact in reading.contacts():
        index.setdefault(contact.external_id, []).append((contact.source, contact.external_id))
    return index


def _attach(
    reading: Reading,
    file: str,
    row: int,
    cells: dict[str, str],
    by_id: dict[str, list[tuple[str, str]]],
    spoilt_ids: set[str],
) -> None:
    try:
        key = _contact_key(cells, by_id, spoilt_ids)
    except Bad as unjoined:
        reading.bad(file, row, unjoined)
        return
    if key is None:
        return  # its contact's own row has the error
    try:
        message = message_of(file, row, cells, reading.zone)
        problem = reading.message(key, "at", message)
    except Bad as bad:
        problem = bad
    if problem is not None:
        reading.spoilt(key, file, row, problem)


def _contact_key(
    cells: dict[str, str], by_id: dict[str, list[tuple[str, str]]], spoilt_ids: set[str]
) -> tuple[str, str] | None:
    contact_id = line(cells, "contact_id", limits.EXTERNAL_ID, required=True)
    source = _source(cells)
    assert contact_id is not None
    keys = [key for key in by_id.get(contact_id, []) if source is None or key[0] == source]
    if len(keys) == 1:
        return keys[0]
    if contact_id in spoilt_ids:
        return None
    if not keys:
        of = f" from source '{shown(source)}'" if source else ""
        raise Bad("contact_id", f"no contact '{shown(contact_id)}'{of} in the contacts file")
    sources = ", ".join(f"'{shown(key[0])}'" for key in keys)
    raise Bad(
        "contact_id",
        f"'{shown(contact_id)}' is the ID of contacts from more than one source ({sources}): give the message's source",
    )


# --- JSON lines -------------------------------------------------------------------------------


def _is_json_lines(path: Path) -> bool:
    """A file whose first character (past a byte order mark and blanks) is '{'."""
    try:
        with path.open("rb") as stream:
            start = stream.read(64)
    except OSError:
        return False  # the CSV reading reports it
    return start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


def _read_json_lines(reading: Reading, file: str, path: Path, spoilt_ids: set[str]) -> None:
    try:
        with path.open("rb") as stream:
            for item in _json_lines(stream):
                if isinstance(item, RowError):
                    reading.error(file, item.row, item.column, item.reason)
                    continue
                reading.result.rows_read += 1
                number, text = item
                try:
                    cells, messages = _contact_object(reading, file, number, text)
                except Bad as problem:
                    reading.bad(file, number, problem)
                    continue
                _keep_contact(reading, file, number, cells, messages, spoilt_ids)
    except OSError as exc:
        reading.error(file, 1, "file", f"cannot be read ({shown(exc.strerror or exc, 80)})")


def _json_lines(stream: BinaryIO) -> Iterator[tuple[int, str] | RowError]:
    """The non-blank lines as text, by line number; a line that cannot be text ends the file."""
    number = 0
    while raw := stream.readline(JSON_LINE):
        number += 1
        if len(raw) == JSON_LINE and not raw.endswith(b"\n") and stream.read(1):
            yield RowError(
                number,
                "file",
                f"line {number} is longer than {JSON_LINE // (1 << 20)} MiB, the longest line a JSON lines file may have",
            )
            return
        if b"\x00" in raw:
            yield RowError(number, "file", "is not a text file (it contains NUL bytes)")
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield RowError(number, "file", "is not UTF-8 text; save it as UTF-8 and try again")
            return
        if text.strip():
            yield number, text.removeprefix("\ufeff") if number == 1 else text


def _contact_object(
    reading: Reading, file: str, number: int, text: str
) -> tuple[dict[str, str], list[tuple[str, MessageRow]]]:
    """A JSON line as the cells a contacts-file row would have, and its messages."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Bad("line", f"is not JSON ({exc.msg} at character {exc.pos + 1})") from None
    except (ValueError, RecursionError):
        raise Bad("line", "is not JSON that can be read (nested too deep, or a number too long)") from None
    if not isinstance(value, dict):
        raise Bad("line", 'is not a JSON object; each line holds one contact, like {"source": ..., "id": ...}')
    fields = {normalise_header(str(key)): item for key, item in value.items()}
    known = set(CONTACTS.known) | {"messages"}
    reading.ignore(file, [name for name in fields if name not in known and name])
    cells = {name: _cell(name, item) for name, item in fields.items() if name in CONTACTS.known}
    listed = fields.get("messages")
    if listed is None:
        return cells, []
    if not isinstance(listed, list):
        raise Bad("messages", 'must be a list of messages, like [{"at": ..., "author": ...}]')
    messages: list[tuple[str, MessageRow]] = []
    for index, entry in enumerate(listed, start=1):
        prefix = f"messages[{index}]."
        if not isinstance(entry, dict):
            raise Bad(f"messages[{index}]", "is not an object with at, author and agent")
        named = {normalise_header(str(key)): item for key, item in entry.items()}
        reading.ignore(file, [f"messages.{name}" for name in named if name not in MESSAGE_KEYS and name])
        message_cells = {name: _cell(prefix + name, item) for name, item in named.items() if name in MESSAGE_KEYS}
        messages.append((prefix + "at", message_of(file, number, message_cells, reading.zone, prefix)))
    return cells, messages


def _cell(column: str, value: object) -> str:
    """A JSON value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise Bad(column, "must be text or a number, not a list or object")
