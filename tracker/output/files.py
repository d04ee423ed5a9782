"""Writing an export file: a new private file, or one replaced on request, never through a link.

An employee file is a disciplinary history, so an export is ``0600`` like the database and its
backups: created so (the mode given to ``open``, which no umask can widen), and a file it replaces
is made so before the new text goes in. The file is opened inside its folder with ``O_NOFOLLOW``:
a symbolic link planted where the export goes is refused, not followed; "already exists" is
decided by the open itself (``O_EXCL``), not by a look a moment before. When the app is served in a browser, exports are
confined to one folder (``Settings.exports``): the user types a file name there, never a path.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tracker.domain.errors import InputError


def export_path(text: str, folder: Path | None) -> Path:
    """The file a typed name or path means: anywhere (``~`` and relative paths start in the home
    folder), or, with ``folder``, a plain file name inside it."""
    text = text.strip()
    if folder is None:
        path = Path(text).expanduser()
        return path if path.is_absolute() else Path.home() / path
    if not text or text in {".", ".."} or any(c in text for c in "/\\\0") or text.startswith("~"):
        raise InputError("path", f"type a file name only: exports are written to {folder}")
    return folder / text


def write_export(path: Path, text: str, *, replace: bool, how_to_replace: str = "tick 'Replace'") -> Path:
    """Write ``text`` to ``path`` (created 0600); an existing file only with ``replace``, and only a
    plain file of its own (not a link, a device or a second name of another file). A refusal of an
    existing file says how this front end asks to replace it (``how_to_replace``)."""
    if not path.name or path.name in {".", ".."}:
        raise InputError("path", f"{path} is a folder; add a file name")
    try:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError("path", f"the folder {path.parent} does not exist") from None
    except OSError as exc:
        raise InputError("path", f"cannot open the folder {path.parent}: {exc.strerror or exc}") from None
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(path.name, flags | (0 if replace else os.O_EXCL), 0o600, dir_fd=folder)
        except FileExistsError:
            raise InputError("path", f"{path} already exists; {how_to_replace} or choose another name") from None
        except IsADirectoryError:
            raise InputError("path", f"{path} is a folder; add a file name") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise InputError("path", f"{path} is a symbolic link; an export never writes through one") from None
            raise InputError("path", f"cannot write {path}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            info = os.fstat(out.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                raise InputError("path", f"{path} is not a plain file of its own; choose another name")
            os.fchmod(out.fileno(), 0o600)  # a replaced file too: it held whatever mode it had before
            out.truncate(0)
            out.write(text)
    except OSError as exc:
        raise InputError("path", f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        os.close(folder)
    return path
