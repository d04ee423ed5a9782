"""A record stored before control characters were refused is shown escaped, never sent raw.

New input with ESC, a C1 control or a bidi override is refused (``domain/text_safety.py``), but a
record written by an older version, or straight into the database, can still hold them. On a
terminal ``ESC ] 0 ; … BEL`` retitles the window, ``ESC [ 2 J`` / U+009B ``2J`` clear it and
U+202E reverses what follows. Here such text is written into every free-text column with SQL
(bypassing the input models), every screen and dialog that shows it is opened, and what would
reach the terminal (the segments the compositor hands the driver, and the SVG screenshot) must
hold none of those characters, while their escapes (``\\x1b``, ``\\u202e``) are visible.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.text import Text
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Input, Select

from tests.conftest import ACTOR, write
from tests.ui.conftest import NOW, SIZE, TODAY, make_app
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import (
    ActionInput,
    CloseInput,
    ComplaintInput,
    EmployeeInput,
    FollowUpInput,
    OutcomeInput,
    ReplyInput,
    ResponseInput,
    RevokeInput,
    SignoffInput,
)
from tracker.domain.text_safety import unsafe_character
from tracker.records.actions.commands import close_action, issue_action, record_follow_up, record_response
from tracker.records.complaints.commands import acknowledge, dismiss, investigate, log_complaint, resolve
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.records.signoffs.commands import record_signoff, revoke_signoff
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.requests import (
    ActionsRequest,
    ComplaintsRequest,
    EmployeesRequest,
    ReportsRequest,
)
from tracker.ui.screens.actions.detail import ActionScreen
from tracker.ui.screens.complaints.detail import ComplaintScreen
from tracker.ui.screens.employees.detail import EmployeeScreen
from tracker.ui.screens.employees.roster_import import RosterImportScreen
from tracker.ui.screens.signoffs.forms import RuleChangesDialog
from tracker.ui.text import as_content, as_text, shown
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.paged_table import PagedTable
from tracker.ui.widgets.text_input import TextInput

# Each value holds what a terminal would act on: OSC retitling (ESC ] … BEL), CSI (ESC [ and its
# one-character form U+009B), a bidi override and an isolate, DEL, a backspace.
NAME = "Old\x1b]0;owned\x07 \u202eeman\x9b2J"
NAME_SHOWN = "Old\\x1b]0;owned\\x07 \\u202eeman\\x9b2J"
TEAM = "Desk\x1b[31m"
TEAM_SHOWN = "Desk\\x1b[31m"
OTHER = "Bea\x1b[5m"  # an employee with no sign-off: records one from the app
SUMMARY = "Summary\x1b[2J"
RESOLUTION = "Fixed\u2066it\u2069"
EXPECTATIONS = "Expect\u009b2J"
STORED = {  # (table, column, row filter) -> value
    ("employee", "name", "number = 'E-7'"): NAME,
    ("employee", "team", "number = 'E-7'"): TEAM,
    ("employee", "updated_by", "number = 'E-7'"): "sup\x1b[8m",
    ("employee", "name", "number = 'E-8'"): OTHER,
    ("signoff", "printed_name", "1 = 1"): "Printed\x1b[1m",
    ("signoff", "filing_ref", "1 = 1"): "file\x7f",
    ("signoff_revocation", "reason", "1 = 1"): "Wrong\x08page",
    ("complaint", "summary", "status = 'dismissed'"): SUMMARY,
    ("complaint", "customer_name", "1 = 1"): "Cy\u202e",
    ("complaint", "customer_contact", "1 = 1"): "cy\x1b[6n",
    ("complaint", "dismissal_reason", "1 = 1"): "Reason\x9d0;x\x9c",
    ("complaint", "resolution", "status = 'resolved'"): RESOLUTION,
    ("complaint", "summary", "status = 'resolved'"): "Second\x1bc",
    ("complaint_reply", "note", "1 = 1"): "note\x1b[3J",
    ("corrective_action", "expectations", "1 = 1"): EXPECTATIONS,
    ("corrective_action", "employee_response", "1 = 1"): "Reply\u202d",
    ("corrective_action", "suggestion_reason", "1 = 1"): "first\x1b[7m",
    ("corrective_action", "effectiveness_check", "status = 'closed'"): "Better\x85",
    ("follow_up", "notes", "1 = 1"): "Notes\x1b[K",
}
APPEND_ONLY = ("signoff", "signoff_revocation", "complaint_reply", "follow_up")


def _seed(engine: Engine, handbook: Handbook) -> tuple[str, str, int, int]:
    """Two employees, sign-offs (one revoked), a dismissed and a resolved complaint, an open and a
    closed action, made through the commands; then every free-text column rewritten with SQL."""
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=NOW - timedelta(days=30)))
    for number in ("E-7", "E-8"):
        data = EmployeeInput(number=number, name="Ann", team="Desk", hire_date="2024-01-01")
        write(engine, lambda s, data=data: add_employee(data, session=s, actor=ACTOR))

    def sign() -> Any:
        data = SignoffInput(employee_number="E-7", signed_on=TODAY, method="paper", filing_ref="file")
        return write(engine, lambda s: record_signoff(data, session=s, actor=ACTOR, now=NOW))

    first = sign()
    write(engine, lambda s: revoke_signoff(first.id, RevokeInput(reason="wrong"), session=s, actor=ACTOR, now=NOW))
    sign()
    refs = []
    for _ in range(2):
        received = NOW - timedelta(hours=3)
        data = ComplaintInput(
            received_at=received,
            channel="email",
            summary="Summary",
            employee_number="E-7",
            customer_name="Cy",
            customer_contact="cy",
            rule_ids=("CON-01",),
        )
        ref = write(engine, lambda s, data=data: log_complaint(data, session=s, actor=ACTOR, now=NOW)).ref
        reply = ReplyInput(replied_at=received + timedelta(minutes=5), note="note")
        write(engine, lambda s, ref=ref, reply=reply: acknowledge(ref, reply, session=s, actor=ACTOR, now=NOW))
        write(engine, lambda s, ref=ref: investigate(ref, session=s, actor=ACTOR, now=NOW))
        refs.append(ref)
    outcome = OutcomeInput(text="Reason")
    write(engine, lambda s: dismiss(refs[0], outcome, session=s, actor=ACTOR, now=NOW))
    write(engine, lambda s: resolve(refs[1], outcome, session=s, actor=ACTOR, now=NOW))
    ids = []
    for issued, outcome in ((TODAY - timedelta(days=40), "more_time"), (TODAY - timedelta(days=20), "improved")):
        data = ActionInput(employee_number="E-7", expectations="Expect", issued_on=issued, rule_ids=("CON-01",))
        action_id = write(engine, lambda s, data=data: issue_action(data, session=s, actor=ACTOR, now=NOW)).id or 0
        response = ResponseInput(text="Reply")
        write(engine, lambda s, a=action_id, r=response: record_response(a, r, session=s, actor=ACTOR, now=NOW))
        later = TODAY + timedelta(days=7) if outcome == "more_time" else None
        follow = FollowUpInput(held_on=TODAY, outcome=outcome, notes="Notes", new_due_date=later)
        write(engine, lambda s, a=action_id, f=follow: record_follow_up(a, f, session=s, actor=ACTOR, now=NOW))
        ids.append(action_id)
    closing = CloseInput(closed_on=TODAY, effectiveness_check="Better")
    write(engine, lambda s: close_action(ids[1], closing, session=s, actor=ACTOR, now=NOW))
    with engine.begin() as connection:  # behind the tracker's back: no input model, no audit event
        for table in APPEND_ONLY:
            connection.execute(sql(f"DROP TRIGGER IF EXISTS {table}_no_update"))
        for (table, column, where), value in STORED.items():
            updated = connection.execute(sql(f"UPDATE {table} SET {column} = :value WHERE {where}"), {"value": value})
            assert updated.rowcount >= 1, (table, column, where)
    return refs[0], refs[1], ids[0], ids[1]


# --- what reaches the terminal -----------------------------------------------------------


def terminal_text(app: Any) -> str:
    """The text of every segment the compositor would send for the whole screen (dialogs and the
    screens under them), the way the driver gets it: no style, no cursor moves."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines = []
    for strips in update.strips:
        lines.append("".join(segment.text for strip in strips for segment in strip if not segment.control))
    return "\n".join(lines)


