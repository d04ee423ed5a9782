"""The built offline site, opened from file:// in headless Chromium."""

from __future__ import annotations

import re

import pytest

# chromium_path first: skip (or fail under CI=true) before building anything.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium_path")]

# Site chrome that must not be printed.
CHROME = {
    "header": ".md-header",
    "tabs": ".md-tabs",
    "navigation": ".md-sidebar--primary",
    "table of contents": ".md-sidebar--secondary",
    "search box": ".md-search",
    "footer": ".md-footer",
    "back-to-top button": ".md-top",
}

SEARCH_RESULT_CON_01 = 'a.md-search-result__link[href*="conduct.html"][href$="#CON-01"]'


def _search(page, query: str) -> None:
    box = page.locator("input.md-search__input")
    box.click()
    # Material searches on keyup, so type key by key (fill() sends no keys).
    box.press_sequentially(query)


def test_search_finds_the_rule_about_arguing(site, page):
    page.goto((site / "index.html").as_uri())
    _search(page, "argue")
    result = page.locator(SEARCH_RESULT_CON_01).first
    result.wait_for(state="visible", timeout=15_000)
    assert re.search(r"\bargue\b", result.locator("h1, h2, h3").first.inner_text(), re.I)
    assert result.locator("mark").count() > 0  # the search term is highlighted


def test_rule_link_scrolls_its_heading_into_view(site, page):
    page.goto((site / "conduct.html").as_uri() + "#CON-01")
    page.wait_for_load_state("load")
    box = page.evaluate(
        """() => {
            const heading = document.getElementById("CON-01");
            const header = document.querySelector(".md-header");
            const r = heading.getBoundingClientRect();
            return {
                tag: heading.tagName, target: document.querySelector(":target")?.id,
                top: r.top, bottom: r.bottom, height: innerHeight, scrolled: scrollY,
                headerBottom: header ? header.getBoundingClientRect().bottom : 0,
            };
        }"""
    )
    assert box["tag"] == "H2" and box["target"] == "CON-01", box
    assert box["scrolled"] > 0, box  # the page moved to the rule
    # Fully visible: below the sticky header, above the bottom of the window.
    assert box["headerBottom"] <= box["top"] and box["bottom"] <= box["height"], box


def _pdf_page_count(pdf: bytes) -> int:
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = {int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)}
    counts |= {int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)}
    assert counts == {pages}, f"page objects ({pages}) and page tree /Count {counts} disagree"
    return pages


# What the signed form asks for, in this order, each on a line of its own.
FORM_FIELDS = [
    "Company",
    "Team",
    "Employee number",
    "Printed name",
    "Signature",
    "Date",
    "Supervisor name",
    "Signature",
    "Date received",
    "Filed on (date, initials)",
]

