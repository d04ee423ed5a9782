"""Python's full garbage collections, moved to the moments nobody is waiting for.

The cyclic collector stops everything, worker threads included, while it walks the whole heap.
With the app's screens, the handbook and the database layer loaded, that heap holds hundreds of
thousands of objects and a walk takes 0.1–0.3 s on a small machine: a section opened in the
wrong instant missed the 200 ms it has to paint its first page (issue 15), at random. So, while
the app runs:

- the young generations are collected as usual (small, a millisecond or two);
- the oldest is collected when the app has been idle for ``IDLE`` seconds (no key or click and
  no database read running), the moment a supervisor is reading the screen;
- what survives that collection the first time after a section was built (the section's screen
  is kept for the session, like the modules and the handbook) is frozen out of later walks;
- a long busy spell without a pause still gets a full collection, ``BUSY_FACTOR`` times less
  often than Python's default, so memory stays bounded.

Textual does the same for scrolling (``App.PAUSE_GC_ON_SCROLL``). Everything is put back as it
was when the app stops (the test suite runs many apps in one process).
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

IDLE = 0.5  # seconds without input or database work before the oldest generation is collected
BUSY_FACTOR = 50  # how much rarer Python's own full collections are while the app runs


class IdleCollector:
    """Collects the oldest generation in the app's idle moments (see the module's docstring)."""

    def __init__(self, app: "App[Any]") -> None:
        self._app = app
        self._timer: Timer | None = None
        self._saved: tuple[int, int, int] | None = None
        self._freeze_due = True  # the start-up heap is frozen at the first idle moment
        self._frozen = False

    def start(self) -> None:
        young, middle, oldest = gc.get_threshold()
        self._saved = (young, middle, oldest)
        gc.set_threshold(young, middle, oldest * BUSY_FACTOR)
        self.touched()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def built(self) -> None:
        """A long-lived screen (a section's) was built: freeze what survives the next collection."""
        self._freeze_due = True

    def touched(self) -> None:
        """Input arrived: the idle moment starts again from now."""
        if self._saved is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._app.set_timer(IDLE, self._idle, name="idle collection")

    def _idle(self) -> None:
        self._timer = None
        if any(not worker.is_finished for worker in self._app.workers):
            self.touched()  # a read is still running: the user is waiting for it
            return
        gc.collect()
        if self._freeze_due:
            gc.freeze()
            self._frozen = True
            self._freeze_due = False
