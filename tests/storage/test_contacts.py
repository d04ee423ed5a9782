"""Contacts in storage, on SQLite and PostgreSQL: an import applied whole or not at all (or the
good rows with the bad ones handed back), the same or an overlapping export again changing only
what changed, measures derived by the handbook version in force when a contact arrived, keyset
paged lists, and a stored message or measure edited behind the tracker's back reported."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from tests.conftest import ACTOR, read, write
from tests.domain.editing import edited_handbook
from tests.storage.conftest import add, counts
from tracker.audit.chain import recent, verify_chain
from tracker.db.models import Contact, ContactImport, ContactMessage, HandbookVersion
from tracker.domain.contact_profiles import read as read_profile
from tracker.domain.errors import InputError, NoVersionPublished
from tracker.domain.handbook.model import Handbook
from tracker.records.contacts.commands import ContactImportResult, ContactRowErrors, import_contacts
from tracker.records.contacts.integrity import verify_contacts
from tracker.records.contacts.queries import get_contact, list_contacts
from tracker.records.handbook.commands import publish

CONTACTS_HEADER = "source,id,channel,received_at,agent,topic,status,closed_at\n"
MESSAGES_HEADER = "contact_id,at,author,agent\n"
TABLES = ("contact", "contact_message", "contact_import", "audit_event")

# Monday 5 January 2026 (GMT: UTC is London's clock), after the handbook is published at 12:00.
CONTACTS = (
    CONTACTS_HEADER
    + "desk,C-1,phone,2026-01-06 09:00:00,E-7,billing,closed,2026-01-06 09:20:00\n"
    + "desk,C-2,email,2026-01-06T10:00:00Z,Bob Ray,refunds,open,\n"
    + "desk,C-3,chat,2026-01-06 11:00:00+01:00,,,,\n"
)
MESSAGES = (
    MESSAGES_HEADER
    + "C-2,2026-01-06 10:00:00,customer,\n"
    + "C-2,2026-01-06 10:01:00,bot,\n"
    + "C-2,2026-01-06 10:20:00,internal,Bob Ray\n"
    + "C-2,2026-01-06 10:30:00,agent,Bob Ray\n"
    + "C-3,2026-01-06 10:00:00,customer,\n"
    + "C-3,2026-01-06 10:05:00,person,E-7\n"
)
UTC = timezone.utc


@pytest.fixture
def staffed(january: Engine) -> Engine:
    """The real handbook published 2026-01-05 12:00 UTC; E-7 Ann Lee and E-8 Bob Ray."""
    add(january, "E-7", name="Ann Lee")
    add(january, "E-8", name="Bob Ray")
    return january


def files(folder: Path, contacts: str, messages: str | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "contacts.csv"]
    paths[0].write_text(contacts, encoding="utf-8")
    if messages is not None:
        paths.append(folder / "messages.csv")
        paths[1].write_text(messages, encoding="utf-8")
    return paths


def run(
    engine: Engine,
    paths: list[Path],
    *,
    keep_good: bool = False,
    dry_run: bool = False,
    profile: str = "generic",
    zone: str = "UTC",
) -> ContactImportResult:
    exported = read_profile(profile, paths, zone)
    digests = [(path.name, hashlib.sha256(path.read_bytes()).hexdigest()) for path in paths]
    return write(
        engine,
        lambda s: import_contacts(
            exported, session=s, actor=ACTOR, profile=profile, files=digests, keep_good=keep_good, dry_run=dry_run
        ),
    )


def some(engine: Engine) -> dict[str, int]:
    every = counts(engine)
    return {name: every[name] for name in TABLES}


def stored(engine: Engine) -> dict[str, tuple[dict[str, Any], list[tuple[datetime, str, int | None]]]]:
    """Every contact's columns and messages, by its key."""
    with read(engine) as session:
        out: dict[str, tuple[dict[str, Any], list[tuple[datetime, str, int | None]]]] = {}
        for contact in session.exec(select(Contact)).all():
            messages = session.exec(
                select(ContactMessage)
                .where(ContactMessage.contact_id == contact.id)
                .order_by(col(ContactMessage.at), col(ContactMessage.id))
            ).all()
            out[f"{contact.source}:{contact.external_id}"] = (
                contact.model_dump(),
                [(m.at, m.author, m.employee_id) for m in messages],
            )
        return out


