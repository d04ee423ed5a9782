"""The supervisors' terminal app: sections as modes, everything else in screens."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tracker.backend import Backend
from tracker.config import Settings
from tracker.ui.commands import JumpProvider
from tracker.ui.requests import Request
from tracker.ui.sections import SECTIONS


class TrackerApp(App[None]):
    """Keyboard first: a letter opens each section, ? lists the keys, ctrl+p jumps anywhere."""

    TITLE = "Service standards tracker"
    CSS_PATH = "tracker.tcss"
    COMMANDS = App.COMMANDS | {JumpProvider}
    MODES = {section.mode: section.screen for section in SECTIONS}
    DEFAULT_MODE = "dashboard"
    BINDINGS = [
        Binding("question_mark", "toggle_keys", "Keys"),
        *(Binding(section.key, f"section('{section.mode}')", section.title) for section in SECTIONS),
        Binding("ctrl+t", "toggle_dark", "Theme"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self, settings: Settings, backend: Backend | None = None, first_dashboard: Future[Any] | None = None
    ) -> None:
        super().__init__()
        self.backend = backend or Backend(settings)
        self.first_dashboard = first_dashboard  # figures read while the app was loading (see launch.py)
        self.sub_title = f"acting as {self.backend.actor}"

    def action_section(self, mode: str) -> None:
        self.switch_mode(mode)

    def open_section(self, request: Request) -> None:
        """Switch to the section a request is for and hand it over (a filter, a record to open)."""
        self.switch_mode(request.section)
        receive = getattr(self.screen, "receive", None)
        if receive is not None:
            receive(request)

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for section in SECTIONS:
            yield SystemCommand(
                f"Go to {section.title}", section.help, lambda mode=section.mode: self.switch_mode(mode)
            )
        yield SystemCommand(
            "Toggle light/dark theme", "Switch between the light and dark theme", self.action_toggle_dark
        )

    def on_unmount(self) -> None:
        self.backend.close()
