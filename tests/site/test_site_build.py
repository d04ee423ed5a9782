"""The handbook site builds with MkDocs (strict) and with Zensical, offline."""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

BUILDERS = ["mkdocs_build", "zensical_build"]


def _succeeded(request, fixture_name):
    build = request.getfixturevalue(fixture_name)
    if build.returncode != 0:
        pytest.fail(f"{fixture_name} failed:\n{build.describe()}", pytrace=False)
    return build


def _nav_pages(config: dict) -> list[str]:
    """The built .html file of every page named in the nav."""

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from walk(value)
            elif isinstance(value, str) and value.endswith(".md"):
                yield value[: -len(".md")] + ".html"

    return sorted(walk(config["nav"]))


class _PageParser(HTMLParser):
    """Collects the version label and every resource a browser loads by itself."""

    LOADS = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
        "embed": "src",
        "link": "href",
    }

    def __init__(self):
        super().__init__()
        self.version_labels: list[str] = []
        self.resources: list[str] = []
        self._in_label = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and "hb-version" in (attrs.get("class") or "").split():
            self._in_label = True
            self.version_labels.append("")
        attr = self.LOADS.get(tag)
        if attr and attrs.get(attr):
            if tag != "link" or attrs.get("rel") not in ("prev", "next", "canonical"):
                self.resources.append(attrs[attr])

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_label = False

    def handle_data(self, data):
        if self._in_label:
            self.version_labels[-1] += data


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# --------------------------------------------------------------------------


def test_mkdocs_build_strict_passes(mkdocs_build):
    assert mkdocs_build.returncode == 0, mkdocs_build.describe()
    assert "WARNING" not in mkdocs_build.output, mkdocs_build.describe()


def test_zensical_build_passes(zensical_build):
    assert zensical_build.returncode == 0, zensical_build.describe()
    assert (zensical_build.site_dir / "index.html").is_file(), zensical_build.describe()


def test_link_validation_is_at_warn_so_strict_fails_on_it(mkdocs_config):
    validation = mkdocs_config.get("validation") or {}
    for key in ("omitted_files", "absolute_links", "unrecognized_links", "anchors"):
        assert validation.get(key) == "warn", f"validation.{key} must be 'warn'"


@pytest.mark.parametrize("tool", ["mkdocs", "zensical"])
def test_strict_build_rejects_a_link_to_a_missing_rule(tool, tmp_path, site_tools, mkdocs_config):
    """A link to a rule ID that does not exist fails the build, in both tools."""
    config_file = site_tools.copy_project(tmp_path / "project")
    page = config_file.parent / mkdocs_config.get("docs_dir", "docs") / "values.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\nSee [CON-99](conduct.md#CON-99).\n", encoding="utf-8")
    site_dir = config_file.parent / "site"
    if tool == "mkdocs":
        command = site_tools.mkdocs_command(config_file, site_dir)
    else:
        command = site_tools.zensical_command(config_file)
    build = site_tools.run_build(command, site_dir, config_file.parent)
    assert build.returncode != 0, build.describe()
    if tool == "mkdocs":
        assert "'#CON-99'" in build.output, build.describe()


def test_site_builds_leave_nothing_in_the_repository(mkdocs_build, zensical_build, site_tools):
    created = site_tools.build_outputs() - site_tools.build_outputs_before
    assert not created, "site builds wrote into the repository: " + ", ".join(
        sorted(str(p.relative_to(site_tools.repo)) for p in created)
    )


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_page_shows_the_handbook_version(builder, request, mkdocs_config, handbook_version):
    build = _succeeded(request, builder)
    pages = build.pages()
    assert [p.name for p in pages] == _nav_pages(mkdocs_config)
    effective = mkdocs_config["extra"].get("effective_date")
    expected = f"Handbook version {handbook_version}" + (f" · in effect from {effective}" if effective else "")
    for page in pages:
        labels = [" ".join(label.split()) for label in _parse(page).version_labels]
        assert labels == [expected], page.name


