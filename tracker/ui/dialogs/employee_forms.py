"""Forms for employees: add, edit (with conflict handling), export the employee file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rich.markup import escape

from tracker.domain.errors import InputError
from tracker.domain.inputs import EmployeeInput, EmployeeUpdate
from tracker.storage import employees as store
from tracker.storage.models import Employee
from tracker.storage.printouts import employee_file_html, employee_file_markdown
from tracker.storage.reports import employee_file
from tracker.ui.dialogs.form import Field, FormSpec
from tracker.ui.services import Services

DATE_HINT = "YYYY-MM-DD"


def _team_hint(teams: list[str]) -> str:
    if not teams:
        return "The team or desk they work in, e.g. Chat"
    shown = ", ".join(escape(team) for team in teams[:8]) + (f" (and {len(teams) - 8} more)" if len(teams) > 8 else "")
    return f"Existing teams: {shown}"


def add_employee_form(services: Services, teams: list[str]) -> FormSpec[Employee]:
    def save(data: dict) -> Employee:
        model = EmployeeInput.model_validate(data)
        return services.write(lambda s: store.add_employee(model, session=s, actor=services.actor))

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
        success=lambda e: f"Added {escape(e.number)} {escape(e.name)}.",
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
        return cls(employee.revision, {"name": employee.name, "team": employee.team,
                                       "hire_date": employee.hire_date.isoformat()})


def edit_employee_form(
    services: Services,
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
        return services.write(lambda s: store.update_employee(number, model, session=s, actor=services.actor,
                                                             expected_revision=expected))

    return FormSpec(
        title=f"Edit {escape(employee.number)} {escape(employee.name)}",
        intro="The employee number cannot change: sign-offs and complaints point at it.",
        fields=[
            Field("name", "Full name", value=employee.name),
            Field("team", "Team", value=employee.team, hint=_team_hint(teams)),
            Field("hire_date", "Hire date", value=employee.hire_date.isoformat(), hint=DATE_HINT),
        ],
        model=EmployeeUpdate,
        save=save,
        success=lambda e: f"Saved {escape(e.number)} {escape(e.name)}.",
        on_conflict=on_conflict,
    )


def default_export_path(number: str) -> str:
    return f"~/employee-file-{number}.html"


def export_form(services: Services, number: str) -> FormSpec[Path]:
    """Write the employee file to a path the user types: .md for Markdown, anything else HTML."""

    def check(data: dict) -> dict[str, str]:
        return {} if str(data.get("path") or "").strip() else {"path": "is required"}

    def save(data: dict) -> Path:
        path = Path(str(data["path"]).strip()).expanduser().resolve()
        if path.exists() and not data.get("replace"):
            raise InputError("path", f"{path} already exists; tick 'Replace' or choose another name")
        if path.is_dir():
            raise InputError("path", f"{path} is a folder; add a file name")
        record = services.read(lambda s: employee_file(s, number))
        markdown = path.suffix.lower() in (".md", ".markdown")
        text = employee_file_markdown(record) if markdown else employee_file_html(record)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError("path", f"cannot write {path}: {exc.strerror or exc}") from None
        return path

    return FormSpec(
        title=f"Export the employee file of {number}",
        intro="Everything on record about the employee, in date order, ready to print or file.",
        fields=[
            Field("path", "Write to", value=default_export_path(number),
                  hint="Ends in .html for a printable page, .md for Markdown; ~ is your home folder"),
            Field("replace", "Replace", "bool", placeholder="Replace the file if it already exists"),
        ],
        check=check,
        save=save,
        success=lambda path: f"Employee file written to {escape(str(path))}",
        save_label="Export",
    )
