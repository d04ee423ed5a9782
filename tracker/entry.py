"""The ``tracker`` console script: the command line, which opens the terminal
app when no command is given. The only module that knows both front ends."""

from __future__ import annotations

from tracker.cli.main import run as run_cli
from tracker.config import Settings


def open_app(settings: Settings) -> None:
    from tracker.ui.launch import launch  # imported only when the app is wanted

    launch(settings)


def run() -> None:
    run_cli(open_app=open_app)
