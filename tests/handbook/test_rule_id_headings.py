"""A rule heading shows its ID before its title ("CON-04 · Apologise for a bad experience"),
written in the Markdown as ``## <span class="rule-id">CON-04</span> · Apologise… {#CON-04}``.

The ID a rule has is its anchor; the ID shown is display. The parser reads the title without it,
so showing the ID (or not, or in another form) changes no rule's title or hash, and a heading
that shows another rule's ID is refused where the editor will fix it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.domain.editing import copy_handbook, write_mini
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.pages import split_shown_id
from tracker.domain.handbook.parser import load_handbook, parse_handbook
from tracker.domain.handbook.source import source_from_config

SHOWN = re.compile(r'^## <span class="rule-id">([A-Z]{3}-\d{2})</span> · (.*) \{#\1(?: \.not-citable)?\}$')


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    """The repository's own handbook, read in place."""
    return load_handbook(source_from_config(ROOT / "mkdocs.yml"))


def _mini_with_heading(folder: Path, heading: str) -> Handbook | list[str]:
    source = write_mini(folder)
    page = source.docs_dir / "rules.md"
    text = page.read_text(encoding="utf-8")
    assert text.count("## Be kind {#CON-01}\n") == 1
    page.write_text(text.replace("## Be kind {#CON-01}\n", heading + "\n"), encoding="utf-8")
    handbook, problems = parse_handbook(source)
    return handbook if handbook is not None else [str(problem) for problem in problems]


@pytest.mark.parametrize(
    "heading",
    [
        '## <span class="rule-id">CON-01</span> · Be kind {#CON-01}',
        "## <span class='rule-id' title=\"Rule ID\">CON-01</span>·Be kind {#CON-01}",
        "## <span>CON-01</span> Be kind {#CON-01}",
        "## CON-01 · Be kind {#CON-01}",
        "Be kind {#CON-01}\n---",  # a setext heading, plain
        '<span class="rule-id">CON-01</span> · Be kind {#CON-01}\n---',
    ],
)
def test_the_shown_id_is_display_not_title(tmp_path: Path, heading: str) -> None:
    plain = load_handbook(write_mini(tmp_path / "plain"))
    shown = _mini_with_heading(tmp_path / "shown", heading)
    assert isinstance(shown, Handbook), shown
    rule = shown.rules["CON-01"]
    assert (rule.id, rule.title, rule.text) == ("CON-01", "Be kind", plain.rules["CON-01"].text)
    assert rule.hash == plain.rules["CON-01"].hash
    assert shown.content_hash == plain.content_hash


def test_a_heading_that_shows_another_rules_id_is_refused_where_it_is(tmp_path: Path) -> None:
    problems = _mini_with_heading(tmp_path, '## <span class="rule-id">CON-02</span> · Be kind {#CON-01}')
    assert isinstance(problems, list)
    assert any(
        problem.startswith("rules.md:9: ") and "CON-01" in problem and "CON-02" in problem for problem in problems
    ), problems


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("SPD-01 and SPD-02 compared", ("SPD-01 and SPD-02 compared", None)),  # an ID in the words, not shown
        ("CON-01", ("CON-01", None)),
        ("CON-1 · Be kind", ("CON-1 · Be kind", None)),
        ('<span class="rule-id">CON-01</span>', ("", "CON-01")),  # shown, but no title: the parser says so
        ("<span class=x>CON-01 · Be kind", ("<span class=x>CON-01 · Be kind", None)),
    ],
)
def test_only_a_leading_displayed_id_is_taken_off(title: str, expected: tuple[str, str | None]) -> None:
    assert split_shown_id(title) == expected


def test_an_id_shown_with_no_title_is_a_rule_with_no_title(tmp_path: Path) -> None:
    problems = _mini_with_heading(tmp_path, '## <span class="rule-id">CON-01</span> · {#CON-01}')
    assert isinstance(problems, list)
    assert any("rule CON-01 has no title" in problem for problem in problems), problems


def test_a_hostile_heading_is_read_at_once() -> None:
    import time

    started = time.perf_counter()
    for title in ("<span" * 20_000, "<span " + " " * 50_000 + ">", "CON-01 " + "\t" * 50_000 + "x"):
        split_shown_id(title)
    assert time.perf_counter() - started < 0.5


def test_every_rule_heading_of_the_handbook_shows_its_id(handbook: Handbook) -> None:
    for rule in handbook.rules.values():
        line = (ROOT / "handbook" / rule.page).read_text(encoding="utf-8").splitlines()[rule.line - 1]
        match = SHOWN.match(line)
        assert match and match.group(1) == rule.id, f"{rule.page}:{rule.line}: {line!r}"
        assert match.group(2) == rule.title  # the title the tracker reads is the heading's, without the ID


def test_taking_the_ids_off_the_headings_changes_no_hash(tmp_path: Path, handbook: Handbook) -> None:
    """The handbook before its headings showed the IDs hashes exactly as it does now."""
    source = copy_handbook(tmp_path)
    for page in source.docs_dir.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r'(?m)^## <span class="rule-id">[A-Z]{3}-\d{2}</span> · ', "## ", text), "utf-8")
    assert 'class="rule-id"' not in "".join(p.read_text(encoding="utf-8") for p in source.docs_dir.glob("*.md"))
    plain = load_handbook(source)
    assert {rule_id: (rule.title, rule.hash) for rule_id, rule in plain.rules.items()} == {
        rule_id: (rule.title, rule.hash) for rule_id, rule in handbook.rules.items()
    }
    assert plain.content_hash == handbook.content_hash
