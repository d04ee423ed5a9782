"""Employees and the roster import: all rows or none, every bad row reported."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from tests.conftest import ACTOR, read, write
from tests.storage.conftest import add, counts, refused
from tracker.audit import chain as audit
from tracker.db.models import AuditEvent, Employee
from tracker.domain.errors import ConflictError, NotFound, RowErrors
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate, validate
from tracker.records.employees.commands import add_employee, set_active, update_employee
from tracker.records.employees.queries import EmployeeFilter, count_employees, get_employee, list_employees
from tracker.records.employees.roster import import_roster

HEADER = "number,name,team,hire_date,active\n"


def test_add_employee_is_audited(engine: Engine) -> None:
    add(engine, "e-1042", name="Ann Lee", team="Desk", hire_date="2025-01-10")
    with read(engine) as session:
        employee = get_employee(session, "E-1042")
        assert (employee.name, employee.team, employee.hire_date, employee.active) == (
            "Ann Lee",
            "Desk",
            date(2025, 1, 10),
            True,
        )
        assert employee.created_by == ACTOR
        [event] = audit.recent(session)
        assert (event.action, event.entity, event.entity_key, event.actor) == (
            "employee.add",
            "employee",
            "E-1042",
            ACTOR,
        )


def test_employee_number_is_unique(engine: Engine) -> None:
    add(engine, "E-1")
    data = validate(EmployeeInput, number="e-1", name="Someone Else", team="Desk", hire_date="2025-01-01")
    error = refused(engine, lambda s: add_employee(data, session=s, actor=ACTOR), "number")
    assert "E-1 already belongs to another employee" in error.reason


def test_unknown_employee_names_the_field(engine: Engine) -> None:
    with read(engine) as session, pytest.raises(NotFound) as caught:
        get_employee(session, "E-404")
    assert caught.value.field == "employee"
    assert "E-404" in caught.value.reason


def test_update_with_a_stale_revision_is_a_conflict_and_changes_nothing(engine: Engine) -> None:
    add(engine, "E-1", team="Desk")
    # Two supervisors open revision 1; the first saves.
    write(
        engine,
        lambda s: update_employee("E-1", EmployeeUpdate(team="Phone"), session=s, actor="first", expected_revision=1),
    )
    before = counts(engine)
    with pytest.raises(ConflictError) as caught:
        write(
            engine,
            lambda s: update_employee(
                "E-1", EmployeeUpdate(team="Email"), session=s, actor="second", expected_revision=1
            ),
        )
    assert "employee E-1 was changed by first" in str(caught.value)
    assert "nothing was saved" in str(caught.value)
    assert counts(engine) == before
    with read(engine) as session:
        employee = get_employee(session, "E-1")
        assert (employee.team, employee.revision, employee.updated_by) == ("Phone", 2, "first")


def test_update_without_a_change_writes_nothing(engine: Engine) -> None:
    add(engine, "E-1", team="Desk")
    before = counts(engine)
    employee = write(engine, lambda s: update_employee("E-1", EmployeeUpdate(team="Desk"), session=s, actor=ACTOR))
    assert employee.revision == 1
    assert counts(engine) == before


def test_deactivate_keeps_the_employee_and_refuses_twice(engine: Engine) -> None:
    add(engine, "E-1")
    write(engine, lambda s: set_active("E-1", False, session=s, actor=ACTOR))
    error = refused(engine, lambda s: set_active("E-1", False, session=s, actor=ACTOR), "active")
    assert error.reason == "employee E-1 is already inactive"
    with read(engine) as session:
        assert get_employee(session, "E-1").active is False
        assert count_employees(session, EmployeeFilter(active=None)) == 1
        assert count_employees(session) == 0


def test_list_employees_pages_by_name(engine: Engine) -> None:
    for number, name in [("E-3", "Cy"), ("E-1", "Ann"), ("E-2", "Bob"), ("E-4", "Bob")]:
        add(engine, number, name=name)
    with read(engine) as session:
        first = list_employees(session, limit=2)
        second = list_employees(session, after=(first[-1].name, first[-1].id or 0), limit=2)
        assert [e.number for e in first + second] == ["E-1", "E-2", "E-4", "E-3"]
        assert [e.number for e in list_employees(session, EmployeeFilter(search="bo"))] == ["E-2", "E-4"]
        assert [e.number for e in list_employees(session, EmployeeFilter(search="e-3"))] == ["E-3"]


@pytest.mark.parametrize("typed", ["zoe", "ZOË", "angstrom", "Ångström", "ÅNGSTRÖM", "oë ång", "100_%"])
def test_search_ignores_accents_and_case_on_either_backend(engine: Engine, typed: str) -> None:
    """Issue 15: "zoe" did not find Zoë, and on SQLite "Ångström" did not find Ångström (its lower()
    lowers ASCII only). A LIKE wildcard typed is still a literal character."""
    add(engine, "E-1", name="Zoë Ångström")
    add(engine, "E-2", name="Zoe Angstrom 100_%")
    add(engine, "E-3", name="Ann Lee")
    with read(engine) as session:
        found = [e.number for e in list_employees(session, EmployeeFilter(search=typed))]
    # Ordered by name: "Zoe …" before "Zoë …"; Ann Lee matches nothing typed here.
    assert found == (["E-2"] if typed == "100_%" else ["E-2", "E-1"])


# --- roster import ------------------------------------------------------------------


def _roster(rows: int, bad: dict[int, str] | None = None) -> bytes:
    """``rows`` data rows; ``bad`` replaces the given 1-based data rows."""
    lines = [HEADER]
    for index in range(1, rows + 1):
        lines.append(
            (bad or {}).get(index)
            or f"E-{index:05d},Person {index},Team {index % 7},2024-01-{index % 28 + 1:02d},yes\n"
        )
    return "".join(lines).encode()


def _import(engine: Engine, data: bytes):  # type: ignore[no-untyped-def]
    return write(engine, lambda s: import_roster(data, session=s, actor=ACTOR))


def test_ten_thousand_rows_with_three_bad_rows_import_nothing_and_report_all_three(engine: Engine) -> None:
    data = _roster(
        10_000,
        {
            17: "E-00017,Person 17,Desk,2024-02-30,yes\n",  # spreadsheet row 18: no such date
            5000: "E-05000,,Desk,2024-01-01,yes\n",  # row 5001: no name
            9999: "E-09999,Person 9999,Desk,2024-01-01,sometimes\n",  # row 10000: active is not yes/no
        },
    )
    before = counts(engine)
    with pytest.raises(RowErrors) as caught:
        _import(engine, data)
    assert [(e.row, e.column) for e in caught.value.errors] == [(18, "hire_date"), (5001, "name"), (10000, "active")]
    assert caught.value.errors[1].reason == "is required"
    assert caught.value.errors[2].reason == "'sometimes' must be yes or no"
    assert caught.value.field == "file"
    assert "3 of 10000 rows are invalid, nothing was imported" in str(caught.value)
    assert counts(engine) == before


def test_import_adds_then_reimport_changes_nothing(engine: Engine) -> None:
    data = _roster(30)
    result = _import(engine, data)
    assert (len(result.added), len(result.updated), result.unchanged) == (30, 0, 0)
    after_first = counts(engine)
    assert after_first["employee"] == 30
    assert after_first["audit_event"] == 30
    again = _import(engine, data)
    assert (len(again.added), len(again.updated), again.unchanged) == (0, 0, 30)
    assert counts(engine) == after_first  # no new audit events either


def test_a_changed_row_updates_that_employee_by_number(engine: Engine) -> None:
    _import(engine, _roster(5))
    changed = _roster(5, {3: "E-00003,Person Three,Night shift,2024-01-04,no\n"})
    result = _import(engine, changed)
    assert (result.added, result.updated, result.unchanged) == ([], ["E-00003"], 4)
    with read(engine) as session:
        employee = get_employee(session, "E-00003")
        assert (employee.name, employee.team, employee.active, employee.revision) == (
            "Person Three",
            "Night shift",
            False,
            2,
        )
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity_key == "E-00003").order_by(AuditEvent.seq)
        ).all()
        assert [e.action for e in events] == ["employee.add", "employee.import-update"]


def test_import_can_add_an_employee_who_already_left(engine: Engine) -> None:
    _import(engine, (HEADER + "E-1,Ann Lee,Desk,2020-01-01,no\n").encode())
    with read(engine) as session:
        assert get_employee(session, "E-1").active is False
    before = counts(engine)
    _import(engine, (HEADER + "E-1,Ann Lee,Desk,2020-01-01,no\n").encode())
    assert counts(engine) == before


def test_a_roster_with_a_bad_header_imports_nothing(engine: Engine) -> None:
    before = counts(engine)
    with pytest.raises(RowErrors) as caught:
        _import(engine, b"number,name,hire_date\nE-1,Ann,2020-01-01\n")
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "team")]
    assert counts(engine) == before


def test_rows_of_a_failed_import_leave_existing_employees_untouched(engine: Engine) -> None:
    _import(engine, _roster(3))
    before = counts(engine)
    with read(engine) as session:
        rows_before = sorted((e.number, e.name, e.team, e.revision) for e in session.exec(select(Employee)).all())
    with pytest.raises(RowErrors):
        _import(engine, _roster(4, {1: "E-00001,Renamed,Desk,2024-01-02,yes\n", 4: "E-00004,Dee,Desk,never,yes\n"}))
    assert counts(engine) == before
    with read(engine) as session:
        assert (
            sorted((e.number, e.name, e.team, e.revision) for e in session.exec(select(Employee)).all()) == rows_before
        )
