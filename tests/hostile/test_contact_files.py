"""Hostile files for every contacts import profile (generic, zendesk, chatwoot, ticket-metrics),
read and imported as ``tracker contacts import`` does (``contact_profiles.read`` then
``records.contacts.commands.import_contacts``).

Whatever the files hold, the outcome is a clean import whose stored contacts are the file's
(counted here from the raw CSV, not by the tracker's reader), or a refusal naming rows (>= 1, in
range), columns and one-line reasons, with not one row written to any table. Never another
exception. Small valid exports shaped like ``../shared/samples/`` are mutated: a cell made
hostile, a row duplicated, a column dropped or doubled, the files cut short, emptied, re-encoded,
given a NUL or a huge line, or given in another order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from tests.conftest import ACTOR, read
from tests.hostile.conftest import FORMULAS, WRONG_DATES, attempt, hyp
from tests.hostile.test_csv_importers import PRINTABLE, examples, rarely
from tests.storage.conftest import add
from tracker.db.models import Contact, ContactMessage
from tracker.domain.contact_profiles import read as read_profile
from tracker.domain.csvread import normalise_header
from tracker.domain.errors import InputError
from tracker.records.contacts.commands import ContactRowErrors, import_contacts

# Fewer examples on PostgreSQL: every example is a few round trips to a server.
EXAMPLES = {"sqlite": 40, "postgresql": 12}
RAW_EXAMPLES = {"sqlite": 25, "postgresql": 8}

GENERIC = {
    "contacts.csv": "source,id,channel,received_at,agent,topic,priority,urgent,status,closed_at,"
    "first_response_minutes,talk_seconds,hold_seconds,wrap_seconds\n"
    "desk,C-1,phone,2026-01-06 09:00:00,E-7,billing,high,yes,closed,2026-01-06 09:20:00,,300,45,60\n"
    "desk,C-2,email,2026-01-06T10:00:00Z,Bob Ray,refunds,,no,open,,12.5,,,\n"
    "web,C-3,chat,2026-01-06 11:00:00+01:00,,,,,,,,,,\n",
    "messages.csv": "contact_id,at,author,agent,source\n"
    "C-2,2026-01-06 10:30:00,agent,Bob Ray,desk\n"
    "C-2,2026-01-06 10:00:00,customer,,\n"
    "C-2,2026-01-06 10:01:00,bot,,\n"
    "C-2,2026-01-06 10:20:00,internal,Bob Ray,\n"
    "C-3,2026-01-06 10:00:00,customer,,web\n"
    "C-3,2026-01-06 10:05:00,person,E-7,web\n",
}
ZENDESK = {
    "ticket_data.csv": "id,_fivetran_synced,assignee_id,created_at,group_id,priority,requester_id,status,subject,"
    "via_channel\n"
    "101,2026-01-07 00:00:00.000,1111,2026-01-06 09:00:00,360006965034,urgent,2222,solved,subject1,web\n"
    "102,2026-01-07 00:00:00.000,1112,2026-01-06 10:00:00,,normal,2223,open,subject2,email\n"
    "103,2026-01-07 00:00:00.000,,2026-01-06 11:00:00,,,2222,deleted,subject3,web\n",
    "user_data.csv": "id,active,email,external_id,name,role\n"
    "1111,TRUE,a@example.org,E-7,Ann Lee,agent\n"
    "1112,TRUE,b@example.org,,Bob Ray,admin\n"
    "2222,TRUE,c@example.org,,Earnest End User,end-user\n"
    "2223,TRUE,d@example.org,,John Doe,end-user\n",
    "ticket_comment_data.csv": "id,body,created,public,ticket_id,user_id,voice_comment,via_channel\n"
    "1,hello,2026-01-06 09:00:00,TRUE,101,2222,FALSE,web\n"
    "2,we got it,2026-01-06 09:01:00,TRUE,101,-1,FALSE,rule\n"
    "3,answer,2026-01-06 09:30:00,TRUE,101,1111,FALSE,web\n"
    "4,question,2026-01-06 10:00:00,TRUE,102,2223,FALSE,email\n"
    "5,note,2026-01-06 10:20:00,FALSE,102,1112,FALSE,web\n"
    "6,answer,2026-01-06 11:00:00,TRUE,102,1112,FALSE,email\n"
    "7,gone,2026-01-06 11:00:00,TRUE,103,2222,FALSE,web\n",
}
CHATWOOT = {
    "messages.csv": "id,conversation_id,created_at,message_type,private,sender_type,sender_id,content,inbox\n"
    "1,7,1767690000,0,false,Contact,55,Hello where is my order?,web chat\n"
    "2,7,1767690005,2,false,,,Conversation was assigned to Ann,web chat\n"
    "3,7,1767690060,3,false,AgentBot,1,Thanks! An agent will be with you shortly,web chat\n"
    "4,7,1767690120,1,true,User,E-7,Warehouse says Monday,web chat\n"
    "5,7,1767690180,1,false,User,E-7,It ships Monday,web chat\n"
    "6,8,2026-01-06 10:00:00,incoming,false,Contact,56,hi,messenger\n"
    "7,8,2026-01-06 10:03:00,outgoing,false,User,Bob Ray,hello,messenger\n",
}
TICKET_METRICS = {
    "tickets.csv": "ticket_id,created_date,channel,category,priority,agent,team,first_response_minutes,"
    "resolution_hours,status,resolved_date,csat_score\n"
    "TKT-1,2026-01-06 09:00:00,Chat,Account Access,Low,E-7,Team_Beta,1.5,2.0,Resolved,2026-01-06 11:00:00,4.0\n"
    "TKT-2,2026-01-06 10:00:00,Self-Service,Booking,Critical,Bob Ray,Team_Gamma,,,In Progress,,\n"
    "TKT-3,2026-01-06 11:00:00,Phone,Payment Issue,High,,Team_Alpha,261.3,,Resolved,2026-01-07 08:00:00,2.0\n",
}
PROFILES: dict[str, dict[str, str]] = {
    "generic": GENERIC,
    "zendesk": ZENDESK,
    "chatwoot": CHATWOOT,
    "ticket-metrics": TICKET_METRICS,
}

# Cells no export should hold, and some it may (formula-like text is data).
HOSTILE_CELLS = (
    WRONG_DATES
    + FORMULAS
    + (
        "",
        "  ",
        "x" * 300,
        "x" * 10_001,
        "bell\x07inside",
        "esc\x1b[31m",
        "bidi\u202eevil",
        "line\nbreak",
        "-1",
        "1e400",
        "nan",
        "inf",
        "0",
        "99999999999999999999",
        "2026-03-29 01:30:00",  # London's clocks skip it
        "2026-10-25 01:30:00",  # London's clocks show it twice
        "2020-01-01 00:00:00",  # before any contact arrived
        "9999-12-31 23:59:59-05:00",
        "0001-01-01 00:00:00+05:00",
        "1969-12-31 23:59:59Z",
        "2026-01-06 09:00:00+25:00",
        "wizard",  # not an author word, role, type or channel
        "E-99",  # not on the roster
        "Ann Lee",  # on the roster by name
        "TRUE",
        "FALSE",
        "2",
        "-1",
        "deleted",
    )
)


# --- running one import -----------------------------------------------------------------------


def import_files(engine: Engine, profile: str, files: list[tuple[str, bytes]], zone: str) -> tuple[Any, Any, Any]:
    """Write ``files`` to a folder, read them with the profile and import them; the read, and the
    result or refusal (checked by ``attempt``: well-formed, nothing written)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, (name, data) in enumerate(files):
            path = Path(folder) / str(index) / name
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        exported = read_profile(profile, paths, zone)  # never raises on what the files hold
        lines = {path.name: max(data.count(b"\n") + 1, 1) for path, (_, data) in zip(paths, files)}
        digests = [(path.name, hashlib.sha256(path.read_bytes()).hexdigest()) for path in paths]
    result, refused = attempt(
        engine,
        lambda s: import_contacts(exported, session=s, actor=ACTOR, profile=profile, files=digests),
    )
    if refused is not None:
        assert isinstance(refused, InputError)
        if isinstance(refused, ContactRowErrors):
            check_located(refused, lines)
        else:
            assert refused.field and "\n" not in str(refused), str(refused)[:300]
    return exported, result, refused


