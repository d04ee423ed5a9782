"""Import profiles: help-desk export files as contacts, and every row they cannot use as an error
naming its file, row, column and reason, whatever bytes the files hold."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.domain.contact_profiles import PROFILES, chatwoot, generic, read, ticket_metrics, zendesk
from tracker.domain.contact_rows import ContactRow, FileRowError, ProfileRead
from tracker.domain.csvread import CsvStream
from tracker.domain.errors import InputError

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
UTC = timezone.utc
CONTACTS_HEADER = "source,id,channel,received_at,agent,closed_at,first_response_minutes,talk_seconds,urgent\n"
MESSAGES_HEADER = "contact_id,at,author,agent\n"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def files(folder: str, *names: str) -> list[Path]:
    return [EXPORTS / folder / name for name in names]


def errors(result: ProfileRead) -> list[tuple[str, int, str, str]]:
    return [(e.file, e.error.row, e.error.column, e.error.reason) for e in result.errors]


def authors(contact: ContactRow) -> list[tuple[str, str, str | None]]:
    return [(f"{m.at:%H:%M:%S}", m.author, m.agent) for m in contact.messages]


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def generic_errors(tmp_path: Path, contacts: str, messages: str | None = None, zone: str = "UTC") -> list[tuple]:
    paths = [write(tmp_path, "contacts.csv", CONTACTS_HEADER + contacts)]
    if messages is not None:
        paths.append(write(tmp_path, "messages.csv", MESSAGES_HEADER + messages))
    return [error[1:] for error in errors(read("generic", paths, zone))]


# --- the CSV reader's option ------------------------------------------------------------------


def test_unknown_columns_can_be_ignored_and_are_named() -> None:
    data = b"id,Ticket Subject,name,,subject,body\n1,Help,Ann,,Again," + b"x" * 20_000 + b"\n"
    stream = CsvStream(io.BytesIO(data), required=("id",), optional=("name",))
    assert stream.header_errors == []
    assert stream.ignored == ["ticket_subject", "subject", "body"]
    assert list(stream.rows()) == [(2, {"id": "1", "name": "Ann"})]  # the 20,000-character body is not checked


def test_a_known_column_twice_is_an_error_even_when_ignoring_others() -> None:
    stream = CsvStream(io.BytesIO(b"id,x,ID,x\n1,2,3,4\n"), required=("id",))
    assert [str(error) for error in stream.header_errors] == ["row 1, id: column appears twice"]


# --- the profiles' API ------------------------------------------------------------------------


def test_the_profiles_are_named_and_described_for_help() -> None:
    assert list(PROFILES) == ["generic", "zendesk", "chatwoot", "ticket-metrics"]
    assert all(description and "\n" not in description for description in PROFILES.values())


def test_an_unknown_profile_or_zone_is_the_callers_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "x\n")
    with pytest.raises(InputError, match="'freshdesk' is not a profile"):
        read("freshdesk", [path])
    with pytest.raises(InputError, match="'Mars/Olympus' is not a time zone name"):
        read("generic", [path], zone="Mars/Olympus")
    with pytest.raises(InputError, match="at least one file"):
        read("generic", [])


def test_a_file_that_cannot_be_opened_is_one_error(tmp_path: Path) -> None:
    for profile in PROFILES:
        result = read(profile, [tmp_path / "missing.csv", tmp_path])
        assert [(file, row, column) for file, row, column, _ in errors(result)][:2] == [
            ("missing.csv", 1, "file"),
            (tmp_path.name, 1, "file"),
        ], profile
        assert "cannot be opened (No such file or directory)" in result.errors[0].error.reason
        assert result.contacts == []


def test_a_file_of_another_kind_is_refused_without_quoting_it(tmp_path: Path) -> None:
    secret = write(tmp_path, "shadow", "root:$6$saltsalt$hash:19000:0:99999:7:::\n")
    for profile in PROFILES:
        (error,) = read(profile, [secret]).errors
        assert (error.error.row, error.error.column) == (1, "file")
        assert "is not a file this profile reads" in error.error.reason
        assert "root" not in str(error) and "$6$" not in str(error)


def test_missing_columns_are_named_in_the_header_row(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.csv", "source,ID,Received At,notes\nweb,1,2026-01-05 09:00,x\n")
    assert errors(read("generic", [path])) == [
        (
            "contacts.csv",
            1,
            "channel",
            "column missing from the contacts file: channel (it needs: source, id, channel, received_at)",
        )
    ]
    path = write(tmp_path, "tickets.csv", "ticket_id,channel\nT-1,Chat\n")
    assert errors(read("ticket-metrics", [path])) == [
        (
            "tickets.csv",
            1,
            "created_date",
            "column missing from the ticket metrics file: created_date (it needs: ticket_id, created_date, channel)",
        )
    ]
    path = write(tmp_path, "comments.csv", "ticket_id,public,body\n1,TRUE,hi\n")
    reason = "columns missing from the comment file: user_id, created (it needs: ticket_id, user_id, created, public)"
    assert (1, "user_id", reason) in [error[1:] for error in errors(read("zendesk", [path]))]


# --- generic ----------------------------------------------------------------------------------


def test_generic_contacts_and_messages_in_either_order() -> None:
    forward = read("generic", files("generic", "contacts.csv", "messages.csv"))
    backward = read("generic", files("generic", "messages.csv", "contacts.csv"))
    assert errors(forward) == [] and forward.contacts == backward.contacts
    first, second, third = forward.contacts
    assert (first.source, first.external_id, first.channel, first.received_at) == (
        "phone-system",
        "C-1",
        "phone",
        at("2026-01-05 09:00"),
    )
    assert (first.agent, first.topic, first.priority, first.urgent, first.status) == (
        "E-7",
        "billing",
        "high",
        True,
        "closed",
    )
    assert (first.closed_at, first.talk_seconds, first.hold_seconds, first.wrap_seconds) == (
        at("2026-01-05 09:20"),
        300,
        45,
        60,
    )
    assert (second.received_at, second.reported_first_response) == (at("2026-01-05 10:00"), timedelta(minutes=12.5))
    assert third.received_at == at("2026-01-05 10:00")  # 11:00+01:00
    # in time order, whatever the file's order; the author words' other names understood
    assert authors(second) == [
        ("10:00:00", "customer", None),
        ("10:01:00", "automatic", None),
        ("10:20:00", "note", None),
        ("10:30:00", "person", "Bob Ray"),
    ]
    assert authors(third) == [("10:00:00", "customer", None), ("10:05:00", "person", "E-7")]
    assert forward.ignored_columns == {"contacts.csv": ["customer_email"], "messages.csv": ["body"]}
    assert forward.rows_read == 9


def test_generic_json_lines_hold_the_same_contacts() -> None:
    from_csv = read("generic", files("generic", "contacts.csv", "messages.csv"))
    from_json = read("generic", files("generic", "contacts.jsonl"))
    assert errors(from_json) == []
    assert [c.row for c in from_json.contacts] == [1, 2, 4]  # rows are lines; the blank line is none

    def facts(contact: ContactRow) -> tuple:
        return replace(contact, file="", row=0, messages=()), [(m.at, m.author, m.agent) for m in contact.messages]

    assert [facts(c) for c in from_json.contacts] == [facts(c) for c in from_csv.contacts]
    assert from_json.ignored_columns == {"contacts.jsonl": ["customer_email", "messages.text"]}


@pytest.mark.parametrize(
    ("contacts", "messages", "expected"),
    [
        (
            "web,1,chat,2024-13-01 10:00:00,,,,,\n",
            None,
            [(2, "received_at", "'2024-13-01 10:00:00' is not a date and time like 2024-10-29 22:00:00")],
        ),
        (
            "web,1,chat,2024-10-01,,,,,\n",
            None,
            [(2, "received_at", "'2024-10-01' has no time of day (write it like 2024-10-29 22:00:00)")],
        ),
        (
            "web,1,chat,1969-12-31 10:00,,,,,\n",
            None,
            [(2, "received_at", "'1969-12-31 10:00' is outside the range of dates the tracker keeps (1970 to 2999)")],
        ),
        ("web,,chat,2026-01-05 10:00,,,,,\n", None, [(2, "id", "is blank")]),
        (
            "web,1,chat,2026-01-05 10:00,,,,,\nweb,2,chat,2026-01-05 10:00,,,,,\nweb,1,chat,2026-01-05 11:00,,,,,\n",
            None,
            [(4, "id", "'1' appears twice; first in row 2")],
        ),
        ("web,1,chat,2026-01-05 10:00,,,-3,,\n", None, [(2, "first_response_minutes", "'-3' is negative")]),
        (
            "web,1,chat,2026-01-05 10:00,,,soon,,\n",
            None,
            [(2, "first_response_minutes", "'soon' is not a number of minutes")],
        ),
        (
            "web,1,chat,2026-01-05 10:00,,,nan,,\n",
            None,
            [(2, "first_response_minutes", "'nan' is not a number of minutes")],
        ),
        ("web,1,chat,2026-01-05 10:00,,,,12s,\n", None, [(2, "talk_seconds", "'12s' is not a number of seconds")]),
        ("web,1,chat,2026-01-05 10:00,,,,-1,\n", None, [(2, "talk_seconds", "'-1' is negative")]),
        ("web,1,chat,2026-01-05 10:00,,,,,maybe\n", None, [(2, "urgent", "'maybe' must be yes or no")]),
        (
            "web,1,chat,2026-01-05 10:00,,2026-01-05 09:00,,,\n",
            None,
            [(2, "closed_at", "09:00 is before the contact arrived at 10:00")],
        ),
        (
            "web,1,chat,2026-01-05 10:00,,,,,\n",
            "1,2026-01-05 09:58,customer,\n",
            [
                (2, "messages", "the contact is left out: its message in messages.csv, row 2 has an error"),
                (2, "at", "09:58 is before the contact arrived at 10:00"),
            ],
        ),
        (
            "web,1,chat,2026-01-05 10:00,,,,,\n",
            "1,2026-01-05 10:00,customer,\n1,2026-01-05 10:05,manager,Ann\n1,2026-01-05 10:06,,\n",
            [
                (
                    2,
                    "messages",
                    "the contact is left out: its message in messages.csv, row 3 (and 1 more) has an error",
                ),
                (3, "author", "'manager' is not an author word (customer, person, automatic, note)"),
                (4, "author", "is blank (customer, person, automatic, note)"),
            ],
        ),
        (
            "web,1,chat,2026-01-05 10:00,,,,,\n",
            "2,2026-01-05 10:05,person,Ann\n",
            [(2, "contact_id", "no contact '2' in the contacts file")],
        ),
        # a bad contact row is reported once: its messages add no second error
        (
            "web,1,chat,yesterday,,,,,\n",
            "1,2026-01-05 10:05,person,Ann\n",
            [(2, "received_at", "'yesterday' is not a date and time like 2024-10-29 22:00:00")],
        ),
        (
            "web,1,chat,2026-01-05 10:00,Ann\x1b[2J,,,,\n",
            None,
            [(2, "agent", "contains a control character (U+001B ESCAPE), which a terminal could act on")],
        ),
        ("web,1,chat,2026-01-05 10:00,,,,\n", None, [(2, "row", "has 8 fields, the header has 9")]),
    ],
)
def test_generic_row_errors(tmp_path: Path, contacts: str, messages: str | None, expected: list[tuple]) -> None:
    assert generic_errors(tmp_path, contacts, messages) == expected


def test_text_from_the_file_is_escaped_in_reasons(tmp_path: Path) -> None:
    (error,) = generic_errors(tmp_path, "web,1,chat,2026-01-05 10:00\x1b]0;owned\x07,,,,,\n")
    assert error[1] == "received_at"
    assert "\x1b" not in error[2] and "\x07" not in error[2] and "\\x1b]0;owned\\x07" in error[2]


def test_a_contact_id_used_by_two_sources_needs_the_messages_source(tmp_path: Path) -> None:
    contacts = "web,1,chat,2026-01-05 10:00,,,,,\nphone,1,phone,2026-01-05 10:00,,,,,\n"
    assert generic_errors(tmp_path, contacts, "1,2026-01-05 10:05,person,Ann\n") == [
        (
            2,
            "contact_id",
            "'1' is the ID of contacts from more than one source ('web', 'phone'): give the message's source",
        )
    ]
    paths = [
        write(tmp_path, "contacts.csv", CONTACTS_HEADER + contacts),
        write(tmp_path, "messages.csv", "contact_id,at,author,source\n1,2026-01-05 10:05,person,phone\n"),
    ]
    result = read("generic", paths)
    assert errors(result) == []
    assert [(c.source, len(c.messages)) for c in result.contacts] == [("web", 0), ("phone", 1)]


def test_a_messages_file_alone_is_one_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "messages.csv", MESSAGES_HEADER + "1,2026-01-05 10:05,person,Ann\n2,2026-01-05 10:05,person,Ann\n"
    )
    assert errors(read("generic", [path])) == [
        (
            "messages.csv",
            1,
            "file",
            "is a messages file: give its contacts file (source, id, channel, received_at) with it",
        )
    ]


def test_a_duplicate_across_files_names_the_first_file(tmp_path: Path) -> None:
    first = write(tmp_path, "january.csv", CONTACTS_HEADER + "web,1,chat,2026-01-05 10:00,,,,,\n")
    second = write(tmp_path, "february.csv", CONTACTS_HEADER + "web,1,chat,2026-02-05 10:00,,,,,\n")
    assert errors(read("generic", [first, second])) == [
        ("february.csv", 2, "id", "'1' appears twice; first in january.csv, row 2")
    ]


def test_bad_json_lines_are_row_errors(tmp_path: Path) -> None:
    lines = [
        '{"source": "web", "id": "1", "channel": "chat", "received_at": "2026-01-05 10:00"}',
        "not json",
        "[1, 2]",
        '{"source": "web", "id": "2", "channel": ["chat"], "received_at": "2026-01-05 10:00"}',
        '{"source": "web", "id": "3", "channel": "chat", "received_at": "2026-01-05 10:00", "messages": [{"at": "2026-01-05 09:00", "author": "customer"}]}',
        '{"source": "web", "id": "4", "channel": "chat", "received_at": "2026-01-05 10:00", "messages": [{"at": "2026-01-05 10:01", "author": "customer"}, {"at": "2026-01-05 10:02", "author": "boss"}]}',
        '{"source": "web", "id": "5", "channel": "chat", "received_at": "2026-01-05 10:00", "messages": "hello"}',
        "[" * 100_000,
    ]
    path = write(tmp_path, "contacts.jsonl", "\n".join(lines) + "\n")
    result = read("generic", [path])
    assert [c.external_id for c in result.contacts] == ["1"]
    assert [error[1:3] for error in errors(result)] == [
        (2, "line"),
        (3, "line"),
        (4, "channel"),
        (5, "messages[1].at"),
        (6, "messages[2].author"),
        (7, "messages"),
        (8, "line"),
    ]
    assert errors(result)[0][3] == "is not JSON (Expecting value at character 1)"
    assert errors(result)[3][3] == "09:00 is before the contact arrived at 10:00"


# --- times and zones --------------------------------------------------------------------------


def test_naive_times_are_read_in_the_zone_and_offsets_are_kept(tmp_path: Path) -> None:
    contacts = (
        "web,gmt,chat,2026-03-29 00:30:00,,,,,\n"  # before the clocks go forward at 01:00 GMT
        "web,bst,chat,2026-03-29 02:30:00,,,,,\n"  # after: British Summer Time
        "web,summer,chat,2026-07-01 12:00:00,,,,,\n"
        "web,zulu,chat,2026-07-01T12:00:00Z,,,,,\n"
        "web,offset,chat,2026-07-01 12:00:00-04:00,,,,,\n"
    )
    path = write(tmp_path, "contacts.csv", CONTACTS_HEADER + contacts)
    result = read("generic", [path], zone="Europe/London")
    assert errors(result) == []
    assert [(c.external_id, c.received_at) for c in result.contacts] == [
        ("gmt", at("2026-03-29 00:30")),
        ("bst", at("2026-03-29 01:30")),
        ("summer", at("2026-07-01 11:00")),
        ("zulu", at("2026-07-01 12:00")),
        ("offset", at("2026-07-01 16:00")),
    ]
    assert all(c.received_at.tzinfo is UTC for c in result.contacts)
    same_file = read("generic", [path])  # in UTC, the default
    assert same_file.contacts[0].received_at == at("2026-03-29 00:30")


def test_a_time_the_clocks_skip_or_show_twice_is_a_row_error(tmp_path: Path) -> None:
    contacts = "web,1,chat,2026-03-29 01:30:00,,,,,\nweb,2,chat,2026-10-25 01:30:00,,,,,\nweb,3,chat,2026-10-25 01:30:00+00:00,,,,,\n"
    assert generic_errors(tmp_path, contacts, zone="Europe/London") == [
        (
            2,
            "received_at",
            "'2026-03-29 01:30:00' does not exist in Europe/London: the clocks skip that hour; "
            "give the offset, 2026-03-29 01:30+00:00 or 2026-03-29 01:30+01:00",
        ),
        (
            3,
            "received_at",
            "'2026-10-25 01:30:00' is in the hour the clocks show twice in Europe/London: "
            "give the offset, 2026-10-25 01:30+01:00 or 2026-10-25 01:30+00:00",
        ),
    ]


def test_a_message_time_in_the_skipped_hour_names_its_column(tmp_path: Path) -> None:
    contacts = "web,1,chat,2026-03-29 00:30:00,,,,,\n"
    errors_found = generic_errors(tmp_path, contacts, "1,2026-03-29 01:15:00,person,Ann\n", zone="Europe/London")
    assert [(row, column) for row, column, _ in errors_found] == [(2, "messages"), (2, "at")]
    assert "does not exist in Europe/London" in errors_found[1][2]


# --- Zendesk ----------------------------------------------------------------------------------


def test_the_zendesk_samples_comments_that_do_not_join_are_row_errors() -> None:
    result = read("zendesk", files("zendesk", "ticket_data.csv", "ticket_comment_data.csv", "user_data.csv"))
    comment_errors = [error for error in errors(result) if error[0] == "ticket_comment_data.csv"]
    sample = list(csv.DictReader((EXPORTS / "zendesk" / "ticket_comment_data.csv").open()))
    assert [(row, column, reason) for _, row, column, reason in comment_errors] == [
        (number, "ticket_id", f"no ticket {comment['ticket_id']} in the ticket file")
        for number, comment in enumerate(sample, start=2)
    ]
    assert comment_errors[0][3] == "no ticket 1077 in the ticket file"
    # assignees the user file does not have are errors too; the one ticket whose assignee it has imports
    ticket_errors = [error[1:] for error in errors(result) if error[0] == "ticket_data.csv"]
    assert ticket_errors[0] == (3, "assignee_id", "no user 418284131934 in the user file")
    assert all(column == "assignee_id" for _, column, _ in ticket_errors)
    (ticket,) = result.contacts
    assert (ticket.external_id, ticket.source, ticket.channel, ticket.agent) == (
        "11071",
        "zendesk",
        "email",
        "Arthur Agent",
    )
    assert (ticket.topic, ticket.priority, ticket.urgent, ticket.status) == (
        "group 360006965034",
        "urgent",
        True,
        "closed",
    )
    assert ticket.received_at == at("2020-08-28 18:06:36")
    # the two deleted tickets are counted in nothing
    assert result.rows_read == 10 + 8 + 20
    assert "subject" in result.ignored_columns["ticket_data.csv"]
    assert "body" in result.ignored_columns["ticket_comment_data.csv"]


def test_a_consistent_zendesk_export_imports_completely_in_any_order() -> None:
    names = ("user_data.csv", "ticket_comment_data.csv", "ticket_data.csv")
    result = read("zendesk", files("zendesk-consistent", *names))
    assert errors(result) == []
    assert result.contacts == read("zendesk", files("zendesk-consistent", *reversed(names))).contacts
    web, email, voice = result.contacts
    assert [c.external_id for c in result.contacts] == ["101", "102", "103"]  # 104 was deleted
    assert (web.channel, web.agent, web.topic, web.urgent) == ("web", "E-7", "group 500", True)  # external_id names Ann
    assert authors(web) == [
        ("09:00:00", "customer", None),  # the requester's opening comment
        ("09:00:05", "automatic", None),  # a trigger's acknowledgement (via rule)
        ("09:20:00", "person", "E-7"),
        ("09:30:00", "note", None),
    ]
    assert (email.channel, email.agent, email.topic, email.urgent) == (
        "email",
        "Bob Ray",
        None,
        False,
    )  # no external_id: the name
    assert authors(email) == [
        ("10:00:00", "customer", None),
        ("10:45:00", "person", "Bob Ray"),
        ("11:00:00", "automatic", None),
    ]
    assert (voice.channel, authors(voice)) == ("voice", [("11:00:00", "person", "E-7")])
    assert result.ignored_columns["ticket_comment_data.csv"] == ["id", "body"]


def test_zendesk_comment_errors(tmp_path: Path) -> None:
    source = EXPORTS / "zendesk-consistent"
    for name in ("user_data.csv", "ticket_data.csv"):
        shutil.copy(source / name, tmp_path / name)
    comments = write(
        tmp_path,
        "comments.csv",
        "ticket_id,user_id,created,public\n"
        "101,3,2026-01-05 09:00:00,TRUE\n"
        "101,77,2026-01-05 09:10:00,TRUE\n"
        "102,2,2026-01-05 09:59:00,TRUE\n"
        "103,1,2026-01-05 11:05:00,maybe\n"
        "104,4,2026-01-05 12:00:00,TRUE\n"  # the deleted ticket's: left out, no error
        "555,1,2026-01-05 12:00:00,TRUE\n",
    )
    result = read("zendesk", [tmp_path / "ticket_data.csv", tmp_path / "user_data.csv", comments])
    assert errors(result) == [
        ("ticket_data.csv", 2, "messages", "the contact is left out: its message in comments.csv, row 3 has an error"),
        ("ticket_data.csv", 3, "messages", "the contact is left out: its message in comments.csv, row 4 has an error"),
        ("ticket_data.csv", 4, "messages", "the contact is left out: its message in comments.csv, row 5 has an error"),
        ("comments.csv", 3, "user_id", "no user 77 in the user file"),
        ("comments.csv", 4, "created", "09:59 is before the contact arrived at 10:00"),
        ("comments.csv", 5, "public", "'maybe' must be TRUE or FALSE"),
        ("comments.csv", 7, "ticket_id", "no ticket 555 in the ticket file"),
    ]
    assert result.contacts == []


def test_zendesk_needs_its_ticket_and_user_files(tmp_path: Path) -> None:
    result = read("zendesk", files("zendesk-consistent", "ticket_data.csv", "ticket_comment_data.csv"))
    assert errors(result) == [
        ("ticket_data.csv", 1, "file", "the Zendesk import needs a user file as well (a user file has id, name, role)")
    ]
    assert result.contacts == []


def test_zendesk_ticket_errors(tmp_path: Path) -> None:
    shutil.copy(EXPORTS / "zendesk-consistent" / "user_data.csv", tmp_path / "users.csv")
    tickets = write(
        tmp_path,
        "tickets.csv",
        "id,created_at,via_channel,assignee_id,status\n"
        "1,2026-01-05 09:00:00,web,1,open\n"
        "1,2026-01-05 09:00:00,web,1,open\n"
        "2,2026-01-05 09:00:00,web,9,open\n"
        "3,05/01/2026 09:00,web,,open\n"
        "4,2026-01-05 09:00:00,,,open\n"
        "5,not a time,web,,Deleted\n",
    )
    assert errors(read("zendesk", [tickets, tmp_path / "users.csv"])) == [
        ("tickets.csv", 3, "id", "'1' appears twice; first in row 2"),
        ("tickets.csv", 4, "assignee_id", "no user 9 in the user file"),
        ("tickets.csv", 5, "created_at", "'05/01/2026 09:00' is not a date and time like 2024-10-29 22:00:00"),
        ("tickets.csv", 6, "via_channel", "is blank"),
    ]


# --- Chatwoot ---------------------------------------------------------------------------------


def test_chatwoot_conversations_are_contacts() -> None:
    result = read("chatwoot", files("chatwoot", "messages.csv"))
    assert errors(result) == []
    first, second = result.contacts  # conversation 9 is ours only: not a contact
    assert (first.source, first.external_id, first.channel, first.agent) == ("chatwoot", "7", "Website", "E-7")
    assert first.received_at == at("2026-01-05 09:00")  # a Unix time
    assert authors(first) == [
        ("09:00:00", "customer", None),
        ("09:01:00", "automatic", None),  # a template; the activity entry at 09:00:05 is no message
        ("09:10:00", "person", "E-7"),
        ("09:12:00", "note", None),  # private
    ]
    # the campaign message before the customer wrote is not part of the contact
    assert (second.received_at, second.agent) == (at("2026-01-05 10:30"), "E-9")
    assert authors(second) == [("10:30:00", "customer", None), ("10:40:00", "person", "E-9")]
    assert result.ignored_columns == {"messages.csv": ["content"]}  # the text is never read
    assert result.rows_read == 8  # the activity row counted in nothing


def test_chatwoot_assignee_column_and_default_channel(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.csv",
        "conversation_id,created_at,message_type,sender_type,sender_id,assignee_id,private\n"
        "1,2026-01-05 09:00,incoming,Contact,5,,\n"
        "1,2026-01-05 09:05,outgoing,User,E-1,E-2,FALSE\n"
        "1,2026-01-05 09:06,outgoing,AgentBot,3,,\n",
    )
    (contact,) = read("chatwoot", [path]).contacts
    assert (contact.channel, contact.agent) == ("chat", "E-2")
    assert authors(contact) == [
        ("09:00:00", "customer", None),
        ("09:05:00", "person", "E-1"),
        ("09:06:00", "automatic", None),
    ]


def test_chatwoot_row_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.csv",
        "id,conversation_id,created_at,message_type,sender_type,private\n"
        "1,1,1767603600,0,Contact,\n"
        "2,1,1767603700,5,User,\n"
        "3,2,1767603600,0,Contact,\n"
        "3,2,1767603700,1,User,\n"
        "4,,1767603600,0,Contact,\n"
        "5,3,tomorrow,0,Contact,\n"
        "6,4,1767603600,0,Contact,sometimes\n"
        "7,5,1767603600,2,,\n",
    )
    result = read("chatwoot", [path])
    assert errors(result) == [
        ("m.csv", 2, "messages", "the contact is left out: its message in row 3 has an error"),
        (
            "m.csv",
            3,
            "message_type",
            "'5' is not a message type: 0 (incoming), 1 (outgoing), 2 (activity) or 3 (template)",
        ),
        ("m.csv", 4, "messages", "the contact is left out: its message in row 5 has an error"),
        ("m.csv", 5, "id", "message '3' appears twice; first in row 4"),
        ("m.csv", 6, "conversation_id", "is blank"),
        (
            "m.csv",
            7,
            "created_at",
            "'tomorrow' is not a date and time like 2024-10-29 22:00:00 or a Unix time like 1730239200",
        ),
        ("m.csv", 8, "private", "'sometimes' must be true or false"),
    ]
    assert result.contacts == []


# --- ticket metrics ---------------------------------------------------------------------------


def test_ticket_metrics_sample() -> None:
    result = read("ticket-metrics", files("ticket-metrics", "tickets-30.csv"))
    assert errors(result) == [] and len(result.contacts) == 30 and result.rows_read == 30
    first = result.contacts[0]
    assert (first.source, first.external_id, first.channel, first.topic, first.agent) == (
        "tickets",
        "TKT-000001",
        "Chat",
        "Account Access",
        "Agent_022",
    )
    assert (first.received_at, first.closed_at) == (at("2024-10-29 22:00"), at("2024-10-30 15:15:11.744884"))
    assert first.reported_first_response == timedelta(minutes=261.3160766843023)
    assert (first.priority, first.urgent, first.status, first.messages) == ("Low", False, "Resolved", ())
    assert {c.channel for c in result.contacts} >= {"Self-Service", "Social Media"}
    assert [c.external_id for c in result.contacts if c.urgent] == ["TKT-000013", "TKT-000025"]  # Critical
    in_progress = result.contacts[1]
    assert (in_progress.status, in_progress.closed_at) == ("In Progress", None)
    ignored = result.ignored_columns["tickets-30.csv"]
    assert "csat_score" in ignored and "team" in ignored and "resolution_hours" in ignored


def test_ticket_metrics_row_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        "ticket_id,created_date,channel,priority,first_response_minutes,resolved_date\n"
        "T-1,2024-10-29 22:00:00,Chat,Urgent,,\n"
        "T-2,2024-10-29 22:00:00,Chat,Low,-5,\n"
        "T-3,2024-10-29 22:00:00,Chat,Low,,2024-10-29 21:00:00\n"
        "T-1,2024-10-29 22:00:00,Chat,Low,,\n",
    )
    result = read("ticket-metrics", [path])
    assert errors(result) == [
        ("t.csv", 3, "first_response_minutes", "'-5' is negative"),
        ("t.csv", 4, "resolved_date", "21:00 is before the contact arrived at 22:00"),
        ("t.csv", 5, "ticket_id", "'T-1' appears twice; first in row 2"),
    ]
    (contact,) = result.contacts
    assert (contact.urgent, contact.reported_first_response) == (True, None)


# --- anything at all --------------------------------------------------------------------------

COLUMNS = {
    "generic": (generic.CONTACTS.known, generic.MESSAGES.known),
    "zendesk": (zendesk.TICKETS.known, zendesk.COMMENTS.known, zendesk.USERS.known),
    "chatwoot": (chatwoot.MESSAGES.known,),
    "ticket-metrics": (ticket_metrics.TICKETS.known,),
}
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "1", "-1", "2026-03-29 01:30", "2026-01-05T10:00:00Z", "1767603600", "TRUE", "rule", "0", "2"]
    ),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _well_formed(result: ProfileRead) -> None:
    assert isinstance(result, ProfileRead)
    for error in result.errors:
        assert isinstance(error, FileRowError) and error.error.row >= 1
        assert not any(ord(char) < 32 or 0x7F <= ord(char) <= 0x9F for char in str(error))
    for contact in result.contacts:
        assert contact.received_at.tzinfo is not None and contact.received_at.utcoffset() == timedelta(0)
        assert all(message.at >= contact.received_at for message in contact.messages)
        assert list(contact.messages) == sorted(contact.messages, key=lambda m: m.at)


@FUZZ
@given(profile=st.sampled_from(list(PROFILES)), data=st.lists(st.binary(max_size=300), min_size=1, max_size=3))
def test_any_bytes_give_errors_or_contacts_never_an_exception(profile: str, data: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = [write(Path(folder), f"f{index}.csv", content) for index, content in enumerate(data)]
        _well_formed(read(profile, paths, zone="Europe/London"))


@FUZZ
@given(profile=st.sampled_from(list(PROFILES)), data=st.data())
def test_any_cells_give_errors_or_contacts_never_an_exception(profile: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, columns in enumerate(COLUMNS[profile]):
            rows = data.draw(st.lists(st.lists(CELL, min_size=len(columns), max_size=len(columns)), max_size=4))
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            writer.writerows(rows)
            paths.append(write(Path(folder), f"f{index}.csv", text.getvalue()))
        _well_formed(read(profile, paths, zone="Europe/London"))


@FUZZ
@given(
    values=st.lists(
        st.dictionaries(
            st.sampled_from([*generic.CONTACTS.known, "messages"]),
            st.one_of(
                CELL,
                st.none(),
                st.integers(),
                st.floats(),
                st.booleans(),
                st.lists(st.dictionaries(st.sampled_from(["at", "author", "agent"]), CELL), max_size=2),
            ),
        ),
        max_size=4,
    )
)
def test_any_json_lines_give_errors_or_contacts(values: list[dict]) -> None:
    import json

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "c.jsonl", "\n".join(json.dumps(value) for value in values) or "{")
        _well_formed(read("generic", [path]))
