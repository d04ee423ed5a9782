"""The handbook in the terminal app: the real rules, search, publishing the
first version from an empty database, and a refused second publish."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Markdown, OptionList, Static

from tests.conftest import read
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.records.handbook.queries import list_versions
from tracker.ui.screens.handbook.screen import HandbookScreen
from tracker.ui.widgets.form import FormDialog


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def _labels(database_url: str) -> list[tuple[str, bool]]:
    engine = make_engine(database_url)
    try:
        with read(engine) as session:
            return [(v.label, v.editorial) for v in list_versions(session)]
    finally:
        engine.dispose()


async def test_rules_are_listed_rendered_and_searchable(app_factory, handbook) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("h")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HandbookScreen)
        listing = screen.query_one("#rule-list", OptionList)
        ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert ids == sorted(handbook.rules) and "CON-01" in ids
        first = handbook.rules[ids[0]]
        assert screen.query_one("#rule-text", Markdown).source.startswith(f"## {first.id} {first.title}")
        await pilot.press("slash", *"argue")
        await _settle(app, pilot)
        assert [listing.get_option_at_index(i).id for i in range(listing.option_count)] == ["CON-01"]
        source = screen.query_one("#rule-text", Markdown).source
        assert "Never argue with a customer" in source and handbook.rules["CON-01"].text.strip()[:40] in source
        # escape clears the search and goes back to the list
        await pilot.press("escape")
        await _settle(app, pilot)
        assert screen.query_one("#rule-search", Input).value == ""
        assert listing.option_count == len(handbook.rules) and listing.has_focus


async def test_publish_the_first_version_then_publishing_again_is_refused(app_factory, database_url) -> None:  # type: ignore[no-untyped-def]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("h")
        await _settle(app, pilot)
        screen = app.screen
        assert "press P to publish the first version" in str(screen.query_one("#hb-status", Static).render())
        await pilot.press("P")
        await _settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        intro = str(form.query_one(".dialog-intro", Static).render())
        assert "version 2026.2" in intro and "First version: every rule is new" in intro
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is screen
        assert _labels(database_url) == [("2026.2", False)]
        assert "In force: 2026.2" in str(screen.query_one("#hb-status", Static).render())
        # Publishing the same handbook again is refused with a message; nothing is written.
        await pilot.press("P")
        await _settle(app, pilot)
        again = app.screen
        assert isinstance(again, FormDialog)
        again.query_one("#field-editorial", Checkbox).value = True
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert app.screen is again, "the refusal is shown in the dialog"
        assert "already published" in str(again.query_one("#form-error", Static).render())
        assert _labels(database_url) == [("2026.2", False)]
