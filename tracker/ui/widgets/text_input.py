"""The app's one-line input: the value exactly as stored or typed, drawn without control characters.

An edit form is filled with the record as stored, and a record stored before control characters
were refused may hold ESC, U+009B or U+202E (see ``tracker/ui/text.py``). Textual's ``Input``
draws its value as it is, so they would reach the terminal. ``TextInput`` keeps the value
untouched (saving it is refused under the field, naming the character) and draws each such
character as one mark, U+FFFD; one character for one, so the cursor, selection and clicks still
land where they do in the value. A pasted control character is drawn the same way; a placeholder
(app text that may quote a record) is escaped like any other text.

It overrides three private members of Textual's ``Input`` (``_value``, ``_position_to_cell``,
``_cell_offset_to_index``): Textual is pinned in ``pyproject.toml``, and
``tests/ui/test_control_characters.py`` checks what reaches the screen.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual.expand_tabs import expand_tabs_inline
from textual.widgets import Input

from tracker.domain.text_safety import BIDI_CONTROLS, visible

MARK = "\ufffd"  # REPLACEMENT CHARACTER: one cell, and read as "a character that cannot be shown"
_DRAWN_AS_MARK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")  # a line: no line breaks either


def drawn(value: str) -> str:
    """``value`` as a ``TextInput`` draws it: every control character one mark, tabs kept."""
    return _DRAWN_AS_MARK.sub(MARK, value)


class TextInput(Input):
    """An ``Input`` whose value may hold anything and whose drawing holds no control character."""

    def validate_placeholder(self, placeholder: str) -> str:
        """A placeholder may quote a record (a level's name): shown escaped (``\\x1b``)."""
        return visible(placeholder)

    @property
    def _value(self) -> Text:
        """The value as drawn (Textual's ``Input._value``, built from the marked value: Rich would
        drop a BEL or CR silently, and the cursor would then stand off by one)."""
        if self.password or _DRAWN_AS_MARK.search(self.value) is None:
            return super()._value
        text = Text(drawn(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        return cell_len(expand_tabs_inline(drawn(self.value[:position]), 4))

    def _cell_offset_to_index(self, offset: int) -> int:
        cell_offset = 0
        scroll_x, _ = self.scroll_offset
        offset += scroll_x
        value = drawn(self.value)
        for index, char in enumerate(value):
            width = get_character_cell_size(char)
            if cell_offset <= offset < cell_offset + width:
                return index
            cell_offset += width
        return max(0, min(offset, len(value)))
