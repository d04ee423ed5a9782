"""``tracker serve``: the same terminal app in a web browser, reachable only through the secret
address it prints (see ``tracker/web/guard.py`` for what is checked, and why)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Optional

import typer

from tracker.cli import context
from tracker.cli.output import say
from tracker.config import ACTOR_ENV, DATABASE_ENV, EXPORTS_ENV, HANDBOOK_ENV
from tracker.domain.errors import InputError
from tracker.domain.private_paths import private_folder

WARNING = (
    "WARNING: whoever opens the printed address acts as the user who started the server, and the "
    "connection is not encrypted. Keep the default 127.0.0.1, or put it behind a proxy with TLS "
    "(and --public-url)."
)
DEFAULT_EXPORTS = Path("~/tracker-exports")


def _export_folder(path: Path) -> Path:
    """The folder the served app writes into: created private (0700) if missing, with any parent
    it needs (``mkdir -p`` would make those from the umask, world-writable under ``umask 000``)."""
    folder = path.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise InputError("exports", f"{folder} is not a folder")
    try:
        private_folder(folder)
    except OSError as exc:
        raise InputError("exports", f"cannot create {folder}: {exc.strerror or exc}") from None
    return folder


def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on. The default accepts this machine only."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    public_url: Optional[str] = typer.Option(
        None,
        "--public-url",
        help="The address a reverse proxy serves the app at (e.g. https://tracker.example.org): "
        "the page links to it and only pages from it may connect.",
    ),
    exports: Path = typer.Option(
        DEFAULT_EXPORTS,
        "--exports",
        help="The only folder the served app writes exports into (created, private to you, if missing).",
    ),
) -> None:
    """Serve the terminal app in a browser; each browser tab starts its own app process."""
    from sqlalchemy.engine import make_url

    from tracker.web.guard import Guard
    from tracker.web.server import GuardedServer

    guard = Guard.for_address(host, port, public_url)
    folder = _export_folder(exports)
    c = context.backend(ctx)
    settings = c.settings
    _ = c.engine  # open (and upgrade) the database once here, so a schema problem is reported now
    # The app processes read their settings from the environment: a database password on their
    # command line would be readable by every local user (ps, /proc/*/cmdline).
    os.environ.update(
        {
            DATABASE_ENV: settings.database_url,
            HANDBOOK_ENV: str(settings.handbook.config or settings.handbook.docs_dir),
            ACTOR_ENV: settings.actor,
            EXPORTS_ENV: str(folder),
        }
    )
    command = shlex.join([sys.executable, "-m", "tracker"])
    address = guard.start_url(host)

    def listening() -> None:
        say(WARNING)
        # Plain lines, never wrapped: the paths and the address must paste whole.
        typer.echo(f"Database: {make_url(settings.database_url).render_as_string(hide_password=True)}")
        typer.echo(f"Exports are written to {folder}")
        typer.echo("Open this address in your browser (it carries this start's secret and is printed only here):")
        typer.echo(f"    {address}")
        typer.echo("Press ctrl+c to stop.")

    GuardedServer(command, guard=guard, host=host, port=port, title="Service standards tracker").run(listening)