def check_located(error: ContactRowErrors, lines: dict[str, int]) -> None:
    """Every problem names a file given, a row within it, a column and a one-line reason."""
    assert error.errors and error.field == "file" and "\n" not in str(error)
    for problem in error.errors:
        row = problem.error
        assert problem.file in lines, problem.file
        # utf-16 and friends can hide the newlines, so a row past the byte count of newlines is wrong.
        assert isinstance(row.row, int) and 1 <= row.row <= max(lines[problem.file], 1), str(problem)[:200]
        assert isinstance(row.column, str) and row.column.strip(), str(problem)[:200]
        assert isinstance(row.reason, str) and row.reason.strip() and "\n" not in row.reason, str(problem)[:200]


# --- the file's own contacts, counted without the tracker's reader -----------------------------


def _table(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    header = [normalise_header(name) for name in rows[0]] if rows else []
    return [dict(zip(header, row)) for row in rows[1:]]


def expected_keys(profile: str, files: list[tuple[str, bytes]]) -> set[tuple[str, str]]:
    tables = {name: _table(data) for name, data in files}
    if profile == "generic":
        return {
            (row["source"].strip(), row["id"].strip())
            for name, rows in tables.items()
            if name.startswith("contacts")
            for row in rows
        }
    if profile == "ticket-metrics":
        return {("tickets", row["ticket_id"].strip()) for rows in tables.values() for row in rows}
    if profile == "zendesk":
        return {
            ("zendesk", row["id"].strip())
            for row in tables["ticket_data.csv"]
            if row.get("status", "").strip().lower() != "deleted"
        }
    return {
        ("chatwoot", row["conversation_id"].strip())
        for rows in tables.values()
        for row in rows
        if row["message_type"].strip().lower() in ("0", "incoming")
    }


def check_stored(engine: Engine, profile: str, files: list[tuple[str, bytes]], exported: Any, result: Any) -> None:
    """A clean import holds exactly the file's contacts, each with the messages it was read with."""
    keys = expected_keys(profile, files)
    assert result.total == len(keys) == len(exported.contacts)
    assert {(c.source, c.external_id) for c in exported.contacts} == keys
    with read(engine) as session:
        for contact in exported.contacts:
            stored = session.exec(
                select(Contact).where(Contact.source == contact.source, Contact.external_id == contact.external_id)
            ).one()
            assert stored.received_at == contact.received_at
            messages = session.exec(
                select(ContactMessage.at).where(ContactMessage.contact_id == stored.id).order_by(col(ContactMessage.at))
            ).all()
            assert messages == sorted(m.at for m in contact.messages)


# --- mutations of a valid export ---------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _text(rows: list[list[str]], newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn, profile: str) -> list[tuple[str, bytes]]:
    """The profile's valid export with a few hostile changes (or none), as the files' bytes."""
    texts = dict(PROFILES[profile])
    names = list(texts)
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(names))
        rows = _rows(texts[name])
        if not rows:
            continue  # emptied by an earlier change
        kind = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "duplicate row", "drop column", "double column", "ragged", "swap", "blank"]
            )
        )
        if kind == "cell" and len(rows) > 1:
            row = draw(st.integers(1, len(rows) - 1))
            column = draw(st.integers(0, len(rows[row]) - 1))
            rows[row][column] = draw(st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(PRINTABLE, max_size=20)))
        elif kind == "duplicate row" and len(rows) > 1:
            rows.insert(draw(st.integers(1, len(rows))), list(rows[draw(st.integers(1, len(rows) - 1))]))
        elif kind == "drop column":
            column = draw(st.integers(0, len(rows[0]) - 1))
            rows = [row[:column] + row[column + 1 :] for row in rows]
        elif kind == "double column":
            column = draw(st.integers(0, len(rows[0]) - 1))
            rows = [row + [row[column]] if index == 0 else row + [""] for index, row in enumerate(rows)]
        elif kind == "ragged" and len(rows) > 1:
            row = draw(st.integers(1, len(rows) - 1))
            rows[row] = rows[row][:-1] if draw(st.booleans()) else rows[row] + ["extra"]
        elif kind == "swap" and len(rows) > 2:
            first, second = draw(st.integers(1, len(rows) - 1)), draw(st.integers(1, len(rows) - 1))
            rows[first], rows[second] = rows[second], rows[first]
        elif kind == "blank":
            rows = [] if draw(st.booleans()) else rows[:1]
        texts[name] = _text(rows, draw(st.sampled_from(["\n", "\r\n"])))
    files: list[tuple[str, bytes]] = []
    for name in names:
        data = texts[name].encode("utf-8")
        if rarely(draw, 16):
            how = draw(st.sampled_from(["bom", "latin-1", "utf-16", "nul", "cut", "huge line", "empty"]))
            if how == "bom":
                data = b"\xef\xbb\xbf" + data
            elif how == "latin-1":
                data = texts[name].replace("Ann Lee", "Ånn Lée").encode("latin-1", errors="replace")
            elif how == "utf-16":
                data = texts[name].encode("utf-16")
            elif how == "nul":
                position = draw(st.integers(0, len(data)))
                data = data[:position] + b"\x00" + data[position:]
            elif how == "cut":
                data = data[: draw(st.integers(0, len(data)))]
            elif how == "huge line":
                data = data + b"x" * 1_100_000 + b"\n"
            else:
                data = b""
        files.append((name, data))
    if not rarely(draw, 16):
        files = draw(st.permutations(files))  # any order: a messages file before its contacts file
    else:
        files = files[: draw(st.integers(0, len(files)))] or files[:1]  # a file left out
    return files


