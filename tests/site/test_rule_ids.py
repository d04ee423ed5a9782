"""Every rule ID can be found on the built site, in both builds (MkDocs and Zensical), opened from
file:// in headless Chromium: it is shown in its rule's heading (on screen and in print, never
broken at its hyphen) and in the table of contents, and searching it returns that rule first.

The rules are the tracker's own reading of the handbook, so a rule added to the Markdown is
checked here without a list to keep up to date. One page load per page of rules, and one for
every search of a build.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tracker.domain.handbook.model import Rule
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config

# chromium_path first: skip (or fail under CI=true) before building anything.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium_path")]

BUILDERS = ["mkdocs_build", "zensical_build"]
REPO = Path(__file__).resolve().parents[2]

# What a rule heading and its table-of-contents entry show, as seen from the page.
SHOWN = """ids => ids.map(id => {
    const heading = document.getElementById(id);
    const shownId = heading && heading.querySelector(".rule-id");
    const entry = document.querySelector(`.md-sidebar--secondary a.md-nav__link[href="#${id}"]`);
    const visible = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
    return {
        id,
        heading: heading ? heading.innerText.replace("\\u00b6", "").replace(/\\s+/g, " ").trim() : null,
        headingVisible: visible(heading),
        idVisible: visible(shownId),
        idText: shownId ? shownId.textContent : null,
        idWraps: shownId ? getComputedStyle(shownId).whiteSpace !== "nowrap" || shownId.getClientRects().length !== 1 : null,
        entry: entry ? entry.textContent.replace(/\\s+/g, " ").trim() : null,
        entryVisible: visible(entry),
    };
})"""


def _build(request, builder: str) -> Path:
    build = request.getfixturevalue(builder)
    if build.returncode != 0:
        pytest.fail(f"{builder} failed:\n{build.describe()}", pytrace=False)
    return build.site_dir


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return list(load_handbook(source_from_config(REPO / "mkdocs.yml")).rules.values())


def _html(rule: Rule) -> str:
    return rule.page.removesuffix(".md") + ".html"  # use_directory_urls: false


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_rule_id_is_shown_in_its_heading_and_the_table_of_contents(builder, request, page, rules):
    site = _build(request, builder)
    by_page: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_page[_html(rule)].append(rule)
    problems = []
    for html, page_rules in sorted(by_page.items()):
        page.goto((site / html).as_uri())
        page.wait_for_load_state("load")
        ids = [rule.id for rule in page_rules]
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            for rule, shown in zip(page_rules, page.evaluate(SHOWN, ids)):
                expected = f"{rule.id} · {rule.title}"
                where = f"{html} {rule.id} ({media})"
                if shown["heading"] != expected or not shown["headingVisible"]:
                    problems.append(f"{where}: heading shows {shown['heading']!r}, not {expected!r}")
                if not shown["idVisible"] or shown["idText"] != rule.id:
                    problems.append(f"{where}: the ID in the heading is not visible ({shown['idText']!r})")
                if shown["idWraps"]:
                    problems.append(f"{where}: the ID in the heading can break at its hyphen")
                # The table of contents is screen-only (print.css leaves it out, with the other chrome).
                if media == "screen" and (shown["entry"] != expected or not shown["entryVisible"]):
                    problems.append(f"{where}: table of contents shows {shown['entry']!r}, not {expected!r}")
        page.emulate_media(media="screen")
    assert not problems, "\n".join(problems)


def _result_hrefs(page, selector: str, timeout: float = 10.0) -> list[str]:
    """The result links once some are shown (the list was emptied before the query was typed)."""
    locator = page.locator(selector)
    deadline = time.monotonic() + timeout
    while True:
        hrefs = locator.evaluate_all("links => links.map(link => link.getAttribute('href'))")
        if hrefs or time.monotonic() > deadline:
            return hrefs
        page.wait_for_timeout(50)


def _no_results(page, selector: str) -> None:
    page.locator(selector).first.wait_for(state="detached", timeout=10_000)


@pytest.mark.parametrize("builder", BUILDERS)
def test_searching_a_rule_id_returns_that_rule_first(builder, request, page, rules):
    site = _build(request, builder)
    page.goto((site / "index.html").as_uri())
    page.wait_for_load_state("load")
    if builder == "mkdocs_build":
        box = page.locator("input.md-search__input")
        results = "ol.md-search-result__list a.md-search-result__link"
        box.click()
    else:  # Zensical: a button opens the search dialog (in a shadow root; Playwright's CSS pierces it)
        page.locator("button.md-search__button").click()
        box = page.locator('dialog input[role="combobox"]')
        results = 'ol[aria-label="Search results"] a[role="option"]'
    problems = []
    for rule in rules:
        box.fill("")
        box.press("End")  # Material searches on keyup
        _no_results(page, results)
        # The whole ID at once (fill), then a key, so no search of part of it is shown instead.
        box.fill(rule.id)
        box.press("End")
        # Material lists each page with its sections under it: the page's own link has no fragment.
        sections = [urlsplit(href) for href in _result_hrefs(page, results) if "#" in href]
        first = sections[0] if sections else None
        if first is None or first.fragment != rule.id or first.path.rsplit("/", 1)[-1] != _html(rule):
            problems.append(f"{rule.id}: first results {[url.geturl() for url in sections[:3]]}")
    assert not problems, f"{builder}:\n" + "\n".join(problems)


@pytest.mark.parametrize("builder", BUILDERS)
def test_guidance_says_under_its_title_that_it_is_not_cited(builder, request, page, rules):
    """Issue 10: the Welcome page says guidance (a value, a definition, a procedure) is marked under
    its title; every .not-citable rule shows it, on screen and in print, and no citable rule does."""
    site = _build(request, builder)
    by_page: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_page[_html(rule)].append(rule)
    wrong = []
    for html, page_rules in sorted(by_page.items()):
        page.goto((site / html).as_uri())
        page.wait_for_load_state("load")
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            marks = page.evaluate(
                "ids => ids.map(id => getComputedStyle(document.getElementById(id), '::after').content)",
                [rule.id for rule in page_rules],
            )
            for rule, mark in zip(page_rules, marks):
                if ("Guidance: not cited" in mark) == rule.citable:
                    wrong.append(f"{html} {rule.id} ({media}): {mark!r}")
        page.emulate_media(media="screen")
    assert not wrong, "\n".join(wrong)
    assert any(not rule.citable for rule in rules) and any(rule.citable for rule in rules)
