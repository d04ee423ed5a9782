"""Full garbage collections happen while the supervisor reads, not while they wait (issue 15).

A full collection stops everything for 0.1–0.3 s on a loaded app; it struck at random while a
section was opening. While the app runs, Python's own full collections are made rarer, one runs
once the app has been idle a moment, and what is long-lived is frozen out of later walks.
Everything is as it was once the app stops.
"""

from __future__ import annotations

import asyncio
import gc

from tests.ui.conftest import SIZE
from tracker.ui import heap


async def test_the_oldest_generation_is_collected_when_the_app_is_idle(app_factory, published_sqlite_url) -> None:  # type: ignore[no-untyped-def]
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    full: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(1)

    app = app_factory()
    gc.callbacks.append(note)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert gc.get_threshold()[2] == before[2] * heap.BUSY_FACTOR
            full.clear()
            await asyncio.sleep(heap.IDLE * 3)  # nothing typed, nothing read
            assert full, "no full collection while the app was idle"
            assert gc.get_freeze_count() > frozen_before, "the start-up heap was not frozen"
    finally:
        gc.callbacks.remove(note)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen_before
