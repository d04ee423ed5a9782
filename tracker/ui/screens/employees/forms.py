"""Forms for employees: add, edit (with conflict handling), export the employee file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tracker.backend import Backend
from tracker.db.models import Employee
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate
from tracker.records.employees import commands as store
from tracker.ui.widgets.form import Field, FormSpec

DATE_HINT = "YYYY-MM-DD"


def _team_hint(teams: list[str]) -> str:
    if not teams:
        return "The team or desk they work in, e.g. Chat"
    shown = ", ".join(teams[:8]) + (f" (and {len(teams) - 8} more)" if len(teams) > 8 else "")
    return f"Existing teams: {shown}"


def add_employee_form(backend: Backend, teams: list[str]) -> FormSpec[Employee]:
    def save(data: dict) -> Employee:
        model = EmployeeInput.model_validate(data)
        return backend.write(lambda s: store.add_employee(model, session=s, actor=backend.actor))

    return FormSpec(
        title="Add an employee",
        intro="Employees are never deleted; someone who leaves is deactivated. "
        "To add many at once, import a roster CSV instead (i on the employees list).",
        fields=[
            Field("number", "Employee number", placeholder="E-1042", hint="Letters, digits, '.', '_' or '-'"),
            Field("name", "Full name"),
            Field("team", "Team", hint=_team_hint(teams)),
            Field("hire_date", "Hire date", hint=DATE_HINT),
        ],
        model=EmployeeInput,
        save=save,
        success=lambda e: f"Added {e.number} {e.name}.",
        save_label="Add employee",
    )


@dataclass
class EditState:
    """The employee as the user last saw it: its revision and the form's fields as text.

    Saving sends only the fields the user changed from these values, and
    expects this revision. After a conflict the screen reloads the employee
    into this state (and into the fields the user had not touched), so saving
    again applies the user's own changes on top of the other supervisor's.
    """

    revision: int
    values: dict[str, str]

    @classmethod
    def of(cls, employee: Employee) -> "EditState":
        return cls(
            employee.revision,
            {"name": employee.name, "team": employee.team, "hire_date": employee.hire_date.isoformat()},
        )


def edit_employee_form(
    backend: Backend,
    employee: Employee,
    teams: list[str],
    *,
    state: EditState,
    on_conflict: Callable[[], object] | None = None,
) -> FormSpec[Employee]:
    number = employee.number

    def save(data: dict) -> Employee:
        EmployeeUpdate.model_validate(data)  # everything shown must be valid
        changed = {name: value for name, value in data.items() if str(value).strip() != state.values.get(name)}
        model = EmployeeUpdate.model_validate(changed)
        expected = state.revision
        return backend.write(
            lambda s: store.update_employee(number, model, session=s, actor=backend.actor, expected_revision=expected)
        )

    return FormSpec(
        title=f"Edit {employee.number} {employee.name}",
        intro="The employee number cannot change: sign-offs and complaints point at it.",
        fields=[
            Field("name", "Full name", value=employee.name),
            Field("team", "Team", value=employee.team, hint=_team_hint(teams)),
            Field("hire_date", "Hire date", value=employee.hire_date.isoformat(), hint=DATE_HINT),
        ],
        model=EmployeeUpdate,
        save=save,
        success=lambda e: f"Saved {e.number} {e.name}.",
        on_conflict=on_conflict,
    )