def assert_nothing_raw(app: Any, *escaped: str) -> str:
    """No refused character on screen (nor in the screenshot); each of ``escaped`` shown."""
    shown_text = terminal_text(app)
    problem = unsafe_character(shown_text)
    assert problem is None, f"{type(app.screen).__name__}: the screen {problem}:\n{shown_text}"
    svg = app.export_screenshot()
    assert unsafe_character(svg) is None, f"{type(app.screen).__name__}: the screenshot {unsafe_character(svg)}"
    flat = shown_text.replace("\n", "")
    for expected in escaped:
        assert expected in shown_text or expected in flat, f"{expected!r} not on screen:\n{shown_text}"
    return shown_text


async def _settle(app: Any, pilot: Any) -> None:
    for _ in range(3):
        busy = [worker for worker in app.workers if worker.group != "_loader"]  # DirectoryTree's loader
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()


async def _open(app: Any, pilot: Any, key: str, kind: type) -> Any:
    await pilot.press(key)
    await _settle(app, pilot)
    assert isinstance(app.screen, kind), f"{key}: {type(app.screen).__name__}"
    return app.screen


async def _close(app: Any, pilot: Any, key: str = "escape") -> None:
    await pilot.press(key)
    await _settle(app, pilot)


def _app(tmp_path: Path, sqlite_template: Path, handbook: Handbook) -> tuple[Any, tuple[str, str, int, int]]:
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        seeded = _seed(engine, handbook)
    finally:
        engine.dispose()
    return make_app(url), seeded


