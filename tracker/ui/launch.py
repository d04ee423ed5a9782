"""Start the terminal app.

The dashboard's figures are read on a thread while the app sets itself up
(stylesheet, first screen), so the first frame already shows them. The thread
starts after the UI modules are imported, not before: importing is pure
Python, and a second thread contending for the interpreter lock made start-up
slower (0.50 s against 0.45 s to the painted dashboard at 1M complaints).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from tracker.config import Settings


def _first_dashboard(services):  # type: ignore[no-untyped-def]
    from tracker.storage.dashboard import load_dashboard

    return services.quick(load_dashboard)


def prefetch_dashboard(services) -> Future:  # type: ignore[no-untyped-def, type-arg]
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-dashboard")
    future = executor.submit(_first_dashboard, services)
    executor.shutdown(wait=False)
    return future


def launch(settings: Settings) -> None:
    from tracker.storage.rawsql import dialect_of
    from tracker.ui.app import TrackerApp
    from tracker.ui.screens import dashboard  # noqa: F401 - the first screen; imported now, not under contention
    from tracker.ui.services import Services

    if dialect_of(settings.database_url) == "postgresql":
        import psycopg  # noqa: F401 - the driver too: a large import, slower still on the figures' thread

    services = Services(settings)
    first = prefetch_dashboard(services)
    TrackerApp(settings, services, first_dashboard=first).run()
