"""Text from other people on a terminal: which characters are refused, and how echoes are escaped.

A terminal acts on control characters instead of showing them: ``ESC ] 0 ; title BEL`` retitles
the window, ``ESC [ 2 J`` clears the screen, and U+009B (a one-character ``ESC [``) does the same
on terminals that read C1 controls. Bidi embedding, override and isolate controls (U+202A-U+202E,
U+2066-U+2069) show nothing but reorder what follows ("Trojan Source"), so a record can read
differently from what it holds. So:

- ``unsafe_character`` is the one rule every typed or imported text field is checked by
  (``domain/inputs.py``, and the CSV importers through it): tab, line feed and carriage return
  stay allowed (where a field may hold lines at all); every other C0 control, DEL, every C1
  control and those nine bidi controls are refused with a reason naming the character.
  Right-to-left names need none of them (the bidi algorithm orders them without help), and the
  implicit marks (U+200E, U+200F, U+061C) that mixed-direction text may use are still accepted.
- ``visible`` is the one escape for text shown back: what would be refused becomes ``\\x1b`` /
  ``\\u202e``, so a hostile value echoed in an error, or a record stored before the check, can
  neither act on the terminal nor disguise the line. Backslashes are left as they are: the
  result is for people to read, not to parse back (JSON output uses ``json_escaped``, which is).
"""

from __future__ import annotations

import re
import unicodedata

# The bidi embedding, override and isolate controls: LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI_CONTROLS
_REFUSED = re.compile(f"[{_UNSAFE}]")
_UNSAFE_IN_LINE = re.compile(f"[\t\n\r{_UNSAFE}]")  # a one-line echo: no line breaks or tabs either
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}]")  # json.dumps already escapes C0 itself

# Unicode gives control characters no names (only aliases); these are the ones people meet.
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x84: "INDEX",
    0x85: "NEXT LINE",
    0x8D: "REVERSE LINE FEED",
    0x90: "DEVICE CONTROL STRING",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
    0x9C: "STRING TERMINATOR",
    0x9D: "OPERATING SYSTEM COMMAND",
}


def _describe(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', or just 'U+0091' for a control Unicode leaves unnamed."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X} {name}" if name else f"U+{code:04X}"


def unsafe_character(text: str) -> str | None:
    """Why ``text`` may not be stored (the first refused character, named), or None if it may.

    Tab, line feed and carriage return are not judged here: whether a field may hold lines is
    the field's own rule.
    """
    found = _REFUSED.search(text)
    if found is None:
        return None
    char = found.group()
    harm = "which could disguise the text" if char in BIDI_CONTROLS else "which a terminal could act on"
    return f"contains a control character ({_describe(char)}), {harm}"


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every character a terminal could act on written as an escape (``\\x1b``).

    By default the result is one line (a message): tabs and line breaks are escaped too. With
    ``lines=True`` (a record's multi-line text, a printed file) exactly what input refuses is
    escaped, and tab, line feed and carriage return stay, as a multi-line field may hold them.
    """
    pattern = _REFUSED if lines else _UNSAFE_IN_LINE
    return pattern.sub(_escape, text)


def json_escaped(text: str) -> str:
    """JSON text with the C1 and bidi controls ``json.dumps`` leaves raw written as ``\\u009b``.

    Those characters only ever occur inside JSON strings, where the escape means exactly the same
    character, so the JSON parses back to the same data.
    """
    return _UNSAFE_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
