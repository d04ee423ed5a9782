"""Third-party text on a terminal: control characters never reach it raw.

Two promises, tested through the ``tracker`` command as a user runs it:

- Text typed or imported (names, teams, summaries, reasons, notes...) that holds a C0 control
  (other than tab and line breaks), DEL, a C1 control (U+0080-U+009F, e.g. U+009B, a one-byte
  "escape [") or a bidi embedding/override/isolate control (U+202A-U+202E, U+2066-U+2069) is
  refused: exit code 2, one line naming the field and the character, nothing stored.
- Text the tracker echoes (a bad complaint reference, a CSV header or cell, a file name) or
  prints from an older database that still holds such characters comes out escaped (``\\x1b``,
  ``\\u202e``), so nothing can clear the screen, retitle the window or reorder what is shown.

The oracle (which characters are dangerous, what the escape looks like) is written here, not
imported from the tracker.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from tests.cli.conftest import Result, Runner
from tests.cli.test_errors import seed
from tests.hostile.conftest import hyp
from tests.storage.conftest import counts
from tests.ui.conftest import SIZE, make_app
from tracker.db import engine as db

ALLOWED_C0 = {"\t", "\n", "\r"}
REFUSED = tuple(
    [chr(c) for c in range(0x20) if chr(c) not in ALLOWED_C0]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)
# Anything a terminal could act on or that reorders text, as it must never appear in output
# (tab and line breaks aside: multi-line text may hold them, and CSV ends its rows with \r\n).
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same, for a message that must be one line: no line breaks or tabs inside it either.
RAW_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NAMES = {0x1B: "ESCAPE", 0x07: "BELL", 0x9B: "CONTROL SEQUENCE INTRODUCER", 0x202E: "RIGHT-TO-LEFT OVERRIDE"}

# Terminal attacks seen in the wild: retitle the window, clear the screen, recolour, a one-byte CSI,
# a hyperlink, and the "Trojan Source" reordering.
ATTACKS = (
    "\x1b]0;owned\x07",
    "\x1b[2J",
    "\x1b[31mred",
    "\x9b2J",
    "\x1b]8;;http://example.invalid/\x1b\\click\x1b]8;;\x1b\\",
    "abc\u202edcba",
    "\u2066x\u2069",
    "a\x08\x08b",
)


def escaped(char: str) -> str:
    """How a dangerous character reads in a message: \\x1b, \\x9b, \\u202e."""
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def assert_nothing_raw(result: Result) -> None:
    assert not RAW.search(result.out), f"raw control character on stdout: {result.out[:300]!r}"
    assert not RAW.search(result.err), f"raw control character on stderr: {result.err[:300]!r}"


def assert_one_safe_error_line(result: Result) -> str:
    """Exit 2, one line on stderr starting with 'error: ', nothing raw; returns the line."""
    assert result.code == 2, (result.code, result.err)
    assert result.err.startswith("error: ") and result.err.endswith("\n"), result.err
    line = result.err[:-1]
    assert not RAW_IN_LINE.search(line), f"not one clean line: {result.err!r}"
    assert "Traceback" not in result.err + result.out
    assert_nothing_raw(result)
    return line


def table_counts(runner: Runner) -> dict[str, int]:
    engine = db.make_engine(runner.url)
    try:
        return counts(engine)
    finally:
        engine.dispose()


@pytest.fixture
def ready(tracker: Runner, tmp_path: Path) -> Runner:
    """The command-line tests' records, with a sign-off (1) of E-2 too."""
    signed = ("signoffs", "record", "--employee", "E-2", "--signed-on", str(date.today()), "--method", "terminal")
    return seed(tracker, tmp_path, signed)


def complaint_ref(runner: Runner) -> str:
    [complaint] = runner("complaints", "list", "--format", "json").json()
    return str(complaint["ref"])


# --- typed text is refused ----------------------------------------------------------------------

