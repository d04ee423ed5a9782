"""Read the Markdown handbook into rules and standards the tracker enforces.

The handbook pages employees read are the only place a rule, a channel target,
the corrective-action ladder or a grace period is written (the handbook is the single source of truth).
A rule is what the site shows as one: which lines are headings (and their level and id) comes from
rendering each page with the site's own Markdown extensions (``rendering``), so a heading inside an
HTML comment or block is no rule and a setext heading is. The rest (front matter, pipe tables,
links) is read line by line, so every problem is reported with its file and line for the editor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker.domain import limits
from tracker.domain.errors import HandbookError
from tracker.domain.handbook import service_tables
from tracker.domain.handbook.model import CLOCK_CALENDAR, CLOCKS, RULE_ID, Channel, Handbook, LadderLevel, Rule
from tracker.domain.handbook.pages import (
    Page,
    Problem,
    iter_links,
    pipe_tables,
    rule_body,
    scan_page,
    split_shown_id,
)
from tracker.domain.handbook.rendering import (
    RenderingUnavailable,
    gives_ids,
    renderer_for,
)
from tracker.domain.handbook.source import HandbookSource, read_mkdocs_config
from tracker.domain.periods import Period, PeriodError

# A heading class marking guidance no complaint or action may cite (a value, a definition, a
# supervisor's procedure): '## VAL-01 · Use common sense {#VAL-01 .not-citable}'.
NOT_CITABLE = "not-citable"
CHANNEL_COLUMNS = ("code", "channel", "first-response target")  # required, in any order
CHANNEL_CLOCK = "the clock counts"  # optional: "opening hours" or "calendar" (calendar when absent)
CHANNEL_ALIASES = "also called in exports"  # optional: other systems' names, comma-separated


LADDER_HEADER = ("step", "level", "code", "follow-up within")  # in any order (the page puts Code last)


STANDARD_HEADER = ("standard", "value")


LOOK_BACK = "look-back window"


GRACE_PERIOD = "sign-off grace period"


_NO_PERIOD = {"—", "-", "–", "none", "n/a", ""}


@dataclass
class _Tables:
    channels: dict[str, Channel] | None = None
    ladder: tuple[LadderLevel, ...] | None = None
    standards: dict[str, tuple[Period, str, int]] = field(default_factory=dict)
    service: service_tables.ServiceTables = field(default_factory=service_tables.ServiceTables)


def _is_channel_header(header: tuple[str, ...]) -> bool:
    return set(CHANNEL_COLUMNS) <= set(header) and set(header) <= {*CHANNEL_COLUMNS, CHANNEL_CLOCK, CHANNEL_ALIASES}


def _read_channels(
    page: str, header: tuple[str, ...], rows: list[tuple[int, list[str]]], problems: list[Problem]
) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    for line, row in rows:
        cells = dict(zip(header, row + [""] * len(header)))
        code, name, target = (cells[column] for column in CHANNEL_COLUMNS)
        clock = " ".join(cells.get(CHANNEL_CLOCK, CLOCK_CALENDAR).lower().split()) or CLOCK_CALENDAR
        aliases = tuple(a.strip().lower() for a in cells.get(CHANNEL_ALIASES, "").split(",") if a.strip())
        if not re.fullmatch(r"[a-z][a-z0-9-]*", code):
            problems.append(Problem(page, line, f"channel code '{code}' must be lower-case letters, digits or '-'"))
            continue
        if code in channels:
            problems.append(Problem(page, line, f"channel '{code}' is listed twice"))
            continue
        if not name:
            problems.append(Problem(page, line, f"channel '{code}' has no name"))
            continue
        if len(code) > limits.CHANNEL_CODE or len(name) > limits.TABLE_NAME:
            problems.append(
                Problem(
                    page,
                    line,
                    f"channel '{code[:20]}': a code is at most {limits.CHANNEL_CODE} characters, "
                    f"a name at most {limits.TABLE_NAME}",
                )
            )
            continue
        if target.lower() in _NO_PERIOD:
            problems.append(Problem(page, line, f"channel '{code}' has no first-response target"))
            continue
        try:
            period = Period.parse(target)
            period.as_timedelta()
        except PeriodError as exc:
            problems.append(Problem(page, line, f"channel '{code}' target: {exc}"))
            continue
        if clock not in CLOCKS:
            problems.append(Problem(page, line, f"channel '{code}': the clock counts '{clock}', not one of {CLOCKS}"))
            continue
        channels[code] = Channel(code=code, name=name, target=period, clock=clock, aliases=aliases)
    _check_aliases(page, rows, channels, problems)
    return channels


def _check_aliases(
    page: str, rows: list[tuple[int, list[str]]], channels: dict[str, Channel], problems: list[Problem]
) -> None:
    """An export's channel name must lead to one channel only."""
    owner: dict[str, str] = {}
    for channel in channels.values():
        for name in {channel.code, channel.name.lower(), *channel.aliases}:
            if owner.setdefault(name, channel.code) != channel.code:
                problems.append(
                    Problem(page, rows[0][0], f"'{name}' names both channel '{owner[name]}' and '{channel.code}'")
                )


