"""One key scheme, learnt once (issue 15).

A section's letter (d e s c a h m r) opens that section on every screen: no screen binds it to
something else, so ``a`` never means "Acknowledge" on one complaint and "go to Actions" on the next.
A command has the same key wherever it is offered (record sign-off, revoke, export, refresh, ...),
and the footer shows it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from datetime import datetime, timezone
from typing import Callable

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Static
from textual.widgets._footer import FooterKey

import tracker.ui
from tests.conftest import ACTOR, write
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.domain.handbook.model import Handbook
from tracker.domain.inputs import ComplaintInput, ReplyInput
from tracker.records.complaints import commands as complaint_commands
from tracker.records.handbook.commands import publish
from tracker.ui.app import TrackerApp
from tracker.ui.requests import ComplaintsRequest
from tracker.ui.screens.actions.listing import ActionsScreen
from tracker.ui.screens.complaints.detail import ComplaintScreen
from tracker.ui.sections import SECTIONS

SECTION_KEYS = {section.key for section in SECTIONS}

AppFactory = Callable[..., TrackerApp]


def _tracker_classes() -> list[type[DOMNode]]:
    """Every screen, dialog and widget of the app that declares key bindings (all modules imported)."""
    for module in pkgutil.walk_packages(tracker.ui.__path__, "tracker.ui."):
        importlib.import_module(module.name)
    found: list[type[DOMNode]] = []
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("tracker.ui") and cls is not TrackerApp:
            found.append(cls)
    return found


def _own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings the tracker itself gives ``cls`` (its own and its tracker base classes'), not Textual's."""
    bindings: list[Binding] = []
    for klass in cls.__mro__:
        if klass.__module__.startswith("tracker.") and "BINDINGS" in vars(klass):
            for item in vars(klass)["BINDINGS"]:
                bindings.append(item if isinstance(item, Binding) else Binding(*item))
    return bindings


def test_no_screen_reuses_a_section_key_and_each_command_has_one_key() -> None:
    classes = _tracker_classes()
    assert any(cls.__name__ == "ComplaintScreen" for cls in classes), "the walk found the screens"
    reused = []
    keys_of: dict[str, dict[frozenset[str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for cls in classes:
        per_action: dict[str, set[str]] = defaultdict(set)
        for binding in _own_bindings(cls):
            for key in binding.key.split(","):
                key = key.strip()
                if key in SECTION_KEYS:
                    reused.append(f"{cls.__name__}: {key} -> {binding.action} ({binding.description})")
                if binding.show:
                    per_action[binding.action].add(key)
        for action, keys in per_action.items():
            keys_of[action][frozenset(keys)].append(cls.__name__)
    assert reused == [], "a section's letter opens the section everywhere"
    differing = {action: dict(by_keys) for action, by_keys in keys_of.items() if len(by_keys) > 1}
    assert differing == {}, "the same command has the same key on every screen"


def _footer(app: TrackerApp) -> dict[str, str]:
    """What the footer shows: key -> label."""
    return {key.key: key.description for key in app.screen.query(FooterKey)}


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_a_section_letter_opens_the_section_whatever_the_complaint_status(
    app_factory: AppFactory, database_url: str, handbook: Handbook
) -> None:
    """On a complaint that is being investigated, ``a`` opens Actions (as it does everywhere); the
    steps the flow allows are in the footer under their own keys, and pressing them does the step."""
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    ref = write(
        engine,
        lambda s: complaint_commands.log_complaint(
            ComplaintInput(received_at="2026-11-23 08:00", channel="chat", summary="No greeting"),
            session=s,
            actor=ACTOR,
        ),
    ).ref
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.open_section(ComplaintsRequest(open_complaint=ref))
        await _settle(app, pilot)
        page = app.screen
        assert isinstance(page, ComplaintScreen)
        footer = _footer(app)
        assert footer.get("k") == "Acknowledge (first response)"
        assert "a" in footer and footer["a"] == "Actions"
        write(
            engine,
            lambda s: complaint_commands.acknowledge(
                ref, ReplyInput(replied_at="2026-11-23 08:05"), session=s, actor=ACTOR
            ),
        )
        await pilot.press("f5")
        await _settle(app, pilot)
        await pilot.press("g")  # start the investigation
        await _settle(app, pilot)
        await pilot.press("y")
        await _settle(app, pilot)
        assert "INVESTIGATING" in str(page.query_one("#c-title", Static).render())
        footer = _footer(app)
        assert footer.get("o") == "Resolve" and footer.get("j") == "Dismiss with reason"
        assert footer.get("p") == "Add reply"
        assert "k" not in footer  # acknowledged already
        await pilot.press("a")
        await _settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen)
    engine.dispose()
