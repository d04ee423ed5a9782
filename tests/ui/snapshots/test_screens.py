"""Snapshots of every screen of the terminal app, with realistic data.

Each test opens the app on a copy of the demo database (60 employees, 1,500
complaints over two years, seed 3; see conftest.py) or on an empty one, drives
it with the keys a supervisor would press, waits for every database read, and
compares the screen with the SVG accepted earlier under __snapshots__/.

Terminal size is fixed (120×40, the "comfortable" size; one 80×24 dashboard),
Textual is pinned exactly in pyproject.toml, and the clock is pinned, so a
difference means the screen changed. Refresh with --snapshot-update and look
at the new SVGs before accepting them.

Not snapshotted: the roster-import screen (i on Employees). Its DirectoryTree
lists the real working directory (different on every machine) and keeps a
worker group "_loader" running, so "wait for every worker" never returns.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Header, Input, Static

from tests.ui.conftest import SIZE
from tests.ui.snapshots.conftest import assert_loaded, keys, settle
from tracker.ui.widgets.form import FormDialog

SMALL = (80, 24)

# Records of the demo database (seed 3) that have a lot to show.
EMPLOYEE = (
    "E-10053"  # Tanja Dimitrov, Live chat: 2 sign-offs, 89 complaints, 2 corrective actions (the first not effective)
)
# On the actions list: / focuses the state filter; Enter opens it; "All actions" is the fifth choice.
ALL_ACTIONS = ("slash", "enter", "down", "down", "down", "down", "enter")


async def test_no_live_clock_in_the_header(snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """Textual's Header(show_clock=True) would put the wall-clock time into every snapshot."""
    app = snap_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query(Header), "every screen has the app's header"
        assert not app.screen.query("HeaderClock"), "a live clock would make every snapshot differ"


# --- dashboard -------------------------------------------------------------------


def test_dashboard(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """Compliance by team, pending sign-offs, open complaints, missed targets, follow-ups, trend, top rules."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys())


def test_dashboard_small_terminal(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """The dashboard at 80×24: cards stack, the page scrolls."""
    assert snap_compare(snap_app(demo_url), terminal_size=SMALL, run_before=keys())


def test_dashboard_of_an_empty_database(snap_compare, snap_app, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    """A new database explains the first steps: publish the handbook, import a roster."""
    assert snap_compare(snap_app(sqlite_url), terminal_size=SIZE, run_before=keys())


# --- employees ---------------------------------------------------------------------


def test_employees_list(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("e"))


def test_employees_list_of_an_empty_database(snap_compare, snap_app, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    """No employees: the list says to import a roster (i) or add one (n)."""
    assert snap_compare(snap_app(sqlite_url), terminal_size=SIZE, run_before=keys("e"))


def test_employee_page(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """Found by number (/ then the number, Enter), opened with Enter: facts, standing, timeline."""
    run_before = keys("e", "slash", f"text:{EMPLOYEE}", "enter", "escape", "enter")
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=run_before)


# --- sign-offs ---------------------------------------------------------------------


def test_signoffs_still_to_sign(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("s"))


def test_signoffs_recently_recorded(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """t switches to the sign-offs recorded lately (newest first, revoked ones marked)."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("s", "t"))


# --- complaints --------------------------------------------------------------------


def test_complaints_list(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """Open complaints, newest first, with the first response against the target."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("c"))


def test_complaint_page(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """The newest open complaint: facts, rules, first response, allowed next steps, timeline."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("c", "enter"))


def test_log_complaint_form_with_errors(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """ctrl+s with no channel, a date typed the wrong way and no summary: the form refuses, says
    why under each field (the summary's message is further down) and keeps what was typed."""
    fill_in = keys("c", "n", "tab", "text:23/11/2026 9am", "tab", "ctrl+s")

    async def run_before(pilot: Any) -> None:
        await fill_in(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormDialog), "the form stays open"
        for name in ("channel", "received_at", "summary"):
            assert str(form.query_one(f"#error-{name}", Static).render()), f"no message under {name}"
        assert form.query_one("#field-received_at", Input).value == "23/11/2026 9am"

    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=run_before)


# --- corrective actions ----------------------------------------------------------------


def test_actions_list(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """/ then the state filter: every action, newest first, with the follow-up state."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("a", *ALL_ACTIONS))


def test_action_page(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """The newest action (a verbal warning, step 2, closed): facts, the suggestion and why, the follow-up, the closure."""
    run_before = keys("a", *ALL_ACTIONS, "escape", "enter")
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=run_before)


# --- handbook ------------------------------------------------------------------------------


def test_handbook_rule(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """Search (/ CON-05, Enter): the rules citing or named CON-05; the highlighted one rendered as Markdown."""
    run_before = keys("h", "slash", "text:CON-05", "enter", "down")
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=run_before)


def test_handbook_versions(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("h", "2"))


def test_handbook_compare(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """Enter on the newest version compares it with the one before (2025.2 → 2026.2)."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("h", "2", "enter"))


# --- reports -------------------------------------------------------------------------------


def test_compliance_report(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("r"))


# --- keys and the command palette -----------------------------------------------------------


def test_keys_panel(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """? on the complaints list shows every key of the screen."""
    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=keys("c", "question_mark"))


def test_command_palette(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """ctrl+p and a surname: the matching employees, found in the database."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        # The palette's input cursor blinks every 0.5 s: a snapshot would catch either phase.
        # With blinking off, typing leaves the cursor drawn and still.
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"horvat")
        await settle(pilot)
        assert_loaded(pilot)

    assert snap_compare(snap_app(demo_url), terminal_size=SIZE, run_before=run_before)