def _read_ladder(
    page: str, header: tuple[str, ...], rows: list[tuple[int, list[str]]], problems: list[Problem]
) -> tuple[LadderLevel, ...]:
    levels: list[LadderLevel] = []
    for position, (line, row) in enumerate(rows, start=1):
        cells = dict(zip(header, row + [""] * len(header)))
        step, name, code, follow_up = (cells[column] for column in LADDER_HEADER)
        if step != str(position):
            problems.append(
                Problem(page, line, f"ladder step '{step}' should be {position} (steps are numbered in order)")
            )
            continue
        if not re.fullmatch(r"[a-z][a-z0-9-]*", code):
            problems.append(Problem(page, line, f"ladder code '{code}' must be lower-case letters, digits or '-'"))
            continue
        if any(level.code == code for level in levels):
            problems.append(Problem(page, line, f"ladder code '{code}' is listed twice"))
            continue
        if len(code) > limits.CHANNEL_CODE or len(name) > limits.TABLE_NAME:
            problems.append(
                Problem(
                    page,
                    line,
                    f"ladder level '{code[:20]}': a code is at most {limits.CHANNEL_CODE} characters, "
                    f"a name at most {limits.TABLE_NAME}",
                )
            )
            continue
        last = position == len(rows)
        period: Period | None = None
        if follow_up.lower() in _NO_PERIOD:
            if not last:
                problems.append(Problem(page, line, f"ladder level '{code}' needs a follow-up period"))
                continue
        else:
            try:
                period = Period.parse(follow_up)
            except PeriodError as exc:
                problems.append(Problem(page, line, f"ladder level '{code}' follow-up: {exc}"))
                continue
            if last:
                problems.append(
                    Problem(page, line, f"the last ladder level '{code}' ends employment and takes no follow-up ('—')")
                )
                continue
        levels.append(LadderLevel(step=position, name=name, code=code, follow_up=period))
    if len(levels) < 2 and not problems:
        problems.append(Problem(page, rows[0][0] if rows else 0, "the ladder needs at least two levels"))
    return tuple(levels)


def _read_tables(rule: Rule, body_line: int, tables: _Tables, problems: list[Problem]) -> None:
    for header, rows in pipe_tables(rule.text, body_line):
        _read_table(rule, body_line, header, rows, tables, problems)


