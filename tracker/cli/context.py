"""The one thing every command needs, reached through Typer's context: the ``Backend``."""

from __future__ import annotations

import typer

from tracker.backend import Backend


def backend(ctx: typer.Context) -> Backend:
    root = ctx.find_root()
    if not isinstance(root.obj, Backend):  # only when a command is invoked without the 'tracker' group
        raise RuntimeError("the tracker command line was started without its settings")
    return root.obj
