"""Start the terminal app.

The dashboard's figures are read on a thread while the app sets itself up
(stylesheet, first screen), so the first frame already shows them. The thread
starts after the UI modules are imported, not before: importing is pure
Python, and a second thread contending for the interpreter lock made start-up
slower (0.50 s against 0.45 s to the painted dashboard at 1M complaints).
"""

from __future__ import annotations

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


def launch(settings: Settings) -> None:
    from tracker.backend import Backend
    from tracker.db.raw import dialect_of
    from tracker.ui.app import TrackerApp
    from tracker.ui.screens.dashboard import screen  # noqa: F401 - the first screen; imported now, not under contention

    if dialect_of(settings.database_url) == "postgresql":
        import psycopg  # noqa: F401 - the driver too: a large import, slower still on the figures' thread

    backend = Backend(settings)
    first = prefetch_dashboard(backend)
    TrackerApp(settings, backend, first_dashboard=first).run()
