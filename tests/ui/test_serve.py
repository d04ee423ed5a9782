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

No request may leave the machine: everything but the local server is aborted
(textual-serve's page links Google Fonts; the page works without them).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.conftest import ACTOR, ROOT
from tests.ui.conftest import NOW
from tracker.db import engine as db
from tracker.demo.generate import generate
from tracker.domain.handbook.model import Handbook

pytestmark = pytest.mark.browser

START_TIMEOUT = 30.0  # seconds for the server to listen
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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`python -m tracker --db ... serve --port ...` in its own process group."""

    def __init__(self, database_url: str, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        command = [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            database_url,
            "--handbook",
            str(ROOT / "mkdocs.yml"),
            "--as",
            ACTOR,
            "serve",
            "--port",
            str(port),
        ]
        with log.open("wb") as out:
            # A new session: stopping the group also stops the app processes the server starts
            # (one per browser tab, through /bin/sh).
            self.process = subprocess.Popen(
                command,
                cwd=log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"`tracker serve` exited with {self.process.returncode}:\n{self.output()}", pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(
            f"`tracker serve` did not listen on port {self.port} within {START_TIMEOUT:.0f} s:\n{self.output()}",
            pytrace=False,
        )

    def stop(self) -> None:
        group = self.process.pid
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the app processes, reparented once the server is gone
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=5)


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


def test_the_served_app_renders_the_dashboard_and_a_key_opens_complaints(server: Server) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15_000)
            context.on("request", lambda request: requests.append(request.url))
            # Only the local server: Google Fonts (linked by textual-serve) and anything else are aborted at once.
            context.route(lambda url: not url.startswith(server.url + "/"), lambda route: route.abort())
            context.add_init_script(CAPTURE_TERMINAL)
            page = context.new_page()
            page.goto(server.url + "/", wait_until="domcontentloaded")

            wait_for_screen(page, "Handbook sign-off", server)  # the dashboard's first card
            screen = screen_text(page)
            assert "Service standards tracker" in screen and f"acting as {ACTOR}" in screen
            assert "Open complaints" in screen and "c Complaints" in screen  # a card, and the key in the footer

            page.locator(".xterm-helper-textarea").focus()  # xterm's keyboard input (a click could hit a figure)
            page.keyboard.press("c")
            wait_for_screen(page, "Showing status open", server)
            screen = screen_text(page)
            assert "Complaints" in screen and "1st response" in screen
            assert "Handbook sign-off" not in screen
        finally:
            browser.close()

    local = [url for url in requests if url.startswith(server.url + "/")]
    assert local, "the page made no request to the local server"