def test_an_export_is_stored_with_its_measures_and_one_audit_event(staffed: Engine, tmp_path: Path) -> None:
    before = some(staffed)
    result = run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    assert (result.new, result.updated, result.unchanged, result.rejected) == (3, 0, 0, [])
    assert some(staffed) == {
        "contact": before["contact"] + 3,
        "contact_message": before["contact_message"] + 6,
        "contact_import": before["contact_import"] + 1,
        "audit_event": before["audit_event"] + 1,
    }
    with read(staffed) as session:
        (event,) = recent(session, entity="contact_import")
        assert event.seq == result.audit_seq and event.entity_key == str(result.import_id)
        assert verify_chain(session).ok
        assert verify_contacts(session) == []
        email = get_contact(session, "desk:C-2")
        chat = get_contact(session, "desk:C-3")
        phone = get_contact(session, "desk:C-1")
    # The bot's 10:01 reply and the 10:20 note are not first responses; Bob Ray's 10:30 is.
    assert (email.contact.first_response_seconds, email.contact.first_response_state) == (1800, "met")
    assert email.employee == "E-8 Bob Ray"
    assert [author for _, author, _ in email.messages] == ["customer", "automatic", "note", "person"]
    # 11:00+01:00 is 10:00 UTC; a chat answered in 5 minutes misses its 2-minute target.
    assert (chat.contact.first_response_seconds, chat.contact.first_response_state) == (300, "missed")
    assert phone.contact.first_response_state == "not measured"
    assert phone.employee == "E-7 Ann Lee"


ROUND_TRIP_CONTACTS = (
    CONTACTS_HEADER
    # London's clocks go forward at 01:00 GMT on 2026-03-29: 00:30 is GMT, 02:30 is BST.
    + "desk,T-1,email,2026-03-29 00:30:00,,,,\n"
    + "desk,T-2,email,2026-03-29 02:30:00,,,closed,2026-10-25 01:30:00+01:00\n"
    + "desk,T-3,email,2026-07-01 12:00:00.123456-04:00,,,,\n"
)
ROUND_TRIP_MESSAGES = (
    MESSAGES_HEADER
    + "T-2,2026-03-29 02:30:00,customer,\n"
    + "T-2,2026-03-29T04:00:00+02:00,person,E-7\n"
    + "T-3,2026-07-01T16:00:00.123456Z,customer,\n"
    + "T-3,2026-07-01 17:00:00.654321,person,E-8\n"
)


def test_time_zone_aware_values_round_trip(staffed: Engine, tmp_path: Path) -> None:
    """Times are stored as the moments the file states and come back aware UTC, to the
    microsecond, whatever the database session's own time zone (PostgreSQL's is set to New York
    here); a naive time is read on the clocks of the import's zone, across a DST change."""
    run(staffed, files(tmp_path, ROUND_TRIP_CONTACTS, ROUND_TRIP_MESSAGES), zone="Europe/London")
    with read(staffed) as session:
        if staffed.dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'America/New_York'"))
        views = {key: get_contact(session, f"desk:{key}") for key in ("T-1", "T-2", "T-3")}
        rows = {row.key: row for row in list_contacts(session)}
        assert verify_contacts(session) == []
    expected = {
        "T-1": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        "T-2": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        "T-3": datetime(2026, 7, 1, 16, 0, 0, 123456, tzinfo=UTC),
    }
    for key, received in expected.items():
        view = views[key]
        assert view.contact.received_at == received and view.contact.received_at.utcoffset() == timedelta(0)
        assert rows[f"desk:{key}"].received_at == received
        assert rows[f"desk:{key}"].received_at.utcoffset() == timedelta(0)
        for value in (view.contact.first_response_at, view.contact.first_response_due, view.contact.closed_at):
            assert value is None or value.utcoffset() == timedelta(0)
    assert views["T-2"].contact.closed_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert [at for at, _, _ in views["T-2"].messages] == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    ]
    assert views["T-2"].contact.first_response_seconds == 30 * 60
    # 17:00:00.654321 London summer time is 16:00:00.654321 UTC
    assert [at for at, _, _ in views["T-3"].messages] == [
        datetime(2026, 7, 1, 16, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 7, 1, 16, 0, 0, 654321, tzinfo=UTC),
    ]
    assert views["T-3"].contact.first_response_at == datetime(2026, 7, 1, 16, 0, 0, 654321, tzinfo=UTC)
    assert views["T-3"].contact.first_response_seconds == 1  # 0.53 s, stored whole and never shorter


