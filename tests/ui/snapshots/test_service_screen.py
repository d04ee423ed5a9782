"""A snapshot of the Service section (m) on the demo database of conftest.py (seed 3, its
contacts over the twelve weeks before the pinned clock, 2026-11-23 10:00 UTC, TZ=UTC).

The report by team has nine columns, every figure with its sample size, so it is taken at
160×45 (the size it is laid out for) rather than the 120×40 of test_screens.py, where the
table scrolls sideways. Refresh with --snapshot-update on this file and look at the SVG.
"""

from __future__ import annotations

from tests.ui.snapshots.conftest import keys

WIDE = (160, 45)


def test_service_by_team(snap_compare, snap_app, demo_url) -> None:  # type: ignore[no-untyped-def]
    """The last 90 days by team, in name order, beside the baseline of all contacts."""
    assert snap_compare(snap_app(demo_url), terminal_size=WIDE, run_before=keys("m"))
