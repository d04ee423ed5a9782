"""Issue 15: the header's icon showed as a missing glyph in the browser (`tracker serve`): the icon
must be a character the font the served page uses actually has."""

from __future__ import annotations

import struct
from pathlib import Path

import textual_serve
from textual.widgets import Header

from tracker.ui.screens.base import TrackerScreen

FONT = Path(textual_serve.__file__).parent / "static" / "fonts" / "RobotoMono-VariableFont_wght.ttf"


def _characters(font: bytes) -> set[int]:
    """The code points a TrueType font's Unicode cmap (format 4, the BMP) maps to a glyph."""
    tables = {font[12 + 16 * i : 16 + 16 * i]: 16 * i + 12 for i in range(struct.unpack(">H", font[4:6])[0])}
    cmap = struct.unpack(">I", font[tables[b"cmap"] + 8 : tables[b"cmap"] + 12])[0]
    count = struct.unpack(">H", font[cmap + 2 : cmap + 4])[0]
    found: set[int] = set()
    for index in range(count):
        platform, encoding, offset = struct.unpack(">HHI", font[cmap + 4 + 8 * index : cmap + 12 + 8 * index])
        sub = cmap + offset
        if (platform, encoding) not in ((3, 1), (0, 3)) or struct.unpack(">H", font[sub : sub + 2])[0] != 4:
            continue
        segments = struct.unpack(">H", font[sub + 6 : sub + 8])[0] // 2
        ends = struct.unpack(f">{segments}H", font[sub + 14 : sub + 14 + 2 * segments])
        starts_at = sub + 16 + 2 * segments
        starts = struct.unpack(f">{segments}H", font[starts_at : starts_at + 2 * segments])
        for start, end in zip(starts, ends):
            found.update(range(start, end + 1))
    return found


def test_the_header_icon_is_a_character_of_the_served_font() -> None:
    header = next(w for w in TrackerScreen().compose() if isinstance(w, Header))
    assert len(header.icon) == 1
    assert ord(header.icon) in _characters(FONT.read_bytes()), f"{header.icon!r} is not in {FONT.name}"
    assert ord("⭘") not in _characters(FONT.read_bytes())  # Textual's default, which showed as a box
