"""A real `tracker serve` process for the tests: started on a free port in its own process group,
its printed address (with the start's secret) read from its output, stopped with everything it
started."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import pytest

from tests.conftest import ACTOR, ROOT

START_TIMEOUT = 30.0  # seconds for the server to listen and print its address
ADDRESS = re.compile(r"^    (https?://\S+/\?token=\S+)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`python -m tracker --db ... serve --port ...` in its own process group."""

    def __init__(self, database_url: str, port: int, log: Path, options: Sequence[str] = ()) -> None:
        self.port = port
        self.log = log
        self.exports = log.parent / "exports"
        command = [
            sys.executable,
            "-m",
            "tracker",
            "--handbook",
            str(ROOT / "mkdocs.yml"),
            "--as",
            ACTOR,
            "serve",
            "--port",
            str(port),
            "--exports",
            str(self.exports),
            *options,
        ]
        # The database URL comes from the environment, as a PostgreSQL password should.
        env = os.environ | {"TRACKER_DATABASE_URL": database_url}
        with log.open("wb") as out:
            # A new session: stopping the group also stops the app processes the server starts
            # (one per browser tab, through /bin/sh).
            self.process = subprocess.Popen(
                command,
                cwd=log.parent,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.address = ""  # the printed address with this start's secret, once listening

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return self.address.rsplit("token=", 1)[1]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until_listening(self) -> None:
        """Until the server prints its address: it does so only once the port is bound."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"`tracker serve` exited with {self.process.returncode}:\n{self.output()}", pytrace=False)
            found = ADDRESS.search(self.output())
            if found:
                self.address = found.group(1)
                with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                    return
            time.sleep(0.1)
        pytest.fail(
            f"`tracker serve` did not print its address within {START_TIMEOUT:.0f} s:\n{self.output()}",
            pytrace=False,
        )

    def processes(self) -> list[int]:
        """Every process of the server's group: the server, and one app (through /bin/sh) per tab."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.process.pid:
                        found.append(int(entry.name))
                except ProcessLookupError:
                    continue
        return found

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
