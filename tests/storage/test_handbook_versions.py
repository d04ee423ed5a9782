"""Publishing handbook versions: snapshots of the exact text employees sign."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from tests.conftest import ACTOR, read, write
from tests.domain.editing import (
    CON01_EDIT,
    copy_handbook,
    edit,
    edited_handbook,
    relabel,
)
from tests.storage.conftest import refused
from tracker.audit import chain as audit
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.parser import load_handbook
from tracker.records.handbook.commands import publish
from tracker.records.handbook.queries import diff, get_version, list_versions, rules_of, standards, version_in_force
from tracker.records.handbook.sql import material_version


def test_publish_snapshots_every_rule_channel_and_level(published: Engine, handbook: Handbook) -> None:
    with read(published) as session:
        version = version_in_force(session)
        assert (version.label, version.content_hash, version.editorial, version.published_by) == (
            "2026.2",
            handbook.content_hash,
            False,
            ACTOR,
        )
        snapshot = {r.rule_id: (r.title, r.text, r.hash, r.page) for r in rules_of(session, version.id or 0)}
        assert snapshot == {r.id: (r.title, r.text, r.hash, r.page) for r in handbook.rules.values()}
        std = standards(session, version)
        assert {code: c.target for code, c in std.channels.items()} == {
            code: c.target for code, c in handbook.channels.items()
        }
        assert std.ladder == handbook.ladder
        assert (std.look_back, std.grace_period) == (handbook.look_back, handbook.grace_period)
        [event] = audit.recent(session)
        assert (event.action, event.entity_key) == ("handbook.publish", "2026.2")


def test_publishing_an_unchanged_handbook_is_refused(published: Engine, handbook: Handbook, tmp_path: Path) -> None:
    # Same rules under a new label (only the changelog and label differ): nothing to publish.
    relabelled = edited_handbook(tmp_path / "v2", "2026.3")
    error = refused(published, lambda s: publish(relabelled, session=s, actor=ACTOR), "handbook")
    assert error.reason == "no rule changed since version 2026.2; nothing to publish"


def test_publishing_the_same_label_twice_is_refused(published: Engine, tmp_path: Path) -> None:
    source = copy_handbook(tmp_path / "copy")
    edit(source, *CON01_EDIT)
    changed = load_handbook(source)  # still labelled 2026.2
    error = refused(published, lambda s: publish(changed, session=s, actor=ACTOR), "label")
    assert "version 2026.2 is already published" in error.reason


def test_a_label_other_than_the_handbook_says_is_refused(engine: Engine, handbook: Handbook) -> None:
    error = refused(engine, lambda s: publish(handbook, session=s, actor=ACTOR, label="2027.1"), "label")
    assert "the handbook pages say version 2026.2" in error.reason
    assert "set it to 2027.1 there first" in error.reason


def test_the_first_version_cannot_be_editorial(engine: Engine, handbook: Handbook) -> None:
    error = refused(engine, lambda s: publish(handbook, session=s, actor=ACTOR, editorial=True), "editorial")
    assert "the first published version cannot be editorial" in error.reason


def test_later_edits_to_the_markdown_do_not_change_a_published_version(
    published: Engine, handbook: Handbook, tmp_path: Path
) -> None:
    v2 = edited_handbook(tmp_path / "v2", "2026.3", [CON01_EDIT])
    write(published, lambda s: publish(v2, session=s, actor=ACTOR))
    with read(published) as session:
        old = {r.rule_id: r.text for r in rules_of(session, get_version(session, "2026.2").id or 0)}
        new = {r.rule_id: r.text for r in rules_of(session, get_version(session, "2026.3").id or 0)}
    assert old["CON-01"] == handbook.rules["CON-01"].text
    assert new["CON-01"] == v2.rules["CON-01"].text
    assert "Not even on the phone." in new["CON-01"] and "Not even on the phone." not in old["CON-01"]


def test_editorial_and_material_versions(published: Engine, tmp_path: Path) -> None:
    v2 = edited_handbook(tmp_path / "v2", "2026.3", [("values.md", "common sense", "good common sense")])
    write(published, lambda s: publish(v2, session=s, actor=ACTOR, editorial=True))
    with read(published) as session:
        assert version_in_force(session).label == "2026.3"
        assert material_version(session).label == "2026.2"  # type: ignore[union-attr]
        assert [v.label for v in list_versions(session)] == ["2026.3", "2026.2"]


def test_diff_between_versions_and_against_the_working_copy(published: Engine, tmp_path: Path) -> None:
    source = copy_handbook(tmp_path / "v2")
    relabel(source, "2026.3")
    edit(source, *CON01_EDIT)
    edit(source, "conduct.md", "Use your judgement when no rule fits {#CON-09}", "Use your judgement {#CON-09}")
    edit(
        source,
        "values.md",
        "## Where we are heading {#where-we-are-heading}",
        "## Stay curious {#VAL-06}\n\nAsk how things could work better.\n\n## Where we are heading {#where-we-are-heading}",
    )
    working = load_handbook(source)
    with read(published) as session:
        old, new, changes = diff(session, None, None, working)
    assert (old, new) == ("2026.2", "2026.3 (working copy)")
    assert [(c.rule_id, c.change, c.title) for c in changes] == [
        ("CON-01", "changed", "Never argue with a customer"),
        ("CON-09", "changed", "Use your judgement"),
        ("VAL-06", "added", "Stay curious"),
    ]
    write(published, lambda s: publish(working, session=s, actor=ACTOR))
    with read(published) as session:
        _, _, between = diff(session, "2026.2", "2026.3")
        _, _, backwards = diff(session, "2026.3", "2026.2")
    assert [(c.rule_id, c.change) for c in between] == [
        ("CON-01", "changed"),
        ("CON-09", "changed"),
        ("VAL-06", "added"),
    ]
    assert [(c.rule_id, c.change) for c in backwards] == [
        ("CON-01", "changed"),
        ("CON-09", "changed"),
        ("VAL-06", "removed"),
    ]