Command = Callable[[str, str], tuple[str, ...]]  # (hostile text, a complaint reference) -> argv
TODAY = str(date.today())
TYPED: tuple[tuple[str, Command], ...] = (
    ("name", lambda t, r: ("employees", "add", "--number", "E-9", "--name", t, "--team", "Desk", "--hire-date", TODAY)),
    ("team", lambda t, r: ("employees", "add", "--number", "E-9", "--name", "Cy", "--team", t, "--hire-date", TODAY)),
    ("name", lambda t, r: ("employees", "update", "E-1", "--name", t)),
    ("team", lambda t, r: ("employees", "update", "E-1", "--team", t)),
    ("summary", lambda t, r: ("complaints", "log", "--channel", "chat", "--summary", t)),
    (
        "customer_name",
        lambda t, r: ("complaints", "log", "--channel", "chat", "--summary", "Rude", "--customer-name", t),
    ),
    (
        "customer_contact",
        lambda t, r: ("complaints", "log", "--channel", "chat", "--summary", "Rude", "--customer-contact", t),
    ),
    ("channel", lambda t, r: ("complaints", "log", "--channel", t, "--summary", "Rude")),
    ("note", lambda t, r: ("complaints", "acknowledge", r, "--note", t)),
    ("note", lambda t, r: ("complaints", "reply", r, "--note", t)),
    ("resolution", lambda t, r: ("complaints", "resolve", r, "--resolution", t)),
    ("reason", lambda t, r: ("complaints", "dismiss", r, "--reason", t)),
    (
        "filing_ref",
        lambda t, r: (
            "signoffs",
            "record",
            "--employee",
            "E-1",
            "--signed-on",
            TODAY,
            "--method",
            "paper",
            "--filing-ref",
            t,
        ),
    ),
    (
        "printed_name",
        lambda t, r: (
            "signoffs",
            "record",
            "--employee",
            "E-1",
            "--signed-on",
            TODAY,
            "--method",
            "terminal",
            "--printed-name",
            t,
        ),
    ),
    ("reason", lambda t, r: ("signoffs", "revoke", "1", "--reason", t)),
    ("expectations", lambda t, r: ("actions", "issue", "--employee", "E-2", "--expectations", t)),
    (
        "gross_misconduct_reason",
        lambda t, r: ("actions", "issue", "--employee", "E-2", "--expectations", "Be kind", "--gross-misconduct", t),
    ),
    (
        "complaint_refs",
        lambda t, r: ("actions", "issue", "--employee", "E-2", "--expectations", "Kind", "--complaints", t),
    ),
    ("text", lambda t, r: ("actions", "respond", "1", "--text", t)),
    ("notes", lambda t, r: ("actions", "follow-up", "1", "--outcome", "improved", "--notes", t)),
    ("effectiveness_check", lambda t, r: ("actions", "close", "1", "--effectiveness-check", t)),
)

WORDS = st.text(st.sampled_from("abcdefghij KLMNO"), min_size=1, max_size=8).map(lambda s: f"x{s}y")


def test_typed_text_with_a_control_or_bidi_character_is_refused_naming_the_field(ready: Runner) -> None:
    ref = complaint_ref(ready)
    before = table_counts(ready)

    @hyp(120)
    @given(case=st.sampled_from(TYPED), char=st.sampled_from(REFUSED), before_text=WORDS, after_text=WORDS)
    def attempt(case: tuple[str, Command], char: str, before_text: str, after_text: str) -> None:
        _, command = case
        typed = before_text + char + after_text
        args = command(typed, ref)
        option = args[args.index(typed) - 1]  # the refusal names the option typed, not the field behind it
        result = ready(*args)
        line = assert_one_safe_error_line(result)
        assert line.startswith(f"error: {option}: contains a control character (U+{ord(char):04X}"), line
        assert result.out == ""
        assert table_counts(ready) == before, "a refused command wrote to the database"

    attempt()


@pytest.mark.parametrize(
    "char, message",
    [
        (
            "\u202e",
            "error: --name: contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE), which could disguise the text",
        ),
        (
            "\x9b",
            "error: --name: contains a control character (U+009B CONTROL SEQUENCE INTRODUCER), "
            "which a terminal could act on",
        ),
        ("\x1b", "error: --name: contains a control character (U+001B ESCAPE), which a terminal could act on"),
    ],
)
def test_the_refusal_names_the_character_and_why(ready: Runner, char: str, message: str) -> None:
    result = ready("employees", "update", "E-1", "--name", f"Ann{char}Lee")
    assert assert_one_safe_error_line(result) == message


def test_tabs_and_line_breaks_stay_allowed_where_they_were(ready: Runner) -> None:
    """Multi-line fields keep their lines and tabs; a name is still one line."""
    result = ready("complaints", "log", "--channel", "chat", "--summary", "First line\nsecond\tline")
    assert result.code == 0, result.err
    summaries = [row["summary"] for row in ready("complaints", "list", "--format", "json").json()]
    assert "First line\nsecond\tline" in summaries
    assert assert_one_safe_error_line(ready("employees", "update", "E-1", "--name", "Ann\nLee")) == (
        "error: --name: must be a single line"
    )


