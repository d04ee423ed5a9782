"""Run the ``tracker`` command in-process against a fresh SQLite database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ACTOR, ROOT
from tracker.cli import output
from tracker.cli.main import run


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Runner:
    def __init__(self, capsys: pytest.CaptureFixture[str], url: str):
        self.capsys = capsys
        self.url = url

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = run(["--db", self.url, "--handbook", str(ROOT / "mkdocs.yml"), "--as", ACTOR, *args])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def tracker(capsys: pytest.CaptureFixture[str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Runner:
    monkeypatch.setenv("COLUMNS", "200")
    for console in (output.console(), output.error_console()):  # made once, perhaps by an earlier test
        monkeypatch.setattr(console, "width", 200)
    return Runner(capsys, sqlite_url)