@pytest.fixture
def ready(published: Engine) -> Engine:
    """The real handbook; E-7 Ann Lee and E-8 Bob Ray, as the exports name them."""
    add(published, "E-7", name="Ann Lee")
    add(published, "E-8", name="Bob Ray")
    return published


@pytest.mark.parametrize("profile", list(PROFILES))
def test_a_valid_export_is_imported_as_the_file_says(ready: Engine, profile: str) -> None:
    files = [(name, text.encode()) for name, text in PROFILES[profile].items()]
    exported, result, refused = import_files(ready, profile, files, "UTC")
    assert refused is None, str(refused)
    assert result.new == len(expected_keys(profile, files)) > 0
    check_stored(ready, profile, files, exported, result)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_mutated_exports_are_imported_whole_or_refused_whole(ready: Engine, profile: str) -> None:
    @hyp(examples(ready, EXAMPLES))
    @given(mutated(profile), st.sampled_from(["UTC", "Europe/London"]))
    def run(files: list[tuple[str, bytes]], zone: str) -> None:
        exported, result, refused = import_files(ready, profile, files, zone)
        event("imported" if refused is None else type(refused).__name__)
        if refused is None:
            check_stored(ready, profile, files, exported, result)

    run()


@pytest.mark.parametrize("profile", list(PROFILES))
def test_random_bytes_in_any_file(ready: Engine, profile: str) -> None:
    valid = [(name, text.encode()) for name, text in PROFILES[profile].items()]

    @hyp(examples(ready, RAW_EXAMPLES))
    @given(
        st.integers(0, len(valid) - 1),
        st.one_of(
            st.binary(max_size=400),
            st.binary(max_size=200).map(lambda b: b"\x00" + b),
            st.text(max_size=300).map(lambda t: t.encode("utf-8")),
            st.text(max_size=100).map(lambda t: t.encode("utf-16")),
            st.builds(
                lambda head, tail: head + tail, st.sampled_from([data for _, data in valid]), st.binary(max_size=200)
            ),
            st.builds(
                lambda head, tail: head.split(b"\n")[0] + b"\n" + tail.encode("utf-8"),
                st.sampled_from([data for _, data in valid]),
                st.text(max_size=200),
            ),
        ),
    )
    def run(which: int, data: bytes) -> None:
        files = list(valid)
        files[which] = (files[which][0], data)
        exported, result, refused = import_files(ready, profile, files, "UTC")
        if refused is None:
            check_stored(ready, profile, files, exported, result)

    run()


