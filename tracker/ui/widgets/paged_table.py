"""A DataTable fed from the database one page at a time.

Textual's DataTable keeps every row it is given, so it is never given a whole
table: the first page is fetched when the list opens and the next one when the
cursor comes near the end. The cost of opening a list does not depend on how
many records exist, and memory grows only with what the user scrolls through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from tracker.backend import error_message
from tracker.ui.text import as_text
from tracker.ui.worker import run_db

PAGE_SIZE = 60
PREFETCH = 15  # rows before the end at which the next page is fetched


@dataclass(frozen=True)
class Page:
    """Rows of one page as (key, cells), and the cursor to fetch the next page (None at the end)."""

    rows: Sequence[tuple[str, Sequence[str | Text]]]
    next_cursor: Any | None


Fetch = Callable[[Any | None, int], Page]


class PagedTable(DataTable[Any]):
    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    """

    class Loaded(Message):
        """A page arrived; ``total_rows`` is what the table now holds."""

        def __init__(self, table: "PagedTable", total_rows: int, more: bool) -> None:
            self.table = table
            self.total_rows = total_rows
            self.more = more
            super().__init__()

    class Chosen(Message):
        """The user pressed Enter on a row."""

        def __init__(self, table: "PagedTable", key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

    def __init__(self, columns: Sequence[tuple[str, int | None]], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._column_spec = columns
        self._fetch: Fetch | None = None
        self._next: Any | None = None
        self._loading = False
        self._generation = 0

    def on_mount(self) -> None:
        for label, width in self._column_spec:
            self.add_column(label, width=width)

    def load(self, fetch: Fetch) -> None:
        """Start again from the first page with a new query (e.g. after a filter change)."""
        self._fetch = fetch
        self._generation += 1
        self._next = None
        self._loading = False
        self.clear()
        self._request(None)

    def reload(self) -> None:
        if self._fetch is not None:
            self.load(self._fetch)

    def _request(self, cursor: Any | None) -> None:
        if self._fetch is None or self._loading:
            return
        self._loading = True
        fetch = self._fetch
        generation = self._generation

        def arrived(page: Page) -> None:
            if generation != self._generation:
                return  # a newer query replaced this one
            self._loading = False
            for key, cells in page.rows:
                # Plain strings would be read as markup: data is shown as typed, controls escaped.
                self.add_row(*(as_text(cell) for cell in cells), key=key)
            self._next = page.next_cursor
            self.post_message(self.Loaded(self, self.row_count, self._next is not None))

        def failed(exc: BaseException) -> None:
            self._loading = False
            self.app.notify(error_message(exc), severity="error")

        run_db(self, lambda: fetch(cursor, PAGE_SIZE), arrived, failed, group=f"page-{id(self)}")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._next is not None and event.cursor_row >= self.row_count - PREFETCH:
            self._request(self._next)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Chosen(self, str(event.row_key.value)))

    @property
    def current_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except (CellDoesNotExist, RowDoesNotExist):
            return None
        return str(key.value) if key.value is not None else None
