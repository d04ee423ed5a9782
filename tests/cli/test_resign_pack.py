"""`tracker signoffs sheet`: an employee's re-signing pack holds the filled-in form and exactly the
rules changed since their last valid sign-off."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from tests.cli.conftest import Runner
from tests.conftest import ROOT
from tests.domain.editing import CON01_EDIT, copy_handbook, edit, relabel
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import HandbookSource, source_from_config
from tracker.domain.timeutil import today

_PACK_RULE = re.compile(r'<section class="pack-rule" id="([A-Z]{3}-\d{2})">')


def _hire_and_sign(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    added = tracker("employees", "add", "--number", "E-1001", "--name", "Ana Silva", "--team", "Phones",
                    "--hire-date", "2026-01-05")  # fmt: skip
    assert added.code == 0, added.err
    signed = tracker("signoffs", "record", "--employee", "E-1001", "--signed-on", today().isoformat(),
                     "--method", "terminal")  # fmt: skip
    assert signed.code == 0, signed.err


def _publish_con01_edit(tracker: Runner, folder: Path) -> HandbookSource:
    source = copy_handbook(folder)
    assert source.config is not None
    edit(source, *CON01_EDIT)
    relabel(source, "2026.3")
    published = tracker("--handbook", str(source.config), "handbook", "publish")
    assert published.code == 0, published.err
    return source


def test_the_pack_holds_exactly_the_changed_rules(tracker: Runner, tmp_path: Path) -> None:
    _hire_and_sign(tracker)
    source = _publish_con01_edit(tracker, tmp_path / "next")
    assert source.config is not None
    result = tracker("--handbook", str(source.config), "signoffs", "sheet", "E-1001")
    assert result.code == 0, result.err
    pack = result.out
    assert _PACK_RULE.findall(pack) == ["CON-01"]
    assert "Not even on the phone." in pack  # the edited text, as stored in 2026.3
    assert "(changed)" in pack and "since you last signed (version 2026.2)" in pack
    # The form is filled in: name, number, team, company; the version in force and its date.
    for field, value in (("Printed name", "Ana Silva"), ("Employee number", "E-1001"), ("Team", "Phones"),
                         ("Company", "Larkfield Supplies Ltd")):  # fmt: skip
        assert f'<p class="hb-field">{field}<span class="hb-value">{value}</span></p>' in pack
    assert "version <strong>2026.3</strong>, takes effect 2026-12-03" in pack
    assert "I understand that breaking these rules can lead to corrective action" in pack  # its statements


def test_someone_who_never_signed_gets_every_rule(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    tracker("employees", "add", "--number", "E-2002", "--name", "Ben Okafor", "--team", "Chat",
            "--hire-date", "2026-01-05")  # fmt: skip
    pack = tracker("signoffs", "sheet", "E-2002").out
    every_rule = sorted(load_handbook(source_from_config(ROOT / "mkdocs.yml")).rules)
    assert _PACK_RULE.findall(pack) == every_rule
    assert "you have not signed the handbook before" in pack
    assert "(added)" not in pack  # every rule is new to them: no change marks


def test_nothing_to_re_sign_is_one_line_and_writes_no_file(tracker: Runner, tmp_path: Path) -> None:
    _hire_and_sign(tracker)
    target = tmp_path / "pack.html"
    result = tracker("signoffs", "sheet", "E-1001", "--output", str(target))
    assert result.code == 0
    assert result.out.strip() == (
        "Nothing to re-sign: Ana Silva (E-1001) holds a valid sign-off of 2026.2, which covers handbook 2026.2 in force."
    )
    assert not target.exists()


def test_an_editorial_version_asks_nobody_to_re_sign(tracker: Runner, tmp_path: Path) -> None:
    _hire_and_sign(tracker)
    source = copy_handbook(tmp_path / "next")
    assert source.config is not None
    edit(source, *CON01_EDIT)
    relabel(source, "2026.3")
    assert tracker("--handbook", str(source.config), "handbook", "publish", "--editorial").code == 0
    result = tracker("--handbook", str(source.config), "signoffs", "sheet", "E-1001")
    assert result.code == 0
    assert "Nothing to re-sign" in result.out and "covers handbook 2026.3 in force" in result.out


def test_output_is_private_and_not_replaced_unasked(tracker: Runner, tmp_path: Path) -> None:
    _hire_and_sign(tracker)
    source = _publish_con01_edit(tracker, tmp_path / "next")
    assert source.config is not None
    target = tmp_path / "pack.html"
    first = tracker("--handbook", str(source.config), "signoffs", "sheet", "E-1001", "--output", str(target))
    assert first.code == 0, first.err
    assert "1 rule(s) changed since 2026.2" in first.out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _PACK_RULE.findall(target.read_text(encoding="utf-8")) == ["CON-01"]
    again = tracker("--handbook", str(source.config), "signoffs", "sheet", "E-1001", "--output", str(target))
    assert again.code == 2 and "already exists; pass --replace" in again.err
    assert len(again.err.strip().splitlines()) == 1


def test_an_unknown_employee_is_one_line(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    result = tracker("signoffs", "sheet", "E-9999")
    assert result.code != 0 and "no employee with number 'E-9999'" in result.err
    assert len(result.err.strip().splitlines()) == 1
