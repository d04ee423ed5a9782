"""Start the terminal app; imported only when it is needed, to keep the CLI fast."""

from __future__ import annotations

from tracker.config import Settings


def launch(settings: Settings) -> None:
    from tracker.ui.app import TrackerApp

    TrackerApp(settings).run()
