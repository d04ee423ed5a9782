"""Text people typed is shown as text on every screen and in every form: never read as markup.

A summary, a name, an expectation or a filter holding ``[/]`` or ``[b]`` used to be parsed
as Textual markup; an unbalanced tag crashed the app. Every record here carries markup-like
text in every free-text field, every screen and form that shows it is opened, and the text
must appear as typed.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from sqlalchemy.engine import Engine
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from tests.conftest import ACTOR, write
from tests.ui.conftest import NOW, SIZE, TODAY, make_app
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import (
    ActionInput,
    ComplaintInput,
    EmployeeInput,
    FollowUpInput,
    OutcomeInput,
    ReplyInput,
    ResponseInput,
    SignoffInput,
)
from tracker.records.actions.commands import issue_action, record_follow_up, record_response
from tracker.records.complaints.commands import acknowledge, dismiss, investigate, log_complaint
from tracker.records.employees.commands import add_employee
from tracker.records.handbook.commands import publish
from tracker.records.signoffs.commands import record_signoff
from tracker.ui.requests import ActionsRequest, ComplaintsRequest, EmployeesRequest, ReportsRequest
from tracker.ui.screens.actions.detail import ActionScreen
from tracker.ui.screens.complaints.detail import ComplaintScreen
from tracker.ui.screens.employees.detail import EmployeeScreen
from tracker.ui.widgets.form import FormDialog

HOSTILE = [  # each string mixes several: a tour of every screen takes a while
    "[/] [b]bold x[/b]y \\[",
    "[link=https://evil.example]click[/link] [$accent]v [@click=app.quit]q[/]",
    "[red a]b [#ff0000 on blue]c [red",
]


def _seed(engine: Engine, handbook: Handbook, text: str) -> tuple[str, int]:
    """One employee, a sign-off, a dismissed complaint and an action, every free-text field holding ``text``."""
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=NOW - timedelta(days=30)))
    write(
        engine,
        lambda s: add_employee(
            EmployeeInput(number="E-7", name=f"Ann {text}", team=f"Desk {text}", hire_date="2024-01-01"),
            session=s,
            actor=ACTOR,
        ),
    )
    write(
        engine,
        lambda s: record_signoff(
            SignoffInput(
                employee_number="E-7",
                signed_on=TODAY,
                method="paper",
                filing_ref=f"file {text}",
                printed_name=f"Ann {text}",
            ),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    )
    received = NOW - timedelta(hours=3)
    ref = write(
        engine,
        lambda s: log_complaint(
            ComplaintInput(
                received_at=received,
                channel="email",
                summary=f"Summary {text}",
                employee_number="E-7",
                customer_name=f"Cy {text}",
                customer_contact=f"cy {text}",
                rule_ids=("CON-01",),
            ),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    ).ref
    write(
        engine,
        lambda s: acknowledge(
            ref,
            ReplyInput(replied_at=received + timedelta(minutes=5), note=f"note {text}"),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    )
    write(engine, lambda s: investigate(ref, session=s, actor=ACTOR, now=NOW))
    write(engine, lambda s: dismiss(ref, OutcomeInput(text=f"Reason {text}"), session=s, actor=ACTOR, now=NOW))
    action = write(
        engine,
        lambda s: issue_action(
            ActionInput(
                employee_number="E-7",
                expectations=f"Expect {text}",
                issued_on=TODAY - timedelta(days=40),
                rule_ids=("CON-01",),
            ),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    )
    write(
        engine,
        lambda s: record_response(action.id or 0, ResponseInput(text=f"Reply {text}"), session=s, actor=ACTOR, now=NOW),
    )
    write(
        engine,
        lambda s: record_follow_up(
            action.id or 0,
            FollowUpInput(
                held_on=TODAY, outcome="more_time", notes=f"Notes {text}", new_due_date=TODAY + timedelta(days=7)
            ),
            session=s,
            actor=ACTOR,
            now=NOW,
        ),
    )
    return ref, action.id or 0


def _screen_text(app: Any) -> str:
    """The text of every Static on screen (tables of facts rendered as a console would print them)."""
    console = Console(width=300, record=True, file=io.StringIO())
    parts = []
    for widget in app.screen.query(Static):
        content = widget.content
        if hasattr(content, "__rich_console__") and not isinstance(content, Text):
            console.print(content)  # a grid of facts
        else:
            parts.append(str(widget.render()))  # what the widget shows, markup (if any) applied
    return "\n".join(parts) + console.export_text()


async def _settle(app: Any, pilot: Any) -> None:
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # a page closed by a request cancels its loading: nothing to wait for
            pass
        await pilot.pause()


async def _tour(app: Any, ref: str, action_id: int, text: str) -> None:
    """Every screen and form that shows the hostile text; each must show it as typed."""
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        for key in ("e", "s", "c", "a", "r", "h", "d"):  # every section, lists included
            await pilot.press(key)
            await _settle(app, pilot)
        app.open_section(EmployeesRequest(open_employee="E-7"))
        await _settle(app, pilot)
        assert isinstance(app.screen, EmployeeScreen)
        assert f"Ann {text}" in _screen_text(app)
        for key in ("u", "x"):  # edit form (title has the name), export form
            await pilot.press(key)
            await _settle(app, pilot)
            assert isinstance(app.screen, FormDialog)
            await pilot.press("escape")
            await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=ref))
        await _settle(app, pilot)
        assert isinstance(app.screen, ComplaintScreen)
        assert f"Summary {text}" in _screen_text(app)
        app.open_section(ActionsRequest(open_action=action_id))
        await _settle(app, pilot)
        assert isinstance(app.screen, ActionScreen)
        assert f"Expect {text}" in _screen_text(app)
        for key, quoted in (("f", f"Expect {text}"), ("w", "response"), ("l", "Close action")):
            await pilot.press(key)  # the follow-up form quotes the expectations
            await _settle(app, pilot)
            assert isinstance(app.screen, FormDialog)
            assert quoted in _screen_text(app)
            await pilot.press("escape")
            await _settle(app, pilot)
        app.open_section(ReportsRequest(report="employee", employee_number="E-7"))
        await _settle(app, pilot)
        app.open_section(EmployeesRequest())
        await _settle(app, pilot)
        await pilot.press("escape")  # the request closed the employee's page: escape stays on the list
        await _settle(app, pilot)
        search = app.screen.query_one("#f-search", Input)
        search.value = text  # a filter holding markup-like text: the status line quotes it
        await pilot.pause(0.4)
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        await pilot.press("escape")  # back from the complaint opened above to the list
        await _settle(app, pilot)
        employee = app.screen.query_one("#f-employee", Input)
        employee.value = text
        employee.focus()
        await pilot.press("enter")
        await _settle(app, pilot)
        assert text in _screen_text(app)
    assert app.return_code in (0, None), "the app crashed"


@pytest.mark.parametrize("text", HOSTILE)
async def test_markup_like_text_is_shown_as_typed(sqlite_url: str, handbook: Handbook, text: str) -> None:
    engine = make_engine(sqlite_url)
    ref, action_id = _seed(engine, handbook, text)
    engine.dispose()
    app = make_app(sqlite_url)
    try:
        await _tour(app, ref, action_id, text)
    finally:
        app.backend.close()


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(alphabet="[]/\\$@#=:ab ", min_size=1, max_size=12).filter(lambda t: t.strip() == t and t))
def test_generated_markup_like_text_never_crashes_a_screen(
    tmp_path_factory: Any, sqlite_template: Any, handbook: Handbook, text: str
) -> None:
    folder = tmp_path_factory.mktemp("markup")
    path = folder / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    ref, action_id = _seed(engine, handbook, text)
    engine.dispose()
    app = make_app(url)
    try:
        asyncio.run(_tour(app, ref, action_id, text))
    finally:
        app.backend.close()
