"""Helpers for tests that edit a handbook: a copy of the real one, or a small
one written from scratch. Shared by the domain, storage and command-line tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import ROOT
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import HandbookSource, source_from_config


def copy_handbook(dest: Path) -> HandbookSource:
    """The real handbook's pages and mkdocs.yml, copied to ``dest`` for editing."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "handbook", dest / "handbook", ignore=shutil.ignore_patterns("assets"))
    return source_from_config(dest / "mkdocs.yml")


def edit(source: HandbookSource, page: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` on a page (fails if it is not there exactly once)."""
    path = source.docs_dir / page
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {page}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def relabel(source: HandbookSource, label: str) -> None:
    """Give the copy a new version label (mkdocs.yml and a newest changelog entry)."""
    assert source.config is not None
    config = source.config.read_text(encoding="utf-8")
    config, count = re.subn(r'handbook_version: "[^"]*"', f'handbook_version: "{label}"', config)
    assert count == 1
    source.config.write_text(config, encoding="utf-8")
    changelog = source.docs_dir / "changelog.md"
    text = changelog.read_text(encoding="utf-8")
    first_entry = text.index("\n## ") + 1
    anchor = "v" + label.replace(".", "-")
    entry = f"## {label} {{#{anchor}}}\n\nChanges in version {label}.\n\n"
    changelog.write_text(text[:first_entry] + entry + text[first_entry:], encoding="utf-8")


def edited_handbook(dest: Path, label: str, edits: list[tuple[str, str, str]] = ()) -> Handbook:
    """A parsed copy of the real handbook with a new label and the given (page, old, new) edits."""
    source = copy_handbook(dest)
    relabel(source, label)
    for page, old, new in edits:
        edit(source, page, old, new)
    return load_handbook(source)


# An edit that changes rule CON-01 materially (a new sentence in its text).
CON01_EDIT = (
    "conduct.md",
    "Never argue with a customer {#CON-01}\n",
    "Never argue with a customer {#CON-01}\n\nNot even on the phone.\n",
)


MINI_CONFIG = """site_name: Mini handbook
docs_dir: docs
markdown_extensions:
  - attr_list
  - tables
extra:
  handbook_version: "1.0"
"""

MINI_RULES = """---
tags: [test]
---

# Rules

Some introduction that is not a rule.

## Be kind {#CON-01}

Never argue with a customer.

## Answer fast {#SPD-01}

| Code | Channel | First-response target |
|---|---|---|
| chat | Live chat | 2 minutes |
| email | Email | 24 hours |

## Ladder {#ACT-01}

| Step | Level | Code | Follow-up within |
|---|---|---|---|
| 1 | Coaching conversation | coaching | 30 days |
| 2 | Dismissal | dismissal | — |

## Look back {#ACT-02}

| Standard | Value |
|---|---|
| Look-back window | 12 months |

## Sign in time {#ACK-01}

| Standard | Value |
|---|---|
| Sign-off grace period | 14 days |

See [the ladder](#ACT-01).
"""

MINI_CHANGELOG = """# Changelog

## 1.0 {#v1-0}

The first version.
"""


def write_mini(folder: Path) -> HandbookSource:
    """A small valid handbook: one page of rules, the tables the tracker reads, a changelog."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(MINI_CONFIG, encoding="utf-8")
    (docs / "rules.md").write_text(MINI_RULES, encoding="utf-8")
    (docs / "changelog.md").write_text(MINI_CHANGELOG, encoding="utf-8")
    return source_from_config(folder / "mkdocs.yml")


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the one line of ``path`` that contains ``needle``."""
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines} of {path.name}"
    return lines[0]
