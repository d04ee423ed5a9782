"""Reading CSV files people export from spreadsheets and help desks.

Any bytes at all may arrive: the reader never raises on content. Problems come
back as row-numbered errors (the header is row 1, as a spreadsheet shows it),
so an import can refuse the whole file and list every bad row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tracker.domain.errors import RowError

MAX_FIELD = 10_000  # characters; longer cells are refused, not truncated
csv.field_size_limit(1_000_000)


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[RowError]


def normalise_header(name: str) -> str:
    return "_".join(name.strip().strip("\ufeff").lower().replace("-", " ").split())


def decode(data: bytes) -> str | RowError:
    if b"\x00" in data:
        return RowError(1, "file", "is not a text CSV file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RowError(line, "file", "is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    return text


def read_csv(data: bytes, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvTable:
    decoded = decode(data)
    if isinstance(decoded, RowError):
        return CsvTable([], [], [decoded])
    if not decoded.strip():
        return CsvTable([], [], [RowError(1, "file", "is empty; the first row must name the columns")])
    try:
        dialect = csv.Sniffer().sniff(decoded.splitlines()[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter, strict=True)
    errors: list[RowError] = []
    try:
        raw_header = next(reader)
    except csv.Error as exc:
        return CsvTable([], [], [RowError(1, "header", f"cannot be read ({exc})")])
    header = [normalise_header(name) for name in raw_header]
    known = set(required) | set(optional)
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in known]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        errors.append(RowError(1, missing[0], f"column is missing (the file needs: {', '.join(required)})"))
    if unknown:
        errors.append(RowError(1, unknown[0] or "(blank)", f"is not a known column (known: {', '.join(required + optional)})"))
    if duplicated:
        errors.append(RowError(1, duplicated[0], "column appears twice"))
    if errors:
        return CsvTable(header, [], errors)
    rows: list[tuple[int, dict[str, str]]] = []
    row_number = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            errors.append(RowError(row_number, "row", f"cannot be read ({exc})"))
            break
        row_number += 1
        if not any(cell.strip() for cell in record):
            continue  # blank lines are not rows
        if len(record) != len(header):
            errors.append(RowError(row_number, "row", f"has {len(record)} fields, the header has {len(header)}"))
            continue
        too_long = next((name for name, cell in zip(header, record) if len(cell) > MAX_FIELD), None)
        if too_long:
            errors.append(RowError(row_number, too_long, f"is longer than {MAX_FIELD} characters"))
            continue
        rows.append((row_number, dict(zip(header, record))))
    if not rows and not errors:
        errors.append(RowError(2, "file", "has a header but no rows"))
    return CsvTable(header, rows, errors)


def parse_bool(value: str) -> bool | None:
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1", "active"):
        return True
    if text in ("no", "n", "false", "0", "inactive"):
        return False
    return None