# --- the shared helper -----------------------------------------------------------------------


def test_the_helper_escapes_strings_text_and_content_keeping_styles() -> None:
    assert shown("a\x1bb\n\tc\u202e") == "a\\x1bb\n\tc\\u202e"  # lines and tabs stay
    assert shown("plain [b]x[/b]") == "plain [b]x[/b]"
    content = as_content(Content.assemble("x\x1by ", ("bold\x9b", "bold"), " z"))
    assert content.plain == "x\\x1by bold\\x9b z"
    assert [content.plain[span.start : span.end] for span in content.spans] == ["bold\\x9b"]
    text = as_text(Text.assemble("\u202e", ("red", "red"), "\x1b"))
    assert text.plain == "\\u202ered\\x1b"
    assert [text.plain[span.start : span.end] for span in text.spans] == ["red"]
    assert as_content("[b]not markup[/b]").plain == "[b]not markup[/b]"
    unchanged = Text("as it is", style="bold")
    assert as_text(unchanged) is unchanged


async def test_a_text_input_keeps_the_value_and_draws_one_mark_a_control_character() -> None:
    class OneField(App[None]):
        def compose(self) -> ComposeResult:
            yield TextInput(value="a\x1bb\u202e", placeholder="none: \x1b[2J")

    app = OneField()
    async with app.run_test() as pilot:
        field = app.query_one(TextInput)
        field.focus()
        await pilot.press("end", "c", "home", "right", "right")
        assert field.value == "a\x1bb\u202ec", "typing around a control character keeps it"
        assert field.cursor_position == 2
        line = "".join(segment.text for segment in field.render_line(0))
        assert unsafe_character(line) is None
        assert line.startswith("a\ufffdb\ufffdc")
        assert field._position_to_cell(2) == 2 and field._cell_offset_to_index(3) == 3  # one cell each
        assert unsafe_character(terminal_text(app)) is None
        field.value = ""
        await pilot.pause()
        assert field.placeholder == "none: \\x1b[2J"