# --- each hostile shape, named -----------------------------------------------------------------


def _with(profile: str, name: str, old: str, new: str) -> list[tuple[str, bytes]]:
    texts = dict(PROFILES[profile])
    assert texts[name].count(old) == 1, old
    texts[name] = texts[name].replace(old, new)
    return [(file, text.encode()) for file, text in texts.items()]


CASES: list[tuple[str, str, list[tuple[str, bytes]], str, int, str]] = [
    # (what, profile, files, file named, row, column)
    (
        "bad time",
        "generic",
        _with("generic", "contacts.csv", "2026-01-06T10:00:00Z", "tomorrow"),
        "contacts.csv",
        3,
        "received_at",
    ),
    (
        "message before its contact",
        "generic",
        _with("generic", "messages.csv", "C-3,2026-01-06 10:00:00", "C-3,2026-01-06 09:59:00"),
        "messages.csv",
        6,
        "at",
    ),
    ("unknown author", "generic", _with("generic", "messages.csv", "bot,,", "wizard,,"), "messages.csv", 4, "author"),
    (
        "unknown agent",
        "generic",
        _with("generic", "contacts.csv", "E-7,billing", "E-99,billing"),
        "contacts.csv",
        2,
        "agent",
    ),
    (
        "message for no contact",
        "generic",
        _with("generic", "messages.csv", "C-2,2026-01-06 10:01:00", "C-9,2026-01-06 10:01:00"),
        "messages.csv",
        4,
        "contact_id",
    ),
    ("duplicated id", "generic", _with("generic", "contacts.csv", "web,C-3", "desk,C-2"), "contacts.csv", 4, "id"),
    (
        "unmapped channel",
        "generic",
        _with("generic", "contacts.csv", "desk,C-1,phone", "desk,C-1,=cmd()"),
        "contacts.csv",
        2,
        "channel",
    ),
    (
        "negative seconds",
        "generic",
        _with("generic", "contacts.csv", ",300,45,60", ",-300,45,60"),
        "contacts.csv",
        2,
        "talk_seconds",
    ),
    (
        "missing column",
        "generic",
        _with("generic", "contacts.csv", "source,id,channel,received_at,", "source,id,channel,when,"),
        "contacts.csv",
        1,
        "received_at",
    ),
    (
        "NaN minutes",
        "generic",
        _with("generic", "contacts.csv", ",12.5,", ",nan,"),
        "contacts.csv",
        3,
        "first_response_minutes",
    ),
    (
        "control character",
        "generic",
        _with("generic", "contacts.csv", "refunds", "ref\x1b[31munds"),
        "contacts.csv",
        3,
        "topic",
    ),
    (
        "bidi override",
        "ticket-metrics",
        _with("ticket-metrics", "tickets.csv", "Booking", "Boo\u202eking"),
        "tickets.csv",
        3,
        "category",
    ),
    ("NUL", "generic", _with("generic", "contacts.csv", "billing", "bill\x00ing"), "contacts.csv", 2, "file"),
    (
        "skipped hour",
        "generic",
        _with("generic", "contacts.csv", "2026-01-06 09:00:00,E-7", "2026-03-29 01:30:00,E-7"),
        "contacts.csv",
        2,
        "received_at",
    ),
    (
        "comment for no ticket",
        "zendesk",
        _with("zendesk", "ticket_comment_data.csv", ",TRUE,101,1111", ",TRUE,109,1111"),
        "ticket_comment_data.csv",
        4,
        "ticket_id",
    ),
    (
        "comment by no user",
        "zendesk",
        _with("zendesk", "ticket_comment_data.csv", ",TRUE,101,1111", ",TRUE,101,9999"),
        "ticket_comment_data.csv",
        4,
        "user_id",
    ),
    (
        "public not a flag",
        "zendesk",
        _with(
            "zendesk", "ticket_comment_data.csv", "answer,2026-01-06 09:30:00,TRUE", "answer,2026-01-06 09:30:00,maybe"
        ),
        "ticket_comment_data.csv",
        4,
        "public",
    ),
    (
        "comment before its ticket",
        "zendesk",
        _with("zendesk", "ticket_comment_data.csv", "2026-01-06 09:30:00", "2026-01-06 08:30:00"),
        "ticket_comment_data.csv",
        4,
        "created",
    ),
    (
        "assignee not a user",
        "zendesk",
        _with("zendesk", "ticket_data.csv", "1112,2026", "4444,2026"),
        "ticket_data.csv",
        3,
        "assignee_id",
    ),
    (
        "duplicated ticket",
        "zendesk",
        _with(
            "zendesk",
            "ticket_data.csv",
            "103,2026-01-07 00:00:00.000,,2026-01-06 11:00:00,,,2222,deleted",
            "101,2026-01-07 00:00:00.000,,2026-01-06 11:00:00,,,2222,open",
        ),
        "ticket_data.csv",
        4,
        "id",
    ),
    (
        "agent not on the roster",
        "zendesk",
        _with("zendesk", "user_data.csv", "E-7,Ann Lee", "E-77,Ann Lee"),
        "ticket_data.csv",
        2,
        "agent",
    ),
    (
        "unknown message type",
        "chatwoot",
        _with("chatwoot", "messages.csv", "1767690060,3,", "1767690060,9,"),
        "messages.csv",
        4,
        "message_type",
    ),
    (
        "bad epoch",
        "chatwoot",
        _with("chatwoot", "messages.csv", "1767690180", "17676901800000000"),
        "messages.csv",
        6,
        "created_at",
    ),
    (
        "duplicated message",
        "chatwoot",
        _with("chatwoot", "messages.csv", "7,8,2026", "6,8,2026"),
        "messages.csv",
        8,
        "id",
    ),
    (
        "sender not on the roster",
        "chatwoot",
        _with("chatwoot", "messages.csv", "User,Bob Ray", "User,Nobody Here"),
        "messages.csv",
        8,
        "agent",
    ),
    (
        "resolved before created",
        "ticket-metrics",
        _with("ticket-metrics", "tickets.csv", "2026-01-07 08:00:00", "2026-01-06 08:00:00"),
        "tickets.csv",
        4,
        "resolved_date",
    ),
    (
        "minutes not a number",
        "ticket-metrics",
        _with("ticket-metrics", "tickets.csv", ",1.5,", ",soon,"),
        "tickets.csv",
        2,
        "first_response_minutes",
    ),
    (
        "duplicated ticket id",
        "ticket-metrics",
        _with("ticket-metrics", "tickets.csv", "TKT-3", "TKT-1"),
        "tickets.csv",
        4,
        "ticket_id",
    ),
    (
        "latin-1",
        "ticket-metrics",
        [("tickets.csv", TICKET_METRICS["tickets.csv"].replace("Booking", "Réservation").encode("latin-1"))],
        "tickets.csv",
        3,
        "file",
    ),
    (
        "utf-16",
        "ticket-metrics",
        [("tickets.csv", TICKET_METRICS["tickets.csv"].encode("utf-16"))],
        "tickets.csv",
        1,
        "file",
    ),
    ("empty", "ticket-metrics", [("tickets.csv", b"")], "tickets.csv", 1, "file"),
    (
        "huge line",
        "ticket-metrics",
        [("tickets.csv", TICKET_METRICS["tickets.csv"].replace("Booking", "B" * 2_000_000).encode())],
        "tickets.csv",
        3,
        "file",
    ),
]


