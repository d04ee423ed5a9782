"""Import a roster CSV: pick the file, preview every change or every bad row,
and only then write (all rows or none)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DirectoryTree, Input, Static
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

from tracker.backend import error_message
from tracker.domain.errors import InputError, RowErrors
from tracker.domain.wording import plural
from tracker.records.employees.roster import ImportResult, RosterPreview, import_roster, preview_roster
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.text import as_content, as_text
from tracker.ui.widgets.paged_table import Page, PagedTable
from tracker.ui.widgets.text_input import TextInput
from tracker.ui.worker import run_db

ERROR_COLUMNS = [("Row", 6), ("Column", 12), ("Problem", None)]
CHANGE_COLUMNS = [("Row", 6), ("Result", 9), ("Number", 10), ("Name", 22), ("Details", None)]
RESULT_STYLE = {"add": ("add", "green"), "update": ("update", "yellow"), "unchanged": ("same", "dim")}
INTRO = (
    "Columns: number, name, team, hire_date (YYYY-MM-DD) and optionally active (yes/no). "
    "Choose a .csv below (Enter) or type its path. Nothing is written until you press Import."
)


class CsvTree(DirectoryTree):
    """Folders and .csv files only (hidden ones left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() == ".csv":
                    yield path
            except OSError:
                continue

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        """A file's name is anyone's text: a control character in it is shown escaped."""
        return as_text(super().render_label(node, base_style, style))


def read_file(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise InputError("file", f"{path} is a folder; choose a .csv file")
        return path.read_bytes()
    except OSError as exc:
        raise InputError("file", f"cannot read {path}: {exc.strerror or exc}") from None


class RosterImportScreen(TrackerScreen):
    """Pushed from the employees list; dismissed with the ImportResult (or None)."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_path", "Type a path"),
        Binding("ctrl+s", "import", "Import", priority=True),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or Path.cwd()
        self.preview: RosterPreview | None = None
        self.data: bytes | None = None
        self.path: Path | None = None
        self.importing = False

    def body(self) -> ComposeResult:
        with Vertical(id="roster-import"):
            yield Static("Import a roster", classes="section-title")
            yield Static(INTRO, classes="list-status", id="roster-intro")
            yield CsvTree(self.start, id="roster-tree")
            yield TextInput(placeholder="Path of a .csv file, then Enter", id="roster-path")
            yield Static("Choose a file to see what the import would do.", id="roster-summary")
            yield Vertical(id="roster-preview")
            with Horizontal(classes="dialog-buttons", id="roster-buttons"):
                yield Button("Preview (enter)", id="roster-preview-button", compact=True)
                yield Button(
                    "Import (ctrl+s)", id="roster-import-button", variant="primary", disabled=True, compact=True
                )
                yield Button("Back (esc)", id="roster-back", compact=True)

    def on_mount(self) -> None:
        self.query_one(CsvTree).focus()

    # --- choosing the file ------------------------------------------------------

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#roster-path", Input).value = str(event.path)
        self.load_preview(event.path)

    @on(Input.Submitted, "#roster-path")
    def _path_submitted(self) -> None:
        self._preview_typed()

    @on(Input.Changed, "#roster-path")
    def _path_changed(self, event: Input.Changed) -> None:
        if self.path is not None and event.value.strip() != str(self.path):
            self._set_preview(None)  # what is previewed must be what is imported

    @on(Button.Pressed, "#roster-preview-button")
    def _preview_pressed(self) -> None:
        self._preview_typed()

    def _preview_typed(self) -> None:
        text = self.query_one("#roster-path", Input).value.strip()
        if not text:
            self.query_one("#roster-summary", Static).update(
                "[red]Type the path of a .csv file, or choose one above.[/]"
            )
            return
        self.load_preview(Path(text).expanduser())

    def load_preview(self, path: Path) -> None:
        path = path.resolve()
        self._set_preview(None)
        self.query_one("#roster-summary", Static).update(as_content(f"Reading {path} …"))

        def work() -> tuple[Path, bytes, RosterPreview]:
            data = read_file(path)
            return path, data, self.backend.read(lambda s: preview_roster(data, session=s))

        run_db(self, work, self._previewed, self._preview_failed, group="roster-preview", exclusive=True)

    def _preview_failed(self, exc: BaseException) -> None:
        self.query_one("#roster-summary", Static).update(Text(error_message(exc), style="bold red"))

    def _previewed(self, loaded: tuple[Path, bytes, RosterPreview]) -> None:
        path, data, preview = loaded
        self.path, self.data = path, data
        self._set_preview(preview)

    # --- the preview -------------------------------------------------------------

    def _set_preview(self, preview: RosterPreview | None) -> None:
        self.preview = preview
        if preview is None:
            self.path = self.data = None
        self.query_one("#roster-import-button", Button).disabled = preview is None or not preview.ok
        self.refresh_bindings()
        holder = self.query_one("#roster-preview", Vertical)
        holder.remove_children()
        if preview is None:
            return
        summary = self.query_one("#roster-summary", Static)
        if not preview.ok:
            summary.update(
                as_text(
                    Text.assemble(
                        (
                            f"{plural(len(preview.errors), 'bad row')} in {self.path.name if self.path else 'the file'}",
                            "bold red",
                        ),
                        f" ({plural(preview.rows, 'row')}): nothing can be imported. Fix every row listed below in the file and preview again.",
                    )
                )
            )
            rows: list[tuple[str, tuple[str | Text, ...]]] = [  # strings: shown as typed, controls escaped
                (f"e{i}", (str(e.row), e.column, e.reason)) for i, e in enumerate(preview.errors)
            ]
            table = PagedTable(ERROR_COLUMNS, id="roster-table")
        else:
            summary.update(
                Text.assemble(
                    (
                        f"{plural(preview.rows, 'row')}: {preview.added} to add, {preview.updated} to update, "
                        f"{preview.unchanged} unchanged.",
                        "bold",
                    ),
                    " Nothing is written yet: press Import (ctrl+s) to apply all of them.",
                )
            )
            rows = [
                (
                    f"c{i}",
                    (str(c.row), Text(*RESULT_STYLE[c.action]), c.number, c.name, c.detail),
                )
                for i, c in enumerate(preview.changes)
            ]
            table = PagedTable(CHANGE_COLUMNS, id="roster-table")
        holder.mount(table)

        def fetch(cursor: int | None, limit: int) -> Page:
            start = cursor or 0
            end = start + limit
            return Page(rows[start:end], end if end < len(rows) else None)

        table.load(fetch)

    # --- importing -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "import":
            return self.preview is not None and self.preview.ok and not self.importing
        return True

    @on(Button.Pressed, "#roster-import-button")
    def _import_pressed(self) -> None:
        self.action_import()

    def action_import(self) -> None:
        if self.preview is None or not self.preview.ok or self.data is None or self.importing:
            return
        data, backend = self.data, self.backend
        self.importing = True
        self.query_one("#roster-import-button", Button).disabled = True
        self.query_one("#roster-summary", Static).update("Importing …")
        self.refresh_bindings()
        self.write(
            lambda s: import_roster(data, session=s, actor=backend.actor), self._imported, failed=self._import_failed
        )

    def _imported(self, result: ImportResult) -> None:
        self.importing = False
        self.notify(
            f"Roster imported: {len(result.added)} added, {len(result.updated)} updated, {result.unchanged} unchanged."
        )
        self.dismiss(result)

    def _import_failed(self, exc: BaseException) -> None:
        self.importing = False
        if isinstance(exc, RowErrors) and self.preview is not None:
            self._set_preview(RosterPreview(rows=exc.total_rows, errors=exc.errors))
        else:
            self.query_one("#roster-summary", Static).update(
                Text(error_message(exc) + " — nothing was imported.", style="bold red")
            )
            self.query_one("#roster-import-button", Button).disabled = False
        self.refresh_bindings()
        self.notify(error_message(exc), severity="error", timeout=10)

    @on(Button.Pressed, "#roster-back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_focus_path(self) -> None:
        self.query_one("#roster-path", Input).focus()
