"""``tracker serve``: the same terminal app in a web browser (textual-serve)."""

from __future__ import annotations

import shlex
import sys

import typer

from tracker.cli import context
from tracker.cli.output import say

WARNING = (
    "WARNING: the served app has NO login and NO encryption: anyone who can reach the address acts as "
    "the user who started it. Keep the default 127.0.0.1, or put it behind a proxy with authentication and TLS."
)


def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on. The default accepts this machine only."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the terminal app in a browser at http://HOST:PORT; each browser tab starts its own app process."""
    from textual_serve.server import Server

    c = context.backend(ctx)
    settings = c.settings
    command = shlex.join(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            settings.database_url,
            "--handbook",
            str(settings.handbook.config or settings.handbook.docs_dir),
            "--as",
            settings.actor,
        ]
    )
    _ = c.engine  # open (and upgrade) the database once here, so a schema problem is reported now
    say(WARNING)
    say(f"Serving the tracker at http://{host}:{port} — press ctrl+c to stop.")
    Server(command, host=host, port=port, title="Service standards tracker").serve()
