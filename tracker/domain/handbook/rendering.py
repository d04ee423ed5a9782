"""Which lines of a handbook page the site renders as headings, and at what level and id.

A rule is a rendered heading, not a line that looks like one: a heading inside an HTML comment
or an HTML block is invisible on the site and must not be published (and signed) as a rule; a
setext heading (text underlined with ``---``) is a rule on the site and must be one here. So the
page is rendered with Python-Markdown and the site's own ``markdown_extensions`` from mkdocs.yml,
after every line that might be a heading has had its title replaced by a numbered token: a token
that comes out inside ``<h1>``–``<h6>`` marks a rendered heading, and the element gives its level
and id. One extra render per page; the rules' text stays the Markdown the editor wrote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

_ATX = re.compile(r"^(\s*)(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)[ \t]*$")
_TOKEN = re.compile(r"TRKHEAD(\d+)X")
_ATTR = re.compile(r"(\{[^{}]*\})\s*#*\s*$")  # a trailing attribute list, as attr_list reads it
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


# MkDocs adds these to every site's markdown_extensions.
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")


class RenderingUnavailable(ValueError):
    """The site's Markdown extensions cannot be loaded here."""


@dataclass(frozen=True)
class RenderedHeading:
    level: int
    id: str | None
    setext: bool  # the title is on this line and its underline on the next


def _configured(extensions: Any) -> dict[str, dict[str, Any]]:
    """mkdocs.yml ``markdown_extensions`` (names, or one-key mappings of a name to its options)
    with MkDocs's built-ins first, as MkDocs loads them: each name and its options."""
    configured: dict[str, dict[str, Any]] = {name: {} for name in MKDOCS_BUILTINS}
    for item in extensions if isinstance(extensions, list) else []:
        if isinstance(item, str):
            configured.setdefault(item, {})
        elif isinstance(item, dict) and len(item) == 1:
            [(name, options)] = item.items()
            configured[str(name)] = options if isinstance(options, dict) else {}
    return configured


def gives_ids(extensions: Any) -> bool:
    """Whether headings can carry an ID written as ``{#CON-01}`` (the attr_list extension)."""
    return "attr_list" in _configured(extensions)


def site_markdown(extensions: Any) -> Any:
    """A Python-Markdown converter with the site's extensions. An extension that cannot be loaded
    is ``RenderingUnavailable``: the tracker reads no rule it cannot render as the site does."""
    import markdown

    configured = _configured(extensions)
    try:
        return markdown.Markdown(extensions=list(configured), extension_configs=configured)
    except Exception as exc:  # noqa: BLE001 - ImportError, or an extension's own error on its options
        raise RenderingUnavailable(f"markdown_extensions cannot be loaded ({exc})") from None


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[int, tuple[int, str | None]] = {}
        self._open: tuple[int, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._open = (int(tag[1]), dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            for token in _TOKEN.finditer(data):
                self.found.setdefault(int(token.group(1)), self._open)


def _with_token(line: str, token: str, *, setext: bool) -> str | None:
    """``line`` with its heading title replaced by ``token`` (its attribute list kept)."""
    if setext:
        indent = line[: len(line) - len(line.lstrip())]
        body = line.strip()
        prefix = indent
    else:
        match = _ATX.match(line)
        if match is None:
            return None
        prefix = f"{match.group(1)}{match.group(2)} "
        body = match.group(3) or ""
    attr = _ATTR.search(body)
    return f"{prefix}{token}" + (f" {attr.group(1)}" if attr else "")


class SiteRenderer:
    """Renders pages as the site does; a page's headings are remembered by its text, so reading
    the handbook afresh (every form that needs the rules does) renders only what was edited."""

    def __init__(self, extensions: Any) -> None:
        self.md = site_markdown(extensions)
        self._seen: dict[tuple[str, int], dict[int, RenderedHeading]] = {}

    def headings(self, lines: list[str], start: int) -> dict[int, RenderedHeading]:
        key = ("\n".join(lines), start)
        if key not in self._seen:
            if len(self._seen) > 256:  # pages of old edits
                self._seen.clear()
            self._seen[key] = rendered_headings(lines, start, self.md)
        return self._seen[key]


_RENDERERS: dict[str, SiteRenderer] = {}


def renderer_for(extensions: Any) -> SiteRenderer:
    """One renderer per set of site extensions (loading them is most of a first render)."""
    key = json.dumps(extensions, sort_keys=True, default=str)
    if key not in _RENDERERS:
        _RENDERERS[key] = SiteRenderer(extensions)
    return _RENDERERS[key]


def rendered_headings(lines: list[str], start: int, md: Any) -> dict[int, RenderedHeading]:
    """The headings the site renders among ``lines[start:]``, by line index."""
    marked = list(lines)
    candidates: dict[int, bool] = {}
    for index in range(start, len(lines)):
        line = lines[index]
        if _ATX.match(line) and line.lstrip().startswith("#"):
            candidates[index] = False
        elif (
            line.strip()
            and index + 1 < len(lines)
            and _SETEXT_UNDERLINE.match(lines[index + 1])
            and not _SETEXT_UNDERLINE.match(line)
        ):
            candidates[index] = True
    for index, setext in candidates.items():
        replaced = _with_token(lines[index], f"TRKHEAD{index}X", setext=setext)
        if replaced is not None:
            marked[index] = replaced
    md.reset()
    parser = _Headings()
    parser.feed(md.convert("\n".join(marked[start:])))
    return {
        index: RenderedHeading(level, anchor, candidates[index])
        for index, (level, anchor) in parser.found.items()
        if index in candidates
    }


def without_comments(text: str) -> str:
    """Markdown text without its HTML comments (the site shows none of them, so no rule says them),
    each replaced by its line breaks, so the lines after it keep their numbers."""
    return _COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), text)