# --- the screens ---------------------------------------------------------------------------


async def test_employee_page_and_its_dialogs_show_control_characters_escaped(
    tmp_path: Path, sqlite_template: Path, handbook: Handbook
) -> None:
    app, _ = _app(tmp_path, sqlite_template, handbook)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            app.open_section(EmployeesRequest(open_employee="E-7"))
            await _settle(app, pilot)
            page = app.screen
            assert isinstance(page, EmployeeScreen)
            timeline = assert_nothing_raw(app, NAME_SHOWN, TEAM_SHOWN, "sup\\x1b[8m")
            for escaped in ("Printed\\x1b[1m", "file\\x7f", "Wrong\\x08page", "Summary\\x1b[2J", "Expect\\x9b2J"):
                assert escaped in timeline
            # The facts and the timeline's cells are escaped themselves, not only on the way out.
            assert "\x1b" not in str(page.query_one("#emp-title").render())
            table = page.query_one("#emp-timeline", DataTable)
            assert all(
                unsafe_character(str(cell)) is None for i in range(table.row_count) for cell in table.get_row_at(i)
            )

            dialog = await _open(app, pilot, "v", RuleChangesDialog)  # what changed for <name>
            assert_nothing_raw(app, NAME_SHOWN)
            await _close(app, pilot)

            await _open(app, pilot, "b", ConfirmDialog)  # "Deactivate E-7 <name>?"
            assert_nothing_raw(app, NAME_SHOWN)
            await _close(app, pilot, "n")

            await _open(app, pilot, "x", FormDialog)  # export
            assert_nothing_raw(app)
            await _close(app, pilot)

            keys = [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]
            signoff_row = next(i for i, key in enumerate(keys) if key in page.valid_signoffs)
            table.move_cursor(row=signoff_row)
            await _settle(app, pilot)
            await _open(app, pilot, "z", FormDialog)  # revoke: "<number> <name> signed version …"
            assert_nothing_raw(app, NAME_SHOWN)
            await _close(app, pilot)

            # The edit form keeps the stored text exactly (nothing rewritten behind the user's back),
            # shows it escaped, and saving refuses it under the field, in words.
            dialog = await _open(app, pilot, "u", FormDialog)
            assert dialog.query_one("#field-name", Input).value == NAME
            assert dialog.query_one("#field-team", Input).value == TEAM
            assert_nothing_raw(app, NAME_SHOWN)  # the title
            on_screen = terminal_text(app)
            assert "Old\ufffd]0;owned\ufffd \ufffdeman\ufffd2J" in on_screen  # the field: one mark a character
            await pilot.press("ctrl+s")
            await _settle(app, pilot)
            assert app.screen is dialog, "nothing was saved"
            name_error = str(dialog.query_one("#error-name").render())
            assert "control character (U+001B ESCAPE)" in name_error
            assert "control character (U+001B ESCAPE)" in str(dialog.query_one("#error-team").render())
            assert_nothing_raw(app)
            await _close(app, pilot)

            await _open(app, pilot, "b", ConfirmDialog)
            await pilot.press("y")  # deactivating needs no valid name; the notification quotes it
            await _settle(app, pilot)
            assert app.screen is page
            assert_nothing_raw(app, NAME_SHOWN)
            assert any("now inactive" in n.message for n in app._notifications)
            assert all(unsafe_character(n.message) is None for n in app._notifications)
        assert app.return_code in (0, None), "the app crashed"
    finally:
        app.backend.close()


