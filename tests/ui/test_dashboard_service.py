"""The home screen's speed card and trend: each channel's first-response attainment this week beside
last week's, with its sample size or "too few to judge"; the weekly trend with a gap where a week
had too few; an empty state naming the import command while no contacts are imported."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.engine import Engine
from textual.geometry import Region
from textual.widget import Widget

from tests.conftest import ACTOR, write
from tests.storage.test_dashboard_service import some, store
from tests.ui.conftest import SIZE
from tracker.db.engine import make_engine
from tracker.domain import contact_words as words
from tracker.domain.handbook.model import Handbook
from tracker.records.handbook.commands import publish
from tracker.ui.screens.dashboard.sparkline import GappedSparkline

UTC = timezone.utc
THIS_WEEK = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # the pinned now is Monday 23 November, 10:00
LAST_WEEK = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
THREE_WEEKS_AGO = datetime(2026, 11, 4, 8, 0, tzinfo=UTC)


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


def lines(widget: Widget) -> list[str]:
    """What the widget shows, line by line, trailing spaces cut."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text.rstrip() for strip in widget.render_lines(region)]


def _publish(database_url: str, handbook: Handbook) -> Engine:
    engine = make_engine(database_url)
    write(engine, lambda s: publish(handbook, session=s, actor=ACTOR, now=datetime(2026, 11, 1, tzinfo=UTC)))
    return engine


async def test_the_speed_card_shows_each_channel_this_week_beside_last_week(  # type: ignore[no-untyped-def]
    app_factory, database_url, handbook: Handbook
) -> None:
    engine = _publish(database_url, handbook)
    store(
        engine,
        some("chat", THIS_WEEK, words.MET, 21)
        + some("chat", THIS_WEEK, words.MISSED, 4)
        + some("chat", LAST_WEEK, words.MET, 5)
        + some("email", THIS_WEEK, words.MET, 3)
        + some("email", LAST_WEEK, words.MET, 18)
        + some("email", LAST_WEEK, words.PENDING, 2, due=THIS_WEEK)  # unanswered past due: missed by now
        + some("phone", THREE_WEEKS_AGO, words.MET, 30),
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        shown = "\n".join(lines(app.screen.query_one("#speed-table")))
        assert "This week" in shown and "Last week" in shown
        rows = {line.split("  ")[0]: " ".join(line.split()) for line in shown.splitlines()[1:]}
        assert rows["Live chat"] == "Live chat 84.0% (n=25) too few to judge (n=5)"
        assert rows["Email and web form"] == "Email and web form too few to judge (n=3) 90.0% (n=20)"
        assert rows["Phone"] == "Phone too few to judge (n=0) too few to judge (n=0)"
        assert set(rows) == {"Live chat", "Phone", "At the counter", "Social media", "Email and web form"}
        # All contacts per week: 24 of 28 this week, 23 of 25 last week, nothing the week before
        # (a gap, too few to judge), 30 of 30 three weeks ago.
        trend = app.screen.query_one("#speed-trend", GappedSparkline)
        assert trend.values[-4:] == (100.0, None, 92.0, 100.0 * 24 / 28)
        assert all(value is None for value in trend.values[:-4])
        drawn = lines(trend)
        full = trend.size.width
        widths = [full // 12 + (1 if i < full % 12 else 0) for i in range(12)]
        starts = [sum(widths[:i]) for i in range(12)]
        columns = [[line.ljust(full)[start : start + cells] for line in drawn] for start, cells in zip(starts, widths)]
        assert all(cell.strip() == "" for cell in columns[9]), "the week with too few is a gap"
        assert all(cell.strip() for cell in columns[8][-1:] + columns[10][-1:] + columns[11][-1:])
        caption = str(app.screen.query_one("#speed-trend-caption").render())
        assert "this week 85.7% (n=28)" in caption and "too few to judge (under 20)" in caption


async def test_no_contacts_names_the_import_command(app_factory, database_url, handbook: Handbook) -> None:  # type: ignore[no-untyped-def]
    _publish(database_url, handbook)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        shown = " ".join(" ".join(lines(app.screen.query_one("#speed-table"))).split())
        assert shown.startswith("No contacts imported: tracker contacts import FILE... --from PROFILE")
        assert "No contacts imported." in str(app.screen.query_one("#speed-trend-caption").render())
        assert app.screen.query_one("#speed-trend", GappedSparkline).values == ()
