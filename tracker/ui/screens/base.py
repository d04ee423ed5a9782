"""What every screen of the app shares: the services, header and footer."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from sqlmodel import Session
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from tracker.ui.services import Services
from tracker.ui.worker import run_db

T = TypeVar("T")


class TrackerScreen(Screen[Any]):
    """A screen of the tracker. Subclasses write ``body()`` instead of ``compose()``."""

    @property
    def services(self) -> Services:
        return self.app.services  # type: ignore[attr-defined, no-any-return]

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def read(self, work: Callable[[Session], T], done: Callable[[T], object], **options: Any) -> None:
        """Read in a worker thread; ``done`` runs on the UI thread with the result."""
        run_db(self, lambda: self.services.read(work), done, **options)

    def write(self, work: Callable[[Session], T], done: Callable[[T], object], **options: Any) -> None:
        run_db(self, lambda: self.services.write(work), done, **options)
