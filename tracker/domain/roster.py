"""The employee roster CSV: columns, row checks, duplicates inside the file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from pydantic import ValidationError

from tracker.domain.csvread import parse_bool, read_csv
from tracker.domain.errors import RowError, shown
from tracker.domain.file_shape import header_problems
from tracker.domain.inputs import EmployeeInput, describe

REQUIRED = ("number", "name", "team", "hire_date")
OPTIONAL = ("active",)


@dataclass(frozen=True)
class RosterRow:
    row: int
    employee: EmployeeInput
    active: bool | None  # None: the file does not say


class ParsedRoster(NamedTuple):
    rows: list[RosterRow]
    errors: list[RowError]
    total: int  # data rows in the file, bad ones included
    ignored: list[str]  # columns a roster does not have (an HR export carries many): named, not read


def parse_roster(data: bytes) -> ParsedRoster:
    """Rows ready to apply and every bad row."""
    table = read_csv(data, required=REQUIRED, optional=OPTIONAL)
    errors = header_problems(table.header, list(table.errors), required=REQUIRED, optional=OPTIONAL)
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        problems: list[RowError] = []  # every problem of the row, so one pass over the file fixes it
        employee: EmployeeInput | None = None
        try:
            employee = EmployeeInput.model_validate({name: cells[name] for name in REQUIRED})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                problems.append(RowError(number, *describe(error)))
        active: bool | None = None
        if "active" in cells and cells["active"].strip():
            active = parse_bool(cells["active"])
            if active is None:
                problems.append(RowError(number, "active", f"'{shown(cells['active'])}' must be yes or no"))
        if problems or employee is None:
            errors.extend(problems)
            continue
        key = employee.number
        if key in seen:
            errors.append(RowError(number, "number", f"{employee.number} is already on row {seen[key]}"))
            continue
        seen[key] = number
        rows.append(RosterRow(number, employee, active))
    errors.sort(key=lambda error: error.row)
    return ParsedRoster(rows, errors, len(table.rows) + sum(1 for e in table.errors if e.row > 1), table.ignored)
