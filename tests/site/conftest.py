"""Fixtures for the published handbook site (tests/site).

The site is built once per test session, with MkDocs (`mkdocs build --strict`)
and with Zensical (`zensical build --strict`), into temporary folders: nothing
is written into the repository. Browser tests drive Debian's Chromium through
Playwright, all in one browser process, against the MkDocs build opened from
file:// (the offline plugin makes that work with no server and no internet).

Helpers reach the tests through fixtures (`site_tools`, `mkdocs_config`), never
by `import conftest`, which could pick up another folder's conftest module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from tests.browser import CHROMIUM_ARGS
from tests.browser import chromium_path as find_chromium

REPO = Path(__file__).resolve().parents[2]
MKDOCS_YML = REPO / "mkdocs.yml"

# URL schemes that never leave the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:")


# --------------------------------------------------------------------------
# Building the site
# --------------------------------------------------------------------------


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even if it one day uses !ENV or !!python/name tags."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def load_mkdocs_config() -> dict:
    return yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=_LenientLoader)


@dataclass(frozen=True)
class Build:
    """One site build: the command, its result and where the site went."""

    command: list[str]
    returncode: int
    output: str
    site_dir: Path

    def pages(self) -> list[Path]:
        """Every built HTML page except the 404 page."""
        return sorted(p for p in self.site_dir.glob("*.html") if p.name != "404.html")

    def describe(self) -> str:
        return f"$ {' '.join(self.command)}\n(exit {self.returncode})\n{self.output}"


def copy_project(dest: Path) -> Path:
    """Copy what a site build reads (config, docs_dir, custom_dir) into dest.

    Zensical writes its site and its .cache next to the config file and refuses
    a site_dir outside the project folder, so it builds from such a copy.
    Returns the copied config file.
    """
    config = load_mkdocs_config()
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MKDOCS_YML, dest / "mkdocs.yml")
    folders = [config.get("docs_dir", "docs"), (config.get("theme") or {}).get("custom_dir")]
    for folder in filter(None, folders):
        shutil.copytree(REPO / folder, dest / folder)
    return dest / "mkdocs.yml"


def mkdocs_command(config_file: Path, site_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(config_file),
        "--site-dir",
        str(site_dir),
    ]


def zensical_command(config_file: Path) -> list[str]:
    return [sys.executable, "-m", "zensical", "build", "--strict", "--config-file", str(config_file)]


def run_build(command: list[str], site_dir: Path, cwd: Path) -> Build:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"  # silence Material's end-of-life notice
    env["NO_COLOR"] = "1"
    proc = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        text=True,
        timeout=300,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return Build(command, proc.returncode, proc.stdout, site_dir)


def build_outputs() -> set[Path]:
    """What a site build could leave in the repository: the configured
    site_dir, Zensical's .cache, and any file under docs_dir or custom_dir."""
    config = load_mkdocs_config()
    found = {p for p in (REPO / config.get("site_dir", "site"), REPO / ".cache") if p.exists()}
    for folder in (config.get("docs_dir", "docs"), (config.get("theme") or {}).get("custom_dir")):
        if folder and (REPO / folder).is_dir():
            found |= set((REPO / folder).rglob("*"))
    return found


# Taken when pytest loads this conftest, before any build of the session.
_BUILD_OUTPUTS_BEFORE = build_outputs()


@pytest.fixture(scope="session")
def mkdocs_config() -> dict:
    return load_mkdocs_config()


@pytest.fixture(scope="session")
def handbook_version(mkdocs_config) -> str:
    version = (mkdocs_config.get("extra") or {}).get("handbook_version")
    assert version, "mkdocs.yml has no extra.handbook_version"
    return str(version)


@pytest.fixture(scope="session")
def site_tools():
    """Helpers for tests that build their own variant of the site."""
    return SimpleNamespace(
        repo=REPO,
        copy_project=copy_project,
        mkdocs_command=mkdocs_command,
        zensical_command=zensical_command,
        run_build=run_build,
        build_outputs=build_outputs,
        build_outputs_before=_BUILD_OUTPUTS_BEFORE,
    )


@pytest.fixture(scope="session")
def mkdocs_build(tmp_path_factory) -> Build:
    """`mkdocs build --strict` of the repository's own mkdocs.yml, once."""
    site_dir = tmp_path_factory.mktemp("mkdocs") / "site"
    return run_build(mkdocs_command(MKDOCS_YML, site_dir), site_dir, REPO)


@pytest.fixture(scope="session")
def zensical_build(tmp_path_factory) -> Build:
    """`zensical build --strict` of a copy of the project, once."""
    config_file = copy_project(tmp_path_factory.mktemp("zensical") / "project")
    return run_build(zensical_command(config_file), config_file.parent / "site", config_file.parent)


@pytest.fixture(scope="session")
def site(mkdocs_build) -> Path:
    """The built offline site (MkDocs build), for the browser tests."""
    if mkdocs_build.returncode != 0:
        pytest.fail("the site did not build:\n" + mkdocs_build.describe(), pytrace=False)
    return mkdocs_build.site_dir


# --------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return find_chromium()


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium process for every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class RecordedContext:
    """A fresh browser context that records the URL of every request.

    http(s) requests are also aborted, so a test run never reaches the
    network even if the site tries; test_no_request_leaves_the_machine is the
    test that asserts the site makes none.
    """

    def __init__(self, browser, **options):
        self.requests: list[str] = []
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(15_000)
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route("http://**/*", lambda route: route.abort())
        self.context.route("https://**/*", lambda route: route.abort())

    def non_local_requests(self) -> list[str]:
        return sorted({u for u in self.requests if not u.startswith(LOCAL_SCHEMES)})

    def new_page(self):
        return self.context.new_page()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def new_context(browser):
    """Factory for fresh contexts (clean storage: no remembered palette)."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        contexts.append(RecordedContext(browser, **options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_context(new_context) -> RecordedContext:
    return new_context()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()
