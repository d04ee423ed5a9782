"""The one export dialog: the user types where; the extension picks the format.

In a terminal the file goes wherever the user types. Served in a browser (``tracker serve``), the
app writes only into its export folder and hands the file to the browser as a download as well:
the person at the browser may not be at the machine that holds the folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from tracker.domain.errors import InputError
from tracker.output.files import export_path, write_export
from tracker.output.tables import TABLE_FORMATS, format_of
from tracker.ui.widgets.form import Field, FormDialog, FormSpec

if TYPE_CHECKING:
    from tracker.ui.screens.base import TrackerScreen

Render = Callable[[str], tuple[str, int]]  # format -> (the file's text, rows); runs in a worker


def export_form(
    title: str,
    default_path: str,
    render: Render,
    formats: Mapping[str, str] = TABLE_FORMATS,
    folder: Path | None = None,
) -> FormSpec[tuple[Path, int]]:
    """Saving writes ``render(format)`` and returns (the file written, rows)."""

    def check(data: dict[str, Any]) -> dict[str, str]:
        text = str(data.get("path") or "").strip()
        if not text:
            return {"path": "is required"}
        try:
            export_path(text, folder)
            format_of(text, formats)
        except InputError as exc:
            return {"path": exc.reason}
        return {}

    def save(data: dict[str, Any]) -> tuple[Path, int]:
        path = export_path(str(data["path"]), folder)
        text, rows = render(format_of(path, formats))
        return write_export(path, text, replace=bool(data.get("replace"))), rows

    kinds = ", ".join(f"{ext} ({fmt.upper() if fmt != 'md' else 'Markdown'})" for ext, fmt in formats.items())
    where = (
        f"Files are written to the export folder {folder} (type a file name) and downloaded by your browser."
        if folder
        else "~ and relative paths start in your home folder."
    )
    return FormSpec(
        title=title,
        intro=f"The file name's extension picks the format: {kinds}. {where}",
        fields=[
            Field("path", "Write to", value=Path(default_path).name if folder else default_path),
            Field("replace", "Replace", "bool", placeholder="Replace the file if it exists"),
        ],
        check=check,
        save=save,
        success=lambda result: f"Wrote {result[0]} ({result[1]} rows).",
        save_label="Export",
    )


def open_export(
    screen: "TrackerScreen", title: str, default_path: str, render: Render, formats: Mapping[str, str] = TABLE_FORMATS
) -> None:
    """The export dialog over ``screen``, confined to the export folder when the app is served."""
    app = screen.app

    def written(result: tuple[Path, int] | None) -> None:
        if result is not None and app.is_web:
            app.deliver_text(result[0], save_filename=result[0].name, encoding="utf-8")

    folder = screen.backend.settings.exports
    app.push_screen(FormDialog(export_form(title, default_path, render, formats, folder)), written)
