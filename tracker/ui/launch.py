"""Start the terminal app.

The dashboard's figures are read on a thread while the app sets itself up
(stylesheet, first screen), so the first frame already shows them. The thread
starts after the UI modules are imported, not before: importing is pure
Python, and a second thread contending for the interpreter lock made start-up
slower (0.50 s against 0.45 s to the painted dashboard at 1M complaints).
"""

from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from tracker.config import Settings

if TYPE_CHECKING:
    from tracker.backend import Backend
    from tracker.reporting.dashboard import Dashboard


def _first_dashboard(backend: "Backend") -> "Dashboard":
    from tracker.reporting.dashboard import load_dashboard

    return backend.quick(load_dashboard)


def prefetch_dashboard(backend: "Backend") -> "Future[Dashboard]":
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-dashboard")
    future = executor.submit(_first_dashboard, backend)
    executor.shutdown(wait=False)
    return future


def launch(settings: Settings) -> int:
    """Run the app until it exits; the process's exit code (non-zero after a crash)."""
    from tracker.backend import Backend
    from tracker.db.dialect import dialect_of, is_postgres
    from tracker.ui.app import TrackerApp
    from tracker.ui.screens.dashboard import screen  # noqa: F401 - the first screen; imported now, not under contention

    if is_postgres(dialect_of(settings.database_url)):
        import psycopg  # noqa: F401 - the driver too: a large import, slower still on the figures' thread

    backend = Backend(settings)
    first = prefetch_dashboard(backend)
    app = TrackerApp(settings, backend, first_dashboard=first)
    app.run()
    if app.crash_report:
        print(app.crash_report, file=sys.stderr)  # after the screen is restored, so it stays visible
    return app.return_code or 0