def _read_table(
    rule: Rule,
    body_line: int,
    header: tuple[str, ...],
    rows: list[tuple[int, list[str]]],
    tables: _Tables,
    problems: list[Problem],
) -> None:
    service = tables.service
    found: list[tuple[str, int, str]] = []
    if _is_channel_header(header):
        if tables.channels is not None:
            problems.append(Problem(rule.page, body_line, f"{rule.id}: channels are already defined in another rule"))
            return
        tables.channels = _read_channels(rule.page, header, rows, problems)
        if not tables.channels:
            problems.append(Problem(rule.page, body_line, f"{rule.id}: the channel table lists no valid channel"))
    elif sorted(header) == sorted(LADDER_HEADER):
        if tables.ladder is not None:
            problems.append(Problem(rule.page, body_line, f"{rule.id}: the ladder is already defined in another rule"))
            return
        tables.ladder = _read_ladder(rule.page, header, rows, problems)
    elif header in (service_tables.AIM_HEADER, service_tables.HANDLE_HEADER):
        kind = "response-time aim" if header == service_tables.AIM_HEADER else "handle-time guide"
        if kind in service.where:
            problems.append(Problem(rule.page, body_line, f"{rule.id}: the {kind} table is already given elsewhere"))
            return
        service.where[kind] = (rule.page, rows[0][0] if rows else body_line)
        if kind == "response-time aim":
            service.aims = rows
        else:
            service.handle = rows
    elif header == service_tables.HOURS_HEADER:
        if service.week is not None:
            problems.append(Problem(rule.page, body_line, f"{rule.id}: opening hours are already given elsewhere"))
            return
        service.where["opening hours"] = (rule.page, rows[0][0] if rows else body_line)
        service.week = service_tables.read_hours(rule.page, rows, found)
    elif header == service_tables.HOLIDAY_HEADER:
        service_tables.read_holidays(rule.page, rows, service.holidays, found)
    elif header == STANDARD_HEADER:
        for line, cells in rows:
            name, value = (cells + ["", ""])[:2]
            key = name.lower()
            if key in tables.standards or (key == service_tables.TIME_ZONE and service.zone):
                problems.append(Problem(rule.page, line, f"standard '{name}' is defined twice"))
                continue
            if key == service_tables.TIME_ZONE:
                service.zone = service_tables.read_zone(rule.page, line, value, found)
                continue
            if key == service_tables.SMALLEST_SAMPLE:
                service.smallest_sample = service_tables.read_count(rule.page, line, value, found)
                continue
            try:
                tables.standards[key] = (Period.parse(value), rule.page, line)
            except PeriodError as exc:
                problems.append(Problem(rule.page, line, f"standard '{name}': {exc}"))
    problems.extend(Problem(*problem) for problem in found)