def test_one_bad_row_refuses_the_whole_import_and_writes_nothing(staffed: Engine, tmp_path: Path) -> None:
    bad = CONTACTS + "desk,C-4,pigeon,2026-01-06 12:00:00,,,,\n" + "desk,C-5,email,2026-01-06 12:00:00,E-99,,,\n"
    messages = MESSAGES + "C-2,2026-01-06 09:59:00,customer,\n"  # before C-2 arrived
    before = counts(staffed)
    with pytest.raises(ContactRowErrors) as caught:
        run(staffed, files(tmp_path, bad, messages))
    assert counts(staffed) == before, "a refused import wrote rows"
    located = {(e.file, e.error.row, e.error.column) for e in caught.value.errors}
    assert located == {
        ("messages.csv", 8, "at"),  # the message itself
        ("contacts.csv", 3, "messages"),  # and its contact, left out because of it
        ("contacts.csv", 5, "channel"),  # no such channel
        ("contacts.csv", 6, "agent"),  # not on the roster
    }
    for problem in caught.value.errors:
        assert problem.error.reason.strip() and "\n" not in problem.error.reason
    assert caught.value.field == "file" and "nothing was imported" in caught.value.reason
    assert "\n" not in str(caught.value)


def test_keep_good_writes_the_good_contacts_and_hands_back_the_bad(staffed: Engine, tmp_path: Path) -> None:
    bad = CONTACTS + "desk,C-4,pigeon,2026-01-06 12:00:00,,,,\n" + "desk,C-5,email,not a time,,,,\n"
    before = some(staffed)
    result = run(staffed, files(tmp_path, bad, MESSAGES), keep_good=True)
    assert (result.new, result.updated, result.unchanged) == (3, 0, 0)
    assert sorted((e.error.row, e.error.column) for e in result.rejected) == [(5, "channel"), (6, "received_at")]
    assert some(staffed) == {
        "contact": before["contact"] + 3,
        "contact_message": before["contact_message"] + 6,
        "contact_import": before["contact_import"] + 1,
        "audit_event": before["audit_event"] + 1,
    }
    assert set(stored(staffed)) == {"desk:C-1", "desk:C-2", "desk:C-3"}
    with read(staffed) as session:
        (event,) = recent(session, entity="contact_import")
        record = session.get(ContactImport, result.import_id)
    after = json.loads(event.after or "{}")
    assert (after["new"], after["rejected"]) == (3, 2)
    assert record is not None and (record.new, record.rejected) == (3, 2)


def test_a_dry_run_counts_what_would_change_and_writes_nothing(staffed: Engine, tmp_path: Path) -> None:
    before = counts(staffed)
    result = run(staffed, files(tmp_path, CONTACTS, MESSAGES), dry_run=True)
    assert (result.new, result.updated, result.unchanged, result.dry_run) == (3, 0, 0, True)
    assert (result.import_id, result.audit_seq) == (None, None)
    assert counts(staffed) == before
    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    before = counts(staffed)
    changed = MESSAGES.replace("C-3,2026-01-06 10:05:00", "C-3,2026-01-06 10:01:00")
    again = run(staffed, files(tmp_path / "again", CONTACTS, changed), dry_run=True)
    assert (again.new, again.updated, again.unchanged) == (0, 1, 2)
    assert counts(staffed) == before