def test_names_in_any_script_are_still_accepted(ready: Runner) -> None:
    """Right-to-left names need no control characters: they are stored as typed."""
    for name in ("سارة علي", "שרה לוי", "Zoë Ñúñez", "山田 太郎"):
        assert ready("employees", "update", "E-1", "--name", name).code == 0
        assert ready("employees", "show", "E-1", "--format", "json").json()["name"] == name


def test_the_acting_name_is_refused_the_same_way(tracker: Runner) -> None:
    result = tracker("--as", "Sup\u202eervisor", "employees", "list")
    line = assert_one_safe_error_line(result)
    assert line.startswith("error: as: ") and "U+202E" in line, line


# --- echoed text is escaped ----------------------------------------------------------------------

# Commands that look up, parse or check a value and quote it back when it is wrong.
ECHOES: tuple[Command, ...] = (
    lambda t, r: ("complaints", "show", t),
    lambda t, r: ("complaints", "acknowledge", t),
    lambda t, r: ("complaints", "investigate", t),
    lambda t, r: ("complaints", "resolve", t, "--resolution", "Refunded"),
    lambda t, r: ("employees", "show", t),
    lambda t, r: ("employees", "deactivate", t),
    lambda t, r: ("report", "employee", t),
    lambda t, r: ("signoffs", "list", "--employee", t),
    lambda t, r: ("signoffs", "revoke", t, "--reason", "wrong person"),  # not a number: a usage error
    lambda t, r: ("actions", "show", t),
    lambda t, r: ("actions", "suggest", "--employee", t),
    lambda t, r: ("handbook", "show", t),
    lambda t, r: ("complaints", "log", "--channel", "chat", "--summary", "Rude", "--rules", t),
    lambda t, r: ("complaints", "log", "--channel", "chat", "--summary", "Rude", "--employee", t),
    lambda t, r: ("complaints", "log", "--channel", "chat", "--summary", "Rude", "--received-at", t),
    lambda t, r: ("complaints", "list", "--from", t),
    lambda t, r: ("complaints", "list", "--status", t),
    lambda t, r: ("complaints", "list", "--format", t),
    lambda t, r: ("complaints", "list", "--" + t),  # an unknown option
    lambda t, r: ("report", "by-month", "--from", "2026-01-01", "--to", t),
)
ECHOED = st.one_of(
    st.sampled_from(ATTACKS),
    st.tuples(WORDS, st.sampled_from(REFUSED + ("\n", "\r", "\t")), WORDS).map("".join),
)


def test_a_bad_value_is_quoted_back_escaped_on_one_line(ready: Runner) -> None:
    ref = complaint_ref(ready)
    before = table_counts(ready)

    @hyp(150)
    @given(command=st.sampled_from(ECHOES), value=ECHOED)
    def attempt(command: Command, value: str) -> None:
        result = ready(*command(value, ref))
        assert_one_safe_error_line(result)
        assert table_counts(ready) == before

    attempt()


def test_a_hostile_complaint_reference_is_shown_escaped(ready: Runner) -> None:
    result = ready("complaints", "show", "\x1b[2Jx")
    assert assert_one_safe_error_line(result) == r"error: complaint: no complaint with reference '\x1b[2Jx'"
    result = ready("complaints", "list", "--format", "\x1b]0;owned\x07")  # a usage error quotes it too
    line = assert_one_safe_error_line(result)
    assert r"'\x1b]0;owned\x07' is not one of 'table', 'json', 'csv'" in line, line


# --- imports: refused cells, escaped echoes ------------------------------------------------------

