"""Forms as a user meets them (issue 15): a refused field selected for retyping, keys typed while
a form opens, and every problem of a save marked at once."""

from __future__ import annotations

from sqlmodel import select
from textual import events
from textual.widgets import Input, Select, Static, TextArea

from tests.conftest import ACTOR, read, write
from tests.ui.conftest import SIZE
from tests.ui.test_complaints import _seed, _settle
from tracker.db.models import Complaint
from tracker.domain.inputs import ComplaintInput
from tracker.records.complaints import commands as complaint_commands
from tracker.records.complaints import queries as complaint_queries
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.requests import ComplaintsRequest
from tracker.ui.screens.complaints.detail import STEPS, ComplaintScreen
from tracker.ui.screens.complaints.listing import ComplaintsScreen
from tracker.ui.widgets.form import FormDialog


def _complaints(engine) -> list[Complaint]:  # type: ignore[no-untyped-def]
    with read(engine) as session:
        return list(session.exec(select(Complaint)).all())


async def _log_form(app, pilot) -> FormDialog:  # type: ignore[no-untyped-def]
    await _settle(app, pilot)
    await pilot.press("c")
    await _settle(app, pilot)
    assert isinstance(app.screen, ComplaintsScreen)
    await pilot.press("n")
    await _settle(app, pilot)
    form = app.screen
    assert isinstance(form, FormDialog)
    return form


async def test_a_refused_field_is_selected_so_retyping_replaces_it(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The received time is refused while its field has focus: what the user types next replaces
    it rather than being appended to it ("52026-12-01 10:00")."""
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await _log_form(app, pilot)
        form.query_one("#field-channel", Select).value = "email"
        form.query_one("#field-summary", TextArea).text = "Kept waiting"
        received = form.query_one("#field-received_at", Input)
        received.focus()
        await pilot.pause()
        received.clear()
        await pilot.press(*"2026-12-01 10:00")  # typed, in the future: refused
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form and form.focused is received
        assert str(form.query_one("#error-received_at", Static).render())
        await pilot.press(*"2026-11-23 08:00")
        assert received.value == "2026-11-23 08:00"
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is not form
    assert [c.channel for c in _complaints(engine)] == ["email"]


async def test_a_save_marks_every_problem_at_once(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """Several invalid fields, a cross-field rule of the model (the follow-up before the issue
    date) and the form's own check are all marked by the first refused save, not one per save."""
    from tracker.domain.inputs import ActionInput
    from tracker.ui.widgets.form import Field, FormSpec

    _seed(database_url, handbook)
    saved: list[dict[str, object]] = []
    spec: FormSpec[object] = FormSpec(
        title="Issue an action",
        fields=[
            Field("employee_number", "Employee"),
            Field("expectations", "Expectations", "longtext"),
            Field("issued_on", "Issued on", value="2026-11-20"),
            Field("follow_up_due", "Follow-up due", value="2026-11-01"),
            Field("complaint_refs", "Complaints"),
        ],
        model=ActionInput,
        check=lambda data: {"complaint_refs": "name at least one complaint"} if not data["complaint_refs"] else {},
        save=saved.append,
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        form = FormDialog(spec)
        app.push_screen(form)
        await _settle(app, pilot)
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is form and saved == []
        marked = {
            name: str(form.query_one(f"#error-{name}", Static).render())
            for name in ("employee_number", "expectations", "issued_on", "follow_up_due", "complaint_refs")
        }
        assert marked["employee_number"] and marked["expectations"]
        assert marked["follow_up_due"] == "must be after the date the action is issued"
        assert marked["complaint_refs"] == "name at least one complaint"
        assert marked["issued_on"] == ""
        assert form.focused is form.query_one("#field-employee_number")


ACKNOWLEDGE = next(key for name, key, _, _ in STEPS if name == "acknowledge")


def _type_ahead(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Keys as a terminal delivers them to a busy app: all queued at once, none waiting for the
    screen the one before opens (``pilot.press`` waits for the app to settle after each key)."""
    from textual.keys import _character_to_key

    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        event = events.Key(name, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def _complaint_page(app, pilot, engine) -> ComplaintScreen:  # type: ignore[no-untyped-def]
    ref = write(
        engine,
        lambda s: complaint_commands.log_complaint(
            ComplaintInput(received_at="2026-11-23 08:00", channel="chat", summary="No greeting at all"),
            session=s,
            actor=ACTOR,
        ),
    ).ref
    await _settle(app, pilot)
    app.open_section(ComplaintsRequest(open_complaint=ref))
    await _settle(app, pilot)
    page = app.screen
    assert isinstance(page, ComplaintScreen)
    return page


async def test_keys_typed_while_a_form_opens_are_saved(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The acknowledge key opens the form; the reply time typed straight after it, and ctrl+s, are
    not lost while the form opens: the typed time is saved, not the prefilled 'now'."""
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        page = await _complaint_page(app, pilot, engine)
        _type_ahead(app, ACKNOWLEDGE, *"2026-11-23 08:20", "ctrl+s")
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert app.screen is page
        with read(engine) as session:
            view = complaint_queries.get_complaint(session, page.ref)
        assert view.complaint.status == "acknowledged"
        assert view.first_response_seconds == 20 * 60


async def test_escape_while_a_form_opens_asks_before_discarding_early_keys(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """Escape typed right behind the first characters of a form still opening asks first, and
    'no' keeps what was typed."""
    engine = _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _complaint_page(app, pilot, engine)
        _type_ahead(app, ACKNOWLEDGE, *"2026-11-23 08:2", "escape")
        await _settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-replied_at", Input).value == "2026-11-23 08:2"


async def test_keys_typed_right_after_n_reach_the_log_form(app_factory, database_url, handbook) -> None:  # type: ignore[no-untyped-def]
    """The log form opened only after a background read of the handbook: a key typed behind `n`
    (here "e") reached the list and switched to Employees. The list keeps the standards it read
    with its channels, so the form opens at once and the key lands in it."""
    _seed(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        _type_ahead(app, "n", "e")
        await _settle(app, pilot)
        await _settle(app, pilot)
        assert isinstance(app.screen, FormDialog), type(app.screen).__name__
