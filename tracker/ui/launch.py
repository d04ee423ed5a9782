"""Start the terminal app.

The dashboard's figures are read on a thread started before Textual is even
imported: the database work (in the driver, outside the interpreter lock)
overlaps with loading the UI, and the first frame already shows the figures.
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
    from tracker.ui.services import Services

    services = Services(settings)
    first = prefetch_dashboard(services)
    from tracker.ui.app import TrackerApp

    TrackerApp(settings, services, first_dashboard=first).run()
