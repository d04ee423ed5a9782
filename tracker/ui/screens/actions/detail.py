"""One corrective action: the facts, the suggested level and why, the
follow-ups, the employee's response; follow up, record a response, close."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Static

from tracker.domain.action_flow import CLOSED, FOLLOW_UP_OUTCOMES, FollowUpState
from tracker.domain.timeutil import format_local, today
from tracker.records.actions import queries as store
from tracker.ui.screens.actions.forms import close_form, follow_up_form, response_form
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.text import as_content, as_text
from tracker.ui.widgets.form import FormDialog, FormSpec, LiveFormDialog

# (action, key, button label). No key is a section's letter (d e s c a h m r always open a section).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("follow_up", "f", "Record follow-up"),
    ("respond", "w", "Record response"),
    ("close_action", "l", "Close with effectiveness check"),
)
KEY = {name: key for name, key, _ in STEPS}


class ActionScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        *(Binding(key, name, label) for name, key, label in STEPS),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, action_id: int) -> None:
        super().__init__()
        self.action_id = action_id
        self.view: store.ActionView | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll(id="action-page"):
            yield Static(f"Corrective action {self.action_id}", id="a-title", classes="detail-title detail")
            yield Static("Loading…", id="a-facts", classes="detail")
            with Horizontal(classes="actions-bar", id="a-steps"):
                for name, key, label in STEPS:
                    yield Button(f"{label} ({key})", id=f"step-{name}", compact=True)
            yield Static("Follow-ups", classes="section-title")
            yield DataTable(id="a-follow-ups", cursor_type="row", zebra_stripes=True)
            yield Static("", id="a-follow-ups-empty", classes="detail")
            yield Static("Employee's response", classes="section-title")
            yield Static("", id="a-response", classes="detail")
            yield Static("", id="a-closure", classes="detail")

    def on_mount(self) -> None:
        table = self.query_one("#a-follow-ups", DataTable)
        table.add_columns("Held on", "Outcome", "New due date", "Recorded by", "Notes")
        self.action_refresh()

    def on_return(self) -> None:
        """Back from another screen or section, where the action may have changed (a follow-up or
        closing recorded elsewhere, the command line): show it as it stands."""
        if self.view is not None:
            self.action_refresh()

    def action_refresh(self) -> None:
        action_id = self.action_id
        self.read(lambda s: store.get_action(s, action_id), self.show)

    def show(self, view: store.ActionView) -> None:
        self.view = view
        a = view.action
        status = a.status.upper()
        self.query_one("#a-title", Static).update(
            as_content(
                f"Action {a.id} — {view.level_name} (step {a.step}) for {view.employee_number} "
                f"{view.employee_name} — {status}"
            )
        )
        state = view.state(today())
        if a.is_final:
            follow = Text("none: this level ends employment")
        elif a.follow_up_due is None:
            follow = Text("—")
        elif a.follow_up_done:
            follow = Text(f"{a.follow_up_due} (held)")
        elif state is FollowUpState.OVERDUE:
            follow = Text(f"{a.follow_up_due} — OVERDUE", style="bold red")
        else:
            follow = Text(str(a.follow_up_due))
        suggested = (
            Text("the suggested level")
            if a.suggested_level == a.level
            else Text(f"above the suggestion ({a.suggested_level})", style="bold")
        )
        facts: list[tuple[str, str | Text]] = [  # strings as typed (escaped below)
            ("Issued", f"{a.issued_on} by {a.issued_by}"),
            ("Level", Text.assemble(f"{view.level_name}: ", suggested)),
            ("Suggestion", a.suggestion_reason),
        ]
        if a.gross_misconduct_reason:
            facts.append(("Gross misconduct", a.gross_misconduct_reason))
        facts += [
            ("Expectations", a.expectations),
            ("Follow-up", follow),
            ("Rules", ", ".join(view.rule_ids) or "none cited"),
            ("Complaints", ", ".join(view.complaint_refs) or "none linked"),
            ("Last change", f"{format_local(a.updated_at)} by {a.updated_by} (revision {a.revision})"),
        ]
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1)
        for label, value in facts:
            grid.add_row(label, as_text(value))  # record text: controls escaped, styles kept
        self.query_one("#a-facts", Static).update(grid)
        table = self.query_one("#a-follow-ups", DataTable)
        table.clear()
        for f in view.follow_ups:
            table.add_row(
                f.held_on.isoformat(),
                as_text(FOLLOW_UP_OUTCOMES.get(f.outcome, f.outcome)),
                f.new_due_date.isoformat() if f.new_due_date else "",
                as_text(f.recorded_by),
                as_text((f.notes or "")[:100]),
            )
        table.display = bool(view.follow_ups)
        empty = (
            "No follow-up: this level takes none."
            if a.is_final
            else f"No follow-up recorded yet. Press {KEY['follow_up']} after the follow-up meeting."
            if view.can_close
            else "No follow-up was recorded."
        )
        self.query_one("#a-follow-ups-empty", Static).update("" if view.follow_ups else empty)
        self.query_one("#a-response", Static).update(
            as_content(
                a.employee_response
                or f"None recorded. The employee has the right to respond: press {KEY['respond']} to record what they say."
            )
        )
        closure = (
            f"Closed on {a.closed_on}. Effectiveness check: {a.effectiveness_check or ''}" if a.status == CLOSED else ""
        )
        self.query_one("#a-closure", Static).update(as_content(closure))
        for name, _, _ in STEPS:
            self.query_one(f"#step-{name}", Button).display = self._allowed(name)
        self.refresh_bindings()

    # --- steps ----------------------------------------------------------------------

    def _allowed(self, name: str) -> bool:
        view = self.view
        if view is None:
            return False
        if name == "follow_up":
            return view.can_follow_up
        if name == "close_action":
            return view.can_close
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {name for name, _, _ in STEPS}:
            return self._allowed(action)
        return True

    def _revision(self) -> int:
        """The revision on screen: after a conflict the page reloads, and saving again applies to what is shown."""
        assert self.view is not None
        return self.view.action.revision

    def _open(self, spec: FormSpec[Any], live: bool = False) -> None:
        dialog = LiveFormDialog(spec) if live else FormDialog(spec)
        self.app.push_screen(dialog, lambda result: self.action_refresh())

    def action_follow_up(self) -> None:
        if self.view is not None and self._allowed("follow_up"):
            self._open(
                follow_up_form(self.backend, self.view, on_conflict=self.action_refresh, revision=self._revision),
                live=True,
            )

    def action_respond(self) -> None:
        if self.view is not None:
            self._open(response_form(self.backend, self.view, on_conflict=self.action_refresh, revision=self._revision))

    def action_close_action(self) -> None:
        if self.view is not None and self._allowed("close_action"):
            self._open(close_form(self.backend, self.view, on_conflict=self.action_refresh, revision=self._revision))

    @on(Button.Pressed, "#a-steps Button")
    def _pressed(self, event: Button.Pressed) -> None:
        name = (event.button.id or "").removeprefix("step-")
        getattr(self, f"action_{name}")()
