"""What every screen of the app shares: the services, header and footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from tracker.ui.services import Services

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.storage.rawsql import Raw
from tracker.ui.worker import run_db

T = TypeVar("T")


class TrackerScreen(Screen[Any]):
    """A screen of the tracker. Subclasses write ``body()`` instead of ``compose()``.

    A section that can be opened on a filtered list or one record implements
    ``handle_request(**request)``; ``receive`` holds a request that arrives
    before the screen is mounted (the first visit to a section) until it is.
    """

    _pending_request: dict[str, Any] | None = None

    def receive(self, **request: Any) -> None:
        handler = getattr(self, "handle_request", None)
        if handler is None or not request:
            return
        if self.is_mounted:
            handler(**request)
        else:
            self._pending_request = request

    def on_mount(self) -> None:
        if self._pending_request is not None:
            request, self._pending_request = self._pending_request, None
            self.call_after_refresh(lambda: getattr(self, "handle_request")(**request))

    @property
    def services(self) -> Services:
        return self.app.services  # type: ignore[attr-defined, no-any-return]

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def quick(self, work: "Callable[[Raw], T]", done: Callable[[T], object], **options: Any) -> None:
        """Like ``read``, on the driver's connection (for the start-up screen, see ``Services.quick``)."""
        run_db(self, lambda: self.services.quick(work), done, **options)

    def read(self, work: "Callable[[Session], T]", done: Callable[[T], object], **options: Any) -> None:
        """Read in a worker thread; ``done`` runs on the UI thread with the result."""
        run_db(self, lambda: self.services.read(work), done, **options)

    def write(self, work: "Callable[[Session], T]", done: Callable[[T], object], **options: Any) -> None:
        run_db(self, lambda: self.services.write(work), done, **options)
