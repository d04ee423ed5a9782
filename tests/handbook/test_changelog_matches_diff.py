"""The changelog's lists of rules added, changed and removed are the handbook diff, entry by entry.

Where the versions live: a published version's text is in the tracker's database (``tracker
handbook publish`` snapshots every rule); the repository holds only the working copy of the
handbook. Older texts are in git history, but a test cannot count on a full clone. So this test
keeps, for every version before the working one, the snapshot the diff needs (each rule's ID,
title and hash, as ``tracker handbook rules --format json`` prints them for that version), and
compares each changelog entry with ``diff_rules`` between it and the entry before: the newest
entry against the working handbook. The maintainer does not write the lists: ``tracker handbook
changelog-entry OLD NEW`` prints them from the database (``tracker/output/changelog.py``).

When a new version is started: add the version now published to ``PUBLISHED`` below (run
``tracker handbook rules --format json`` before editing, or on a checkout of its commit), and the
new entry's lists from ``tracker handbook changelog-entry``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ACTOR, ROOT
from tracker.cli.main import run
from tracker.domain.handbook.diff import RuleChange, diff_rules
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config
from tracker.output.changelog import KINDS, changelog_lists

RuleMap = dict[str, tuple[str, str]]  # rule ID -> (title, hash)

# Every version before the working one, as published (2026.1: the handbook at commit fa739ee~1).
PUBLISHED: dict[str, RuleMap] = {
    "2026.1": {
        "ACK-01": ("Sign within 14 days", "a2d1172a6cbf4a8fa06696878d50fd401382376e6cb185c5af229c5a88bdee58"),
        "ACT-01": ("The corrective-action ladder", "0e052363f663340a29263a68d26025b5f580f25f9578f499c19083de171521ae"),
        "ACT-02": (
            "Count earlier steps only within the look-back window",
            "ca479d72dd071139a359224ddad19fdb3310d63fbcb400eb18fdbcb7123a2ac0",
        ),
        "ACT-03": (
            "Skip steps only for gross misconduct",
            "3a8725174be7dad1267efe3fa9f384b7a90fdabf1bdaf02cde56e890448ee0e4",
        ),
        "ACT-04": (
            "Set a follow-up date and record the outcome",
            "f4bf7dd361f8ca7c77f2112e6991b6bf9484539bbb6f19757d86a58a192d207e",
        ),
        "ACT-05": (
            "Close an action only with an effectiveness check",
            "f189026afdd2cb6bd757bab599f54b0d405ebe094e761b11d1b0d8a6ccad7d39",
        ),
        "ACT-06": ("Your right to respond", "28f990362012c4ebbfa61bc31caa44aebb65618f1fe7c406cb30dd2760ee89e3"),
        "CMP-01": (
            "Receive and record every complaint",
            "6a97ac250840dc7268d334dd0a76cbe1510c1eb744b99fcc67a0f5458eec04fa",
        ),
        "CMP-02": (
            "Acknowledge within the channel target",
            "7b3951ca92ddd9582b6258311fef4f9d9ded48898aaeaf5846b29ddecad31320",
        ),
        "CMP-03": ("Assess the complaint", "3eed0ef5bf055b9494dd42e8f2d3740cbc5e41c91c8386a701c3302696b09437"),
        "CMP-04": (
            "Investigate and hear the employee's side",
            "a7594f82f0d2af89c0d701a10e7f0e91442b8cf65ba14d363005198f63fed749",
        ),
        "CMP-05": (
            "Answer the customer and record the resolution",
            "608bf2eb331ff2932ea438a34a02ca0c44f2c0b2e7a0959cb12bd94a35056333",
        ),
        "CMP-06": (
            "Dismiss a complaint only with a written reason",
            "0984a85d379bf95e12d7518573573ff7780912cc4a83597d1de6ff27f1ca4c4a",
        ),
        "CMP-07": (
            "Close the complaint and learn from it",
            "533b9c65e0dde8e79a24d5643a9a3e46c10a2a7495b4de84e7b7c2a1e7e38388",
        ),
        "CON-01": ("Never argue with a customer", "51d9b664b2e43d25206d65cadc9f4d34054cc35cc1fe2286fb76b388b949ad6c"),
        "CON-02": (
            "Greet every customer, never ignore one",
            "fd2078a3371b435172c60a706dfe8ed3ca89b3cb47343983a8ba51f23a62b4e7",
        ),
        "CON-03": (
            "No personal phone in front of customers",
            "15474bad58793de25ce3b89b91f535b9dfbf98a5f8a0447a75857cb57c162ad4",
        ),
        "CON-04": (
            "Apologise for a bad experience",
            "5d01deddf3609707368dd9283cc707a0f69ab5d999f2b559b829f1896c2f9ec6",
        ),
        "CON-05": ("Never brush off a complaint", "b08e8ef302ed6e8a33d17d49bfd7efd3159cfcc4c8db38254096e3400364d2c7"),
        "CON-06": (
            "Follow up when you said you would",
            "38679a0b5c36622b49693b0c70c4dcec18be7dfa16976307cf98c15d057674e8",
        ),
        "CON-07": ("Hand work over in writing", "4aa553db74048fd9dcd4af6478171a91392810d55f8324b27296517d60d76002"),
        "CON-08": (
            "Answer urgent cases immediately",
            "8e4d60a36fcf793c282a61b70e7daa4557d86e4f7857eaa125c63f766cd6911f",
        ),
        "CON-09": (
            "Use your judgement when no rule fits",
            "c1e74d8bdb38eb8b459be95128758966647550e536c3734787b0eb8371f32726",
        ),
        "SPD-01": (
            "Give a first response within the channel target",
            "23e1306609bab18ef5c4c4eadf9d6a51a672227d7bdb1a614d114c9050e8bbc3",
        ),
        "SPD-02": (
            "An automatic reply is not a first response",
            "27981900ac276199418644a53bbc755e282258489a95fc10d3705ed8f1ffc9c2",
        ),
        "SPD-03": (
            "Measure response time across the whole conversation",
            "740db8622ba5767c0920fb90c776d30038ffb535256b4004b66a293a8aff6492",
        ),
        "SPD-04": (
            "Keep the average response time under half an hour",
            "291b33ac9363120b02ce5ed86aa89c43042807f7a7924411709421738fd5c23c",
        ),
        "SPD-05": ("Keep the queue current", "66477e0bad18c91d49601025ffd3469d28a3e72f2a2da9d2741aab58a0eda0e0"),
        "VAL-01": ("Use common sense", "6d40c4049690d732f0997f7efe3b8626f00a168a0bd470d9a0fa8b8f8d0c0521"),
        "VAL-02": (
            "Be honest and act with integrity",
            "4eb5abc4f5478f327c90d9a5eae03fb4ef8bdbe3c5d1e547324cfd1ad6d809cc",
        ),
        "VAL-03": ("Be disciplined", "343b6ffa42c9de0782b553be1b10f273fa36169c07a3f53b41387ae8babf0391"),
        "VAL-04": ("See issues through", "de9042c37d8ec75957d82eb406d794eb22197f6c34442f121e3c87bb9cec09a8"),
        "VAL-05": (
            "Be flexible, empathetic and keep learning",
            "171b0a0e38ac2b167c0a87febb3027e39236461d80ae211a006da24e260ad9f0",
        ),
    },
}

_ENTRY = re.compile(r"^## (\S+) \{#[^}]*\}\s*$", re.MULTILINE)
_MARKER = re.compile(r"^\*\*Rules (added|changed|removed):\*\*(?: (none)\.)?\s*$")
_BULLET = re.compile(
    r"^- (?:\[(?P<linked>[A-Z]{3}-\d{2})\]\((?P<href>[^)]*)\)|(?P<plain>[A-Z]{3}-\d{2})) (?P<title>.+)$"
)


def parse_lists(entry: str) -> tuple[dict[str, list[tuple[str, str, str | None]]], list[str]]:
    """The lists of one changelog entry: kind -> [(rule ID, title, link or None)], and the problems
    found reading them (a kind missing or given twice, a bullet outside a list)."""
    lists: dict[str, list[tuple[str, str, str | None]]] = {}
    problems: list[str] = []
    kind: str | None = None
    for line in entry.splitlines():
        marker = _MARKER.match(line)
        if marker:
            if marker[1] in lists:
                problems.append(f"'Rules {marker[1]}' appears twice")
            lists[marker[1]] = []
            kind = None if marker[2] else marker[1]
            continue
        bullet = _BULLET.match(line)
        if bullet and kind is not None:
            lists[kind].append((bullet["linked"] or bullet["plain"], bullet["title"].strip(), bullet["href"]))
        elif line.strip() and not line.startswith("  "):
            kind = None  # prose: the list has ended
    problems += [f"no 'Rules {k}:' list" for k in KINDS if k not in lists]
    return lists, problems


def entries(text: str) -> list[tuple[str, str]]:
    """(label, text) of every entry, newest first, as the page lists them."""
    found = list(_ENTRY.finditer(text))
    return [
        (m[1], text[m.end() : found[i + 1].start() if i + 1 < len(found) else len(text)]) for i, m in enumerate(found)
    ]


@pytest.fixture(scope="module")
def working() -> Handbook:
    return load_handbook(source_from_config(ROOT / "mkdocs.yml"))


def _expected(changes: list[RuleChange]) -> dict[str, list[tuple[str, str]]]:
    return {kind: sorted((c.rule_id, c.title) for c in changes if c.change == kind) for kind in KINDS}


def test_every_version_has_a_snapshot(working: Handbook) -> None:
    labels = [label for label, _ in entries((ROOT / "handbook" / "changelog.md").read_text(encoding="utf-8"))]
    assert labels[0] == working.label
    assert sorted(labels[1:]) == sorted(PUBLISHED), (
        "every changelog entry but the newest needs its version's rule snapshot in PUBLISHED (see this module's docstring)"
    )


def test_each_entry_lists_exactly_the_diff_from_the_version_before(working: Handbook) -> None:
    text = (ROOT / "handbook" / "changelog.md").read_text(encoding="utf-8")
    listed = entries(text)
    current: RuleMap = {rule.id: (rule.title, rule.hash) for rule in working.rules.values()}
    for index, (label, entry) in enumerate(listed):
        new = current if label == working.label else PUBLISHED[label]
        old = PUBLISHED[listed[index + 1][0]] if index + 1 < len(listed) else {}
        lists, problems = parse_lists(entry)
        assert problems == [], f"changelog {label}: {problems}"
        got = {kind: sorted((rule_id, title) for rule_id, title, _ in lists[kind]) for kind in KINDS}
        assert got == _expected(diff_rules(old, new)), (
            f"changelog {label}: the lists differ from the diff; paste `tracker handbook changelog-entry` output"
        )


def test_each_listed_rule_links_to_its_heading(working: Handbook) -> None:
    """A rule still in the handbook is linked to its heading; a removed one (gone from the pages,
    so any link to it would be broken) is named without a link."""
    text = (ROOT / "handbook" / "changelog.md").read_text(encoding="utf-8")
    for label, entry in entries(text):
        lists, _ = parse_lists(entry)
        for kind, rules in lists.items():
            for rule_id, _, href in rules:
                rule = working.rules.get(rule_id)
                if kind == "removed" or rule is None:
                    assert href is None, f"changelog {label}: {rule_id} is not in the handbook; name it without a link"
                else:
                    assert href == f"{rule.page}#{rule_id}", (
                        f"changelog {label}: {rule_id} should link to {rule.page}#{rule_id}"
                    )


def test_the_generated_lists_read_back_as_the_diff() -> None:
    changes = [
        RuleChange("CON-01", "Never argue with a customer", "changed"),
        RuleChange("SPD-09", "A new one", "added"),
        RuleChange("VAL-09", "An old one", "removed"),
    ]
    block = changelog_lists(changes, {"CON-01": "conduct.md", "SPD-09": "speed.md", "VAL-09": "values.md"})
    lists, problems = parse_lists(block)
    assert problems == []
    assert lists == {
        "changed": [("CON-01", "Never argue with a customer", "conduct.md#CON-01")],
        "added": [("SPD-09", "A new one", "speed.md#SPD-09")],
        "removed": [("VAL-09", "An old one", None)],
    }
    empty, _ = parse_lists(changelog_lists([], {}))
    assert empty == {"changed": [], "added": [], "removed": []}


def test_changelog_entry_prints_the_lists_of_the_working_copy(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.domain.editing import CON01_EDIT, copy_handbook, edit, relabel

    def tracker(*args: str) -> int:
        return run(["--db", sqlite_url, "--handbook", str(ROOT / "mkdocs.yml"), "--as", ACTOR, *args])

    assert tracker("handbook", "publish") == 0
    source = copy_handbook(tmp_path / "next")
    assert source.config is not None
    edit(source, *CON01_EDIT)
    relabel(source, "2026.3")
    capsys.readouterr()
    assert tracker("--handbook", str(source.config), "handbook", "changelog-entry") == 0
    printed = capsys.readouterr().out
    assert printed == (
        "**Rules changed:**\n\n- [CON-01](conduct.md#CON-01) Never argue with a customer\n\n"
        "**Rules added:** none.\n\n**Rules removed:** none.\n"
    )
    assert tracker("--handbook", str(source.config), "handbook", "publish") == 0
    capsys.readouterr()
    assert tracker("handbook", "changelog-entry", "2026.2", "2026.3") == 0
    assert capsys.readouterr().out == printed
