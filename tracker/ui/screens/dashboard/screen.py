"""The home screen: where compliance and service stand today.

Every figure can be chosen (Tab to a card, arrows, Enter, or a click): it opens the list behind it. The figures
read while the app was loading (see ``launch.py``) are composed straight into
the first frame; later refreshes update the buttons in place.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import OptionList, Sparkline, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from tracker.domain.complaint_flow import OPEN_STATUSES
from tracker.reporting.dashboard import Attainment, Dashboard, SpeedFigures, load_dashboard, load_speed
from tracker.ui.requests import ActionsRequest, ComplaintsRequest, EmployeesRequest, Request, SignoffsRequest
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.dashboard.sparkline import GappedSparkline
from tracker.ui.text import as_text, shown
from tracker.ui.worker import run_db

if TYPE_CHECKING:
    from tracker.ui.app import TrackerApp

EMPTY_DATABASE = (
    "Welcome. This database is new. To get started:\n"
    "  1. Press h to open the Handbook, then P to publish the handbook version employees sign.\n"
    "  2. Press e to open Employees, then i to import a roster CSV (number, name, team, hire_date) or n to add one.\n"
    "  3. Record sign-offs (s), log complaints (c) and issue corrective actions (a).\n"
    "Or fill a practice database from the command line: tracker --db practice.db demo"
)

FIRST_FRAME_WAIT = 0.3  # seconds

CARDS: tuple[tuple[str, str], ...] = (
    ("compliance", "Handbook sign-off"),
    ("pending", "Sign-offs still to collect"),
    ("complaints", "Open complaints"),
    ("missed", "First-response targets missed this week"),
    ("followups", "Corrective-action follow-ups"),
    ("rules", "Most-cited rules (12 weeks)"),
    ("speed", "Speed standards (contacts)"),  # spans the grid (tracker.tcss)
    ("trend", "Complaints per week (12 weeks)"),
    ("speed-trend", "Contacts answered within target (12 weeks)"),
)
# Cards drawn by their own widgets rather than as a list of figures.
DRAWN = ("speed", "trend", "speed-trend")

NO_CONTACTS = (
    "No contacts imported: tracker contacts import FILE... --from PROFILE\n"
    "(PROFILE: generic, zendesk, chatwoot or ticket-metrics), then press f5."
)


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    request: Request


def card_contents(board: Dashboard) -> dict[str, list[Link | str]]:
    """What each card shows: links (figures) and notes (plain text), in order."""
    cards: dict[str, list[Link | str]] = {name: [] for name, _ in CARDS}
    if board.material_version is None:
        cards["compliance"].append("No handbook version published yet (h, then P).")
    else:
        pct = board.percent
        cards["compliance"].append(f"Version {board.material_version} (material); in force {board.version}")
        cards["compliance"].append(
            Link(
                "signed-all",
                f"{pct:.1f}% signed — {board.signed} of {board.active}" if pct is not None else "No active employees",
                EmployeesRequest(signoff="signed"),
            )
        )
        for index, team in enumerate(board.teams[:8]):
            cards["compliance"].append(
                Link(
                    f"team-{index}",
                    f"{team.team}: {team.percent:.0f}% ({team.signed}/{team.active})",
                    EmployeesRequest(team=team.team),
                )
            )
        cards["pending"] += [
            Link("pending-overdue", f"Overdue: {board.pending_overdue}", SignoffsRequest(state="overdue")),
            Link("pending-grace", f"Inside the grace period: {board.pending_in_grace}", SignoffsRequest(state="grace")),
        ]
    for status in OPEN_STATUSES:
        cards["complaints"].append(
            Link(
                f"open-{status}",
                f"{status.capitalize()}: {board.open_by_status.get(status, 0)}",
                ComplaintsRequest(status=status),
            )
        )
    for code, name in board.channel_names.items():
        cards["missed"].append(
            Link(
                f"missed-{code}",
                f"{name}: {board.missed_this_week.get(code, 0)}",
                ComplaintsRequest(channel=code, received_from=board.week_start, missed=True),
            )
        )
    cards["followups"] += [
        Link("fu-overdue", f"Overdue: {board.follow_ups_overdue}", ActionsRequest(state="overdue")),
        Link("fu-week", f"Due this week: {board.follow_ups_this_week}", ActionsRequest(state="due")),
    ]
    if board.weekly_complaints:
        counts = [count for _, count in board.weekly_complaints]
        cards["trend"].append(
            f"{board.weekly_complaints[0][0]} → week of {board.weekly_complaints[-1][0]}: "
            f"{sum(counts)} complaints, this week {counts[-1]}"
        )
    if not board.top_rules:
        cards["rules"].append("No rule cited in the last 12 weeks.")
    for index, (rule_id, title, count) in enumerate(board.top_rules):
        short = title if len(title) <= 34 else title[:33].rstrip() + "…"
        cards["rules"].append(Link(f"rule-{index}", f"{rule_id} {short}: {count}", ComplaintsRequest(rule_id=rule_id)))
    return cards


def attained(figures: Attainment) -> str:
    """A rate with its sample size, or "too few to judge" below the handbook's smallest sample."""
    rate = figures.percent
    return f"too few to judge (n={figures.sample})" if rate is None else f"{rate:.1f}% (n={figures.sample})"