# Where each form field's label and line are on the printed page.
FIELD_BOXES = """els => els.map(e => {
    const label = document.createRange();
    label.selectNodeContents(e);
    const text = label.getBoundingClientRect();
    const line = getComputedStyle(e, "::after");
    const box = e.getBoundingClientRect();
    return {
        label: e.textContent.trim(),
        left: box.left, right: box.right, textRight: text.right,
        lineWidth: parseFloat(line.width) || 0, border: line.borderBottomStyle,
        contentWidth: e.parentElement.getBoundingClientRect().width,
    };
})"""


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_acknowledgement_prints_on_one_page(site, page, paper, handbook_version, mkdocs_config):
    page.goto((site / "acknowledgement.html").as_uri())
    pdf = page.pdf(format=paper)
    assert pdf.startswith(b"%PDF")
    assert _pdf_page_count(pdf) == 1

    # What is on that page: the print stylesheet, seen through print media.
    page.emulate_media(media="print")
    printed = page.locator("article").inner_text()
    assert re.search(r"\bSignature\b", printed), printed
    assert re.search(r"\bDate\b", printed), printed
    label = page.locator(".hb-version")
    assert label.is_visible()
    extra = mkdocs_config["extra"]
    assert " ".join(label.inner_text().split()) == (
        f"Handbook version {handbook_version} · in effect from {extra['effective_date']}"
    )
    # The version is printed once (the form names "the version at the top"), and so is the company.
    generated = page.locator("article *").evaluate_all(
        "els => els.map(e => getComputedStyle(e, '::after').content + getComputedStyle(e, '::before').content)"
    )
    assert (printed + " ".join(generated)).count(handbook_version) == 1, printed
    assert printed.count(extra["company_name"]) == 1, printed
    assert extra["handbook_contact_email"] in printed and extra["handbook_contact_phone"] in printed
    # The on-screen instruction to print the page is not printed.
    assert "Print this page" not in printed
    assert page.locator(".hb-screen-only").count() == 1
    page.emulate_media(media="screen")
    assert "Print this page" in page.locator("article").inner_text()
    page.emulate_media(media="print")
    for name, selector in CHROME.items():
        shown = [e for e in page.locator(selector).all() if e.is_visible()]
        assert not shown, f"the {name} is printed"

    # Every field is there, with a line that starts and ends where every other line does and
    # runs to the right margin.
    fields = page.locator("p.hb-field").evaluate_all(FIELD_BOXES)
    assert [f["label"] for f in fields] == FORM_FIELDS
    for field in fields:
        assert field["border"] == "solid", field
        assert field["textRight"] < field["right"] - field["lineWidth"] + 1, field  # the label is not under the line
        assert abs(field["right"] - field["left"] - field["contentWidth"]) < 1, field  # full width
    assert len({round(f["lineWidth"]) for f in fields}) == 1, fields  # even: every line the same length
    assert min(f["lineWidth"] for f in fields) > fields[0]["contentWidth"] / 2, fields


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_quick_reference_card_prints_on_one_sheet(site, page, paper, handbook_version):
    page.goto((site / "quick-reference.html").as_uri())
    assert _pdf_page_count(page.pdf(format=paper)) == 1
    page.emulate_media(media="print")
    printed = page.locator("article").inner_text()
    for heading in ("How fast we answer", "Five rules to remember", "Whom to call"):
        assert heading in printed, printed
    assert len(page.locator("article ol > li").all()) == 5
    assert f"Handbook version {handbook_version}" in printed
    for name, selector in CHROME.items():
        shown = [e for e in page.locator(selector).all() if e.is_visible()]
        assert not shown, f"the {name} is printed"


def test_print_shows_only_the_content(site, page):
    """Every page prints without header, navigation, search, tabs or footer."""
    page.goto((site / "conduct.html").as_uri())
    # On screen the chrome is there (so the check below means something).
    for name in ("header", "navigation", "search box", "footer"):
        assert page.locator(CHROME[name]).first.is_visible(), f"no {name} on screen"
    page.emulate_media(media="print")
    for name, selector in CHROME.items():
        shown = [e for e in page.locator(selector).all() if e.is_visible()]
        assert not shown, f"the {name} is printed"
    assert page.locator("article h2#CON-01").is_visible()


def test_no_request_leaves_the_machine(site, browser_context):
    page = browser_context.new_page()
    pages = sorted(site.glob("*.html"))
    for html in pages:
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
    _search(page, "argue")
    page.locator(SEARCH_RESULT_CON_01).first.wait_for(state="visible", timeout=15_000)
    loaded = set(browser_context.requests)
    assert {p.as_uri() for p in pages} <= loaded  # the recorder saw the pages
    assert any("search_index" in u for u in loaded)  # and the offline search index
    assert browser_context.non_local_requests() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(site, new_context, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_context(color_scheme=scheme).new_page()
    problems = []
    pages = [p for p in sorted(site.glob("*.html")) if p.name != "404.html"]
    assert pages
    for html in pages:
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.dataset.mdColorScheme") == expected
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"][:5]]
                problems.append(
                    f"{html.name}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
                )
    assert not problems, "\n".join(problems)
