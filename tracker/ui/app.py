"""The supervisors' terminal app: sections as modes, everything else in screens."""

from __future__ import annotations

import re
from concurrent.futures import Future
from functools import cache
from typing import Any, Iterable
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from tracker import __version__
from tracker.backend import Backend, error_message
from tracker.config import Settings, read_preferences, save_preference
from tracker.crash_log import log_unexpected
from tracker.db.dialect import sqlite_file
from tracker.ui.commands import COMMAND_LINE_SUMMARY, JumpProvider
from tracker.ui.heap import IdleCollector
from tracker.ui.requests import Request
from tracker.ui.sections import SECTIONS
from tracker.ui.text import shown

BACK_KEY = "backspace"  # as in a browser: back to the section seen before (Escape leaves a page)
HISTORY = 20  # sections remembered for the back key
THEME = "theme"  # the preference that holds the chosen theme


def without_password(url: str) -> str:
    """A database URL fit to show: a password in it (``user:secret@``, ``password=``) hidden."""
    url = re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", url)


@cache
def _help_panel() -> type[Widget]:
    """The keys panel, with what every screen shares under the keys: where the data lives, the
    back key, and the tasks done on the command line (so they can be found from the app).
    Defined when first shown: Textual's panel brings its Markdown widget, not needed to start."""
    from textual.widgets import HelpPanel, Markdown

    class TrackerHelpPanel(HelpPanel):
        def update_help(self, focused_widget: Widget | None) -> None:
            super().update_help(focused_widget)
            app = self.app
            about = app.about_markdown() if isinstance(app, TrackerApp) else ""
            widget_help = ""
            if focused_widget is not None:
                widget_help = next(
                    (str(node.HELP) for node in focused_widget.ancestors_with_self if getattr(node, "HELP", "")), ""
                )
            self.add_class("-show-help")
            self.query_one(Markdown).update("\n\n".join(filter(None, [widget_help.strip(), about])))

    return TrackerHelpPanel


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
        Binding(BACK_KEY, "previous_section", "Back to the previous section", show=False),
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
        self._typed_on: WeakKeyDictionary[events.Key, Screen[Any]] = WeakKeyDictionary()
        self.settings = self.backend.settings
        self.history: list[str] = []  # the sections left, newest last (the back key returns to them)
        self._going_back = False
        self.heap = IdleCollector(self)  # full garbage collections while the user reads, not while they wait
        self._built_modes: set[str] = set()
        theme = read_preferences(self.settings.preferences).get(THEME)
        if theme in self.available_themes:
            self.theme = theme

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.heap.start()

    def _theme_changed(self, theme: Any) -> None:
        """Remember the theme (ctrl+t or the palette's theme picker) for the next start."""
        if not save_preference(self.settings.preferences, THEME, theme.name):
            self.notify(f"The theme could not be saved in {self.settings.preferences}.", severity="warning")

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

    async def on_event(self, event: events.Event) -> None:
        """Note the screen each key was typed on (see ``on_key``)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._typed_on[event] = self.screen
        if isinstance(event, (events.Key, events.MouseDown)):
            self.heap.touched()
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """Keys typed right behind the key that opens a form belong to the form.

        Textual hands each key to the screen on top when it is read; the page handles the key
        that opens a form later, by which time the keys typed after it were given to the page too,
        where they would be lost without a word. A key that comes back unused from a screen that is
        no longer on top, while a form (``takes_type_ahead``) now is, is typed again into the form."""
        typed_on = self._typed_on.pop(event, None)
        screen = self.screen
        if typed_on is None or typed_on is screen or not getattr(screen, "takes_type_ahead", False):
            return
        event.prevent_default()  # not the page's bindings, checked against the form
        event.stop()
        again = events.Key(event.key, event.character)
        again.set_sender(self)
        self.post_message(again)

    def action_section(self, mode: str) -> None:
        self.switch_mode(mode)

    def switch_mode(self, mode: str) -> Any:
        """Every change of section goes through here: the section left is remembered for the back
        key, whose stack of screens (a complaint's page) Textual keeps as it was."""
        if mode != self.current_mode and not self._going_back:
            self.history = [*(m for m in self.history if m != self.current_mode), self.current_mode][-HISTORY:]
        if mode not in self._built_modes:
            self._built_modes.add(mode)
            self.heap.built()  # its screen is kept for the session
        return super().switch_mode(mode)

    def action_previous_section(self) -> None:
        """Back to the section seen before this one, its page as it was left."""
        while self.history:
            mode = self.history.pop()
            if mode != self.current_mode:
                self._going_back = True
                try:
                    self.switch_mode(mode)
                finally:
                    self._going_back = False
                return
        self.notify("No earlier section to go back to.", severity="information", timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "previous_section" and isinstance(self.screen, ModalScreen):
            return False  # a dialog is answered or closed first
        return super().check_action(action, parameters)

    def open_section(self, request: Request) -> None:
        """Switch to the section a request is for and hand it to the section's own screen.

        The request goes to the section's first screen (its list), not to the page on top: the
        list opens a record on top of whatever page is open (Escape comes back to it), and shows
        a filtered list with the pages above it closed. A form open in that section is never
        closed under the user: they are asked to finish it first."""
        self.switch_mode(request.section)
        stack = self.screen_stack
        if any(isinstance(screen, ModalScreen) for screen in stack):
            self.notify("Finish or close the open form first; nothing else was opened.", severity="warning")
            return
        opens_record = any(value for name, value in vars(request).items() if name.startswith("open_"))
        if not opens_record:
            while len(self.screen_stack) > 1:
                self.pop_screen()
        receive = getattr(stack[0], "receive", None)
        if receive is not None:
            receive(request)

    def action_toggle_keys(self) -> None:
        """? shows the keys of the screen, then where the data lives and the command-line tasks."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.screen.mount(_help_panel()())

    def about_lines(self) -> list[str]:
        """Where the data lives, which handbook is read, who is acting and the version."""
        url = self.settings.database_url
        path = sqlite_file(url)
        try:
            source = self.settings.handbook
            handbook = str(source.config or source.docs_dir)
        except Exception as exc:  # noqa: BLE001 - a handbook that cannot be found is said, not raised
            handbook = f"not found: {error_message(exc)}"
        return [
            f"Database: {path if path is not None else without_password(url)}",
            f"Handbook: {handbook}",
            f"Acting as: {self.backend.actor}",
            f"Tracker version {__version__}",
        ]

    def about_markdown(self) -> str:
        """The keys panel's part shared by every screen, kept short (the panel is a third of the
        width, its help at most half the height) and the same on every machine: the back key, and
        where to find where the data lives and the command-line tasks (the palette names each)."""
        return "\n".join(
            [
                f"**Back**: {BACK_KEY}, to the section seen before (esc leaves a page).",
                "",
                "**About** (ctrl+p, *about*): where the data lives, the handbook read.",
                "",
                f"**On the command line** (ctrl+p, *run*): {COMMAND_LINE_SUMMARY}.",
            ]
        )

    def action_about(self) -> None:
        self.notify("\n".join(self.about_lines()), title="About this tracker", timeout=20)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for section in SECTIONS:
            yield SystemCommand(
                f"Go to {section.title}", section.help, lambda mode=section.mode: self.switch_mode(mode)
            )
        yield SystemCommand(
            "Toggle light/dark theme", "Switch between the light and dark theme (remembered)", self.action_toggle_dark
        )
        yield SystemCommand(
            "About this tracker", "Where the data lives, which handbook is read, the version", self.action_about
        )
        yield SystemCommand(
            "Back to the previous section", f"The section seen before ({BACK_KEY})", self.action_previous_section
        )

    def on_unmount(self) -> None:
        self.heap.stop()
        self.backend.close()
