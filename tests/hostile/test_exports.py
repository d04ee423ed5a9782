"""CSV leaving the tracker is safe to open in a spreadsheet.

A cell starting with =, +, -, @, a tab or a carriage return is run as a formula
by Excel and LibreOffice. Every CSV the tracker writes (the command line's
``--format csv`` and ``storage.exports.csv_text``) prefixes such cells with an
apostrophe; plain text and negative numbers are left alone.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.cli.conftest import Result, Runner
from tests.conftest import ROOT
from tests.hostile.conftest import FORMULAS, hyp
from tracker.cli.main import run
from tracker.domain.csvsafe import neutralise
from tracker.output.tables import cell_text, csv_text

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What a formula or a DDE payload needs; a cell left alone because it is a negative number has none.
FORMULA_CHARS = re.compile(r"[()!|&\"'=@:;,$\[\]{}<>^%*/\\]")
HOSTILE = FORMULAS + (
    "\t=1",
    "\r=1",
    "=",
    "-",
    "+",
    "@",
    "-1",
    "-2.5",
    "-1e5",
    "-0",
    "- 1",
    "--1",
    "-1+1",
    "=1+1\n=2",
    "'=already",
    "plain",
    "",
)


def is_negative_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.startswith("-")


def check_safe_cell(cell: str) -> None:
    """A cell as a spreadsheet would read it: never a formula."""
    if cell.startswith(TRIGGERS):
        assert cell.startswith("-") and is_negative_number(cell), f"formula-like cell left as is: {cell!r}"
        assert not FORMULA_CHARS.search(cell), f"kept as a 'number' but holds formula characters: {cell!r}"


# --- neutralise and csv_text ----------------------------------------------------------------

CELL_TEXT = st.one_of(
    st.text(max_size=40),
    st.tuples(st.sampled_from(TRIGGERS + ("'", " ", "")), st.text(max_size=20)).map("".join),
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
)


@hyp(300)
@given(CELL_TEXT)
def test_neutralise_prefixes_exactly_the_formula_cells(text: str) -> None:
    safe = neutralise(text)
    assert safe in (text, "'" + text)
    check_safe_cell(safe)
    if text.startswith(TRIGGERS) and not is_negative_number(text):
        assert safe == "'" + text
    if not text.startswith(TRIGGERS):
        assert safe == text, "plain text must not change"
    assert neutralise(safe) == safe, "neutralising twice adds nothing"
    # a reader that strips the apostrophe gets the original back
    assert (safe[1:] if safe != text else safe) == text


@hyp(100)
@given(st.one_of(st.floats(max_value=-1e-300, allow_infinity=False), st.integers(max_value=-1)))
def test_negative_numbers_are_left_alone(number: float | int) -> None:
    assert neutralise(str(number)) == str(number)
    assert neutralise(number) == number


@hyp(50)
@given(st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), st.dates(), st.lists(st.integers())))
def test_non_text_values_are_unchanged(value: Any) -> None:
    result = neutralise(value)
    assert result is value or result == value or (result != result and value != value)


VALUES = st.one_of(
    CELL_TEXT,
    st.none(),
    st.booleans(),
    st.integers(),
    st.dates(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.lists(st.sampled_from(HOSTILE + ("CON-01", "a,b")), max_size=3),
)


@hyp(100)
@given(st.lists(st.dictionaries(st.sampled_from(["name", "summary", "team", "n"]), VALUES), max_size=6))
def test_csv_text_round_trips_and_is_safe(rows: list[dict[str, Any]]) -> None:
    columns = ["name", "summary", "team", "n"]
    text = csv_text(columns, rows)
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == columns
    assert len(table) == len(rows) + 1
    for row, out in zip(rows, table[1:]):
        assert out == [neutralise(cell_text(row.get(column))) for column in columns]
        for cell in out:
            check_safe_cell(cell)


def test_csv_text_on_the_named_cells() -> None:
    rows = [{"name": cell, "summary": f"{cell}"} for cell in HOSTILE]
    table = list(csv.DictReader(io.StringIO(csv_text(["name", "summary"], rows), newline="")))
    for cell, out in zip(HOSTILE, table):
        expected = cell if (not cell.startswith(TRIGGERS) or is_negative_number(cell)) else "'" + cell
        assert out["name"] == expected, (cell, out)


# --- the command line's --format csv ----------------------------------------------------------


def as_actor(tracker: Runner, actor: str, *args: str) -> Result:
    """The runner, acting as someone else (the actor is data too: it is in every audit row)."""
    tracker.capsys.readouterr()
    code = run(["--db", tracker.url, "--handbook", str(ROOT / "mkdocs.yml"), "--as", actor, *args])
    captured = tracker.capsys.readouterr()
    return Result(code, captured.out, captured.err)


def csv_rows(tracker: Runner, *command: str) -> list[dict[str, str]]:
    result = tracker(*command, "--format", "csv")
    assert result.code == 0, result.err
    lines = list(csv.reader(io.StringIO(result.out, newline="")))
    for line in lines:
        for cell in line:
            check_safe_cell(cell)
    header, *body = lines
    return [dict(zip(header, line)) for line in body]


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def test_every_csv_list_and_report_neutralises_formula_cells(tracker: Runner, tmp_path: Path) -> None:
    names = [cell for cell in FORMULAS + ("\t=1",) if cell.strip()]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "number,name,team,hire_date\n"
        + "".join(f"E-{i},{quoted(name)},{quoted(name)},2024-01-01\n" for i, name in enumerate(names)),
        encoding="utf-8",
    )
    assert tracker("employees", "import", str(roster)).code == 0
    assert tracker("handbook", "publish").code == 0
    received = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    summaries = [f"{cell} (summary)" if len(cell.strip()) < 3 else cell for cell in names] + ["-2+3 and more"]
    for summary in summaries:
        result = tracker(
            "complaints",
            "log",
            "--channel",
            "chat",
            "--summary",
            summary,
            "--received-at",
            received,
            "--employee",
            "E-0",
            "--customer-name",
            "=cmd()",
            "--customer-contact",
            "@contact",
        )
        assert result.code == 0, result.err
    for i, actor in enumerate(("=cmd()", "@SUM(A1)", "+actor", "-2+3")):
        result = as_actor(
            tracker,
            actor,
            "signoffs",
            "record",
            "--employee",
            f"E-{i}",
            "--signed-on",
            str(date.today()),
            "--method",
            "paper",
            "--filing-ref",
            '=HYPERLINK("x")',
            "--printed-name",
            "@printed",
        )
        assert result.code == 0, result.err
    result = as_actor(
        tracker,
        "=evil()",
        "actions",
        "issue",
        "--employee",
        "E-0",
        "--expectations",
        "=cmd() stop",
        "--follow-up-due",
        str(date.today() + timedelta(days=3)),
    )
    assert result.code == 0, result.err

    employees = csv_rows(tracker, "employees", "list")
    assert {row["name"] for row in employees} == {neutralise(name.strip()) for name in names}
    assert all(row["name"].startswith("'") for row in employees)
    complaints = csv_rows(tracker, "complaints", "list")
    assert sorted(row["summary"] for row in complaints) == sorted("'" + summary.strip() for summary in summaries)
    audit = csv_rows(tracker, "audit", "log", "--limit", "200")
    assert {"'=cmd()", "'@SUM(A1)", "'+actor", "'-2+3", "'=evil()"} <= {row["actor"] for row in audit}
    signoffs = csv_rows(tracker, "signoffs", "list", "--employee", "E-0")
    assert signoffs and all(row["filing_ref"] == '\'=HYPERLINK("x")' for row in signoffs)
    assert all(row["printed_name"] == "'@printed" for row in signoffs)
    teams = csv_rows(tracker, "report", "compliance")
    assert {row["team"] for row in teams} == {neutralise(name.strip()) for name in names}
    for command in (
        ("actions", "list"),
        ("actions", "due"),
        ("signoffs", "pending"),
        ("handbook", "rules"),
        ("handbook", "versions"),
        ("report", "first-response"),
        ("report", "complaints-by-rule"),
        ("report", "complaints-by-month"),
        ("report", "actions"),
    ):
        csv_rows(tracker, *command)  # every cell checked as it is read


def test_a_carriage_return_inside_a_cell_cannot_start_a_formula_row(tracker: Runner) -> None:
    """A summary may hold line breaks. Written with lineterminator="\\n", a cell holding a lone
    carriage return is not quoted, so every reader (Python's csv, Excel, LibreOffice) breaks the
    row there and the text after it starts a new row: '=cmd|...' becomes a live formula."""
    assert tracker("handbook", "publish").code == 0
    received = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    payload = "Rude reply\r=cmd|' /C calc'!A0"
    result = tracker("complaints", "log", "--channel", "email", "--summary", payload, "--received-at", received)
    assert result.code == 0, result.err
    listed = tracker("complaints", "list", "--format", "csv")
    table = list(csv.reader(io.StringIO(listed.out, newline="")))
    assert len(table) == 2, f"one complaint came out as {len(table) - 1} rows: {table}"
    for line in table:
        for cell in line:
            check_safe_cell(cell)
    text = csv_text(["summary"], [{"summary": payload}])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["summary"], [payload]]


def test_generated_complaint_summaries_come_out_neutralised(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    received = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    summaries = st.tuples(
        st.sampled_from(TRIGGERS + ("'", "", " ")),
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=3, max_size=40),
    ).map("".join)

    @hyp(15)
    @given(summaries, st.sampled_from(["=", "+", "@", "-"]))
    def go(summary: str, actor_start: str) -> None:
        result = as_actor(
            tracker,
            actor_start + "someone",
            "complaints",
            "log",
            "--channel",
            "email",
            "--summary",
            summary,
            "--received-at",
            received,
        )
        if result.code != 0:
            assert result.code == 2 and "Traceback" not in result.err and result.err.strip(), result.err
            return
        [row] = csv_rows(tracker, "complaints", "list", "--limit", "1")
        assert row["summary"] == neutralise(summary.strip())
        [event] = csv_rows(tracker, "audit", "log", "--limit", "1")
        assert event["actor"] == "'" + actor_start + "someone"

    go()
