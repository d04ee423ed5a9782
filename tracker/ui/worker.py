"""Run database work off the UI thread and bring the result back.

Every database call in the app goes through ``run_db``: the work runs in a
Textual thread worker, and its result (or a one-line error) is handed back on
the UI thread. Nothing a worker raises can crash the app.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from tracker.backend import error_message
from tracker.crash_log import log_unexpected
from tracker.domain.errors import TrackerError

T = TypeVar("T")


def run_db(
    node: DOMNode,
    work: Callable[[], T],
    done: Callable[[T], object],
    failed: Callable[[BaseException], object] | None = None,
    *,
    group: str = "db",
    exclusive: bool = False,
) -> Worker[None]:
    """Run ``work`` in a thread; call ``done(result)`` or ``failed(error)`` on the UI thread.

    Without ``failed`` an error is shown as an error notification.
    """
    app = node.app

    def report(exc: BaseException) -> None:
        if failed is not None:
            failed(exc)
        else:
            app.notify(error_message(exc), severity="error", timeout=8)

    def job() -> None:
        worker = get_current_worker()
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 - nothing a worker raises may end the app; logged below
            if not isinstance(exc, TrackerError):
                log_unexpected(exc, "database work failed in the app")
            if not worker.is_cancelled:
                app.call_from_thread(report, exc)
            return
        if not worker.is_cancelled:
            app.call_from_thread(done, result)

    return node.run_worker(job, thread=True, group=group, exclusive=exclusive, exit_on_error=False)
