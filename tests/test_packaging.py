"""The handbook ships inside the package, so `pip install .` works anywhere."""

from __future__ import annotations

from tests.conftest import ROOT
from tracker.config import handbook_source, packaged_handbook
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config


def test_the_packaged_handbook_is_the_handbook(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shipped = load_handbook(packaged_handbook())
    working = load_handbook(source_from_config(ROOT / "mkdocs.yml"))
    assert shipped.content_hash == working.content_hash
    assert shipped.label == working.label


def test_outside_a_handbook_folder_the_packaged_copy_is_used(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRACKER_HANDBOOK", raising=False)
    assert handbook_source(start=tmp_path).config == packaged_handbook().config


def test_inside_the_repository_the_nearest_mkdocs_yml_is_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRACKER_HANDBOOK", raising=False)
    assert handbook_source(start=ROOT / "tracker").config == ROOT / "mkdocs.yml"
