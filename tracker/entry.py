"""The ``tracker`` console script: the command line, which opens the terminal
app when no command is given. The only module that knows both front ends.

A bare ``tracker`` (perhaps with ``--db``, ``--handbook`` or ``--as``) starts
the app without loading the command line: Typer and the storage layer cost
more to import than an empty Textual app takes to start.
"""

from __future__ import annotations

import sys

from tracker.config import Settings, load_settings
from tracker.domain.errors import TrackerError

_GLOBAL_OPTIONS = {"--db": "database", "--handbook": "handbook", "--as": "acting_as"}


def open_app(settings: Settings) -> int:
    """Run the terminal app; its exit code (1 when it stopped on an unexpected error)."""
    from tracker.ui.launch import launch  # imported only when the app is wanted

    return launch(settings)


def bare_launch(argv: list[str]) -> dict[str, str] | None:
    """The global options of a command line that names no command, else None."""
    options: dict[str, str] = {}
    items = iter(argv)
    for item in items:
        name, equals, value = item.partition("=")
        if name not in _GLOBAL_OPTIONS:
            return None
        if not equals:
            value = next(items, "")
        if not value:
            return None  # let the command line explain the missing value
        options[_GLOBAL_OPTIONS[name]] = value
    return options


def run() -> None:
    options = bare_launch(sys.argv[1:])
    if options is not None:
        try:
            settings = load_settings(**options)
            settings.refuse_missing_database()
        except TrackerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(exc.exit_code)
        sys.exit(open_app(settings))
    from tracker.cli.main import run as run_cli

    run_cli(open_app=open_app)
