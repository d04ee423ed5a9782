"""An employee's file is read in a handful of statements, however many complaints it holds.

Read one complaint at a time (each with its version's standards), the file of an employee with
3,251 complaints took four seconds to open on the demo database (issue 15, major 4). Every view
in the file must still say exactly what the complaint's own page says.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, read, write
from tracker.domain.inputs import ComplaintInput, EmployeeInput, ReplyInput, validate
from tracker.records.complaints.commands import acknowledge, log_complaint
from tracker.records.complaints.queries import get_complaint
from tracker.records.employees.commands import add_employee
from tracker.reporting.employee_file import employee_file

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _complaints(engine: Engine, number: str, count: int, first: int = 0) -> list[str]:
    """``count`` complaints against ``number``: every third cites two rules, every other one is answered."""

    def log(i: int) -> str:
        data = validate(
            ComplaintInput,
            received_at=NOW - timedelta(days=40, hours=i),
            channel=("phone", "email", "chat")[i % 3],
            summary=f"Complaint {i}",
            rule_ids="CON-01,CON-04" if i % 3 == 0 else "",
            employee_number=number,
        )
        ref = write(engine, lambda s: log_complaint(data, session=s, actor=ACTOR, now=NOW)).ref
        if i % 2 == 0:
            reply = ReplyInput(replied_at=NOW - timedelta(days=40, hours=i) + timedelta(minutes=20))
            write(engine, lambda s: acknowledge(ref, reply, session=s, actor=ACTOR, now=NOW))
        return ref

    return [log(i) for i in range(first, first + count)]


def _statements(engine: Engine, number: str) -> int:
    counted = 0

    def count(*_: object) -> None:
        nonlocal counted
        counted += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        with read(engine) as session:
            employee_file(session, number, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counted


def test_the_file_reads_in_as_many_statements_for_40_complaints_as_for_4(published: Engine) -> None:
    for number in ("E-1", "E-2"):
        person = EmployeeInput(number=number, name=f"Person {number}", team="Front desk", hire_date="2020-01-06")
        write(published, lambda s, p=person: add_employee(p, session=s, actor=ACTOR))  # type: ignore[misc]
    _complaints(published, "E-1", 4)
    _complaints(published, "E-2", 40, first=4)
    few, many = _statements(published, "E-1"), _statements(published, "E-2")
    assert many == few, f"{few} statements for 4 complaints, {many} for 40"


def test_each_complaint_in_the_file_is_what_its_own_page_shows(published: Engine) -> None:
    person = EmployeeInput(number="E-1", name="Alex Kim", team="Front desk", hire_date="2020-01-06")
    write(published, lambda s: add_employee(person, session=s, actor=ACTOR))
    refs = _complaints(published, "E-1", 7)
    with read(published) as session:
        record = employee_file(session, "E-1", now=NOW)
        alone = {ref: get_complaint(session, ref, now=NOW) for ref in refs}
    assert sorted(view.complaint.ref for view in record.complaints) == sorted(refs)
    for view in record.complaints:
        own = alone[view.complaint.ref]
        assert (view.rules, view.channel_name, view.target, view.employee_number, view.contact) == (
            own.rules,
            own.channel_name,
            own.target,
            own.employee_number,
            own.contact,
        )
        assert [r.replied_at for r in view.replies] == [r.replied_at for r in own.replies]
        assert view.first_response_seconds == own.first_response_seconds
    cited = [view for view in record.complaints if view.rules]
    assert cited and all([rule for rule, _ in view.rules] == ["CON-01", "CON-04"] for view in cited)
    assert sum(1 for view in record.complaints if view.replies) == 4
