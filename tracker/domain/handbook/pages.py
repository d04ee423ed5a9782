"""The handbook's Markdown pages as the parser reads them: front matter, the headings the site
renders (with their level, id and line), code blocks, pipe tables and links, each located by file
and line so a problem can be reported where the editor will fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

import yaml

from tracker.domain import limits
from tracker.domain.handbook.rendering import SiteRenderer, without_comments

_ATX_TITLE = re.compile(r"^#{1,6}(?:[ \t]+(.*))?$")  # closing #s are stripped in code: no backtracking


_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


# A rule heading may show its ID before its title, as the site displays it:
# '<span class="rule-id">CON-04</span> · Apologise for a bad experience', or 'CON-04 · Apologise…'. Linear:
# no quantified group repeats, so a hostile heading cannot make it backtrack.
_SHOWN_ID = re.compile(
    r"^(?:<span\b[^<>]*>[ \t]*([A-Z]{3}-\d{2})[ \t]*</span>[ \t]*(?:\u00b7[ \t]*)?|([A-Z]{3}-\d{2})[ \t]*\u00b7[ \t]*)"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the handbook, located for the person editing it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Heading:
    level: int
    title: str
    anchor: str | None
    line: int
    body_from: int  # index of the first line under it (a setext heading's underline is not body)
    indented: bool  # inside an admonition, list item or tab: its text does not read alone
    classes: tuple[str, ...] = ()  # from its attribute list ('{#VAL-01 .not-citable}')


@dataclass
class Page:
    name: str
    lines: list[str]
    first_body_line: int  # 0-based index of the first line after front matter
    tags: tuple[str, ...] = ()
    headings: list[tuple[int, Heading]] = field(default_factory=list)  # (line index, heading)
    code_lines: set[int] = field(default_factory=set)


def split_attr_list(raw_title: str) -> tuple[str, str | None]:
    """'Title {#ID .class}' -> ('Title', 'ID'). Plain string work: no regular
    expression can backtrack on a hostile heading."""
    title, anchor, _ = split_attributes(raw_title)
    return title, anchor


def split_attributes(raw_title: str) -> tuple[str, str | None, tuple[str, ...]]:
    """'Title {#ID .a .b}' -> ('Title', 'ID', ('a', 'b')), as ``split_attr_list`` reads it."""
    text = raw_title.rstrip()
    if text.endswith("#"):  # an ATX closing sequence ('## Title ##') needs a space before it
        stripped = text.rstrip("#")
        if not stripped or stripped[-1] in " \t":
            text = stripped.rstrip()
    if not text.endswith("}"):
        return text.strip(), None, ()
    start = text.rfind("{")
    if start < 0 or "}" in text[start + 1 : -1]:
        return text.strip(), None, ()
    anchor = None
    classes: list[str] = []
    for token in text[start + 1 : -1].lstrip(":").split():
        if token.startswith("#"):
            anchor = token[1:]
        elif token.startswith(".") and len(token) > 1:
            classes.append(token[1:])
    return text[:start].strip(), anchor, tuple(classes)


def split_shown_id(title: str) -> tuple[str, str | None]:
    """'<span class="rule-id">CON-04</span> · Apologise' -> ('Apologise', 'CON-04'): a rule's title
    without the ID its heading displays before it (display only: the ID a rule has is its anchor,
    and what is hashed is the title alone, so showing the ID or not changes no hash)."""
    match = _SHOWN_ID.match(title)
    if match is None:
        return title, None
    return title[match.end() :].strip(), match.group(1) or match.group(2)


def _front_matter_end(lines: list[str]) -> int | None:
    """The index of the line closing the front matter ('---' or '...'), or None without one."""
    if not lines or lines[0].strip() != "---":
        return None
    return next((index for index in range(1, len(lines)) if lines[index].strip() in ("---", "...")), None)


def front_matter(text: str) -> dict[str, object]:
    """A page's front matter (empty when it has none, or none that reads as a mapping; ``scan_page``
    reports what is wrong with it)."""
    lines = text.splitlines()
    end = _front_matter_end(lines)
    if end is None:
        return {}
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except Exception:  # noqa: BLE001 - reported by scan_page
        return {}
    return meta if isinstance(meta, dict) else {}


def rules_last_changed(text: str) -> tuple[str, str] | None:
    """(version, date) the page's rules last changed, from its front matter (``rules_changed_in``,
    ``rules_changed_on``): shown under the site's masthead and in print, held to the changelog
    by tests/handbook/test_rules_last_changed.py."""
    meta = front_matter(text)
    if "rules_changed_in" not in meta:
        return None
    return str(meta["rules_changed_in"]), str(meta.get("rules_changed_on", ""))


def scan_page(name: str, text: str, renderer: SiteRenderer, problems: list[Problem]) -> Page:
    lines = text.splitlines()
    start = 0
    tags: tuple[str, ...] = ()
    end = _front_matter_end(lines)
    if end is not None:
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except Exception as exc:  # noqa: BLE001 - YAMLError, ValueError (bad dates), RecursionError
            problems.append(Problem(name, 1, f"front matter is not valid YAML: {exc.__class__.__name__}"))
            meta = {}
        if isinstance(meta, dict):
            raw_tags = meta.get("tags") or []
            if isinstance(raw_tags, list):
                tags = tuple(str(tag) for tag in raw_tags)
                if len(",".join(tags)) > limits.RULE_TAGS:
                    problems.append(
                        Problem(name, 1, f"front matter 'tags' are longer than {limits.RULE_TAGS} characters")
                    )
            else:
                problems.append(Problem(name, 1, "front matter 'tags' must be a list"))
        start = end + 1
    page = Page(name=name, lines=lines, first_body_line=start, tags=tags)
    fence: str | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        fence_match = _FENCE.match(line)
        if fence is not None:
            page.code_lines.add(index)
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            page.code_lines.add(index)
    for index, rendered in sorted(renderer.headings(lines, start).items()):
        line = lines[index]
        if rendered.setext:
            raw_title = line.strip()
        else:
            match = _ATX_TITLE.match(line.strip())
            raw_title = (match.group(1) or "") if match else ""
        title, _, classes = split_attributes(raw_title)
        heading = Heading(
            level=rendered.level,
            title=title,
            anchor=rendered.id,
            line=index + 1,
            body_from=index + (2 if rendered.setext else 1),
            indented=line[:1] in (" ", "\t"),
            classes=classes,
        )
        page.headings.append((index, heading))
    return page


def rule_body(page: Page, position: int) -> tuple[str, int]:
    """Markdown under the heading at ``position`` up to the next heading of its level or higher,
    without the HTML comments the site does not show (their lines kept blank, so table rows keep
    their line numbers), and the 1-based line its first line is on."""
    _, heading = page.headings[position]
    end = len(page.lines)
    for later_index, later in page.headings[position + 1 :]:
        if later.level <= heading.level:
            end = later_index
            break
    first = heading.body_from
    body = shown_lines(page, first, end)
    while body and not body[0].strip():
        body.pop(0)
        first += 1
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(line.rstrip() for line in body), first + 1


def shown_lines(page: Page, start: int, end: int) -> list[str]:
    """``page.lines[start:end]`` with HTML comments blanked, except in fenced code (where the site
    shows them as written)."""
    shown: list[str] = []
    prose: list[str] = []
    for index in range(start, end):
        if index in page.code_lines:
            shown += blank_comments(prose)
            prose = []
            shown.append(page.lines[index])
        else:
            prose.append(page.lines[index])
    return shown + blank_comments(prose)


def blank_comments(lines: list[str]) -> list[str]:
    if not any("<!--" in line for line in lines):
        return lines
    return without_comments("\n".join(lines)).split("\n")


def split_row(line: str) -> list[str]:
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells = re.split(r"(?<!\\)\|", row)
    return [cell.strip().replace("\\|", "|") for cell in cells]


_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def pipe_tables(body: str, first_line: int) -> Iterator[tuple[tuple[str, ...], list[tuple[int, list[str]]]]]:
    """Each pipe table in a rule: its lower-cased header and numbered rows."""
    lines = body.splitlines()
    index = 0
    while index < len(lines) - 1:
        if "|" in lines[index] and _SEPARATOR.match(lines[index + 1]):
            header = tuple(strip_emphasis(cell).lower() for cell in split_row(lines[index]))
            rows: list[tuple[int, list[str]]] = []
            row_index = index + 2
            while row_index < len(lines) and "|" in lines[row_index] and lines[row_index].strip():
                rows.append((first_line + row_index, [strip_emphasis(c) for c in split_row(lines[row_index])]))
                row_index += 1
            yield header, rows
            index = row_index
        else:
            index += 1


def strip_emphasis(cell: str) -> str:
    return cell.strip().strip("*_`").strip()


def iter_links(page: Page) -> Iterator[tuple[int, str]]:
    for index in range(page.first_body_line, len(page.lines)):
        if index in page.code_lines:
            continue
        line = re.sub(r"`[^`]*`", "", page.lines[index])
        for match in _LINK.finditer(line):
            yield index + 1, match.group(1)
