"""Where an unexpected failure's traceback goes: a private log file, never the user's screen.

Both front ends use it: the command line prints one line naming the file, the terminal app exits
(non-zero) with that line instead of Textual's traceback, and the app's database workers log what
they could not do.

The log is the user's alone and says how the tracker failed, never what it was writing:

- the file is created 0600 (also made 0600 if an older tracker left it readable), never through a
  symbolic link, in folders created 0700, whatever the umask;
- it rotates at ``LOG_MAX_BYTES`` and keeps ``LOG_BACKUPS`` older files (``tracker.log.1`` ...),
  so a tracker that fails in a loop cannot fill the disk;
- an error from the database is logged as its type and the database's reason (which constraint,
  which table), without the SQL statement, its parameters or PostgreSQL's ``DETAIL`` line
  ("Failing row contains (..., the employee's name, ...)"); the engines also hide parameters
  (``hide_parameters`` in ``db/engine.py``). Tracebacks list code lines, never local variables.

Several tracker processes may share the log (``tracker serve`` starts one per browser tab); the
standard rotating handler is not made for that, so a rotation racing another process's can lose a
few lines. It is a crash log, not a record: records live in the database and its audit trail.
"""

from __future__ import annotations

import logging
import os
import traceback
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from threading import Lock

from platformdirs import user_log_path

from tracker.config import APP_NAME
from tracker.domain.private_paths import PRIVATE_FILE, private_folder

LOG_NAME = "tracker.log"
LOG_MAX_BYTES = 1_000_000  # about 150 tracebacks a file
LOG_BACKUPS = 3  # tracker.log.1 .. tracker.log.3: at most 4 MB in all
_REASON_LIMIT = 500  # characters of an exception's message kept, on one line

_lock = Lock()
_handler: "_PrivateRotatingHandler | None" = None
_logger = logging.getLogger("tracker.crash")
_logger.propagate = False  # only this file: the root logger (a library's set-up, pytest) gets nothing
_logger.setLevel(logging.ERROR)


class _PrivateRotatingHandler(RotatingFileHandler):
    """The standard rotating handler, but every file it opens is 0600 and never a link; a failure to
    write is remembered (``failed``) instead of printed to the user's terminal."""

    def __init__(self, path: Path) -> None:
        self.failed = False
        super().__init__(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")

    def _open(self) -> TextIOWrapper:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.baseFilename, flags, PRIVATE_FILE)
        try:
            # Exactly 0600: the umask may take away too little, and an older tracker's log may be 0644.
            os.fchmod(fd, PRIVATE_FILE)
            return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True


def log_path() -> Path:
    return user_log_path(APP_NAME, appauthor=False) / LOG_NAME


def _current_handler() -> "_PrivateRotatingHandler":
    """The handler on today's log path (made on first use; again if the path changed)."""
    global _handler
    path = log_path()
    if _handler is not None and Path(_handler.baseFilename) == path:
        return _handler
    reset()
    private_folder(path.parent, tighten=True)  # the tracker's own folder: 0700 even if an older one made it 0755
    handler = _PrivateRotatingHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    _logger.addHandler(handler)
    _handler = handler
    return handler


def reset() -> None:
    """Close the log; the next entry opens it again (for tests that move the log folder)."""
    global _handler
    if _handler is not None:
        _logger.removeHandler(_handler)
        _handler.close()
        _handler = None


def log_unexpected(exc: BaseException, what: str | None = None) -> Path | None:
    """Append ``exc``'s traceback (see ``describe``) to the tracker's log, after ``what`` was being
    done if given; the log's path, or None if it cannot be written."""
    with _lock:
        try:
            handler = _current_handler()
        except OSError:
            return None
        handler.failed = False
        text = describe(exc)
        _logger.error("%s", f"{what}\n{text}" if what else text)
        return None if handler.failed else Path(handler.baseFilename)


def _is_storage_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3")


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _REASON_LIMIT else line[: _REASON_LIMIT - 1] + "…"


def reason(exc: BaseException) -> str:
    """Why ``exc`` happened, without the records involved.

    A database error is reduced to the database's own first line (SQLite's "CHECK constraint
    failed: ck_employee_team_nonblank"; PostgreSQL's primary message), never SQLAlchemy's
    ``[SQL: ...]`` and ``[parameters: ...]`` nor PostgreSQL's DETAIL. PostgreSQL's data exceptions
    (SQLSTATE class 22: "invalid input syntax for type integer: "<the value>"") quote the value in
    the primary message too; for them only the SQLSTATE is kept.
    """
    if not _is_storage_error(exc):
        return _one_line(str(exc))
    orig = getattr(exc, "orig", None)  # SQLAlchemy's wrapper: the driver's exception is the reason
    driver = orig if orig is not None else exc
    diag = getattr(driver, "diag", None)  # psycopg
    if diag is not None:
        state = getattr(driver, "sqlstate", None) or ""
        if state.startswith("22"):
            return f"data exception (SQLSTATE {state})"
        primary = getattr(diag, "message_primary", None) or type(driver).__name__
        return _one_line(f"{primary} (SQLSTATE {state})" if state else primary)
    lines = str(driver).splitlines()
    first = lines[0].split("[SQL:", 1)[0] if lines else ""
    return _one_line(first) or type(driver).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling, oldest first."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in found):
        found.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return found[::-1]


def describe(exc: BaseException) -> str:
    """The traceback as Python prints it (code lines, no local variables), each exception in the
    chain shown as its type and ``reason``, so nothing it was writing reaches the log."""
    parts: list[str] = []
    chain = _chain(exc)
    for index, item in enumerate(chain):
        if index:
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if item.__cause__ is chain[index - 1]
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(item.__traceback__))
        kind = type(item)
        name = (
            kind.__qualname__
            if kind.__module__ in ("builtins", "__main__")
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        text = reason(item)
        parts.append(f"{name}: {text}\n" if text else f"{name}\n")
    return "".join(parts).rstrip("\n")
