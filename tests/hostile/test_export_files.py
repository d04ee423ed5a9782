"""Export files never land where nobody asked: no writing through a planted link, no overwriting
without "Replace", no second name of another file, private (0600) when created, and, when the app is
served, nothing outside its export folder (the served-app attack wrote ``~/.ssh/authorized_keys``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tracker.domain.errors import InputError
from tracker.output.files import export_path, write_export


def refused(path: Path, text: str = "x", *, replace: bool = False) -> str:
    with pytest.raises(InputError) as caught:
        write_export(path, text, replace=replace)
    assert caught.value.field == "path"
    return caught.value.reason


def test_a_new_export_is_private(tmp_path: Path) -> None:
    os.umask(0o022)
    written = write_export(tmp_path / "file.html", "<p>history</p>", replace=False)
    assert written.read_text(encoding="utf-8") == "<p>history</p>"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old, and longer than the new text", encoding="utf-8")
    assert "already exists; tick 'Replace'" in refused(target)
    assert target.read_text(encoding="utf-8") == "old, and longer than the new text"
    write_export(target, "new", replace=True)
    assert target.read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize("replace", [False, True])
def test_a_planted_symbolic_link_is_not_followed(tmp_path: Path, replace: bool) -> None:
    victim = tmp_path / "authorized_keys"
    victim.write_text("ssh-ed25519 AAAA the owner's key\n", encoding="utf-8")
    link = tmp_path / "exports" / "employee-file.html"
    link.parent.mkdir()
    link.symlink_to(victim)
    reason = refused(link, "ssh-ed25519 AAAA attacker", replace=replace)
    assert ("symbolic link" in reason) if replace else ("already exists" in reason)
    assert victim.read_text(encoding="utf-8") == "ssh-ed25519 AAAA the owner's key\n"


def test_a_second_name_of_another_file_is_not_overwritten(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    os.link(victim, tmp_path / "alias.csv")
    assert "not a plain file of its own" in refused(tmp_path / "alias.csv", replace=True)
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_a_pipe_or_a_folder_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    assert "cannot write" in refused(tmp_path / "pipe.csv", replace=True)  # no reader: refused at once
    (tmp_path / "folder.csv").mkdir()
    assert "is a folder" in refused(tmp_path / "folder.csv", replace=True)
    assert "does not exist" in refused(tmp_path / "missing" / "a.csv")


@pytest.mark.parametrize(
    "typed",
    ["../authorized_keys", "/root/.ssh/authorized_keys", "~/.ssh/authorized_keys", "sub/a.csv", "..", ".", "a\\b.csv"],
)
def test_a_served_export_is_a_file_name_inside_the_folder(tmp_path: Path, typed: str) -> None:
    with pytest.raises(InputError) as caught:
        export_path(typed, tmp_path)
    assert caught.value.field == "path" and str(tmp_path) in caught.value.reason


def test_in_a_terminal_paths_start_in_the_home_folder(tmp_path: Path) -> None:
    assert export_path("out/a.csv", None) == Path.home() / "out" / "a.csv"
    assert export_path("~/a.csv", None) == Path.home() / "a.csv"
    assert export_path(str(tmp_path / "a.csv"), None) == tmp_path / "a.csv"
    assert export_path("a.csv", tmp_path) == tmp_path / "a.csv"
