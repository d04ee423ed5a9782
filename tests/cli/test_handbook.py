"""`tracker handbook`: check, list, publish and compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.domain.editing import (
    CON01_EDIT,
    copy_handbook,
    edit,
    line_of,
    relabel,
    write_mini,
)
from tracker.domain.handbook.source import HandbookSource


@pytest.fixture
def broken(tmp_path: Path) -> HandbookSource:
    """A small handbook with three problems on two pages."""
    source = write_mini(tmp_path / "mini")
    edit(source, "rules.md", "| email | Email | 24 hours |", "| email | Email | a day |")
    edit(source, "rules.md", "See [the ladder](#ACT-01).", "See [the ladder](#ACT-09).")
    (source.docs_dir / "zz.md").write_text("# More\n\n## Be kind again {#CON-01}\n\nStill kind.\n", encoding="utf-8")
    return source


def test_check_lists_every_problem_with_file_and_line(tracker: Runner, broken: HandbookSource) -> None:
    assert broken.config is not None
    result = tracker("--handbook", str(broken.config), "handbook", "check")
    assert result.code == 2
    rules = broken.docs_dir / "rules.md"
    lines = result.err.splitlines()
    assert lines[:-1] == [
        f"rules.md:{line_of(rules, '| email |')}: channel 'email' target: "
        "'a day' is not a duration like '2 minutes' or '12 months'",
        f"zz.md:3: duplicate rule ID CON-01 (first used at rules.md:{line_of(rules, '{#CON-01}')})",
        f"rules.md:{line_of(rules, '#ACT-09')}: link to rule ACT-09, which does not exist",
    ]
    assert lines[-1] == f"error: handbook: 3 problems in {broken.docs_dir}"
    assert "Traceback" not in result.err and result.out == ""


def test_check_passes_on_the_real_handbook(tracker: Runner) -> None:
    result = tracker("handbook", "check")
    assert result.code == 0, result.err
    assert result.out.startswith(
        "Handbook 2026.2 is valid: 34 rules, 5 channels, 5 ladder levels, look-back 12 months, sign-off grace 14 days."
    )


def test_publishing_a_broken_handbook_is_refused(tracker: Runner, broken: HandbookSource) -> None:
    assert broken.config is not None
    result = tracker("--handbook", str(broken.config), "handbook", "publish")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: handbook: rules.md:")
    assert result.err.rstrip().endswith("(and 2 more; run 'tracker handbook check')")
    assert tracker("handbook", "versions", "--format", "json").json() == []


def test_rules_json_lists_every_rule(tracker: Runner, handbook) -> None:  # type: ignore[no-untyped-def]
    result = tracker("handbook", "rules", "--format", "json")
    assert result.code == 0
    data = result.json()
    assert [r["id"] for r in data] == list(handbook.rules)
    assert all(r["title"] == handbook.rules[r["id"]].title and r["text"] for r in data)
    conduct = tracker("handbook", "rules", "--format", "json", "--tag", "conduct").json()
    assert sorted(r["id"] for r in conduct) == [f"CON-0{n}" for n in range(1, 10)]


def test_show_one_rule(tracker: Runner) -> None:
    result = tracker("handbook", "show", "con-01")
    assert result.code == 0
    assert result.out.startswith("CON-01 Never argue with a customer  (conduct.md)")
    assert "winning the point loses the customer" in result.out
    missing = tracker("handbook", "show", "CON-99")
    assert (missing.code, missing.err) == (2, "error: rule: no rule 'CON-99' in handbook 2026.2\n")


def test_publish_a_new_version_and_compare(tracker: Runner, tmp_path: Path) -> None:
    assert tracker("handbook", "publish").code == 0
    source = copy_handbook(tmp_path / "next")
    assert source.config is not None
    # The working copy's changes, before publishing.
    edit(source, *CON01_EDIT)
    relabel(source, "2026.3")
    diff = tracker("--handbook", str(source.config), "handbook", "diff", "--format", "json").json()
    assert diff == {
        "from": "2026.2",
        "to": "2026.3 (working copy)",
        "changes": [{"rule": "CON-01", "change": "changed", "title": "Never argue with a customer"}],
    }
    result = tracker("--handbook", str(source.config), "handbook", "publish", "--editorial")
    assert result.code == 0, result.err
    assert "Published handbook version 2026.3: 34 rules, editorial (no re-signing needed)." in result.out
    versions = tracker("handbook", "versions", "--format", "json").json()
    assert [(v["label"], v["editorial"]) for v in versions] == [("2026.3", True), ("2026.2", False)]
    between = tracker("handbook", "diff", "2026.2", "2026.3").out
    assert "CON-01" in between and "changed" in between
    assert tracker("audit", "verify").code == 0  # both published snapshots match their audit events


def test_check_refuses_a_changed_rule_under_a_published_label(tracker: Runner, tmp_path: Path) -> None:
    """The site would show the edited text under the label employees signed: check names what differs."""
    assert tracker("handbook", "publish").code == 0
    source = copy_handbook(tmp_path / "edited")
    assert source.config is not None
    edit(source, *CON01_EDIT)
    edit(source, "speed.md", "| Email and web form | 24 hours |", "| Email and web form | 48 hours |")
    result = tracker("--handbook", str(source.config), "handbook", "check")
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: handbook: version 2026.2 is already published, and the pages differ from it: ")
    # The channel table sits in rule SPD-01's text, so that rule changed too.
    assert (
        "differ from it: CON-01 changed, SPD-01 changed, the channels' targets, aims and guides changed. " in result.err
    )
    assert "Traceback" not in result.err
    # A new label is the way to publish the change: the same pages then pass.
    relabel(source, "2026.3")
    renewed = tracker("--handbook", str(source.config), "handbook", "check")
    assert renewed.code == 0, renewed.err
    assert renewed.out.startswith("Handbook 2026.3 is valid")


def test_check_passes_an_unchanged_published_handbook(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    result = tracker("handbook", "check")
    assert result.code == 0, result.err


def test_an_mkdocs_yml_that_is_not_yaml_is_one_located_line(tracker: Runner, tmp_path: Path) -> None:
    source = write_mini(tmp_path / "mini")
    assert source.config is not None
    source.config.write_text("site_name: Mini\nextra: [\n", encoding="utf-8")
    result = tracker("--handbook", str(source.config), "handbook", "check")
    assert (result.code, result.out) == (2, "")
    assert (
        result.err
        == f"error: handbook: {source.config}:3: not valid YAML (expected the node content, but found '<stream end>')\n"
    )
