"""A CSV line longer than the documented limit is refused early, in bounded memory.

A 150 MB file with no line break once took 41 s and 520 MB before it was refused: the reader
held the whole "line" and the delimiter sniffer read it all. Now a line over
``limits.CSV_LINE`` bytes is refused as soon as the reader has read that much: one line naming
the line number and the limit, exit code 2, nothing imported. Memory is measured with
tracemalloc (what a user notices is the machine not filling up), not with a stopwatch.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Callable

import pytest

from tests.cli.conftest import Runner
from tests.storage.conftest import counts
from tracker.db import engine as db
from tracker.domain import limits
from tracker.domain.complaint_rows import OPTIONAL as COMPLAINT_OPTIONAL
from tracker.domain.complaint_rows import REQUIRED as COMPLAINT_REQUIRED
from tracker.domain.csvread import CsvStream
from tracker.domain.errors import RowError
from tracker.domain.roster import parse_roster

BIG = 20 * 1024 * 1024  # a 20 MB line
MEMORY_CEILING = 5 * 1024 * 1024  # well under the line: the reader never holds it
LIMIT_TEXT = "64 KiB"


def write_big(path: Path, head: bytes, filler: bytes, size: int, tail: bytes = b"\n") -> Path:
    """``head`` then ``size`` bytes of ``filler`` (no line break) then ``tail``, written in chunks."""
    chunk = filler * (1024 * 1024 // len(filler))
    with path.open("wb") as out:
        out.write(head)
        written = 0
        while written < size:
            part = chunk[: size - written]
            out.write(part)
            written += len(part)
        out.write(tail)
    return path


def peak_memory(work: Callable[[], object]) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def stream_errors(path: Path) -> list[RowError]:
    """Read the whole file as the complaint import does; every RowError it reports."""
    with path.open("rb") as stream:
        reader = CsvStream(stream, required=COMPLAINT_REQUIRED, optional=COMPLAINT_OPTIONAL)
        return reader.header_errors + [item for item in reader.rows() if isinstance(item, RowError)]


def test_the_limit_is_64_kib() -> None:
    assert limits.CSV_LINE == 64 * 1024


@pytest.mark.parametrize("filler", [b"a", b"a,", b'"', b";\t"])
def test_a_20_mb_header_line_is_refused_in_bounded_memory(tmp_path: Path, filler: bytes) -> None:
    path = write_big(tmp_path / "big.csv", b"received_at,channel,summary,", filler, BIG)
    errors, peak = peak_memory(lambda: stream_errors(path))
    assert peak < MEMORY_CEILING, f"peak {peak / 1e6:.1f} MB reading a {BIG / 1e6:.0f} MB line"
    assert isinstance(errors, list) and len(errors) == 1
    [error] = errors
    assert (error.row, error.column) == (1, "file")
    assert f"line 1 is longer than {LIMIT_TEXT}" in error.reason and "\n" not in error.reason


def test_a_20_mb_data_line_is_refused_naming_its_line(tmp_path: Path) -> None:
    head = b"received_at,channel,summary\n2025-03-01 10:00,chat,Fine\n2025-03-01 11:00,chat,"
    path = write_big(tmp_path / "big.csv", head, b"x", BIG)
    errors, peak = peak_memory(lambda: stream_errors(path))
    assert peak < MEMORY_CEILING, f"peak {peak / 1e6:.1f} MB"
    assert isinstance(errors, list)
    assert [(e.row, e.column) for e in errors] == [(3, "file")]
    assert f"line 3 is longer than {LIMIT_TEXT}" in errors[0].reason


def test_a_roster_with_a_20_mb_line_is_refused_in_bounded_memory() -> None:
    """The roster arrives as bytes already read (the app's file picker, the command line); the
    reader still never copies the long line."""
    data = b"number,name,team,hire_date\n" + b"E-1," + b"n" * BIG + b",Desk,2024-01-01\n"
    (rows, errors, _, _ignored), peak = peak_memory(lambda: parse_roster(data))  # type: ignore[misc]
    assert peak < MEMORY_CEILING, f"peak {peak / 1e6:.1f} MB"
    assert rows == [] and [(e.row, e.column) for e in errors] == [(2, "file")]
    assert f"line 2 is longer than {LIMIT_TEXT}" in errors[0].reason


def test_a_line_of_exactly_the_limit_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    """The limit counts the line's bytes, its line ending included; spaces around a column name
    are trimmed, so a header padded to exactly the limit is still a good header."""
    header = b"received_at,channel,summary"
    for ending in (b"\n", b"\r\n"):
        exact = header + b" " * (limits.CSV_LINE - len(header) - len(ending)) + ending
        assert len(exact) == limits.CSV_LINE
        path = tmp_path / "edge.csv"
        path.write_bytes(exact + b"2025-03-01 10:00,chat,Fine" + ending)
        assert stream_errors(path) == []
        path.write_bytes(exact[: -len(ending)] + b" " + ending + b"2025-03-01 10:00,chat,Fine" + ending)
        [error] = stream_errors(path)
        assert (error.row, f"line 1 is longer than {LIMIT_TEXT}" in error.reason) == (1, True)
    # The last line needs no line ending: exactly the limit, then the end of the file.
    path.write_bytes(header + b" " * (limits.CSV_LINE - len(header)))
    assert stream_errors(path) == []
    path.write_bytes(header + b" " * (limits.CSV_LINE - len(header) + 1))
    assert [error.row for error in stream_errors(path)] == [1]


def test_the_longest_valid_complaint_row_fits_under_the_limit(tmp_path: Path) -> None:
    """Every text column at its longest, in four-byte characters: a row the tracker would accept is
    never refused for its length."""
    wide = "\U0001f642"
    cells = {
        "received_at": "2025-03-01 10:00:00.000000+00:00",
        "channel": "c" * limits.CHANNEL_CODE,
        "summary": wide * limits.LONG_TEXT,
        "reference": "C-2025-000000001",
        "employee_number": "E" * limits.EMPLOYEE_NUMBER,
        "severity": "medium",
        "urgent": "yes",
        "customer_name": wide * limits.PERSON_NAME,
        "customer_contact": wide * limits.CUSTOMER_CONTACT,
        "first_response_at": "2025-03-01 10:00:00.000000+00:00",
        "status": "dismissed",
        "resolution": wide * limits.LONG_TEXT,
        "dismissal_reason": wide * limits.LONG_TEXT,
        "closed_at": "2025-03-01 10:00:00.000000+00:00",
    }
    line = ",".join(f'"{value}"' for value in cells.values()).encode("utf-8") + b"\r\n"
    assert len(line) < limits.CSV_LINE, len(line)
    path = tmp_path / "wide.csv"
    path.write_bytes(",".join(cells).encode() + b"\n" + line)
    assert stream_errors(path) == []


def test_the_command_line_refuses_a_huge_line_with_one_message(tracker: Runner, tmp_path: Path) -> None:
    assert tracker("handbook", "publish").code == 0
    engine = db.make_engine(tracker.url)
    before = counts(engine)
    for command, head in (
        ("complaints", b"received_at,channel,summary,"),
        ("employees", b"number,name,team,hire_date,"),
    ):
        path = write_big(tmp_path / f"{command}.csv", head, b"a", BIG)
        result = tracker(command, "import", str(path))
        assert result.code == 2, result.err
        lines = [line for line in result.err.splitlines() if line.strip()]
        assert lines == [
            f"{path.name}: row 1, file: line 1 is longer than {LIMIT_TEXT} (65,536 bytes), "
            "the longest line a CSV file may have; is it a CSV file?",
            "error: file: the header row is not usable, nothing was imported; first: row 1, file: line 1 is longer "
            f"than {LIMIT_TEXT} (65,536 bytes), the longest line a CSV file may have; is it a CSV file?",
        ], result.err
        assert counts(engine) == before
    engine.dispose()
