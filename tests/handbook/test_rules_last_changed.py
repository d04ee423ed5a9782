"""Each page that holds rules says the version, and the date, its rules last changed (issue 10).

The page's front matter carries it (``rules_changed_in``, ``rules_changed_on``; the site shows
them under the masthead, overrides/main.html), and this test holds it to the changelog, whose
lists are themselves the diff (test_changelog_matches_diff.py): the newest entry that adds,
changes or removes a rule of the page, and that entry's published date. A page without rules
says nothing of the kind.
"""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.handbook.test_changelog_matches_diff import entries, parse_lists
from tracker.domain.handbook.pages import rules_last_changed
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config

DOCS = ROOT / "handbook"


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
        shown = rules_last_changed((DOCS / page).read_text(encoding="utf-8")) or ()
        if page in expected:
            assert shown == expected[page], (
                f'{page}: set its front matter to rules_changed_in: "{expected[page][0]}" and '
                f'rules_changed_on: "{expected[page][1]}" (the changelog\'s newest entry listing its rules)'
            )
        else:
            assert shown == (), f"{page} holds no rule: it says nothing of when rules changed"


def test_the_printed_handbook_says_it_under_each_page_title() -> None:
    from tracker.output.handbook_print import printed_pages

    _, pages = printed_pages(source_from_config(ROOT / "mkdocs.yml"))
    expected = expected_last_changes()
    for page in pages:
        said = re.findall(r'<p class="rules-changed">(.*?)</p>', page.body)
        if page.name in expected:
            label, day = expected[page.name]
            assert said == [f"Rules on this page last changed in version {label}, {day}."], page.name
            assert page.body.index("</h1>") < page.body.index("rules-changed"), page.name
        else:
            assert said == [], page.name


def test_the_version_named_is_an_entry_of_the_changelog() -> None:
    labels = {label for label, _ in entries((DOCS / "changelog.md").read_text(encoding="utf-8"))}
    for page, (label, _) in expected_last_changes().items():
        assert label in labels, page