def speed_rows(speed: SpeedFigures) -> list[tuple[str, str, str]]:
    """The speed card's lines: each channel of the handbook in force, this week and last week."""
    return [(row.name, attained(row.this_week), attained(row.last_week)) for row in speed.by_channel]


def speed_table(speed: SpeedFigures | None) -> Table | Text:
    """The speed card: a table of channels, or what to do while no contacts are imported."""
    if speed is None:
        return Text("Reading contacts…", style="italic")
    # Unwrapped: the grid sizes a card spanning both columns as if it had one column's width.
    if not speed.contacts_imported:
        empty = Table.grid()
        empty.add_column(no_wrap=True, overflow="ellipsis", style="italic")
        for line in NO_CONTACTS.splitlines():
            empty.add_row(line)
        return empty
    table = Table(box=None, padding=(0, 3, 0, 0), show_edge=False, header_style="bold")
    table.add_column("Channel", no_wrap=True, overflow="ellipsis")
    table.add_column("This week", no_wrap=True, overflow="ellipsis")
    table.add_column("Last week", no_wrap=True, overflow="ellipsis")
    for name, this_week, last_week in speed_rows(speed):
        table.add_row(as_text(name), this_week, last_week)
    return table


def attainment_series(speed: SpeedFigures | None) -> tuple[float | None, ...]:
    """Each week's attainment of all contacts, oldest first; None (a gap): too few to judge."""
    return tuple(figures.percent for _, figures in speed.weekly) if speed else ()


def speed_caption(speed: SpeedFigures | None) -> str:
    if speed is None:
        return ""
    if not speed.contacts_imported:
        return "No contacts imported."
    weeks = speed.weekly
    rates = [rate for rate in attainment_series(speed) if rate is not None]
    spread = f"lowest {min(rates):.0f}%, highest {max(rates):.0f}%; " if rates else ""
    return (
        f"All contacts, {weeks[0][0]} → week of {weeks[-1][0]}: {spread}this week {attained(weeks[-1][1])}. "
        f"A blank week had too few to judge (under {speed.smallest_sample})."
    )


