"""What every screen of the app shares (the backend, header and footer), and what
every list section shares (``ListScreen``).

A section opened with a request (a dashboard figure, the palette, another screen)
receives it before or after it is built; a request that arrives first is kept and
applied as the screen's first load, so the list behind a dashboard figure is the
first and only list fetched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Static

from tracker.backend import Backend
from tracker.ui.requests import Request
from tracker.ui.text import as_text
from tracker.ui.widgets.paged_table import PagedTable
from tracker.ui.worker import run_db

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.db.raw import Raw
    from tracker.ui.app import TrackerApp

T = TypeVar("T")


class TrackerScreen(Screen[Any]):
    """A screen of the tracker. Subclasses write ``body()`` instead of ``compose()``.

    A section that can be opened on a filtered list or one record implements
    ``handle_request(request)``.
    """

    _pending_request: Request | None = None
    _left = False

    def receive(self, request: Request) -> None:
        if self.is_mounted:
            self.handle_request(request)
        else:
            self._pending_request = request

    def take_pending_request(self) -> Request | None:
        request, self._pending_request = self._pending_request, None
        return request

    def handle_request(self, request: Request) -> None:
        """Show what ``request`` asks for (sections that can be asked override this)."""

    def on_return(self) -> None:
        """Called when the user comes back from another screen or section (not from a dialog,
        which refreshes what it changed itself): screens whose data may have changed reload it."""

    def on_screen_suspend(self) -> None:
        # A dialog on top changes nothing by itself. Nor does the palette: where it leads, to
        # another section or a record's page, suspends this screen again, and that counts.
        self._left = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if self._left:
            self._left = False
            self.call_after_refresh(self._returned)

    def _returned(self) -> None:
        """Reload only if still shown once the keys that brought it back are handled: a section
        asked to open a record's page must not reload its list under the page, which would
        compete with the page asked for (issue 15: the palette's employee took seconds)."""
        if self.app.screen is self:
            self.on_return()
        else:
            self._left = True  # reloaded when it is shown again

    @property
    def backend(self) -> Backend:
        return cast("TrackerApp", self.app).backend

    def open_section(self, request: Request) -> None:
        """Go to the section ``request`` is for (the app's mode) and hand it over."""
        cast("TrackerApp", self.app).open_section(request)

    def compose(self) -> ComposeResult:
        # "§" (a handbook's section sign) is in every font, the browser's served one included;
        # Textual's default "⭘" showed as a missing glyph in `tracker serve`.
        yield Header(icon="§")
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def quick(self, work: "Callable[[Raw], T]", done: Callable[[T], object], **options: Any) -> None:
        """Like ``read``, on the driver's connection (for the start-up screen, see ``Backend.quick``)."""
        run_db(self, lambda: self.backend.quick(work), done, **options)

    def read(self, work: "Callable[[Session], T]", done: Callable[[T], object], **options: Any) -> None:
        """Read in a worker thread; ``done`` runs on the UI thread with the result."""
        run_db(self, lambda: self.backend.read(work), done, **options)

    def write(self, work: "Callable[[Session], T]", done: Callable[[T], object], **options: Any) -> None:
        run_db(self, lambda: self.backend.write(work), done, **options)


# The keys every list has, for a ListScreen's BINDINGS after its own keys (so its own come first in the footer).
LIST_KEYS = (
    Binding("slash", "focus_filters", "Filter"),
    Binding("f5", "refresh", "Refresh"),
    Binding("escape", "focus_table", "List", show=False),
)


class ListScreen(TrackerScreen):
    """A section whose heart is a paged list with a filter bar and a status line.

    Subclasses override ``reload()`` (fetch the list for the current filter) and
    may implement ``prepare()`` (load filter choices) and ``handle_request``.
    The base class loads the list once when the screen is first shown (or
    applies the request it was opened with), reloads it when the user comes back
    from another screen (not from a dialog, which reloads what it changed), and
    provides the actions of ``LIST_KEYS``.
    """

    FILTER_FOCUS: ClassVar[str] = ".filters Input, .filters Select"  # what '/' focuses first
    STATUS: ClassVar[str] = "#list-status"

    def prepare(self) -> None:
        """Load what the filters offer (teams, channels); called once, before the first load."""

    def reload(self) -> None:
        """Fetch the list again (subclasses build the query from their filter first)."""
        self.table().reload()

    def table(self) -> PagedTable:
        return self.query_one(PagedTable)

    def status(self, text: str | Text) -> None:
        """The line under the filters. A string is shown as typed (a filter may hold '[' ), never as
        markup; it may quote a name (a report's summary): control characters are escaped."""
        self.query_one(self.STATUS, Static).update(as_text(text))

    def on_mount(self) -> None:
        self.prepare()
        # The list takes the keys (the back key among them), also when the section was opened on a
        # record's page and the list is first seen on the way back; a request may focus a filter.
        self.table().focus()
        request = self.take_pending_request()
        if request is not None:
            self.handle_request(request)  # loads the list it asks for, and focuses what it needs
        else:
            self.reload()

    def on_return(self) -> None:
        self.reload()  # back from a record's page or another section: show what changed

    def action_focus_filters(self) -> None:
        self.query(self.FILTER_FOCUS).first().focus()

    def action_focus_table(self) -> None:
        self.table().focus()

    def action_refresh(self) -> None:
        self.prepare()
        self.reload()
