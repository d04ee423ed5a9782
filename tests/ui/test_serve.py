"""`tracker serve`: the terminal app in a web browser (textual-serve).

The server runs as a real subprocess on a free local port, over a SQLite file
with a little demo data; headless Chromium (Debian's chromium, driven by
Playwright, launched as in tests/site) opens it, the dashboard renders, and a
key press navigates to the Complaints screen.

Reading the screen: textual-serve draws with xterm.js onto a <canvas> (WebGL or
canvas renderer), so document.body.innerText holds none of the app's text, and
xterm's accessibility tree exists only in screen-reader mode, which textual.js
does not turn on and cannot be reached from outside (the Terminal object is a
local of its bundle). An init script therefore catches each xterm Terminal as
it is constructed (a one-shot setter for the ``_addonManager`` field its
constructor assigns) and ``window.__screenText()`` reads the visible rows of
its buffer: exactly the text xterm renders. If an xterm upgrade renames that
field, the test fails saying so (it does not pass vacuously).

No request may leave the machine: the page's scripts, styles and font are served by the tracker
(textual-serve's own page links Google Fonts). Every test opens the address the server printed,
with its secret; the hostile tests open pages of other origins in the same browser.
"""

from __future__ import annotations

import json
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.conftest import ACTOR
from tests.ui.conftest import NOW
from tests.ui.serving import Server, free_port
from tracker.db import engine as db
from tracker.demo.generate import generate
from tracker.domain.handbook.model import Handbook

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Response

pytestmark = pytest.mark.browser

SCREEN_TIMEOUT_MS = 30_000  # for the app to start in its own process and draw

CAPTURE_TERMINAL = """
(() => {
  const field = "_addonManager";  // assigned once in xterm's public Terminal constructor
  Object.defineProperty(Object.prototype, field, {
    configurable: true,
    set(value) {
      Object.defineProperty(this, field, {value, writable: true, configurable: true, enumerable: true});
      if (this._core && typeof this.loadAddon === "function") {
        (window.__terminals = window.__terminals || []).push(this);
      }
    },
  });
  window.__screenText = () => {
    const terminal = (window.__terminals || [])[0];
    if (!terminal) return "";
    const buffer = terminal.buffer.active, rows = [];
    for (let y = 0; y < terminal.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      rows.push(line ? line.translateToString(true) : "");
    }
    return rows.join("\\n");
  };
})();
"""


@pytest.fixture
def served_database(sqlite_url: str, handbook: Handbook) -> str:
    """A SQLite file with a little demo data (the clock is pinned by tests/ui/conftest.py)."""
    engine = db.make_engine(sqlite_url)
    try:
        generate(engine, handbook, employees=12, complaints=80, seed=2, now=NOW)
    finally:
        engine.dispose()
    return sqlite_url


@pytest.fixture
def server(served_database: str, tmp_path: Path) -> Iterator[Server]:
    chromium_path()  # skip (or fail in CI) before starting anything
    running = Server(served_database, free_port(), tmp_path / "serve.log")
    try:
        running.wait_until_listening()
        yield running
    finally:
        running.stop()


def screen_text(page) -> str:  # type: ignore[no-untyped-def]
    text = page.evaluate("window.__screenText ? window.__screenText() : ''")
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip()


def wait_for_screen(page, text: str, server: Server) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``text`` is on the terminal's screen; on failure show the screen and the server's output."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "text => window.__screenText && window.__screenText().includes(text)", arg=text, timeout=SCREEN_TIMEOUT_MS
        )
        return
    except PlaywrightTimeout:
        captured = page.evaluate("(window.__terminals || []).length")
    if not captured:
        pytest.fail(
            "No xterm.js Terminal was captured: textual-serve's xterm changed; update CAPTURE_TERMINAL "
            f"in {Path(__file__).name}.\nServer output:\n{server.output()}",
            pytrace=False,
        )
    pytest.fail(
        f"{text!r} did not appear within {SCREEN_TIMEOUT_MS // 1000} s. Screen:\n{screen_text(page)}\n"
        f"Server output:\n{server.output()}",
        pytrace=False,
    )


@contextmanager
def browser_context(server: Server, *args: str) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A fresh headless Chromium; the URLs it requested. Nothing may leave the machine: a request to
    any other host is recorded (the test then fails on it) and aborted."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=[*CHROMIUM_ARGS, *args], headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            context.set_default_timeout(15_000)
            context.on("request", lambda request: requests.append(request.url))
            context.route(lambda url: not url.startswith(server.url + "/"), lambda route: route.abort())
            context.add_init_script(CAPTURE_TERMINAL)
            yield context, requests
        finally:
            browser.close()


def at_a_persons_pace(page: Page, *keys: str) -> None:
    """Keys pressed a moment after the screen they are for has painted, as a person would (keys
    typed before a screen is ready are issue 15's)."""
    for key in keys:
        page.wait_for_timeout(300)
        page.keyboard.press(key)


def open_app(context: BrowserContext, server: Server) -> Page:
    """The printed address in a new tab, as the supervisor opens it; the app's dashboard on screen."""
    page = context.new_page()
    page.goto(server.address, wait_until="domcontentloaded")
    wait_for_screen(page, "Handbook sign-off", server)  # the dashboard's first card
    page.locator(".xterm-helper-textarea").focus()  # xterm's keyboard input (a click could hit a figure)
    return page