def parse_handbook(source: HandbookSource) -> tuple[Handbook | None, list[Problem]]:
    """Parse and check a handbook; a handbook is returned only when it has no problems."""
    problems: list[Problem] = []
    docs_dir = source.docs_dir
    if not docs_dir.is_dir():
        return None, [Problem(str(docs_dir), 0, "handbook folder not found")]
    label = ""
    config_name = str(source.config) if source.config else "mkdocs.yml"
    config = read_mkdocs_config(source.config) if source.config else {}
    if source.config is None:
        problems.append(
            Problem(config_name, 0, "no mkdocs.yml found next to the handbook (it holds extra.handbook_version)")
        )
    else:
        extra = config.get("extra") or {}
        label = str(extra.get("handbook_version") or "").strip() if isinstance(extra, dict) else ""
        if not label:
            problems.append(Problem(config_name, 0, "extra.handbook_version (the version label) is missing"))
        elif len(label) > limits.VERSION_LABEL:
            problems.append(
                Problem(config_name, 0, f"extra.handbook_version is longer than {limits.VERSION_LABEL} characters")
            )
    try:
        renderer = renderer_for(config.get("markdown_extensions"))
    except RenderingUnavailable as exc:
        return None, [*problems, Problem(config_name, 0, str(exc))]

    pages: list[Page] = []
    for path in sorted(docs_dir.rglob("*.md")):
        name = path.relative_to(docs_dir).as_posix()
        if len(name) > limits.HANDBOOK_PAGE:
            problems.append(Problem(name, 0, f"the page's path is longer than {limits.HANDBOOK_PAGE} characters"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(name, 0, "not valid UTF-8"))
            continue
        pages.append(scan_page(name, text, renderer, problems))

    rules: dict[str, Rule] = {}
    tables = _Tables()
    for page in pages:
        for position, (_, heading) in enumerate(page.headings):
            anchor = heading.anchor
            if not anchor or not anchor[0].isupper():
                continue
            if not RULE_ID.match(anchor):
                problems.append(
                    Problem(
                        page.name,
                        heading.line,
                        f"malformed rule ID '{anchor}' (expected three capitals, '-', two digits, e.g. CON-01)",
                    )
                )
                continue
            if heading.indented:
                problems.append(
                    Problem(
                        page.name,
                        heading.line,
                        f"rule {anchor} is inside an indented block (an admonition, list or tab): "
                        "write rules at the page's top level, so their text reads the same on its own",
                    )
                )
                continue
            if heading.level != 2:
                problems.append(Problem(page.name, heading.line, f"rule {anchor} must be a level-2 heading ('## ')"))
                continue
            if anchor in rules:
                first = rules[anchor]
                problems.append(
                    Problem(
                        page.name, heading.line, f"duplicate rule ID {anchor} (first used at {first.page}:{first.line})"
                    )
                )
                continue
            title, shown_id = split_shown_id(heading.title)
            if shown_id is not None and shown_id != anchor:
                problems.append(
                    Problem(page.name, heading.line, f"rule {anchor}'s heading shows the ID {shown_id}: show {anchor}")
                )
                continue
            if not title:
                problems.append(Problem(page.name, heading.line, f"rule {anchor} has no title"))
                continue
            if len(title) > limits.RULE_TITLE:
                problems.append(
                    Problem(
                        page.name, heading.line, f"rule {anchor}'s title is longer than {limits.RULE_TITLE} characters"
                    )
                )
                continue
            text, body_line = rule_body(page, position)
            if not text.strip():
                problems.append(Problem(page.name, heading.line, f"rule {anchor} has no text"))
                continue
            rule = Rule(
                id=anchor,
                title=title,
                text=text,
                page=page.name,
                line=heading.line,
                tags=page.tags,
                citable=NOT_CITABLE not in heading.classes,
            )
            rules[anchor] = rule
            _read_tables(rule, body_line, tables, problems)

    _check_links(pages, rules, problems)
    _check_changelog(pages, label, problems)

    where = "any rule"
    if tables.channels is None:
        problems.append(
            Problem(docs_dir.name, 0, f"no channel table ('| Channel | First-response target | Code |') under {where}")
        )
    found: list[tuple[str, int, str]] = []
    channels, hours = service_tables.apply(tables.service, tables.channels or {}, found)
    problems.extend(Problem(*problem) for problem in found)
    if tables.ladder is None:
        problems.append(
            Problem(
                docs_dir.name,
                0,
                f"no ladder table ('| Step | Level | Follow-up within | Code |', columns in any order) under {where}",
            )
        )
    for key in (LOOK_BACK, GRACE_PERIOD):
        if key not in tables.standards:
            problems.append(
                Problem(
                    docs_dir.name, 0, f"no '{key.capitalize()}' row in a '| Standard | Value |' table under {where}"
                )
            )
    if not rules and not gives_ids(config.get("markdown_extensions")):
        problems.append(
            Problem(
                config_name,
                0,
                "the handbook has no rules: mkdocs.yml's markdown_extensions lacks attr_list, "
                "so the site shows no rule IDs ('## Title {#CON-01}')",
            )
        )
    elif not rules:
        problems.append(Problem(docs_dir.name, 0, "the handbook has no rules (headings like '## Title {#CON-01}')"))
    if problems:
        return None, problems
    return (
        Handbook(
            label=label,
            rules=rules,
            channels=channels,
            ladder=tables.ladder or (),
            look_back=tables.standards[LOOK_BACK][0],
            grace_period=tables.standards[GRACE_PERIOD][0],
            source=str(docs_dir),
            hours=hours,
            new_hire_period=tables.standards.get(service_tables.NEW_HIRE_PERIOD, (None,))[0],
            smallest_sample=tables.service.smallest_sample,
        ),
        [],
    )


def _check_links(pages: list[Page], rules: dict[str, Rule], problems: list[Problem]) -> None:
    for page in pages:
        for line, target in iter_links(page):
            if "#" not in target or "://" in target:
                continue
            path, anchor = target.split("#", 1)
            if not anchor or not anchor[0].isupper():
                continue
            rule = rules.get(anchor)
            if rule is None:
                problems.append(Problem(page.name, line, f"link to rule {anchor}, which does not exist"))
                continue
            linked_page = (Path(page.name).parent / path).as_posix() if path else page.name
            linked_page = _normalise_path(linked_page.replace(".html", ".md"))
            if linked_page != rule.page:
                problems.append(
                    Problem(
                        page.name,
                        line,
                        f"link to {anchor} points at {path or page.name}, but the rule is on {rule.page}",
                    )
                )


def _normalise_path(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts:
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _check_changelog(pages: list[Page], label: str, problems: list[Problem]) -> None:
    changelog = next((page for page in pages if page.name == "changelog.md"), None)
    if changelog is None or not label:
        return
    entries = [heading for _, heading in changelog.headings if heading.level == 2]
    if not entries:
        problems.append(Problem("changelog.md", 1, f"the changelog has no entry for version {label}"))
    elif not entries[0].title.startswith(label):
        problems.append(
            Problem(
                "changelog.md",
                entries[0].line,
                f"the newest changelog entry is '{entries[0].title}', but mkdocs.yml says version {label}",
            )
        )


def load_handbook(source: HandbookSource) -> Handbook:
    handbook, problems = parse_handbook(source)
    if handbook is None:
        raise HandbookError(problems)
    return handbook
