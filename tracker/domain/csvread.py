"""Reading CSV files people export from spreadsheets and help desks.

Any bytes at all may arrive: the reader never raises on content. Problems come
back as row-numbered errors (the header is row 1, as a spreadsheet shows it),
so an import can refuse the whole file and list every bad row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from tracker.domain.errors import RowError, shown
from tracker.domain.limits import CSV_LINE

MAX_FIELD = 10_000  # characters; longer cells are refused, not truncated
csv.field_size_limit(1_000_000)


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[RowError]
    ignored: list[str]


def normalise_header(name: str) -> str:
    return "_".join(name.strip().strip("\ufeff").lower().replace("-", " ").split())


class _UnreadableLine(Exception):
    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(reason)


_TOO_LONG = (
    f"is longer than {CSV_LINE // 1024} KiB ({CSV_LINE:,} bytes), the longest line a CSV file may have; "
    "is it a CSV file?"
)


def _decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported on the line it is on.

    No line is read past ``limits.CSV_LINE`` bytes (its line ending included): a file with no line
    breaks would otherwise be read whole into memory as one line, and the delimiter sniffer would
    then crawl over all of it (150 MB took 41 s and 520 MB). A longer line is refused by number.
    """
    number = 0
    while raw := stream.readline(CSV_LINE):
        number += 1
        if len(raw) == CSV_LINE and not raw.endswith(b"\n") and stream.read(1):  # more of the same line
            raise _UnreadableLine(number, f"line {number} {_TOO_LONG}")
        if b"\x00" in raw:
            raise _UnreadableLine(number, "is not a text CSV file (it contains NUL bytes)")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _UnreadableLine(number, "is not UTF-8 text; save it as 'CSV UTF-8' and try again") from None
        yield line.removeprefix("\ufeff") if number == 1 else line


def _delimiter(header: str, known: set[str]) -> str:
    """The separator (',', ';' or tab, as spreadsheets in different locales save) that splits the
    header into the most known column names; ',' when none does.

    Not ``csv.Sniffer``: its quote-guessing expressions take seconds on a long hostile line (9 s
    on 64 KiB of ``,;<tab>"``), and the header's own column names say more than a guess.
    """
    best, found = ",", 0
    for candidate in (",", ";", "\t"):
        try:
            names = next(csv.reader([header], delimiter=candidate))
        except (csv.Error, StopIteration):
            continue
        count = sum(1 for name in names if normalise_header(name) in known)
        if count > found:
            best, found = candidate, count
    return best


class CsvStream:
    """Rows of a CSV file one at a time, for files too big to hold in memory.

    ``header_errors`` lists problems with the header (then there are no rows);
    ``rows()`` yields ``(row_number, cells)`` for good rows and ``RowError`` for
    bad ones, and stops at the first undecodable or unreadable byte.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ):
        """Columns that are neither required nor optional are no error: help-desk and HR exports
        carry dozens the tracker has no use for. They are named (normalised, each
        once, blank names left out) in ``ignored``, and their cells are left out of the rows, and so
        are not checked either (a long comment body in an ignored column is not a bad row)."""
        self.required = required
        self.optional = optional
        self.ignored: list[str] = []
        self.header: list[str] = []
        self.header_errors: list[RowError] = []
        self.data_rows = 0
        self._kept: list[int] | None = None  # the columns a row keeps, when some are ignored
        self._lines = _decoded_lines(stream)
        self._reader: Iterator[list[str]] | None = None
        self._open()

    def _open(self) -> None:
        try:
            first = next(self._lines, "")
        except _UnreadableLine as exc:
            self.header_errors.append(RowError(exc.line, "file", exc.reason))
            return
        if not first.strip():
            self.header_errors.append(RowError(1, "file", "is empty; the first row must name the columns"))
            return
        delimiter = _delimiter(first, set(self.required) | set(self.optional))
        try:
            raw_header = next(csv.reader([first], delimiter=delimiter, strict=True))
        except (csv.Error, StopIteration) as exc:
            self.header_errors.append(RowError(1, "header", f"cannot be read ({exc})"))
            return
        header = [normalise_header(name) for name in raw_header]
        known = set(self.required) | set(self.optional)
        missing = [name for name in self.required if name not in header]
        unknown = [name for name in header if name not in known]
        self.ignored = list(dict.fromkeys(name for name in unknown if name))
        self._kept = [index for index, name in enumerate(header) if name in known] if unknown else None
        counted = [name for name in header if name in known]
        duplicated = sorted({name for name in counted if counted.count(name) > 1})
        if missing:
            self.header_errors.append(
                RowError(1, missing[0], f"column is missing (the file needs: {', '.join(self.required)})")
            )
        if duplicated:
            self.header_errors.append(RowError(1, shown(duplicated[0]) or "(blank)", "column appears twice"))
        self.header = header
        if not self.header_errors:
            self._reader = csv.reader(self._lines, delimiter=delimiter, strict=True)

    def rows(self) -> Iterator[tuple[int, dict[str, str]] | RowError]:
        if self._reader is None:
            return
        header = self.header
        width = len(header)
        kept = self._kept
        names = header if kept is None else [header[index] for index in kept]
        row_number = 1
        while True:
            try:
                record = next(self._reader)
            except StopIteration:
                break
            except _UnreadableLine as exc:
                yield RowError(exc.line, "file", exc.reason)
                return
            except csv.Error as exc:
                yield RowError(row_number + 1, "row", f"cannot be read ({exc})")
                return
            row_number += 1  # one spreadsheet row per record, however many lines its quoted cells span
            if not any(cell.strip() for cell in record):
                continue  # blank lines are not rows
            self.data_rows += 1
            if len(record) != width:
                yield RowError(row_number, "row", f"has {len(record)} fields, the header has {width}")
                continue
            if kept is not None:
                record = [record[index] for index in kept]
            too_long = next((name for name, cell in zip(names, record) if len(cell) > MAX_FIELD), None)
            if too_long:
                yield RowError(row_number, too_long, f"is longer than {MAX_FIELD} characters")
                continue
            yield row_number, dict(zip(names, record))


def read_csv(data: bytes, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvTable:
    """A whole (small) CSV file in memory: the roster."""
    stream = CsvStream(io.BytesIO(data), required=required, optional=optional)
    if stream.header_errors:
        return CsvTable(stream.header, [], stream.header_errors, stream.ignored)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    for item in stream.rows():
        if isinstance(item, RowError):
            errors.append(item)
        else:
            rows.append(item)
    if not rows and not errors:
        errors.append(RowError(2, "file", "has a header but no rows"))
    return CsvTable(stream.header, rows, errors, stream.ignored)


def parse_bool(value: str) -> bool | None:
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1", "active"):
        return True
    if text in ("no", "n", "false", "0", "inactive"):
        return False
    return None