def test_the_served_app_renders_the_dashboard_and_a_key_opens_complaints(server: Server) -> None:
    with browser_context(server) as (context, requests):
        page = open_app(context, server)
        assert page.url == server.url + "/", "the secret stays in the address bar"
        screen = screen_text(page)
        assert "Service standards tracker" in screen and f"acting as {ACTOR}" in screen
        assert "Open complaints" in screen and "c Complaints" in screen  # a card, and the key in the footer

        page.keyboard.press("c")
        wait_for_screen(page, "Showing status open", server)
        screen = screen_text(page)
        assert "Complaints" in screen and "1st response" in screen
        assert "Handbook sign-off" not in screen

    assert [url for url in requests if not url.startswith(server.url + "/")] == [], "a request left the machine"
    assert any("/static/fonts/RobotoMono" in url for url in requests), "the terminal font is served locally"


def test_without_the_secret_the_page_is_refused(server: Server) -> None:
    with browser_context(server) as (context, _):
        page = context.new_page()
        for url in (server.url + "/", server.url + "/?token=guessed"):
            response = page.goto(url)
            assert response is not None and response.status == 403
            assert "needs the secret printed by `tracker serve`" in page.inner_text("body")
    assert len(server.processes()) == 1, "an app process was started for a page without the secret"


HOSTILE_PAGE = """<!DOCTYPE html><html><body><script>
  // What any page open in the supervisor's browser can try: drive the app over its websocket.
  window.__result = new Promise(resolve => {
    const socket = new WebSocket(%s);
    socket.onopen = () => resolve("open");
    socket.onerror = () => resolve("refused");
  });
</script></body></html>"""


def hostile_attempt(context: BrowserContext, page_url: str, websocket_url: str) -> str:
    """Serve a page at ``page_url`` (another origin) that opens ``websocket_url``; what happened."""
    context.route(
        page_url,
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=HOSTILE_PAGE % json.dumps(websocket_url)
        ),
    )
    page = context.new_page()
    page.goto(page_url)
    return str(page.evaluate("window.__result"))


def test_a_page_from_another_origin_cannot_drive_the_app(server: Server) -> None:
    """The supervisor has the app open (its cookie is in the browser); a page of another site, and a
    DNS-rebinding page that reaches the server under its own name, both try the websocket."""
    rebound = f"rebound.example:{server.port}"
    with browser_context(server, "--host-resolver-rules=MAP rebound.example 127.0.0.1") as (context, _):
        open_app(context, server)
        serving = len(server.processes())  # the server, and the supervisor's app (through /bin/sh)
        websocket = f"ws://127.0.0.1:{server.port}/ws?width=80&height=24"
        assert hostile_attempt(context, "http://evil.example.com/", websocket) == "refused"
        rebinding = f"ws://{rebound}/ws?width=80&height=24"
        assert hostile_attempt(context, f"http://{rebound}/page", rebinding) == "refused"
        assert len(server.processes()) == serving, "a hostile page started an app process"

        page = context.new_page()  # the rebound name, even with the secret, is not this server's
        context.route(f"http://{rebound}/?token=*", lambda route: route.continue_())  # to the server itself
        response = page.goto(f"http://{rebound}/?token={server.token}")
        assert response is not None and response.status == 421


def test_a_served_export_stays_in_its_folder_and_is_downloaded(server: Server, tmp_path: Path) -> None:
    victim = tmp_path / "authorized_keys"
    with browser_context(server) as (context, requests):
        page = open_app(context, server)
        page.keyboard.press("e")
        wait_for_screen(page, "12 active employees", server)  # counted: the rows are there
        at_a_persons_pace(page, "Enter")  # the first employee's page
        wait_for_screen(page, "x Export", server)
        at_a_persons_pace(page, "x")
        wait_for_screen(page, "export folder", server)
        assert str(server.exports) in screen_text(page).replace("\n", "")

        at_a_persons_pace(page, "Control+a", "Control+k")
        page.keyboard.type(f"../{victim.name}")  # out of the folder: refused under the field
        page.keyboard.press("Control+s")
        wait_for_screen(page, "type a file name only", server)
        assert not victim.exists() and not (server.exports.parent / victim.name).exists()

        at_a_persons_pace(page, "Control+a", "Control+k")
        page.keyboard.type("history.html")
        downloads: list[Response] = []  # textual-serve opens the file's single-use URL in a new tab
        context.on("response", lambda response: downloads.append(response) if "/download/" in response.url else None)
        at_a_persons_pace(page, "Control+s")
        wait_for_screen(page, "Wrote", server)
        deadline = time.monotonic() + 15
        while not downloads and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert downloads, "the browser was not handed the file"
        assert downloads[0].status == 200
        assert downloads[0].headers["content-disposition"] == "attachment; filename=history.html"

    written = server.exports / "history.html"
    assert written.is_file() and stat.S_IMODE(written.stat().st_mode) == 0o600
    assert "<html" in written.read_text(encoding="utf-8").lower()