async def test_recording_a_signoff_shows_the_stored_name_escaped_and_never_signs_with_it(
    tmp_path: Path, sqlite_template: Path, handbook: Handbook
) -> None:
    app, _ = _app(tmp_path, sqlite_template, handbook)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            app.open_section(EmployeesRequest(open_employee="E-8"))
            await _settle(app, pilot)
            form = await _open(app, pilot, "S", FormDialog)
            printed = form.query_one("#field-printed_name", Input)
            assert printed.value == OTHER, "prefilled with the name on record, as stored"
            printed.focus()  # scrolled into view
            await _settle(app, pilot)
            assert "Bea\ufffd[5m" in assert_nothing_raw(app)
            await pilot.press("ctrl+s")
            await _settle(app, pilot)
            assert app.screen is form
            assert "U+001B ESCAPE" in str(form.query_one("#error-printed_name").render())
            form.query_one("#field-method").value = "terminal"  # type: ignore[attr-defined]
            printed.value = ""  # "leave empty to use the employee's name on record"
            await pilot.press("ctrl+s")
            await _settle(app, pilot)
            # The stored name is not copied onto a signature: the printed name is asked for.
            assert app.screen is form, terminal_text(app)
            assert "the stored name of E-8 contains a control character" in str(
                form.query_one("#error-printed_name").render()
            )
            assert_nothing_raw(app)
            printed.value = "Bea Fixed"
            await pilot.press("ctrl+s")
            await _settle(app, pilot)
            assert isinstance(app.screen, ConfirmDialog), terminal_text(app)
            assert_nothing_raw(app)
            await _close(app, pilot, "n")
            assert isinstance(app.screen, FormDialog), "the form reopens with what was typed"
            assert_nothing_raw(app)
        assert app.return_code in (0, None), "the app crashed"
    finally:
        app.backend.close()


async def test_complaint_pages_show_control_characters_escaped(
    tmp_path: Path, sqlite_template: Path, handbook: Handbook
) -> None:
    app, (dismissed, resolved, _, _) = _app(tmp_path, sqlite_template, handbook)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            app.open_section(ComplaintsRequest(open_complaint=dismissed))
            await _settle(app, pilot)
            assert isinstance(app.screen, ComplaintScreen)
            assert_nothing_raw(
                app, "Summary\\x1b[2J", "Cy\\u202e", "cy\\x1b[6n", "Reason\\x9d0;x\\x9c", "note\\x1b[3J", NAME_SHOWN
            )
            await _close(app, pilot)
            app.open_section(ComplaintsRequest(open_complaint=resolved))
            await _settle(app, pilot)
            assert isinstance(app.screen, ComplaintScreen)
            assert_nothing_raw(app, "Second\\x1bc", "Fixed\\u2066it\\u2069")
            await _close(app, pilot)
            app.open_section(ComplaintsRequest(status="resolved"))  # the list's summary column
            await _settle(app, pilot)
            assert_nothing_raw(app, "Second\\x1bc")
        assert app.return_code in (0, None), "the app crashed"
    finally:
        app.backend.close()


async def test_action_pages_and_forms_show_control_characters_escaped(
    tmp_path: Path, sqlite_template: Path, handbook: Handbook
) -> None:
    app, (_, _, open_id, closed_id) = _app(tmp_path, sqlite_template, handbook)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            app.open_section(ActionsRequest(open_action=closed_id))
            await _settle(app, pilot)
            assert isinstance(app.screen, ActionScreen)
            assert_nothing_raw(app, "Expect\\x9b2J", "Reply\\u202d", "first\\x1b[7m", "Better\\x85", "Notes\\x1b[K")
            await _close(app, pilot)
            app.open_section(ActionsRequest(open_action=open_id))
            await _settle(app, pilot)
            assert isinstance(app.screen, ActionScreen)
            assert_nothing_raw(app, NAME_SHOWN, "Expect\\x9b2J")
            for key, quoted in (("f", "Expectations: Expect\\x9b2J"), ("w", "response"), ("l", "Close action")):
                await _open(app, pilot, key, FormDialog)  # the follow-up form quotes the expectations
                assert_nothing_raw(app, quoted)
                await _close(app, pilot)
            await _close(app, pilot)
            app.open_section(ActionsRequest(state="all"))  # the list's name column
            await _settle(app, pilot)
            assert_nothing_raw(app, NAME_SHOWN[:14])
            await _open(app, pilot, "n", FormDialog)  # whose action?
            app.screen.query_one("#field-employee_number", Input).value = "E-7"
            await pilot.press("ctrl+s")
            await _settle(app, pilot)
            assert isinstance(app.screen, FormDialog)  # "Issue a corrective action to E-7 <name>"
            assert_nothing_raw(app, "E-7 Old\\x1b]0;")
        assert app.return_code in (0, None), "the app crashed"
    finally:
        app.backend.close()


