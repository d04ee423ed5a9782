"""The handbook reads as prose for people: "the tracker" is explained, on the Welcome page, where
it is first mentioned in reading order, and no page points to a Tags page that is not there."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "handbook"


def _nav_pages() -> list[str]:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python", "tag:python"))
    return [next(iter(item.values())) for item in config["nav"]]


def _body(page: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)


def test_the_tracker_is_explained_where_it_is_first_mentioned():
    first = next(page for page in _nav_pages() if re.search(r"\btracker\b", _body(page), re.I))
    assert first == "index.md", first
    body = " ".join(_body(first).split())
    mention = re.search(r"\bthe tracker\b", body, re.I)
    # What it is and who uses it, in the sentence that first names it.
    sentence = body[mention.start() : body.index(".", mention.start())]
    assert re.search(r"\bthe tracker: the program\b", sentence), sentence
    assert "supervisors" in sentence, sentence
    assert re.search(r"reads its rules from this handbook", body), body


def test_no_page_links_to_a_tags_page():
    for page in sorted(DOCS.glob("*.md")):
        assert "tags.md" not in page.read_text(encoding="utf-8"), page.name
    assert not (DOCS / "tags.md").exists()
