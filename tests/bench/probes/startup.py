"""Start an app headless, exit as soon as its first screen is painted with its data.

``python startup.py empty`` — the baseline: an empty Textual app (header, footer, one label).
``python startup.py tracker URL`` — the tracker, until the dashboard shows its figures.
``python startup.py complaints URL PAGES`` — the tracker's complaints list, scrolled PAGES pages.
Prints as JSON the wall-clock moment the screen was painted (``painted_at``,
``time.time()``) and the peak memory (KiB). The caller takes the time from
before it started the process to ``painted_at``: start-up, without the
process's exit, which is not part of it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAINTED: list[float] = []


def painted_then_exit(app) -> None:  # type: ignore[no-untyped-def]
    """After the next refresh (the frame is painted): note the moment, then leave."""

    def done() -> None:
        PAINTED.append(time.time())
        app.exit()

    app.call_after_refresh(done)


def peak_rss_kib() -> int:
    """This process's own peak memory. Not getrusage's ru_maxrss: Linux carries that
    over from the parent through fork and exec, so a probe started by a large
    benchmark process would report the benchmark's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best there is


def empty() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Label

    class Empty(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Label("ready")
            yield Footer()

        def on_mount(self) -> None:
            painted_then_exit(self)

    Empty().run(headless=True, size=(120, 40))


def _headless() -> None:
    from textual.app import App

    run = App.run

    def headless(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return run(self, headless=True, size=(120, 40))

    App.run = headless  # type: ignore[method-assign]


def tracker(url: str) -> None:
    """Exactly what `tracker --db URL` does, until the dashboard is painted with its figures."""
    _headless()
    from tracker.ui.screens import dashboard

    mounted = dashboard.DashboardScreen.on_mount
    shown = dashboard.DashboardScreen.show_board

    def on_mount(self):  # type: ignore[no-untyped-def]
        mounted(self)
        if self.board is not None:  # composed with the figures read during start-up
            painted_then_exit(self.app)

    def show_board(self, board):  # type: ignore[no-untyped-def]
        shown(self, board)
        painted_then_exit(self.app)

    dashboard.DashboardScreen.on_mount = on_mount  # type: ignore[method-assign]
    dashboard.DashboardScreen.show_board = show_board  # type: ignore[method-assign]
    sys.argv = ["tracker", "--db", url, "--handbook", str(ROOT / "mkdocs.yml")]
    from tracker.entry import run

    run()


def complaints(url: str, pages: int) -> None:
    from tracker.config import Settings
    from tracker.domain.handbook.source import source_from_config
    from tracker.ui.app import TrackerApp
    from tracker.ui.widgets.paged_table import PAGE_SIZE, PagedTable

    class Probe(TrackerApp):
        def on_mount(self) -> None:
            self.call_after_refresh(lambda: self.switch_mode("complaints"))

        def on_paged_table_loaded(self, event: PagedTable.Loaded) -> None:
            if event.total_rows >= pages * PAGE_SIZE or not event.more:
                self.call_after_refresh(self.exit)
                return
            table = event.table
            table.move_cursor(row=table.row_count - 1)  # reaching the end fetches the next page

    settings = Settings(database_url=url, handbook=source_from_config(ROOT / "mkdocs.yml"), actor="bench")
    Probe(settings).run(headless=True, size=(120, 40))


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "empty":
        empty()
    elif kind == "tracker":
        tracker(sys.argv[2])
    else:
        complaints(sys.argv[2], int(sys.argv[3]))
    print(json.dumps({"painted_at": PAINTED[0] if PAINTED else None, "peak_rss_kib": peak_rss_kib()}))