ROSTER_HEADER = "number,name,team,hire_date"
COMPLAINT_HEADER = "received_at,channel,summary,customer_name,customer_contact,status,first_response_at,resolution"


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def roster_file(folder: Path, name: str, team: str, header: str = ROSTER_HEADER, file_name: str = "r.csv") -> Path:
    path = folder / file_name
    lines = [header, "E-1,Ann Lee,Desk,2024-01-01", f"E-7,{_csv_cell(name)},{_csv_cell(team)},2024-02-01"]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def complaint_file(folder: Path, cells: dict[str, str], header: str = COMPLAINT_HEADER) -> Path:
    received = (datetime.now() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    answered = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    fine = {
        "received_at": received,
        "channel": "chat",
        "summary": "Waited an hour",
        "customer_name": "Dee",
        "customer_contact": "dee@example.invalid",
        "status": "resolved",
        "first_response_at": answered,
        "resolution": "Refunded",
    }
    path = folder / "history.csv"
    rows = [
        ",".join(_csv_cell(value) for value in row.values())
        for row in (fine | {k: "" for k in cells if k not in fine}, fine | cells)
    ]
    path.write_bytes("\n".join([header, *rows, ""]).encode("utf-8"))
    return path


def assert_import_refused(result: Result, row: int, column: str) -> list[str]:
    """Exit 2, every stderr line clean and one problem; the bad row and column are named."""
    assert result.code == 2, (result.code, result.err)
    assert_nothing_raw(result)
    lines = result.err.splitlines()
    assert lines and lines[-1].startswith("error: file: "), result.err
    assert any(f"row {row}, {column}: " in line for line in lines), result.err
    assert "Traceback" not in result.err
    return lines


def check_refused_cell(result: Result, column: str, char: str) -> None:
    """Row 3's cell is refused naming the character; a NUL byte makes the whole file unreadable."""
    if char == "\x00":
        lines = assert_import_refused(result, 3, "file")
        assert any("row 3, file: is not a text CSV file (it contains NUL bytes)" in line for line in lines), lines
        return
    lines = assert_import_refused(result, 3, column)
    assert any(f"contains a control character (U+{ord(char):04X}" in line for line in lines), lines


def test_imported_cells_with_control_characters_are_refused(ready: Runner, tmp_path: Path) -> None:
    before = table_counts(ready)

    @hyp(60)
    @given(
        column=st.sampled_from(("name", "team")),
        char=st.sampled_from(REFUSED),
        around=st.tuples(WORDS, WORDS),
    )
    def roster(column: str, char: str, around: tuple[str, str]) -> None:
        value = around[0] + char + around[1]
        path = roster_file(tmp_path, value if column == "name" else "Desk", value if column == "team" else "Cy")
        check_refused_cell(ready("employees", "import", str(path)), column, char)
        assert table_counts(ready) == before

    @hyp(60)
    @given(
        column=st.sampled_from(("summary", "customer_name", "customer_contact", "resolution")),
        char=st.sampled_from(REFUSED),
        around=st.tuples(WORDS, WORDS),
    )
    def complaints(column: str, char: str, around: tuple[str, str]) -> None:
        path = complaint_file(tmp_path, {column: around[0] + char + around[1]})
        check_refused_cell(ready("complaints", "import", str(path)), column, char)
        assert table_counts(ready) == before

    roster()
    complaints()


def test_hostile_headers_cells_and_file_names_are_echoed_escaped(ready: Runner, tmp_path: Path) -> None:
    before = table_counts(ready)

    @hyp(80)
    @given(attack=st.sampled_from(ATTACKS), where=st.sampled_from(("header", "channel", "employee", "file name")))
    def attempt(attack: str, where: str) -> None:
        if where == "header":
            path = roster_file(tmp_path, "Cy", "Desk", header=ROSTER_HEADER + "," + _csv_cell(attack))
            result = ready("employees", "import", str(path))
        elif where == "file name":
            path = roster_file(tmp_path, "Cy\x1b", "Desk", file_name=attack.replace("/", "") + ".csv")
            result = ready("employees", "import", str(path))
        else:
            column = "channel" if where == "channel" else "employee_number"
            header = COMPLAINT_HEADER + ("" if column == "channel" else ",employee_number")
            cells = {"channel": attack} if column == "channel" else {"employee_number": attack}
            result = ready("complaints", "import", str(complaint_file(tmp_path, cells, header=header)))
        assert result.code == 2, result.err
        assert_nothing_raw(result)
        for line in result.err.splitlines():
            assert not RAW_IN_LINE.search(line), line
        assert table_counts(ready) == before

    attempt()


def test_an_unknown_header_is_named_escaped(ready: Runner, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((ROSTER_HEADER + ",\x1b]0;owned\x07\nE-7,Cy,Desk,2024-02-01,x\n").encode("utf-8"))
    result = ready("employees", "import", str(path))
    assert result.code == 0, result.err
    assert_nothing_raw(result)
    assert r"r.csv: ignored 1 column: \x1b]0;owned\x07" in result.out


def test_refused_rows_in_json_parse_back_and_hold_nothing_raw(ready: Runner, tmp_path: Path) -> None:
    path = roster_file(tmp_path, "Ann\u202eLee", "Desk")
    result = ready("employees", "import", str(path), "--format", "json")
    assert result.code == 2
    assert_nothing_raw(result)
    [error] = json.loads(result.out)["errors"]
    assert error["row"] == 3 and error["column"] == "name"
    assert error["reason"].startswith("contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE)")


# --- records stored before the check display safely ----------------------------------------------

LEGACY_NAME = "Ann\x1b]0;owned\x07 \u202eeeL\x9b2J"
LEGACY_SUMMARY = "Line one\x1b[2J\nline\ttwo \u2066x\u2069\x08"


@pytest.fixture
def legacy(ready: Runner) -> Runner:
    """An older database: an employee name and a complaint's text written before they were checked."""
    engine = db.make_engine(ready.url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE employee SET name = :name WHERE number = 'E-1'"), {"name": LEGACY_NAME})
        connection.execute(
            text(
                "UPDATE complaint SET summary = :summary, customer_name = :name, employee_id = "
                "(SELECT id FROM employee WHERE number = 'E-1')"
            ),
            {"summary": LEGACY_SUMMARY, "name": LEGACY_NAME},
        )
    engine.dispose()
    return ready


@pytest.mark.parametrize(
    "command",
    [
        ("employees", "list"),
        ("employees", "list", "--format", "csv"),
        ("employees", "show", "E-1"),
        ("complaints", "list"),
        ("complaints", "list", "--format", "csv"),
        ("complaints", "show", "{ref}"),
        ("report", "employee", "E-1"),
        ("report", "employee", "E-1", "--format", "html"),
        ("report", "employee", "E-1", "--format", "csv"),
        ("report", "employee", "E-1", "--format", "table"),
        ("signoffs", "pending"),
    ],
)
def test_stored_control_characters_are_printed_escaped(legacy: Runner, command: tuple[str, ...]) -> None:
    ref = complaint_ref(legacy)
    result = legacy(*(part.replace("{ref}", ref) for part in command))
    assert result.code == 0, result.err
    assert_nothing_raw(result)
    assert "\\x1b" in result.out, result.out  # the user sees where the character was


@pytest.mark.parametrize(
    "command, read",
    [
        (("employees", "show", "E-1", "--format", "json"), lambda data, ref: data["name"]),
        (("complaints", "show", "{ref}", "--format", "json"), lambda data, ref: data["summary"]),
        (("employees", "list", "--format", "json"), lambda data, ref: data[0]["name"]),
    ],
)
def test_stored_control_characters_in_json_are_escaped_and_read_back_exactly(
    legacy: Runner, command: tuple[str, ...], read: Callable[[object, str], str]
) -> None:
    ref = complaint_ref(legacy)
    result = legacy(*(part.replace("{ref}", ref) for part in command))
    assert result.code == 0, result.err
    assert_nothing_raw(result)
    stored = read(json.loads(result.out), ref)
    assert stored in (LEGACY_NAME, LEGACY_SUMMARY)


async def test_the_apps_lists_show_stored_control_characters_escaped(legacy: Runner) -> None:
    """The app draws through the terminal too: the employee list (a shared cell helper) shows the
    stored name escaped. (Only the lists that share ``ui/widgets/cells.plain`` so far.)"""
    app = make_app(legacy.url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            drawn = app.export_screenshot()
    finally:
        app.backend.close()
    assert "x1b]0;owned" in drawn, "the stored name is on the list, escaped"
    assert not RAW.search(drawn), sorted(set(RAW.findall(drawn)))


def test_a_stored_name_with_a_control_character_is_not_copied_onto_a_signature(ready: Runner) -> None:
    """E-1's name was stored by an older version with ESC in it: a sign-off without a printed name
    would copy it into the signature record, so the printed name is asked for instead."""
    engine = db.make_engine(ready.url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE employee SET name = 'Ann\x1b]0;owned\x07 Lee' WHERE number = 'E-1'"))
    finally:
        engine.dispose()
    today = str(date.today())
    before = table_counts(ready)
    refused = ready("signoffs", "record", "--employee", "E-1", "--signed-on", today, "--method", "terminal")
    message = assert_one_safe_error_line(refused)
    assert message.startswith(
        "error: --printed-name: the stored name of E-1 contains a control character (U+001B ESCAPE)"
    )
    assert table_counts(ready) == before
    typed = ready(
        "signoffs",
        "record",
        "--employee",
        "E-1",
        "--signed-on",
        today,
        "--method",
        "terminal",
        "--printed-name",
        "Ann Lee",
    )
    assert typed.code == 0, typed.err
