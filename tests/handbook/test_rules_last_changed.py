"""Each page that holds rules says the version, and the date, its rules last changed (issue 10).

The page's front matter carries it (``rules_changed_in``, ``rules_changed_on``; the site shows
them under the masthead, overrides/main.html), and this test holds it to the changelog, whose
lists are themselves the diff (test_changelog_matches_diff.py): the newest entry that adds,
changes or removes a rule of the page, and that entry's published date. A page without rules
says nothing of the kind.
"""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT
from tests.handbook.test_changelog_matches_diff import entries, parse_lists
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config

DOCS = ROOT / "handbook"
KEYS = ("rules_changed_in", "rules_changed_on")


def _front_matter(page: str) -> dict[str, object]:
    text = (DOCS / page).read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)]) or {}


def expected_last_changes() -> dict[str, tuple[str, str]]:
    """page -> (version label, published date) of the newest changelog entry touching its rules."""
    handbook = load_handbook(source_from_config(ROOT / "mkdocs.yml"))
    found: dict[str, tuple[str, str]] = {}
    for label, entry in entries((DOCS / "changelog.md").read_text(encoding="utf-8")):  # newest first
        published = re.search(r"^\*\*Published:\*\* (\d{4}-\d{2}-\d{2})\s*$", entry, re.MULTILINE)
        assert published, f"changelog {label}: no '**Published:** YYYY-MM-DD' line"
        lists, _ = parse_lists(entry)
        for rules in lists.values():
            for rule_id, _, _ in rules:
                rule = handbook.rules.get(rule_id)
                if rule is not None:
                    found.setdefault(rule.page, (label, published[1]))
    return found


def test_each_page_with_rules_names_the_version_that_last_changed_them() -> None:
    expected = expected_last_changes()
    assert {"conduct.md", "speed.md", "index.md"} <= set(expected)
    for page in sorted(path.name for path in DOCS.glob("*.md")):
        meta = _front_matter(page)
        shown = tuple(str(meta[key]) for key in KEYS if key in meta)
        if page in expected:
            assert shown == expected[page], (
                f'{page}: set its front matter to rules_changed_in: "{expected[page][0]}" and '
                f'rules_changed_on: "{expected[page][1]}" (the changelog\'s newest entry listing its rules)'
            )
        else:
            assert shown == (), f"{page} holds no rule: it says nothing of when rules changed"


def test_the_version_named_is_an_entry_of_the_changelog() -> None:
    labels = {label for label, _ in entries((DOCS / "changelog.md").read_text(encoding="utf-8"))}
    for page, (label, _) in expected_last_changes().items():
        assert label in labels, page
