"""Folders that hold personal data are made private (0700) whatever the umask says.

The database, the log and exports hold employees' names, complaints and disciplinary histories.
``Path.mkdir(mode=0o700, parents=True)`` is not enough: the mode applies to the last folder only,
the parents it creates get ``0o777`` minus the umask (``mkdir -p``), and under ``umask 000`` that
is world-writable. Here every folder the tracker creates gets 0700, set with ``chmod`` so neither a
lax umask (too open) nor a strict one (``0o277`` would leave it unwritable) decides. Folders that
already existed are the user's and are left alone, unless the caller owns them (``tighten``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` and each missing parent as 0700; return ``path``.

    ``tighten`` also makes an existing ``path`` 0700, when it is a real folder (not a link) of
    this user: for the tracker's own folders (its log folder), which an older version may have
    left readable by everyone. Raises ``OSError`` when a folder cannot be made.
    """
    missing: list[Path] = []
    folder = path
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, PRIVATE_FOLDER)
        except FileExistsError:
            continue  # another process made it a moment ago: not ours to change
        os.chmod(made, PRIVATE_FOLDER)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    if tighten and not missing:
        info = os.lstat(path)
        mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if stat.S_ISDIR(info.st_mode) and mine and stat.S_IMODE(info.st_mode) != PRIVATE_FOLDER:
            os.chmod(path, PRIVATE_FOLDER)
    return path
