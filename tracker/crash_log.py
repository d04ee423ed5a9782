"""Where an unexpected failure's traceback goes: a log file, never the user's screen.

Both front ends use it: the command line prints one line naming the file, the
terminal app exits (non-zero) with that line instead of Textual's traceback.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from platformdirs import user_log_path

from tracker.config import APP_NAME


def log_unexpected(exc: BaseException) -> Path | None:
    """Append ``exc``'s traceback to the tracker's log; the log's path, or None if it cannot be written."""
    try:
        folder = user_log_path(APP_NAME, appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "tracker.log"
        logging.basicConfig(filename=path, level=logging.ERROR, format="%(asctime)s %(message)s")
        logging.error("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None