def test_the_same_export_again_changes_no_contact(staffed: Engine, tmp_path: Path) -> None:
    """Every contact unchanged, to the last column and message (ids and import included); the one
    trace is the second import's own record and audit event, saying 0 new, 0 updated."""
    paths = files(tmp_path, CONTACTS, MESSAGES)
    first = run(staffed, paths)
    before, kept = some(staffed), stored(staffed)
    again = run(staffed, paths)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert stored(staffed) == kept
    assert all(columns["import_id"] == first.import_id for columns, _ in kept.values())
    assert some(staffed) == {
        **before,
        "contact_import": before["contact_import"] + 1,
        "audit_event": before["audit_event"] + 1,
    }
    with read(staffed) as session:
        events = recent(session, entity="contact_import")
        assert verify_contacts(session) == []
        assert verify_chain(session).ok
    latest = max(events, key=lambda e: e.seq)
    assert latest.seq == again.audit_seq
    after = json.loads(latest.after or "{}")
    assert (after["new"], after["updated"], after["unchanged"]) == (0, 0, 3)
    # The digest covers the contacts written: none this time.
    assert after["contacts_sha256"] == hashlib.sha256().hexdigest()


def test_an_overlapping_export_adds_the_new_updates_the_changed_and_keeps_the_rest(
    staffed: Engine, tmp_path: Path
) -> None:
    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    kept = stored(staffed)
    # C-1 is not in the later export (it stays); C-2 gained a customer reply and an answer; C-3 is
    # the same; C-4 is new.
    later_contacts = (
        CONTACTS_HEADER
        + "desk,C-2,email,2026-01-06T10:00:00Z,Bob Ray,refunds,open,\n"
        + "desk,C-3,chat,2026-01-06 11:00:00+01:00,,,,\n"
        + "desk,C-4,social,2026-01-07 10:00:00,E-7,,,\n"
    )
    later_messages = MESSAGES + "C-2,2026-01-06 11:00:00,customer,\n" + "C-2,2026-01-06 11:30:00,person,E-8\n"
    result = run(staffed, files(tmp_path / "later", later_contacts, later_messages))
    assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
    now = stored(staffed)
    assert set(now) == {"desk:C-1", "desk:C-2", "desk:C-3", "desk:C-4"}
    assert now["desk:C-1"] == kept["desk:C-1"] and now["desk:C-3"] == kept["desk:C-3"]
    columns, messages = now["desk:C-2"]
    assert columns["id"] == kept["desk:C-2"][0]["id"]  # the same contact, updated in place
    assert columns["import_id"] == result.import_id
    assert len(messages) == 6
    # Two gaps now: 10:00 -> 10:30 and 11:00 -> 11:30.
    assert (columns["reply_count"], columns["reply_wait_seconds"]) == (2, 3600)
    assert now["desk:C-4"][0]["import_id"] == result.import_id
    with read(staffed) as session:
        assert verify_contacts(session) == []


def test_a_contact_whose_messages_changed_is_measured_again(staffed: Engine, tmp_path: Path) -> None:
    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    with read(staffed) as session:
        before = get_contact(session, "desk:C-3").contact
    assert (before.first_response_seconds, before.first_response_state) == (300, "missed")
    faster = MESSAGES.replace("C-3,2026-01-06 10:05:00,person,E-7", "C-3,2026-01-06 10:01:30,person,E-8")
    result = run(staffed, files(tmp_path / "faster", CONTACTS, faster))
    assert (result.new, result.updated, result.unchanged) == (0, 1, 2)
    with read(staffed) as session:
        view = get_contact(session, "desk:C-3")
        assert verify_contacts(session) == []
    after = view.contact
    assert (after.first_response_seconds, after.first_response_state) == (90, "met")
    assert after.first_response_at == datetime(2026, 1, 6, 10, 1, 30, tzinfo=UTC)
    assert after.content_hash != before.content_hash
    assert [(author, who) for _, author, who in view.messages] == [("customer", None), ("person", "E-8 Bob Ray")]
    # The reply dropped altogether: the contact is pending (no reply by a person) again.
    unanswered = "\n".join(line for line in MESSAGES.splitlines() if not line.startswith("C-3,2026-01-06 10:05")) + "\n"
    run(staffed, files(tmp_path / "unanswered", CONTACTS, unanswered))
    with read(staffed) as session:
        view = get_contact(session, "desk:C-3")
    assert (view.contact.first_response_at, view.contact.first_response_state) == (None, "pending")
    assert len(view.messages) == 1


