"""Where the data lives, which handbook is read, and who is acting.

Each setting comes from a command-line option first, then an environment
variable, then a default that needs no set-up: a SQLite file in the user's data
folder, the handbook next to the nearest ``mkdocs.yml`` (or the copy shipped in
the package), and the operating-system user.
"""

from __future__ import annotations

import getpass
import json
import os
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_config_path, user_data_path

from tracker.db.dialect import sqlite_file, sqlite_url
from tracker.domain import limits
from tracker.domain.errors import InputError
from tracker.domain.private_paths import PRIVATE_FILE, private_folder
from tracker.domain.text_safety import unsafe_character

if TYPE_CHECKING:
    from tracker.domain.handbook.source import HandbookSource

APP_NAME = "service-standards-tracker"
DATABASE_ENV = "TRACKER_DATABASE_URL"
HANDBOOK_ENV = "TRACKER_HANDBOOK"
ACTOR_ENV = "TRACKER_ACTOR"
EXPORTS_ENV = "TRACKER_EXPORTS"  # set by ``tracker serve``: the one folder the app may write exports into


def default_database_url() -> str:
    return sqlite_url(user_data_path(APP_NAME, appauthor=False) / "tracker.db")


def database_url(explicit: str | None = None) -> str:
    value = explicit or os.environ.get(DATABASE_ENV) or default_database_url()
    if "://" not in value:  # a plain file path is a SQLite database
        value = sqlite_url(Path(value).expanduser().resolve())
    return value


def actor(explicit: str | None = None) -> str:
    name = (explicit or os.environ.get(ACTOR_ENV) or "").strip()
    if name:
        problem = unsafe_character(name)  # recorded on every record and shown to everyone who reads it
        if problem:
            raise InputError("as", problem)
        if len(name) > limits.ACTOR or any(ord(c) < 32 for c in name):
            raise InputError(
                "as", f"must be one line of at most {limits.ACTOR} characters (your name as recorded on every record)"
            )
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a container): still record something honest
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def default_preferences_path() -> Path:
    """The user's own choices in the app (its theme), apart from the data: a small private file."""
    return user_config_path(APP_NAME, appauthor=False) / "preferences.json"


def read_preferences(path: Path | None) -> dict[str, str]:
    """The saved choices; none when there is no file or it cannot be read (a preference is never
    worth refusing to start over)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(key, str) and isinstance(value, str)}


def save_preference(path: Path | None, key: str, value: str) -> bool:
    """Remember one choice (owner-only file, replaced whole); False when it could not be written."""
    if path is None:
        return True
    data = read_preferences(path) | {key: value}
    temporary = path.with_name(path.name + ".new")
    try:
        private_folder(path.parent)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.chmod(temporary, PRIVATE_FILE)
        os.replace(temporary, path)
    except OSError:
        return False
    return True


def packaged_handbook() -> "HandbookSource":
    """The handbook copy shipped inside the package, so ``pip install .`` works anywhere."""
    from tracker.domain.handbook.source import source_from_config

    return source_from_config(Path(str(files("tracker") / "_site" / "mkdocs.yml")))


def _is_handbook_config(path: Path) -> bool:
    from tracker.domain.handbook.source import read_mkdocs_config

    try:
        extra = read_mkdocs_config(path).get("extra") or {}
    except (OSError, ValueError):
        return False
    return isinstance(extra, dict) and "handbook_version" in extra


def handbook_source(explicit: str | Path | None = None, *, start: Path | None = None) -> "HandbookSource":
    from tracker.domain.handbook.source import find_nearest_config, source_from_config, source_from_path

    value = explicit or os.environ.get(HANDBOOK_ENV)
    if value:
        return source_from_path(Path(value))
    nearest = find_nearest_config(start or Path.cwd())
    if nearest is not None and _is_handbook_config(nearest):
        return source_from_config(nearest)
    return packaged_handbook()


class Settings:
    """Database URL, handbook, actor and (when served) the export folder. The handbook is found only
    when first asked for: the terminal app paints its dashboard before it needs one."""

    def __init__(
        self,
        database_url: str,
        handbook: "HandbookSource | str | Path | None",
        actor: str,
        exports: Path | None = None,
        *,
        creates_database: bool = True,
        preferences: Path | None = None,
    ):
        self.database_url = database_url
        # Whether a SQLite file that is not there may be created: at the default location, or when
        # asked ('db init', 'demo', 'db restore'); a --db typo must not start a stray empty database.
        self.creates_database = creates_database
        self.actor = actor
        self.exports = exports  # None: exports go wherever the user types (the terminal app is theirs)
        # Where the app remembers the user's choices (the theme); None remembers nothing (tests).
        self.preferences = preferences
        self._handbook = handbook

    def refuse_missing_database(self) -> None:
        """A SQLite file named with --db (or TRACKER_DATABASE_URL) that is not there is most likely
        a typo: refused, so a day's records do not go into a stray new database."""
        path = sqlite_file(self.database_url)
        if path is not None and not self.creates_database and not path.exists():
            raise InputError(
                "database",
                f"{path} does not exist (a typo in --db or TRACKER_DATABASE_URL?); "
                f"to start a new database there, run: tracker --db {path} db init",
            )

    @property
    def handbook(self) -> "HandbookSource":
        from tracker.domain.handbook.source import HandbookSource

        if not isinstance(self._handbook, HandbookSource):
            self._handbook = handbook_source(self._handbook)
        return self._handbook


def load_settings(
    *, database: str | None = None, handbook: str | Path | None = None, acting_as: str | None = None
) -> Settings:
    exports = os.environ.get(EXPORTS_ENV)
    chosen = database or os.environ.get(DATABASE_ENV)
    return Settings(
        database_url(database),
        handbook,
        actor(acting_as),
        Path(exports) if exports else None,
        creates_database=not chosen or database_url(chosen) == default_database_url(),
        preferences=default_preferences_path(),
    )
