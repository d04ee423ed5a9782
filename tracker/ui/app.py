"""The supervisors' terminal app: sections as modes, everything else in screens."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tracker.backend import Backend, error_message
from tracker.config import Settings
from tracker.crash_log import log_unexpected
from tracker.ui.commands import JumpProvider
from tracker.ui.requests import Request
from tracker.ui.sections import SECTIONS
from tracker.ui.text import shown


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
        self.sub_title = shown(f"acting as {self.backend.actor}")
        self.crash_report: str | None = None  # the line shown after an unexpected error ended the app

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text: they quote names and summaries as typed (a '[/]' in a
        summary is not markup), control characters escaped. Widgets' ``notify`` come here too."""
        super().notify(shown(message), title=shown(title), severity=severity, timeout=timeout, markup=False)

    def _fatal_error(self) -> None:
        """An unexpected error ends the app with one line naming the log that holds the traceback.

        Textual's own handler prints the traceback with its local variables (customers' names and
        complaint text among them) to the terminal. Private API, hence Textual's pinned version.
        """
        error = self._exception or RuntimeError("unknown failure")
        path = log_unexpected(error)
        where = f"details in {path}" if path else "the log could not be written"
        self.crash_report = f"error: the tracker stopped: {error_message(error)}; {where}. Saved records are kept."
        self.bell()
        self.exit(return_code=1)

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
