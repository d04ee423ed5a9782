"""Complaint history import: all rows or none, every bad row listed, one audit
event covering the whole file, and an edit behind the tracker's back noticed."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from tests.conftest import ACTOR, read, write
from tests.storage.test_forgery import drop_triggers, intruder
from tracker.audit.chain import recent, verify_chain
from tracker.audit.integrity import verify_imports, verify_records
from tracker.db.models import AuditEvent, Complaint, ComplaintRule
from tracker.domain.errors import RowErrors
from tracker.domain.file_digest import sha256_of_stream
from tracker.domain.inputs import EmployeeInput, ReplyInput
from tracker.records.complaints import commands as complaint_commands
from tracker.records.complaints import queries as complaint_queries
from tracker.records.complaints.importing.bulk import import_complaints
from tracker.records.employees.commands import add_employee

HEADER = "received_at,channel,summary,employee_number,rules,first_response_at,status,resolution,reference\n"
GOOD = (
    HEADER
    + "2025-03-01 10:00,email,Rude reply about an invoice,E-1,CON-01,2025-03-01 12:00,resolved,Apologised,\n"
    + "2025-03-02 11:00,chat,No greeting,E-1,CON-02 CON-04,2025-03-02 11:05,acknowledged,,\n"
    + "2025-03-03 09:00,phone,Kept waiting,,SPD-01,,,,\n"
    + "2025-03-04 09:00,social,Post ignored for a day,,,2025-03-05 09:00,acknowledged,,C-2025-00100\n"
)


@pytest.fixture
def ready(published):  # type: ignore[no-untyped-def]
    write(
        published,
        lambda s: add_employee(
            EmployeeInput(number="E-1", name="Ann Lee", team="Chat", hire_date="2020-01-01"), session=s, actor=ACTOR
        ),
    )
    return published


def _import(engine, data: str, progress=None):  # type: ignore[no-untyped-def]
    raw = data.encode("utf-8")
    return write(
        engine,
        lambda s: import_complaints(
            io.BytesIO(raw),
            session=s,
            actor=ACTOR,
            source="export.csv",
            sha256=sha256_of_stream(io.BytesIO(raw)),
            progress=progress,
        ),
    )


def _counts(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with read(engine) as s:
        return (
            s.exec(select(func.count()).select_from(Complaint)).one(),
            s.exec(select(func.count()).select_from(ComplaintRule)).one(),
            s.exec(select(func.count()).select_from(AuditEvent)).one(),
        )


def test_a_good_file_is_imported_with_one_audit_event(ready) -> None:  # type: ignore[no-untyped-def]
    before = _counts(ready)
    seen: list[int] = []
    result = _import(ready, GOOD, progress=lambda rows, position: seen.append(rows))
    assert result.rows == 4
    assert _counts(ready) == (before[0] + 4, before[1] + 4, before[2] + 1)
    assert seen and seen[-1] == 4
    with read(ready) as s:
        rows = complaint_queries.list_complaints(s, complaint_queries.ComplaintFilter(), limit=10)
        (event,) = recent(s, entity="complaint_import")
        first = complaint_queries.get_complaint(s, "C-2025-00001")
        assert verify_chain(s).ok
        assert verify_records(s) == []
    assert [r.ref for r in rows] == ["C-2025-00100", "C-2025-00003", "C-2025-00002", "C-2025-00001"]
    assert f'"file_sha256":"{result.file_sha256}"' in (event.after or "")
    assert '"rows":4' in (event.after or "")
    # Times read back through the ORM are the times in the file (local time here is UTC).
    assert first.complaint.received_at == datetime(2025, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert first.first_response_seconds == 2 * 3600
    assert first.complaint.status == "resolved" and first.complaint.resolution == "Apologised"
    assert [rule for rule, _ in first.rules] == ["CON-01"]
    # The per-year counter moved past the explicit reference: the next complaint does not collide.
    with read(ready) as s:
        from tracker.records.complaints.commands import next_reference

        assert next_reference(s, 2025) == "C-2025-00101"


def test_bad_rows_are_all_listed_and_nothing_is_imported(ready) -> None:  # type: ignore[no-untyped-def]
    before = _counts(ready)
    bad = (
        HEADER
        + "2025-03-01 10:00,email,Fine row,E-1,CON-01,,,,\n"
        + "2025-13-01 10:00,email,Bad month,,,,,,\n"
        + "2025-03-02 10:00,fax,Unknown channel,,,,,,\n"
        + "2025-03-02 10:00,chat,Unknown employee,E-404,,,,,\n"
        + "2025-03-02 10:00,chat,Resolved without text,,,2025-03-02 10:01,resolved,,\n"
        + "2025-03-02 10:00,chat,Answer before receipt,,,2025-03-02 09:00,,,\n"
        + "2025-03-02 10:00,chat,=cmd(),,XYZ-1,,,,\n"
    )
    with pytest.raises(RowErrors) as caught:
        _import(ready, bad)
    found = [(e.row, e.column) for e in caught.value.errors]
    assert found == [
        (3, "received_at"),
        (4, "channel"),
        (5, "employee_number"),
        (6, "resolution"),
        (7, "first_response_at"),
        (8, "rules"),
    ]
    assert _counts(ready) == before


def test_references_already_used_are_refused(ready) -> None:  # type: ignore[no-untyped-def]
    _import(ready, GOOD)
    before = _counts(ready)
    again = (
        HEADER
        + "2025-04-01 10:00,email,Another,,,,,,C-2025-00100\n"
        + "2025-04-01 11:00,email,Twice,,,,,,C-2025-00200\n"
        + "2025-04-01 12:00,email,Twice again,,,,,,C-2025-00200\n"
    )
    with pytest.raises(RowErrors) as caught:
        _import(ready, again)
    assert [(e.row, e.column, e.reason) for e in caught.value.errors] == [
        (2, "reference", "C-2025-00100 already exists"),
        (4, "reference", "C-2025-00200 is already on row 3"),
    ]
    assert _counts(ready) == before


def test_an_imported_complaint_worked_later_still_verifies(ready) -> None:  # type: ignore[no-untyped-def]
    _import(ready, GOOD)
    write(
        ready,
        lambda s: complaint_commands.acknowledge(
            "C-2025-00003", ReplyInput(replied_at="2025-03-03 09:01"), session=s, actor=ACTOR
        ),
    )
    with read(ready) as s:
        assert verify_records(s) == []


def test_an_imported_complaint_edited_behind_the_trackers_back_is_noticed(ready) -> None:  # type: ignore[no-untyped-def]
    _import(ready, GOOD)
    with ready.begin() as connection:
        connection.execute(text("UPDATE complaint SET summary = 'nothing happened' WHERE ref = 'C-2025-00002'"))
    with read(ready) as s:
        problems = verify_records(s)
    assert len(problems) == 1 and "complaint import" in problems[0] and "no longer match" in problems[0]


@pytest.mark.parametrize(
    ("field", "sql", "postgres_first"),
    [
        (
            "the handbook version it is judged by",
            "UPDATE complaint SET version_id = version_id + 1 WHERE ref = 'C-2025-00002'",
            (
                "ALTER TABLE complaint DROP CONSTRAINT fk_complaint_version_id_channel_handbook_channel",
                "ALTER TABLE complaint DROP CONSTRAINT fk_complaint_version_id_handbook_version",
            ),
        ),
        ("when it was closed", "UPDATE complaint SET closed_at = '2020-01-01 00:00:00' WHERE ref = 'C-2025-00001'", ()),
        ("who logged it", "UPDATE complaint SET created_by = 'mallory' WHERE ref = 'C-2025-00002'", ()),
        (
            "the contact it came from",
            "UPDATE complaint SET contact_id = 1 WHERE ref = 'C-2025-00002'",
            ("ALTER TABLE complaint DROP CONSTRAINT fk_complaint_contact_id_contact",),
        ),
    ],
)
def test_every_field_a_report_reads_is_under_the_import_digest(ready, field, sql, postgres_first) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: an imported complaint has no event of its own, so the digest is all that vouches for it."""
    _import(ready, GOOD)
    run = intruder(ready)
    if ready.dialect.name == "postgresql":
        for statement in postgres_first:
            run(statement)
    run(sql)
    with read(ready) as s:
        problems = verify_records(s)
    assert len(problems) == 1 and "complaint import" in problems[0] and "no longer match" in problems[0], field


def test_an_import_digest_in_an_unknown_format_is_reported_not_trusted(ready) -> None:  # type: ignore[no-untyped-def]
    _import(ready, GOOD)
    drop_triggers(ready)
    intruder(ready)(
        "UPDATE audit_event SET after = replace(after, '\"digest_format\":2', '\"digest_format\":3') "
        "WHERE entity = 'complaint_import'"
    )
    with read(ready) as s:
        problems = verify_imports(s)
    assert len(problems) == 1 and "digest format 3 is not one this tracker knows" in problems[0]
