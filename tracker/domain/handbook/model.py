"""What a handbook is once read: rules with their hashes, channels, the ladder, and the
standards a published version enforces. No file I/O here (see ``source`` and ``parser``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from tracker.domain.opening_hours import OpeningHours
from tracker.domain.periods import Period

RULE_ID = re.compile(r"^[A-Z]{3}-\d{2}$")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    page: str
    line: int
    tags: tuple[str, ...] = ()
    # False for guidance that cannot be breached (a value, a definition, a supervisor's procedure):
    # its heading carries the class ``.not-citable`` and no complaint or action may cite it.
    citable: bool = True

    @property
    def hash(self) -> str:
        return rule_hash(self.id, self.title, self.text, self.citable)


CLOCK_OPEN = "opening hours"
CLOCK_CALENDAR = "calendar"
CLOCKS = (CLOCK_OPEN, CLOCK_CALENDAR)


@dataclass(frozen=True)
class Channel:
    """A channel and what the speed page sets for it. ``clock`` says whether its targets count
    opening hours only or every hour of the calendar; ``aim`` and ``ceiling`` are the response
    time's (SPD-04), ``None`` where a channel is a live conversation and has none; the handle
    guides are guides (a new hire's is longer), never stopwatch targets; ``aliases`` are the names
    other systems' exports use for it."""

    code: str
    name: str
    target: Period
    clock: str = CLOCK_CALENDAR
    aim: Period | None = None
    ceiling: Period | None = None
    handle_guide: Period | None = None
    new_hire_guide: Period | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class LadderLevel:
    step: int
    name: str
    code: str
    follow_up: Period | None


@dataclass(frozen=True)
class Handbook:
    label: str
    rules: dict[str, Rule]
    channels: dict[str, Channel]
    ladder: tuple[LadderLevel, ...]
    look_back: Period
    grace_period: Period
    source: str = ""
    hours: OpeningHours | None = None
    new_hire_period: Period | None = None
    smallest_sample: int | None = None  # fewest contacts a rate is judged on

    @property
    def content_hash(self) -> str:
        return content_hash({rule.id: rule.hash for rule in self.rules.values()})

    @property
    def standards(self) -> "Standards":
        """What publishing this handbook would make the tracker enforce."""
        return Standards(
            label=self.label,
            channels=self.channels,
            ladder=self.ladder,
            look_back=self.look_back,
            grace_period=self.grace_period,
            rule_titles={rule.id: rule.title for rule in self.rules.values()},
            not_citable=frozenset(rule.id for rule in self.rules.values() if not rule.citable),
            hours=self.hours,
            new_hire_period=self.new_hire_period,
            smallest_sample=self.smallest_sample,
        )


@dataclass(frozen=True)
class Standards:
    """The parts of a handbook version the tracker enforces.

    Built from the working handbook when publishing, and from the database
    snapshot of a published version everywhere else, so records are always
    checked against the version in force.
    """

    label: str
    channels: dict[str, Channel]
    ladder: tuple[LadderLevel, ...]
    look_back: Period
    grace_period: Period
    rule_titles: dict[str, str]
    hours: OpeningHours | None = None  # None: published before the handbook stated its opening hours
    new_hire_period: Period | None = None
    smallest_sample: int | None = None
    not_citable: frozenset[str] = frozenset()  # guidance IDs no complaint or action may cite

    def citation_problem(self, rule_ids: Iterable[str]) -> str | None:
        """Why these IDs cannot be cited on a complaint or an action, if one cannot: said once
        for every way a citation comes in (the command line, a form, an import)."""
        for rule_id in rule_ids:
            if rule_id not in self.rule_titles:
                return f"{rule_id} is not a rule of handbook version {self.label}"
            if rule_id in self.not_citable:
                return (
                    f"{rule_id} ({self.rule_titles[rule_id]}) is guidance, not a rule that can be breached; "
                    "cite the rule that was broken"
                )
        return None

    def channel_named(self, name: str) -> Channel | None:
        """The channel an export's name stands for: its code, its name or one of its aliases, in
        any case and spacing."""
        wanted = " ".join(name.lower().replace("_", " ").replace("-", " ").split())
        for channel in self.channels.values():
            names = (channel.code, channel.name, *channel.aliases)
            if any(" ".join(n.lower().replace("_", " ").replace("-", " ").split()) == wanted for n in names):
                return channel
        return None

    def level(self, code: str) -> LadderLevel:
        for level in self.ladder:
            if level.code == code:
                return level
        raise KeyError(code)


def normalise(text: str) -> str:
    """Text as it is hashed: Unicode NFC, every run of whitespace one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def rule_hash(rule_id: str, title: str, text: str, citable: bool = True) -> str:
    """A rule's text and, when it cannot be cited, that too: making a rule citable or not changes
    what employees are held to, so it is a change of the rule (a citable rule hashes as it always did)."""
    parts = (rule_id, normalise(title), normalise(text)) + (() if citable else ("not citable",))
    payload = "\x1f".join(parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_hash(rule_hashes: dict[str, str]) -> str:
    """One hash for a whole handbook: every rule's ID and hash, in ID order."""
    lines = "\n".join(f"{rule_id}:{rule_hashes[rule_id]}" for rule_id in sorted(rule_hashes))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()