def test_list_contacts_pages_every_contact_once_newest_first(staffed: Engine, tmp_path: Path) -> None:
    # 23 contacts, several arriving at the same moment: the id breaks the tie.
    rows = [f"desk,P-{n},email,2026-01-{6 + n // 4:02d} 10:{(n % 4) // 2 * 15:02d}:00,,,,\n" for n in range(23)]
    run(staffed, files(tmp_path, CONTACTS_HEADER + "".join(rows)))
    with read(staffed) as session:
        everything = list_contacts(session, limit=1000)
        pages: list[list[str]] = []
        after: tuple[datetime, int] | None = None
        for _ in range(10):  # bounded: a keyset that repeats a row must fail, not loop
            page = list_contacts(session, after=after, limit=5)
            if not page:
                break
            pages.append([row.key for row in page])
            after = (page[-1].received_at, page[-1].id)
        emails = list_contacts(session, channel="email", since=datetime(2026, 1, 8, tzinfo=UTC), limit=1000)
    keys = [key for page in pages for key in page]
    assert len(keys) == 23 and set(keys) == {f"desk:P-{n}" for n in range(23)}
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert keys == [row.key for row in everything]
    order = [(row.received_at, row.id) for row in everything]
    assert order == sorted(order, reverse=True)
    assert len({row.received_at for row in everything}) < 23  # there were ties to break
    assert all(row.received_at >= datetime(2026, 1, 8, tzinfo=UTC) for row in emails)
    assert {row.key for row in emails} == {row.key for row in everything if row.received_at.day >= 8}


def test_verify_contacts_reports_an_edited_message_or_measure(staffed: Engine, tmp_path: Path) -> None:
    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    with read(staffed) as session:
        assert verify_contacts(session) == []
        chat = get_contact(session, "desk:C-3").contact.id
        email = get_contact(session, "desk:C-2").contact.id

    def tamper(sql: str, **values: Any) -> None:
        write(staffed, lambda s: s.execute(text(sql), values))

    # A reply moved earlier behind the tracker's back: the stored measures no longer follow.
    tamper(
        "UPDATE contact_message SET at = :at WHERE contact_id = :id AND author = 'person'",
        at=datetime(2026, 1, 6, 10, 1, tzinfo=UTC),
        id=chat,
    )
    with read(staffed) as session:
        (problem,) = verify_contacts(session)
    assert problem.startswith("contact desk:C-3:") and "edited behind the tracker's back" in problem
    tamper(
        "UPDATE contact_message SET at = :at WHERE contact_id = :id AND author = 'person'",
        at=datetime(2026, 1, 6, 10, 5, tzinfo=UTC),
        id=chat,
    )
    with read(staffed) as session:
        assert verify_contacts(session) == []
    # A stored first-response time made better than it was.
    tamper("UPDATE contact SET first_response_seconds = 60 WHERE id = :id", id=email)
    with read(staffed) as session:
        (problem,) = verify_contacts(session)
    assert problem.startswith("contact desk:C-2:") and "first_response_seconds" in problem
    tamper("UPDATE contact SET first_response_seconds = 1800 WHERE id = :id", id=email)
    # A fact the measures do not read (the topic) changed: the content hash tells.
    tamper("UPDATE contact SET topic = 'other' WHERE id = :id", id=email)
    with read(staffed) as session:
        (problem,) = verify_contacts(session)
    assert problem.startswith("contact desk:C-2:") and "hash" in problem
    tamper("UPDATE contact SET topic = 'refunds' WHERE id = :id", id=email)
    # A note relabelled as a person's reply changes the first response too.
    tamper("UPDATE contact_message SET author = 'person' WHERE contact_id = :id AND author = 'note'", id=email)
    with read(staffed) as session:
        (problem,) = verify_contacts(session)
    assert problem.startswith("contact desk:C-2:")


