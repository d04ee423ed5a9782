"""Where a handbook lives: its ``mkdocs.yml`` (for the version label) and its pages folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.domain.errors import HandbookError


class _LenientLoader(yaml.SafeLoader):
    """mkdocs.yml may hold !ENV and !!python/name tags; we only need plain keys."""


_LenientLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class HandbookSource:
    """Where a handbook lives: its mkdocs.yml (for the label) and its pages."""

    config: Path | None
    docs_dir: Path


def read_mkdocs_config(path: Path) -> dict:
    """The site's settings; a file that is not YAML is a located handbook problem, in one line."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LenientLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        reason = getattr(exc, "problem", None) or exc.__class__.__name__
        raise HandbookError([f"{where}: not valid YAML ({reason})"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HandbookError([f"{path}: cannot be read ({exc.__class__.__name__})"]) from None
    return data if isinstance(data, dict) else {}


def source_from_config(config: Path) -> HandbookSource:
    data = read_mkdocs_config(config)
    docs_dir = config.parent / str(data.get("docs_dir") or "docs")
    return HandbookSource(config=config, docs_dir=docs_dir)


def source_from_path(path: Path) -> HandbookSource:
    """Accept an mkdocs.yml, a folder holding one, or the pages folder itself."""
    path = path.expanduser()
    if path.is_file():
        return source_from_config(path)
    if (path / "mkdocs.yml").is_file():
        return source_from_config(path / "mkdocs.yml")
    parent_config = path.parent / "mkdocs.yml"
    if parent_config.is_file():
        candidate = source_from_config(parent_config)
        if candidate.docs_dir.resolve() == path.resolve():
            return candidate
    return HandbookSource(config=None, docs_dir=path)


def find_nearest_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    return None
