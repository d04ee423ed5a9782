"""Record text on screen: shown as typed, and never able to act on the terminal.

Names, summaries, reasons and notes are other people's text. Two rules hold wherever the app
shows them:

- never markup: a string becomes ``Content`` / ``Text`` as it is, so ``[/]`` is two characters;
- never a control: what input refuses (``domain/text_safety.unsafe_character``: C0 controls but
  tab and line breaks, DEL, C1, the bidi embeddings, overrides and isolates) is shown as its
  escape (``\\x1b``, ``\\u202e``). New input cannot hold them, but a record stored by an older
  version, or written straight into the database, can; drawn raw, ESC and U+009B would reach the
  terminal as commands and U+202E would reverse the rest of the line.

``as_content`` and ``as_text`` take a plain string, or a ``Content`` / ``Text`` built with styles
around record text: the escape keeps every style on the characters it covered. ``assemble`` is
``Content.assemble`` with each part escaped first (``Content`` itself drops a BEL or a backspace
silently, so escaping the assembled result would hide that they were there).

The stored value is never changed: an edit form's field holds the exact text
(``widgets/text_input.TextInput`` draws each such character as one mark), and saving it is
refused under the field with the reason.
"""

from __future__ import annotations

from rich.text import Span as TextSpan
from rich.text import Text
from textual.content import Content, Span
from textual.style import Style

from tracker.domain.text_safety import unsafe_character, visible

__all__ = ["as_content", "as_text", "assemble", "shown"]


def shown(text: object) -> str:
    """``text`` as a string with every character a terminal could act on escaped; tabs and line
    breaks stay (a record's text may hold lines). Not markup: pass it on as ``Content`` / ``Text``
    (or as the label of a widget that shows labels as text)."""
    return visible(str(text), lines=True)


def _escaped(plain: str) -> tuple[str, list[int]] | None:
    """The escaped text and, for each offset of ``plain`` (and its end), the offset it moved to;
    None when nothing needs escaping. A carriage return is dropped, as Rich and Textual drop it."""
    if unsafe_character(plain) is None:
        return None
    pieces: list[str] = []
    offsets = [0]
    for char in plain:
        piece = "" if char == "\r" else visible(char, lines=True)
        pieces.append(piece)
        offsets.append(offsets[-1] + len(piece))
    return "".join(pieces), offsets


def as_text(value: object) -> Text:
    """A Rich ``Text`` (a table cell, an option): a ``Text`` keeps its styles, anything else is
    shown as typed. Returned unchanged when nothing needs escaping."""
    if not isinstance(value, Text):
        return Text(shown(value))
    escaped = _escaped(value.plain)
    if escaped is None:
        return value
    plain, offsets = escaped
    last = len(value.plain)
    spans = [TextSpan(offsets[min(span.start, last)], offsets[min(span.end, last)], span.style) for span in value.spans]
    return Text(
        plain,
        style=value.style,
        justify=value.justify,
        overflow=value.overflow,
        no_wrap=value.no_wrap,
        end=value.end,
        tab_size=value.tab_size,
        spans=spans,
    )


def as_content(value: str | Content | Text) -> Content:
    """Textual ``Content`` for a ``Static``, a label or a title: a string is shown as typed (never
    markup), a ``Content`` (``Content.assemble``) or ``Text`` keeps its styles."""
    if isinstance(value, Text):
        return Content.from_rich_text(as_text(value))
    if not isinstance(value, Content):
        return Content(shown(value))
    escaped = _escaped(value.plain)
    if escaped is None:
        return value
    plain, offsets = escaped
    last = len(value.plain)
    spans = [Span(offsets[min(span.start, last)], offsets[min(span.end, last)], span.style) for span in value.spans]
    return Content(plain, spans)


def assemble(*parts: str | Content | tuple[str, str | Style]) -> Content:
    """``Content.assemble`` of record text: strings and ``(text, style)`` pairs shown as typed,
    controls escaped, styles kept (``assemble(f"{number}  {name} — ", ("active", "green"))``)."""
    return Content.assemble(
        *(as_content(part) if isinstance(part, (str, Content)) else (shown(part[0]), part[1]) for part in parts)
    )