# The speed page's email row, and the same with a one-hour target.
EMAIL_ROW = "| Email and web form | 24 hours | calendar |"
FASTER_EMAIL_ROW = "| Email and web form | 1 hour | calendar |"
SECOND_PUBLISHED_AT = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def test_the_handbook_version_in_force_when_a_contact_arrived_measures_it(
    staffed: Engine, handbook: Handbook, tmp_path: Path
) -> None:
    first = handbook.label
    year, _, number = first.rpartition(".")
    second = f"{year}.{int(number) + 1}"
    v2 = edited_handbook(tmp_path / "v2", second, [("speed.md", EMAIL_ROW, FASTER_EMAIL_ROW)])
    write(staffed, lambda s: publish(v2, session=s, actor=ACTOR, now=SECOND_PUBLISHED_AT))
    # Each email is answered two hours after it arrived: met under 24 hours, missed under 1 hour.
    contacts = (
        CONTACTS_HEADER
        + "desk,V-0,email,2026-01-02 09:00:00,,,,\n"  # before the first version: the first applies
        + "desk,V-1,email,2026-01-20 09:00:00,,,,\n"  # under the first
        + "desk,V-2,email,2026-02-01 11:59:59,,,,\n"  # a second before the second
        + "desk,V-3,email,2026-02-01 12:00:00,,,,\n"  # the moment the second is published
        + "desk,V-4,email,2026-02-10 09:00:00,,,,\n"  # under the second
    )
    messages = MESSAGES_HEADER + "".join(
        f"V-{n},{at},person,E-7\n"
        for n, at in enumerate(
            [
                "2026-01-02 11:00:00",
                "2026-01-20 11:00:00",
                "2026-02-01 13:59:59",
                "2026-02-01 14:00:00",
                "2026-02-10 11:00:00",
            ]
        )
    )
    run(staffed, files(tmp_path, contacts, messages))
    with read(staffed) as session:
        labels = {v.id: v.label for v in session.exec(select(HandbookVersion)).all()}
        views = {n: get_contact(session, f"desk:V-{n}") for n in range(5)}
        assert verify_contacts(session) == []
    assert {n: (labels[v.contact.version_id], v.version) for n, v in views.items()} == {
        0: (first, first),
        1: (first, first),
        2: (first, first),
        3: (second, second),
        4: (second, second),
    }
    assert {n: v.contact.first_response_state for n, v in views.items()} == {
        0: "met",
        1: "met",
        2: "met",
        3: "missed",
        4: "missed",
    }
    assert views[1].contact.first_response_due == datetime(2026, 1, 21, 9, 0, tzinfo=UTC)
    assert views[4].contact.first_response_due == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
    assert views[4].channel.code == "email"


def test_no_published_handbook_refuses_the_import(engine: Engine, tmp_path: Path) -> None:
    before = counts(engine)
    with pytest.raises(NoVersionPublished):
        run(engine, files(tmp_path, CONTACTS_HEADER + "desk,C-1,phone,2026-01-06 09:00:00,,,,\n"))
    assert counts(engine) == before