async def test_lists_reports_and_dashboard_show_control_characters_escaped(
    tmp_path: Path, sqlite_template: Path, handbook: Handbook
) -> None:
    app, _ = _app(tmp_path, sqlite_template, handbook)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            assert_nothing_raw(app, TEAM_SHOWN)  # the dashboard's compliance by team
            await pilot.press("e")  # (opened first: a fresh list's first Select.Changed drops the team)
            await _settle(app, pilot)
            app.open_section(EmployeesRequest(team=TEAM))  # the team filter's select shows the team
            await _settle(app, pilot)
            assert app.screen.query_one("#f-team", Select).value == TEAM, "the filter keeps the stored value"
            assert_nothing_raw(app, TEAM_SHOWN, NAME_SHOWN[:20])
            await pilot.press("s")
            await _settle(app, pilot)
            assert_nothing_raw(app)
            await pilot.press("t")  # recently recorded
            await _settle(app, pilot)
            assert_nothing_raw(app, "file\\x7f")
            app.switch_mode("reports")  # (a request to a section not opened yet loses its report: see the report)
            await _settle(app, pilot)
            app.open_section(ReportsRequest(report="employee", employee_number="E-7"))
            await _settle(app, pilot)
            table = app.screen.query_one(PagedTable)
            table.focus()
            for _ in range(table.row_count):  # the highlighted entry is shown in full below
                await pilot.press("down")
            await _settle(app, pilot)
            assert_nothing_raw(app, NAME_SHOWN, TEAM_SHOWN)
            await _open(app, pilot, "x", FormDialog)  # export
            assert_nothing_raw(app)
            await _close(app, pilot)
            app.open_section(ReportsRequest(report="actions"))
            await _settle(app, pilot)
            assert_nothing_raw(app, NAME_SHOWN[:12])
            await pilot.press("ctrl+p")  # the palette finds the employee by number and quotes the name
            await _settle(app, pilot)
            await pilot.press(*"E-7")
            await pilot.pause(0.5)
            await _settle(app, pilot)
            assert_nothing_raw(app, "Old\\x1b")
        assert app.return_code in (0, None), "the app crashed"
    finally:
        app.backend.close()


async def test_roster_preview_shows_stored_control_characters_escaped(
    tmp_path: Path, sqlite_template: Path, handbook: Handbook
) -> None:
    app, _ = _app(tmp_path, sqlite_template, handbook)
    roster = tmp_path / "roster.csv"
    roster.write_text("number,name,team,hire_date\nE-7,Ann Lee,Desk,2024-01-01\n", encoding="utf-8")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            await pilot.press("e")
            await _settle(app, pilot)
            screen = await _open(app, pilot, "i", RosterImportScreen)
            await pilot.press("slash")
            screen.query_one("#roster-path", Input).value = str(roster)
            await pilot.press("enter")
            await _settle(app, pilot)
            assert_nothing_raw(app, f"name: {NAME_SHOWN} → Ann Lee")  # what the update changes, quoted
        assert app.return_code in (0, None), "the app crashed"
    finally:
        app.backend.close()
