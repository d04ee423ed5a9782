"""The home screen: where compliance and service stand today.

Every figure is a button: selecting it opens the list behind it.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Button, Sparkline, Static

from tracker.domain.complaint_flow import OPEN_STATUSES
from tracker.storage.dashboard import Dashboard, load_dashboard
from tracker.ui.screens.base import TrackerScreen

EMPTY_DATABASE = (
    "Welcome. This database is new. To get started:\n"
    "  1. Press h to open the Handbook, then P to publish the handbook version employees sign.\n"
    "  2. Press e to open Employees, then i to import a roster CSV (number, name, team, hire_date) or n to add one.\n"
    "  3. Record sign-offs (s), log complaints (c) and issue corrective actions (a).\n"
    "Or fill a practice database from the command line: tracker demo --db practice.db"
)


class DashboardScreen(TrackerScreen):
    BINDINGS = [Binding("f5", "refresh", "Refresh"), Binding("ctrl+r", "refresh", "Refresh", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, tuple[str, dict[str, Any]]] = {}
        self.board: Dashboard | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll(id="dashboard"):
            yield Static("Loading…", id="dash-status", classes="empty-state")
            with Grid(id="dash-grid"):
                with Vertical(classes="card", id="card-compliance"):
                    yield Static("Handbook sign-off", classes="card-title")
                with Vertical(classes="card", id="card-pending"):
                    yield Static("Sign-offs still to collect", classes="card-title")
                with Vertical(classes="card", id="card-complaints"):
                    yield Static("Open complaints", classes="card-title")
                with Vertical(classes="card", id="card-missed"):
                    yield Static("First-response targets missed this week", classes="card-title")
                with Vertical(classes="card", id="card-followups"):
                    yield Static("Corrective-action follow-ups", classes="card-title")
                with Vertical(classes="card", id="card-trend"):
                    yield Static("Complaints per week (12 weeks)", classes="card-title")
                    yield Sparkline([], id="trend")
                    yield Static("", id="trend-caption", classes="card-note")
                with Vertical(classes="card", id="card-rules"):
                    yield Static("Most-cited rules (12 weeks)", classes="card-title")

    def on_mount(self) -> None:
        self.action_refresh()

    def on_screen_resume(self) -> None:
        if self.board is not None:
            self.action_refresh()

    def action_refresh(self) -> None:
        self.read(lambda s: load_dashboard(s), self.show_board, group="dashboard", exclusive=True)

    # --- drawing -------------------------------------------------------------

    def _link(self, card: str, key: str, label: str, section: str, **request: Any) -> None:
        button_id = f"link-{key}"
        self.links[button_id] = (section, request)
        existing = self.query(f"#{button_id}")
        if existing:
            existing.first(Button).label = label
            return
        self.query_one(f"#{card}").mount(Button(label, id=button_id, classes="figure", compact=True, flat=True))

    def _note(self, card: str, key: str, text: str) -> None:
        existing = self.query(f"#note-{key}")
        if existing:
            existing.first(Static).update(text)
        else:
            self.query_one(f"#{card}").mount(Static(text, id=f"note-{key}", classes="card-note"))

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        status = self.query_one("#dash-status", Static)
        if board.is_empty:
            status.update(EMPTY_DATABASE)
            status.display = True
        else:
            status.display = False
        self._compliance(board)
        self._complaints(board)
        self._follow_ups(board)
        self._trends(board)

    def _compliance(self, board: Dashboard) -> None:
        if board.material_version is None:
            self._note("card-compliance", "compliance", "No handbook version published yet (h, then P).")
            return
        pct = board.compliance_percent
        headline = f"{pct:.1f}% signed — {board.signed} of {board.active}" if pct is not None else "No active employees"
        self._note("card-compliance", "compliance", f"Version {board.material_version} (material); in force {board.version}")
        self._link("card-compliance", "signed-all", headline, "employees", signoff="signed")
        for index, team in enumerate(board.teams[:8]):
            self._link("card-compliance", f"team-{index}", f"{team.team}: {team.percent:.0f}% ({team.signed}/{team.active})",
                       "employees", team=team.team)
        self._link("card-pending", "pending-overdue", f"Overdue: {board.pending_overdue}", "signoffs", state="overdue")
        self._link("card-pending", "pending-grace", f"Inside the grace period: {board.pending_in_grace}", "signoffs",
                   state="grace")

    def _complaints(self, board: Dashboard) -> None:
        for status in OPEN_STATUSES:
            count = board.open_by_status.get(status, 0)
            self._link("card-complaints", f"open-{status}", f"{status.capitalize()}: {count}", "complaints", status=status)
        for code, name in board.channel_names.items():
            missed = board.missed_this_week.get(code, 0)
            self._link("card-missed", f"missed-{code}", f"{name}: {missed}", "complaints", channel=code,
                       received_from=board.week_start, missed=True)

    def _follow_ups(self, board: Dashboard) -> None:
        self._link("card-followups", "fu-overdue", f"Overdue: {board.follow_ups_overdue}", "actions", state="overdue")
        self._link("card-followups", "fu-week", f"Due this week: {board.follow_ups_this_week}", "actions", state="due")

    def _trends(self, board: Dashboard) -> None:
        counts = [count for _, count in board.weekly_complaints]
        self.query_one("#trend", Sparkline).data = counts
        if board.weekly_complaints:
            first, last = board.weekly_complaints[0][0], board.weekly_complaints[-1][0]
            caption = f"{first} → week of {last}: {sum(counts)} complaints, this week {counts[-1]}"
            self.query_one("#trend-caption", Static).update(caption)
        if not board.top_rules:
            self._note("card-rules", "rules", "No rule cited in the last 12 weeks.")
        for index, (rule_id, title, count) in enumerate(board.top_rules):
            self._link("card-rules", f"rule-{index}", f"{rule_id} {title[:34]}: {count}", "complaints", rule_id=rule_id)

    @on(Button.Pressed, ".figure")
    def _open(self, event: Button.Pressed) -> None:
        target = self.links.get(event.button.id or "")
        if target is not None:
            section, request = target
            self.app.open_section(section, **request)  # type: ignore[attr-defined]