def test_get_contact_names_a_missing_or_malformed_key(staffed: Engine, tmp_path: Path) -> None:
    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    with read(staffed) as session:
        for key, field in (("desk:C-404", "contact"), ("no-colon", "contact"), ("desk:", "contact")):
            with pytest.raises(InputError) as caught:
                get_contact(session, key)
            assert caught.value.field == field and "\n" not in caught.value.reason


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda text: text.replace("C-2,2026-01-06 10:20:00", "C-2,2026-01-06 10:\x0020:00"), id="NUL"),
        pytest.param(lambda text: text.replace("internal", "intérnal").encode("latin-1"), id="latin-1"),
        pytest.param(lambda text: text.replace("author", "written_by"), id="missing column"),
    ],
)
def test_keep_good_refuses_a_file_it_cannot_read_whole(staffed: Engine, tmp_path: Path, spoil: Any) -> None:
    """A messages file that cannot be read to its end (or at all) loses messages of contacts whose
    own rows are good: imported without them they would be measured wrongly (C-2 pending, not
    met). Even with rejects asked for, nothing is written."""
    paths = files(tmp_path, CONTACTS, MESSAGES)
    spoilt = spoil(MESSAGES)
    paths[1].write_bytes(spoilt if isinstance(spoilt, bytes) else spoilt.encode("utf-8"))
    before = counts(staffed)
    with pytest.raises(ContactRowErrors) as caught:
        run(staffed, paths, keep_good=True)
    assert counts(staffed) == before
    assert any(e.file == "messages.csv" for e in caught.value.errors)


def test_every_stored_contact_can_be_found_by_its_listed_key(staffed: Engine, tmp_path: Path) -> None:
    """``contacts show SOURCE:ID`` takes the key ``contacts list`` gives. A source holding ':'
    would make that key ambiguous, so it is a row error; an ID may hold ':' (the first one splits)."""
    contacts = CONTACTS_HEADER + "desk,urn:x:1,email,2026-01-06 09:00:00,,,,\n"
    run(staffed, files(tmp_path, contacts))
    with read(staffed) as session:
        for row in list_contacts(session):
            assert get_contact(session, row.key).contact.id == row.id
    before = counts(staffed)
    with pytest.raises(ContactRowErrors) as caught:
        run(staffed, files(tmp_path / "colon", CONTACTS_HEADER + "phone:system,C-1,email,2026-01-06 09:00:00,,,,\n"))
    assert [(e.error.row, e.error.column) for e in caught.value.errors] == [(2, "source")]
    assert counts(staffed) == before


def test_a_contact_cannot_be_deleted_and_one_taken_out_is_reported(staffed: Engine, tmp_path: Path) -> None:
    """A missed contact taken out would raise every rate it counted in: the database refuses the
    DELETE, and with its triggers dropped, verify counts the contacts against the imports on the
    audit chain and says how many are missing."""
    from sqlalchemy.exc import DBAPIError

    from tracker.db import triggers

    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    with pytest.raises(DBAPIError, match="contact"):
        write(staffed, lambda s: s.execute(text("DELETE FROM contact WHERE external_id = 'C-3'")))
    with read(staffed) as session:
        assert verify_contacts(session) == []
    with staffed.begin() as connection:
        for drop in triggers.drop_service_statements(staffed.dialect.name):
            connection.exec_driver_sql(drop)
        connection.execute(
            text("DELETE FROM contact_message WHERE contact_id IN (SELECT id FROM contact WHERE external_id = 'C-3')")
        )
        connection.execute(text("DELETE FROM contact WHERE external_id = 'C-3'"))
    with read(staffed) as session:
        assert verify_contacts(session) == [
            "contacts: 2 stored, but the imports on the audit chain added 3: 1 fewer than imported, "
            "changed behind the tracker's back"
        ]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE contact_import SET profile = 'forged'",
        "DELETE FROM contact_import",
        "UPDATE handbook_service SET standards = '{}'",
        "DELETE FROM handbook_service",
    ],
)
def test_an_import_record_and_the_service_standards_are_append_only(
    staffed: Engine, tmp_path: Path, statement: str
) -> None:
    """What an import recorded, and the standards a version measured by, are refused to any
    connection that would change them (the database's triggers, on both backends)."""
    from sqlalchemy.exc import DBAPIError

    run(staffed, files(tmp_path, CONTACTS, MESSAGES))
    before = some(staffed)
    with pytest.raises(DBAPIError, match="append-only"):
        with staffed.begin() as connection:
            connection.execute(text(statement))
    assert some(staffed) == before
