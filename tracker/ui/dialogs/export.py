"""The one export dialog: the user types the path; the extension picks the format."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from tracker.domain.errors import InputError
from tracker.output.tables import TABLE_FORMATS, format_of
from tracker.ui.widgets.form import Field, FormSpec


def resolve_path(text: str) -> Path:
    """``~`` is the home folder; a relative path is taken from the home folder too."""
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else Path.home() / path


def export_form(
    title: str,
    default_path: str,
    write: Callable[[Path, str], tuple[Path, int]],
    formats: Mapping[str, str] = TABLE_FORMATS,
) -> FormSpec[tuple[Path, int]]:
    """``write(path, format)`` runs in a worker and returns (full path written, rows)."""

    def check(data: dict[str, Any]) -> dict[str, str]:
        text = str(data.get("path") or "").strip()
        if not text:
            return {"path": "is required"}
        try:
            format_of(text, formats)
        except InputError as exc:
            return {"path": exc.reason}
        return {}

    def save(data: dict[str, Any]) -> tuple[Path, int]:
        path = resolve_path(str(data["path"]))
        if path.exists() and not data.get("replace"):
            raise InputError("path", f"{path} already exists; tick 'Replace' or choose another name")
        return write(path, format_of(path, formats))

    kinds = ", ".join(f"{ext} ({fmt.upper() if fmt != 'md' else 'Markdown'})" for ext, fmt in formats.items())
    return FormSpec(
        title=title,
        intro=f"The file name's extension picks the format: {kinds}. ~ and relative paths start in your home folder.",
        fields=[
            Field("path", "Write to", value=default_path),
            Field("replace", "Replace", "bool", placeholder="Replace the file if it exists"),
        ],
        check=check,
        save=save,
        success=lambda result: f"Wrote {result[0]} ({result[1]} rows).",
        save_label="Export",
    )
