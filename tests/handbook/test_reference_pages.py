"""The handbook's reference pages (quick-reference card, When things get hard, glossary, FAQ)
repeat what the rules say for people in a hurry; they must never say something else.

The card's speed table is checked against the channels the tracker reads from the speed page
(SPD-01 and SPD-04), and every number on the card's "Whom to call" table against the page that
explains whom to call, so a changed target or extension fails here rather than drifting. None of
these pages holds a rule: they add guidance, not rules the tracker would enforce.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.pages import pipe_tables
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config
from tracker.domain.periods import Period

DOCS = ROOT / "handbook"
REFERENCE_PAGES = ("quick-reference.md", "when-things-get-hard.md", "glossary.md", "faq.md")
NONE = {"—", "-", "–", ""}


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    return load_handbook(source_from_config(ROOT / "mkdocs.yml"))


def _tables(page: str) -> list[tuple[tuple[str, ...], list[list[str]]]]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [(header, [cells for _, cells in rows]) for header, rows in pipe_tables(text, 1)]


def _table(page: str, first_column: str) -> list[list[str]]:
    found = [rows for header, rows in _tables(page) if header and header[0] == first_column]
    assert len(found) == 1, f"{page}: expected one table whose first column is '{first_column}'"
    return found[0]


def _period(text: str) -> Period | None:
    return None if text.strip() in NONE else Period.parse(text)


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_reference_pages_hold_no_rule(handbook: Handbook, page: str) -> None:
    assert not [rule.id for rule in handbook.rules.values() if rule.page == page]


def test_the_card_gives_every_channel_the_speed_pages_targets(handbook: Handbook) -> None:
    rows = _table("quick-reference.md", "channel")
    by_name = {channel.name: channel for channel in handbook.channels.values()}
    assert sorted(row[0] for row in rows) == sorted(by_name), "the card lists other channels than SPD-01"
    for name, first, between in rows:
        channel = by_name[name]
        assert Period.parse(first) == channel.target, (name, first, channel.target)
        if channel.aim is None and channel.ceiling is None:
            assert between.strip() in NONE, (name, between)
        else:
            aim, ceiling = (part.strip() for part in between.split("/"))
            assert (_period(aim), _period(ceiling)) == (channel.aim, channel.ceiling), (name, between)


def test_the_card_names_the_five_conduct_rules_it_links(handbook: Handbook) -> None:
    text = (DOCS / "quick-reference.md").read_text(encoding="utf-8")
    section = text[text.index("{#card-rules}") : text.index("{#card-calls}")]
    items = re.findall(r"(?m)^\d+\. \*\*(.+?)\*\*.*?\[(CON-\d\d)\]", section.replace("\n   ", " "))
    assert len(items) == 5, items
    for words, rule_id in items:
        title = handbook.rules[rule_id].title.lower()
        assert words.lower().rstrip(".").split(";")[0] in title, (rule_id, words, title)


def test_the_cards_numbers_are_those_of_the_page_on_whom_to_call() -> None:
    card = _table("quick-reference.md", "when")
    full = (DOCS / "when-things-get-hard.md").read_text(encoding="utf-8")
    calls = full[full.index("{#whom-to-call}") : full.index("{#key-customers}")]
    numbers = re.compile(r"ext\. \d{4}|\b0\d{2,4} \d{3,4} \d{4}\b|\*\*999\*\*")
    found = [number for row in card for number in numbers.findall(row[1])]
    assert len(found) >= len(card), card
    for number in found:
        assert number in calls, f"the card's {number} is not on When things get hard"