@pytest.mark.parametrize(("what", "profile", "files", "file", "row", "column"), CASES, ids=[case[0] for case in CASES])
def test_each_hostile_shape_names_its_file_row_and_column(
    ready: Engine, what: str, profile: str, files: list[tuple[str, bytes]], file: str, row: int, column: str
) -> None:
    _, _, refused = import_files(ready, profile, files, "Europe/London")
    assert isinstance(refused, ContactRowErrors), f"{what}: {refused!r}"
    located = [(e.file, e.error.row, e.error.column) for e in refused.errors]
    assert (file, row, column) in located, f"{what}: {[str(e) for e in refused.errors]}"


@pytest.mark.parametrize("profile", list(PROFILES))
def test_formula_cells_are_data_stored_as_given(ready: Engine, profile: str) -> None:
    column = {"generic": "topic", "ticket-metrics": "topic", "zendesk": "priority", "chatwoot": None}[profile]
    if column is None:  # Chatwoot's file carries no free text the tracker keeps: its content is never read
        files = _with(profile, "messages.csv", "Hello where is my order?", '=HYPERLINK("http://x")')
        _, result, refused = import_files(ready, profile, files, "UTC")
        assert refused is None and result.total == 2
        return
    old = {"generic": "billing", "ticket-metrics": "Account Access", "zendesk": "urgent"}[profile]
    name = {"generic": "contacts.csv", "ticket-metrics": "tickets.csv", "zendesk": "ticket_data.csv"}[profile]
    for formula in FORMULAS[:4]:
        files = _with(profile, name, old, formula.replace(",", ";") if "," in formula else formula)
        exported, result, refused = import_files(ready, profile, files, "UTC")
        assert refused is None, str(refused)
        check_stored(ready, profile, files, exported, result)
        with read(ready) as session:
            values = set(session.exec(select(getattr(Contact, column))).all())
        assert formula in values