class DashboardScreen(TrackerScreen):
    # No automatic focus: each focus change re-lays out the footer's keys, the costliest part of
    # the first frame. Tab moves to the first card; arrows move within it; Enter opens a figure.
    AUTO_FOCUS = ""
    BINDINGS = [Binding("f5", "refresh", "Refresh"), Binding("ctrl+r", "refresh", "Refresh", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, Link] = {}
        self.board: Dashboard | None = None
        self.speed: SpeedFigures | None = None
        self._waiting: Future[Dashboard] | None = None

    def body(self) -> ComposeResult:
        board = self._first_board()
        contents = card_contents(board) if board else {}
        with VerticalScroll(id="dashboard"):
            yield Static(self._status(board), id="dash-status", classes="empty-state")
            with Grid(id="dash-grid"):
                for name, title in CARDS:
                    if name == "speed":
                        with Vertical(classes="card", id="card-speed") as speed:
                            speed.border_title = title
                            yield Static(speed_table(None), id="speed-table")
                        continue
                    if name == "speed-trend":
                        with Vertical(classes="card", id="card-speed-trend") as speed_trend:
                            speed_trend.border_title = title
                            yield GappedSparkline(id="speed-trend")
                            yield Static(id="speed-trend-caption", classes="card-note")
                        continue
                    if name == "trend":
                        with Vertical(classes="card", id="card-trend") as trend:
                            trend.border_title = title
                            yield Sparkline(
                                [count for _, count in board.weekly_complaints] if board else [], id="trend"
                            )
                            yield Static(
                                self._caption(contents.get("trend", [])), id="trend-caption", classes="card-note"
                            )
                        continue
                    # One OptionList per card: a figure is an option (Enter opens its list), a note a
                    # disabled one. Seven widgets instead of forty keep the first frame quick.
                    card = OptionList(*self._options(contents.get(name, [])), id=f"card-{name}", classes="card")
                    card.border_title = title
                    yield card
        self.board = board

    def _first_board(self) -> Dashboard | None:
        """The figures read during start-up, if they are already here."""
        app = cast("TrackerApp", self.app)
        first, app.first_dashboard = app.first_dashboard, None
        if first is None:
            return None
        try:
            # Nothing can be painted before the first frame anyway: a short wait lets it show the
            # figures instead of "Loading…" (on a slow server the figures follow in a worker).
            return first.result(timeout=FIRST_FRAME_WAIT)
        except FutureTimeout:
            self._waiting = first
            return None
        except Exception:  # noqa: BLE001 - read again in a worker, which shows what went wrong
            return None

    @staticmethod
    def _status(board: Dashboard | None) -> str:
        if board is None:
            return "Loading…"
        return EMPTY_DATABASE if board.is_empty else ""

    @staticmethod
    def _caption(items: list[Link | str]) -> Text:
        return as_text(" ".join(item for item in items if isinstance(item, str)))

    def _options(self, items: list[Link | str]) -> list[Option]:
        options: list[Option] = []
        for index, item in enumerate(items):
            if isinstance(item, Link):
                self.links[item.key] = item
                options.append(Option(as_text(item.label), id=item.key))  # quotes team names and rule titles
            else:
                options.append(Option(Text(shown(item), style="italic"), id=f"note-{index}", disabled=True))
        return options

    def on_mount(self) -> None:
        self.query_one("#dash-status", Static).display = self.board is None or self.board.is_empty
        if self._waiting is not None:
            # Still being read: wait for it in a worker like any other database call.
            waiting, self._waiting = self._waiting, None
            run_db(self, waiting.result, self.show_board, lambda _: self.action_refresh(), group="dashboard")
        elif self.board is None:
            self.action_refresh()
            return
        self.refresh_speed()

    def on_return(self) -> None:
        if self.board is not None:
            self.action_refresh()

    def action_refresh(self) -> None:
        self.quick(load_dashboard, self.show_board, group="dashboard", exclusive=True)
        self.refresh_speed()

    def refresh_speed(self) -> None:
        """The speed figures count contacts one by one: read after the first frame, in their own worker."""
        self.quick(load_speed, self.show_speed, group="dashboard-speed", exclusive=True)

    def show_speed(self, speed: SpeedFigures) -> None:
        self.speed = speed
        self.query_one("#speed-table", Static).update(speed_table(speed))
        self.query_one("#speed-trend", GappedSparkline).values = attainment_series(speed)
        self.query_one("#speed-trend-caption", Static).update(as_text(speed_caption(speed)))

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        status = self.query_one("#dash-status", Static)
        status.update(self._status(board))
        status.display = board.is_empty
        self.query_one("#trend", Sparkline).data = [count for _, count in board.weekly_complaints]
        for name, items in card_contents(board).items():
            if name in DRAWN:
                if name == "trend":
                    self.query_one("#trend-caption", Static).update(self._caption(items))
                continue
            card = self.query_one(f"#card-{name}", OptionList)
            highlighted = card.highlighted
            card.clear_options()
            card.add_options(self._options(items))
            if highlighted is not None and highlighted < card.option_count:
                card.highlighted = highlighted

    def figure(self, key: str) -> str:
        """The text a figure shows on screen."""
        for card in self.query(OptionList):
            try:
                return str(card.get_option(key).prompt)
            except OptionDoesNotExist:
                continue
        raise KeyError(key)

    @on(OptionList.OptionSelected, ".card")
    def _open(self, event: OptionList.OptionSelected) -> None:
        link = self.links.get(event.option_id or "")
        if link is not None:
            self.open_section(link.request)
