"""Accessibility of the built site in both builds (MkDocs and Zensical), opened from file://
in headless Chromium: axe finds no serious or critical violation with search results open and at
phone width, wide tables scroll by keyboard, the closed search box takes no tab stop, the 404 page
works, rule-ID links and the permalink behave on phones, and print is legible and numbered.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config

# chromium_path first: skip (or fail under CI=true) before building anything.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium_path")]

BUILDERS = ["mkdocs_build", "zensical_build"]
REPO = Path(__file__).resolve().parents[2]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _build(request, builder: str) -> Path:
    build = request.getfixturevalue(builder)
    if build.returncode != 0:
        pytest.fail(f"{builder} failed:\n{build.describe()}", pytrace=False)
    return build.site_dir


def _serious(page, where: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    problems = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [n["target"] for n in violation["nodes"][:5]]
            problems.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return problems


def _open_search(page, builder: str, query: str) -> None:
    """Open the search box (on a phone, through the header's search button) and show results."""
    if builder == "mkdocs_build":
        box = page.locator("input.md-search__input")
        if page.viewport_size["width"] < 960:
            page.locator('label.md-header__button[for="__search"]').click()
        else:
            box.click()
        box.press_sequentially(query)  # Material searches on keyup
        results = "a.md-search-result__link"
    else:  # Zensical: a button opens the search dialog (in a shadow root; Playwright's CSS pierces it)
        if page.viewport_size["width"] < 960:
            page.locator('label.md-header__button[for="__search"]').click()
        else:
            page.locator("button.md-search__button").click()
        page.locator('dialog input[role="combobox"]').press_sequentially(query)
        results = 'ol[aria-label="Search results"] a[role="option"]'
    page.locator(results).first.wait_for(state="visible", timeout=15_000)
    page.wait_for_timeout(300)  # let the list finish drawing


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("builder", BUILDERS)
def test_no_serious_accessibility_violations_with_search_results_open(builder, scheme, viewport, request, new_context):
    site = _build(request, builder)
    page = new_context(color_scheme=scheme, viewport=viewport).new_page()
    page.goto((site / "index.html").as_uri())
    page.wait_for_load_state("load")
    _open_search(page, builder, "argue")
    problems = _serious(page, f"{builder} {scheme} {viewport['width']}px, search open")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("builder", BUILDERS)
def test_no_serious_accessibility_violations_on_a_phone(builder, scheme, request, new_context):
    site = _build(request, builder)
    page = new_context(color_scheme=scheme, viewport=PHONE).new_page()
    problems = []
    for html in sorted(site.glob("*.html")):
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        problems += _serious(page, f"{builder} {scheme} {html.name}")
    assert not problems, "\n".join(problems)


SCROLLERS = """() => [...document.querySelectorAll("article .md-typeset__scrollwrap, article .md-typeset__table")]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => ({tabindex: e.getAttribute("tabindex"), name: e.getAttribute("aria-label"), role: e.getAttribute("role")}))"""


@pytest.mark.parametrize("builder", BUILDERS)
def test_wide_tables_can_be_scrolled_by_keyboard(builder, request, new_context):
    """On a phone the ladder table scrolls sideways: its wrapper takes focus and has a name."""
    site = _build(request, builder)
    page = new_context(viewport=PHONE).new_page()
    page.goto((site / "corrective-action.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    scrollers = page.evaluate(SCROLLERS)
    assert scrollers, "no table scrolls sideways at 375px: the test checks nothing"
    for scroller in scrollers:
        assert scroller["tabindex"] == "0" and scroller["role"] == "region", scroller
        assert scroller["name"] and scroller["name"].startswith("Table"), scroller
    # Reached by Tab, and the arrow keys scroll it.
    wrapper = page.locator('article [data-hb-scrolls][tabindex="0"]').first
    wrapper.focus()
    assert page.evaluate("document.activeElement.hasAttribute('data-hb-scrolls')")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.scrollLeft") > 0
    # On a wide screen the same tables do not scroll and are no tab stop.
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(400)
    assert page.evaluate(SCROLLERS) == []
    assert page.locator("article [data-hb-scrolls]").count() == 0


FOCUSED = """() => {
    const e = document.activeElement;
    return {
        html: e.outerHTML.slice(0, 120),
        inSearch: !!e.closest(".md-search"),
        visible: e.checkVisibility({opacityProperty: true, visibilityProperty: true})
            && e.getBoundingClientRect().height > 0,
    };
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("builder", BUILDERS)
def test_closed_search_box_takes_no_invisible_tab_stop(builder, viewport, request, new_context):
    site = _build(request, builder)
    page = new_context(viewport=viewport).new_page()
    page.goto((site / "conduct.html").as_uri())
    page.wait_for_load_state("load")
    hidden = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inSearch"] and not focused["visible"]:
            hidden.append(focused["html"])
    assert not hidden, hidden


@pytest.mark.parametrize("builder", BUILDERS)
def test_404_page_works_from_file(builder, request, new_context):
    site = _build(request, builder)
    context = new_context()
    page = context.new_page()
    page.goto((site / "404.html").as_uri())
    page.wait_for_load_state("load")
    # The theme's stylesheets loaded: the header is styled, the site's own CSS is in.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert any(s.endswith("handbook.css") for s in sheets), sheets

    def missing(url: str) -> bool:
        return not Path(re.split(r"[?#]", url[len("file://") :])[0]).exists()

    failed = [u for u in context.requests if u.startswith("file:") and missing(u)]
    assert not failed, failed
    links = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    local = [u.split("#")[0] for u in links if u.startswith("file:")]
    assert any(u.endswith("/index.html") for u in local), links
    dead = sorted({u for u in local if not Path(u[len("file://") :]).is_file()})
    assert not dead, dead


def _rule_prefixes() -> set[str]:
    rules = load_handbook(source_from_config(REPO / "mkdocs.yml")).rules
    return {rule_id.split("-")[0] for rule_id in rules}


RULE_LINKS = """() => [...document.querySelectorAll("article a[href]")]
    .filter(a => /^[A-Z]{3}-\\d{2}$/.test(a.textContent.trim()) && !a.classList.contains("headerlink"))
    .map(a => ({text: a.textContent.trim(), whiteSpace: getComputedStyle(a).whiteSpace, lines: a.getClientRects().length}))"""


@pytest.mark.parametrize("builder", BUILDERS)
def test_rule_id_links_never_break_at_the_hyphen(builder, request, new_context):
    site = _build(request, builder)
    page = new_context(viewport=PHONE).new_page()
    seen, problems = set(), []
    for html in sorted(site.glob("*.html")):
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        for link in page.evaluate(RULE_LINKS):
            seen.add(link["text"].split("-")[0])
            if link["whiteSpace"] != "nowrap" or link["lines"] != 1:
                problems.append(f"{html.name}: {link}")
    assert not problems, "\n".join(problems)
    # Every prefix the tracker reads is linked somewhere (so the CSS's prefix list is checked).
    assert _rule_prefixes() <= seen, _rule_prefixes() - seen


@pytest.mark.parametrize("builder", BUILDERS)
def test_permalink_is_shown_on_a_phone(builder, request, new_context):
    site = _build(request, builder)
    page = new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    page.goto((site / "conduct.html").as_uri())
    page.wait_for_load_state("load")
    link = page.locator("h2#CON-01 a.headerlink")
    assert link.is_visible()
    assert float(link.evaluate("e => getComputedStyle(e).opacity")) == 1.0
    assert link.get_attribute("href") == "#CON-01"
    # On a wide screen with a mouse it still appears on hover only.
    desktop = new_context(viewport=DESKTOP).new_page()
    desktop.goto((site / "conduct.html").as_uri())
    assert float(desktop.locator("h2#CON-01 a.headerlink").evaluate("e => getComputedStyle(e).opacity")) == 0.0


PT = 96 / 72  # CSS pixels per point


@pytest.mark.parametrize("builder", BUILDERS)
def test_worked_examples_and_tables_print_at_10pt_or_more(builder, request, page):
    site = _build(request, builder)
    page.goto((site / "measures.html").as_uri())
    page.emulate_media(media="print")
    sizes = page.locator("article :is(.admonition p, .admonition li, table td, table th)").evaluate_all(
        "els => els.map(e => [e.textContent.slice(0, 40), parseFloat(getComputedStyle(e).fontSize)])"
    )
    assert sizes, "no worked example on the measures page"
    small = [(text, round(px / PT, 1)) for text, px in sizes if px < 10 * PT - 0.01]
    assert not small, small


@pytest.mark.parametrize("builder", BUILDERS)
def test_printed_pages_are_numbered(builder, request, page):
    """Chromium prints @page margin boxes (no pypdf here to read the PDF's text back, and a file://
    stylesheet's rules are not readable from the page): the print stylesheet the page loads puts
    "Page N of M" in a margin box of every printed page, and a long page prints on several."""
    site = _build(request, builder)
    page.goto((site / "conduct.html").as_uri())
    page.wait_for_load_state("load")
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '').filter(h => h.endsWith('print.css'))")
    assert sheets, "conduct.html loads no print.css"
    css = re.sub(r"/\*.*?\*/", "", Path(sheets[0][len("file://") :]).read_text(encoding="utf-8"), flags=re.S)
    assert re.search(r"@page\s*\{[^@}]*@bottom-\w+\s*\{[^}]*counter\(page\)[^}]*counter\(pages\)", css), css[:400]
    # Chromium draws the margin box: every printed page has more text with it than without it.
    numbered = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", numbered))
    assert pages > 1, "conduct.html prints on one page: the test checks nothing"
    page.add_style_tag(content="@media print { @page { @bottom-right { content: none } } }")
    plain = page.pdf(format="A4")
    assert _text_blocks(numbered) - _text_blocks(plain) >= pages, (pages, _text_blocks(numbered), _text_blocks(plain))


def _text_blocks(pdf: bytes) -> int:
    """How many text objects (BT ... ET) a PDF's content streams draw."""
    count = 0
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            count += len(re.findall(rb"\bBT\b", zlib.decompress(stream.group(1))))
        except zlib.error:
            pass  # not a Flate stream (an image or a font)
    return count
