"""`tracker serve` refuses what a hostile page or a stranger could send, without a browser: the
checks of ``tracker/web/guard.py`` one by one, and then against a running server (the same attacks
from a real Chromium page are in test_serve.py). No secret is printed but the start address, and
no database password reaches a process list."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.ui.serving import Server, free_port
from tracker.domain.errors import InputError
from tracker.web.guard import Guard

# --- the checks ---------------------------------------------------------------------------------


def test_a_loopback_server_answers_to_its_loopback_names_only() -> None:
    guard = Guard.for_address("127.0.0.1", 8000)
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST:8000"):
        assert guard.host_ok(host), host
    for host in ("evil.example:8000", "127.0.0.1:8001", "127.0.0.1", "", None, "a@127.0.0.1:8000", "127.0.0.1:x"):
        assert not guard.host_ok(host), host


def test_a_websocket_must_come_from_the_page_it_was_sent_to() -> None:
    guard = Guard.for_address("127.0.0.1", 8000)
    assert guard.origin_ok("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert guard.origin_ok("http://localhost:8000", "localhost:8000")
    refused = [
        ("http://evil.example.com", "127.0.0.1:8000"),  # another site's page
        ("http://localhost:8000", "127.0.0.1:8000"),  # another origin, even on this machine
        ("http://127.0.0.1:9999", "127.0.0.1:8000"),  # another port is another site's server
        ("https://127.0.0.1:8000", "127.0.0.1:8000"),
        ("null", "127.0.0.1:8000"),  # a sandboxed frame or a file:// page
        (None, "127.0.0.1:8000"),  # no browser sends a websocket without one
        ("http://rebound.example:8000", "rebound.example:8000"),  # DNS rebinding: the Host is not ours
    ]
    for origin, host in refused:
        assert not guard.origin_ok(origin, host), (origin, host)


def test_behind_a_proxy_the_public_address_is_the_only_other_origin() -> None:
    guard = Guard.for_address("127.0.0.1", 8000, public_url="https://tracker.example.org")
    assert guard.host_ok("tracker.example.org")  # a proxy passing the browser's Host
    assert guard.host_ok("127.0.0.1:8000")  # a proxy sending its upstream address
    assert guard.origin_ok("https://tracker.example.org", "127.0.0.1:8000")
    assert not guard.origin_ok("http://tracker.example.org", "127.0.0.1:8000")
    assert not guard.origin_ok("https://evil.example.org", "127.0.0.1:8000")
    assert guard.base_url("127.0.0.1:8000") == "https://tracker.example.org"
    assert guard.secure


def test_on_every_interface_an_address_of_the_machine_names_it() -> None:
    guard = Guard.for_address("0.0.0.0", 8000)
    assert guard.host_ok("192.168.1.20:8000") and guard.host_ok("localhost:8000")
    assert not guard.host_ok("evil.example:8000")
    assert guard.origin_ok("http://192.168.1.20:8000", "192.168.1.20:8000")
    assert not guard.origin_ok("http://10.0.0.9:8000", "192.168.1.20:8000")


@pytest.mark.parametrize(
    "url", ["tracker.example.org", "ftp://tracker.example.org", "https://", "https://x.example/sub", "https://x:y"]
)
def test_a_public_url_that_a_browser_could_not_use_is_refused(url: str) -> None:
    with pytest.raises(InputError) as caught:
        Guard.for_address("127.0.0.1", 8000, public_url=url)
    assert caught.value.field == "public-url"


def test_each_start_has_its_own_secret() -> None:
    first, second = Guard.for_address("127.0.0.1", 8000), Guard.for_address("127.0.0.1", 8000)
    assert first.token != second.token and len(first.token) >= 40
    assert first.token_ok(first.token) and not first.token_ok(second.token) and not first.token_ok("")
    assert first.start_url("127.0.0.1") == f"http://127.0.0.1:8000/?token={first.token}"


# --- a running server ------------------------------------------------------------------------------


@pytest.fixture
def running(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(sqlite_url, free_port(), tmp_path / "serve.log")
    try:
        server.wait_until_listening()
        yield server
    finally:
        server.stop()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None  # show the redirect itself

    opener = urllib.request.build_opener(Stay)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read().decode()


def websocket(server: Server, origin: str | None, cookie: bool) -> str:
    import aiohttp

    async def attempt() -> str:
        headers = {"Origin": origin} if origin else {}
        cookies = {f"tracker-session-{server.port}": server.token} if cookie else {}
        async with aiohttp.ClientSession(cookies=cookies) as session:
            try:
                async with session.ws_connect(f"{server.url}/ws?width=80&height=24", headers=headers) as socket:
                    await asyncio.wait_for(socket.receive(), 20)
                    return "open"
            except aiohttp.WSServerHandshakeError as refused:
                return f"refused {refused.status}"

    return asyncio.run(attempt())


def test_without_the_secret_nothing_is_served(running: Server) -> None:
    for path in ("/", "/?token=guessed", "/download/anything"):
        status, headers, body = fetch(running.url + path)
        assert status == 403 and "needs the secret printed by `tracker serve`" in body, path
        assert headers["X-Frame-Options"] == "DENY"
    status, _, body = fetch(f"{running.url}/?token={running.token}", {"Host": f"evil.example:{running.port}"})
    assert status == 421, "a page reaching the server under its own name (DNS rebinding) was served"


def test_the_secret_address_sets_a_private_cookie_and_leaves_the_address_bar(running: Server) -> None:
    status, headers, _ = fetch(running.address)
    assert status == 303 and headers["Location"] == "/"
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"tracker-session-{running.port}={running.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, headers, page = fetch(running.url + "/", {"Cookie": f"tracker-session-{running.port}={running.token}"})
    assert status == 200 and f'data-session-websocket-url="ws://127.0.0.1:{running.port}/ws"' in page
    assert "fonts.googleapis" not in page and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"


def test_only_the_apps_own_page_with_the_cookie_opens_the_websocket(running: Server) -> None:
    assert websocket(running, "http://evil.example.com", cookie=True) == "refused 403"
    assert websocket(running, None, cookie=True) == "refused 403"
    assert websocket(running, running.url, cookie=False) == "refused 403"
    assert len(running.processes()) == 1, "a refused websocket started an app process"
    assert websocket(running, running.url, cookie=True) == "open"


@pytest.mark.postgres
def test_no_password_is_printed_or_put_on_a_command_line(postgres_url: str, tmp_path: Path) -> None:
    password = make_url(postgres_url).password
    assert password, "the test database URL has a password"
    server = Server(postgres_url, free_port(), tmp_path / "serve.log")
    try:
        server.wait_until_listening()
        assert websocket(server, server.url, cookie=True) == "open"  # an app process starts for it
        deadline = time.monotonic() + 10
        while len(server.processes()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        command_lines = []
        for pid in server.processes():
            try:
                command_lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
            except FileNotFoundError:
                continue
        assert len(command_lines) >= 2, command_lines
        for line in command_lines:
            assert f":{password}@" not in line and "postgresql" not in line, line
        assert f":{password}@" not in server.output() and "***" in server.output()
    finally:
        server.stop()


def test_a_port_in_use_is_one_line_and_no_traceback(running: Server, sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", sqlite_url, "serve", "--port", str(running.port)],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"HOME": str(running.log.parent)},
    )
    assert done.returncode == 1
    assert (
        done.stderr
        == f"error: cannot listen on 127.0.0.1:{running.port}: the port is already in use; choose another with --port\n"
    )
    assert "Open this address" not in done.stdout, "the address was printed before the port was bound"
