"""Reading roster CSV files people export from spreadsheets; spreadsheet-safe export."""

from __future__ import annotations

import pytest

from tracker.domain.csvread import MAX_FIELD, read_csv
from tracker.domain.csvsafe import neutralise
from tracker.domain.roster import parse_roster

HEADER = "number,name,team,hire_date\n"


def errors_of(data: bytes) -> list[tuple[int, str, str]]:
    rows, errors, _total, _ignored = parse_roster(data)
    return [(e.row, e.column, e.reason) for e in errors]


def test_a_clean_roster() -> None:
    rows, errors, total, _ignored = parse_roster(
        (HEADER + "e-1,Ann Lee,Desk,2025-01-10\nE-2,Bob Ray,Phone,2026-01-01\n").encode()
    )
    assert errors == []
    assert total == 2
    assert [(r.row, r.employee.number, r.employee.name, r.active) for r in rows] == [
        (2, "E-1", "Ann Lee", None),
        (3, "E-2", "Bob Ray", None),
    ]


def test_byte_order_mark_and_header_spelling_are_accepted() -> None:
    data = "\ufeffNumber, Name ,TEAM,Hire Date,Active\r\nE-1,Ann Lee,Desk,2025-01-10,no\r\n".encode("utf-8")
    rows, errors, _, _ignored = parse_roster(data)
    assert errors == []
    assert rows[0].employee.number == "E-1"
    assert rows[0].active is False


def test_semicolon_separated_files_are_read() -> None:
    rows, errors, _, _ignored = parse_roster(b"number;name;team;hire_date\nE-1;Lee, Ann;Desk;2025-01-10\n")
    assert errors == []
    assert rows[0].employee.name == "Lee, Ann"


def test_wrong_encoding_is_reported_with_its_line() -> None:
    data = (HEADER + "E-1,Ann Lee,Desk,2025-01-10\nE-2,Jos\xe9 Ruiz,Desk,2025-01-10\n").encode("latin-1")
    assert errors_of(data) == [(3, "file", "is not UTF-8 text; save it as 'CSV UTF-8' and try again")]


def test_binary_file_is_refused() -> None:
    assert errors_of(b"PK\x03\x04\x00\x00binary") == [(1, "file", "is not a text CSV file (it contains NUL bytes)")]


def test_empty_file_and_header_only() -> None:
    assert errors_of(b"") == [(1, "file", "is empty; the first row must name the columns")]
    assert errors_of(HEADER.encode()) == [(2, "file", "has a header but no rows")]


def test_missing_column() -> None:
    assert errors_of(b"number,name,hire_date\nE-1,Ann,2025-01-10\n") == [
        (1, "team", "column is missing (the file needs: number, name, team, hire_date)")
    ]


def test_extra_columns_are_ignored_and_named() -> None:
    rows, errors, _, ignored = parse_roster(b"number,name,Salary,team,hire_date,\nE-1,Ann,100,Desk,2025-01-10,x\n")
    assert errors == []
    assert [(r.employee.number, r.employee.team) for r in rows] == [("E-1", "Desk")]  # read past the stray one
    assert ignored == ["salary"]  # the unnamed last column is left out of the list


def test_duplicate_column() -> None:
    assert errors_of(b"number,name,team,hire_date,Name\nE-1,Ann,Desk,2025-01-10,Ann\n") == [
        (1, "name", "column appears twice")
    ]


def test_ragged_rows_are_reported_by_row_number() -> None:
    data = (HEADER + "E-1,Ann,Desk,2025-01-10\nE-2,Bob,Desk\nE-3,Cy,Desk,2025-01-10,extra\n").encode()
    assert errors_of(data) == [
        (3, "row", "has 3 fields, the header has 4"),
        (4, "row", "has 5 fields, the header has 4"),
    ]


def test_blank_lines_are_skipped_but_keep_spreadsheet_row_numbers() -> None:
    data = (HEADER + "\nE-1,Ann,Desk,2025-01-10\n,,,\n\nE-2,Bob,Desk,not-a-date\n").encode()
    rows, errors, total, _ignored = parse_roster(data)
    assert [r.row for r in rows] == [3]
    assert [(e.row, e.column) for e in errors] == [(6, "hire_date")]
    assert total == 2


def test_rows_are_numbered_as_a_spreadsheet_shows_them_even_with_multi_line_cells() -> None:
    # A quoted cell may hold line breaks (a note typed with Alt+Enter); it is still one spreadsheet row.
    data = (HEADER + 'E-1,"Ann\nM.\nLee",Desk,2024-01-01\nE-2,Bob,Desk,never\nE-3,Cy,Desk,2024-01-01\n').encode()
    rows, errors, total, _ignored = parse_roster(data)
    assert [(e.row, e.column) for e in errors] == [(2, "name"), (3, "hire_date")]
    assert [r.row for r in rows] == [4]
    assert total == 3


def test_bad_cells_name_row_and_column() -> None:
    data = (
        HEADER + "E-1,Ann,Desk,2025-01-10\nE 2,Bob,Desk,2025-01-10\nE-3,,Desk,2025-01-10\nE-4,Dee,Desk,2025-02-30\n"
    ).encode()
    errors = errors_of(data)
    assert [(row, column) for row, column, _ in errors] == [(3, "number"), (4, "name"), (5, "hire_date")]
    assert (
        errors[0][2]
        == "'E 2' is not an employee number: use 1–32 letters, digits, '.', '_' or '-', starting with a letter or digit"
    )
    assert errors[1][2] == "is required"


def test_active_must_be_yes_or_no() -> None:
    data = b"number,name,team,hire_date,active\nE-1,Ann,Desk,2025-01-10,maybe\n"
    assert errors_of(data) == [(2, "active", "'maybe' must be yes or no")]


def test_a_number_twice_in_one_file() -> None:
    data = (HEADER + "E-1,Ann,Desk,2025-01-10\ne-1,Ann Again,Desk,2025-01-10\n").encode()
    assert errors_of(data) == [(3, "number", "E-1 is already on row 2")]


def test_overlong_cell_is_refused_not_truncated() -> None:
    data = (HEADER + f"E-1,{'A' * (MAX_FIELD + 1)},Desk,2025-01-10\n").encode()
    assert errors_of(data) == [(2, "name", f"is longer than {MAX_FIELD} characters")]


def test_unreadable_quoting_is_reported() -> None:
    table = read_csv(
        (HEADER + 'E-1,"Ann "Lee",Desk,2025-01-10\n').encode(), required=("number", "name", "team", "hire_date")
    )
    assert [(e.row, e.column) for e in table.errors] == [(2, "row")]
    assert table.errors[0].reason.startswith("cannot be read")


# --- spreadsheet formula injection ----------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-1+cmd", "@SUM(A1)", "\tTAB", "\rCR"])
def test_formula_like_cells_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "-3.5", "Ann Lee", "", "C-2026-00001", 42, None])
def test_ordinary_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def test_a_row_with_several_problems_names_each_of_them() -> None:
    """Issue 15: a roster row was refused for its first problem only, so fixing the file took one
    import per problem."""
    data = (HEADER.rstrip("\n") + ",active\n,,,2099-01-01,maybe\nE-1,Ann,Desk,2025-01-10,yes\n").encode()
    assert [(row, column) for row, column, _ in errors_of(data)] == [
        (2, "number"),
        (2, "name"),
        (2, "team"),
        (2, "hire_date"),
        (2, "active"),
    ]