ISSUER_KEYS = ("company_name", "handbook_owner", "handbook_contact_email", "handbook_contact_phone")


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_page_names_the_company_owner_and_contact(builder, request, mkdocs_config):
    """Who issues the handbook and whom to ask come from mkdocs.yml's extra, once, on every page."""
    build = _succeeded(request, builder)
    extra = mkdocs_config["extra"]
    assert all(extra.get(key) for key in ISSUER_KEYS), "mkdocs.yml extra lacks " + ", ".join(ISSUER_KEYS)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(extra.get("effective_date"))), "extra.effective_date: YYYY-MM-DD"
    for page in build.pages():
        html = page.read_text(encoding="utf-8")
        issuer = re.findall(r'<p class="hb-issuer">(.*?)</p>', html, re.S)
        assert len(issuer) == 1, page.name
        text = " ".join(re.sub(r"<[^>]+>", "", html_lib.unescape(issuer[0])).split())
        for key in ISSUER_KEYS:
            assert str(extra[key]) in text, (page.name, key, text)
        assert f'href="mailto:{extra["handbook_contact_email"]}"' in issuer[0], page.name


@pytest.mark.parametrize("builder", BUILDERS)
def test_pages_with_rules_say_when_their_rules_last_changed(builder, request):
    """Under the masthead, from the page's front matter (held to the changelog in
    tests/handbook/test_rules_last_changed.py), with a link to that version's changelog entry."""
    from tests.handbook.test_rules_last_changed import expected_last_changes

    build = _succeeded(request, builder)
    expected = expected_last_changes()
    for page in build.pages():
        html = page.read_text(encoding="utf-8")
        lines = re.findall(r'<p class="hb-rules-changed"[^>]*>(.*?)</p>', html, re.S)
        source = page.name[: -len(".html")] + ".md"
        if source not in expected:
            assert lines == [], page.name
            continue
        label, day = expected[source]
        assert len(lines) == 1, page.name
        text = " ".join(re.sub(r"<[^>]+>", "", html_lib.unescape(lines[0])).split())
        assert text == f"Rules on this page last changed in version {label}, {day} (what changed)", page.name
        anchor = "v" + label.replace(".", "-")
        assert f'href="changelog.html#{anchor}"' in lines[0], page.name
        assert f'id="{anchor}"' in (build.site_dir / "changelog.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("builder", BUILDERS)
def test_built_pages_load_nothing_from_the_internet(builder, request, mkdocs_config):
    build = _succeeded(request, builder)
    for page in sorted(build.site_dir.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in html, page.name
        assert "fonts.googleapis.com" not in html, page.name
        online = [u for u in _parse(page).resources if re.match(r"(https?:)?//", u)]
        assert not online, f"{page.name} loads {online}"
    # The vendored iframe-worker shim (extra.polyfills) is in the site and loaded.
    polyfills = mkdocs_config["extra"]["polyfills"]
    assert polyfills and all("iframe-worker" in p for p in polyfills)
    home = _parse(build.site_dir / "index.html").resources
    for polyfill in polyfills:
        assert (build.site_dir / polyfill).is_file(), polyfill
        assert any(r.endswith(polyfill) for r in home), (polyfill, home)


def _front_matter_tags(docs_dir: Path) -> dict[str, list[str]]:
    tags = {}
    for md in sorted(docs_dir.glob("*.md")):
        match = re.match(r"---[ \t]*\n(.*?)\n---[ \t]*\n", md.read_text(encoding="utf-8"), re.S)
        meta = (yaml.safe_load(match.group(1)) if match else None) or {}
        if meta.get("tags"):
            tags[md.stem + ".html"] = [str(tag) for tag in meta["tags"]]
    return tags


@pytest.mark.parametrize("builder", BUILDERS)
def test_the_site_has_no_tags_page(builder, request, mkdocs_config, site_tools):
    """Each front-matter tag is the tracker's (it files a page's rules under it) and names that one
    page, so a Tags page listing pages by tag told a reader nothing: there is none, no tags plugin,
    and no page shows tag chips. The tags stay in the front matter for the tracker."""
    build = _succeeded(request, builder)
    assert _front_matter_tags(site_tools.repo / mkdocs_config.get("docs_dir", "docs")), "the tracker's tags are gone"
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in mkdocs_config.get("plugins") or []]
    assert "tags" not in plugins and "material/tags" not in plugins, plugins
    assert not (build.site_dir / "tags.html").exists()
    for page in build.pages():
        assert 'class="md-tag' not in page.read_text(encoding="utf-8"), page.name