def test_times_at_the_edge_of_the_calendar_are_stored_or_refused(ready: Engine) -> None:
    """The last moments the tracker keeps, with the longest waits a file may state: a clean import
    or a row error, never an overflow while deriving the due time."""
    cases = [
        ("generic", "contacts.csv", "2026-01-06 09:00:00,E-7", "2999-12-31 23:59:59,E-7"),
        (
            "generic",
            "contacts.csv",
            "2026-01-06T10:00:00Z,Bob Ray,refunds,,no,open,,12.5",
            "2999-12-31T23:59:59Z,Bob Ray,refunds,,no,open,,52000000",
        ),
        ("generic", "contacts.csv", "web,C-3,chat,2026-01-06 11:00:00+01:00", "web,C-3,chat,2999-12-31 23:59:59-12:00"),
        (
            "ticket-metrics",
            "tickets.csv",
            "2026-01-06 10:00:00,Self-Service,Booking,Critical,Bob Ray,Team_Gamma,",
            "2999-12-31 23:59:00,Self-Service,Booking,Critical,Bob Ray,Team_Gamma,52596000",
        ),
        ("chatwoot", "messages.csv", "6,8,2026-01-06 10:00:00", "6,8,99999999999"),
        ("chatwoot", "messages.csv", "6,8,2026-01-06 10:00:00", "6,8,32503679999"),
    ]
    for profile, name, old, new in cases:
        files = _with(profile, name, old, new)
        exported, result, refused = import_files(ready, profile, files, "Europe/London")
        if refused is None:
            check_stored(ready, profile, files, exported, result)


JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(PRINTABLE, max_size=20)
    | st.sampled_from(HOSTILE_CELLS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@st.composite
def json_contact(draw: st.DrawFn, number: int) -> dict[str, Any]:
    good: dict[str, Any] = {
        "source": "desk",
        "id": f"J-{number}",
        "channel": draw(st.sampled_from(["email", "chat", "web chat", "phone"])),
        "received_at": "2026-01-06 10:00:00",
        "agent": draw(st.sampled_from([None, "E-7", "Bob Ray"])),
        "urgent": draw(st.sampled_from([True, False, None, "yes"])),
        "talk_seconds": draw(st.sampled_from([None, 0, 30, 12.5])),
        "messages": [
            {"at": "2026-01-06 10:00:00", "author": "customer"},
            {"at": "2026-01-06 10:10:00", "author": "person", "agent": "E-7"},
        ],
    }
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(good) + ["Received At", "messages", "extra"]))
        good[key] = draw(JSON_VALUE)
    if draw(st.booleans()):
        message = draw(st.integers(0, 1))
        field = draw(st.sampled_from(["at", "author", "agent"]))
        messages: Any = good.get("messages")
        if isinstance(messages, list) and len(messages) > message and isinstance(messages[message], dict):
            messages[message][field] = draw(JSON_VALUE)
    return good


def test_json_lines_with_hostile_values(ready: Engine) -> None:
    import json

    @hyp(examples(ready, EXAMPLES))
    @given(
        st.lists(st.integers(0, 5), min_size=0, max_size=5).flatmap(
            lambda ids: st.tuples(*(json_contact(n) for n in ids))
        ),
        st.lists(st.sampled_from(["", "not json", "[1, 2]", "{", '{"id": "J-0"}', "null"]), max_size=2),
    )
    def run(contacts: tuple[dict[str, Any], ...], junk: list[str]) -> None:
        lines = [json.dumps(contact) for contact in contacts] + junk
        data = ("\n".join(lines) + "\n").encode("utf-8")
        if not data.lstrip().startswith(b"{"):
            data = b'{"source": "desk", "id": "J-9", "channel": "email", "received_at": "2026-01-06 10:00:00"}\n' + data
        files = [("contacts.jsonl", data)]
        exported, result, refused = import_files(ready, "generic", files, "UTC")
        if refused is None:
            ids = {obj["id"] for obj in map(json.loads, filter(str.strip, data.decode().splitlines()))}
            assert result.total == len(ids) == len(exported.contacts)

    run()
