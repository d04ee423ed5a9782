"""One complaint: its timeline, the first response against the channel target,
and only the next steps the handbook's flow allows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Static

from tracker.audit import chain as audit_store
from tracker.backend import error_message
from tracker.db.models import AuditEvent, Complaint
from tracker.domain import complaint_flow as flow
from tracker.domain.errors import ConflictError
from tracker.domain.periods import format_seconds
from tracker.domain.timeutil import format_local
from tracker.records.complaints import commands as complaint_commands
from tracker.records.complaints import queries as complaint_queries
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.complaints.forms import outcome_form, reply_form
from tracker.ui.text import as_content, as_text
from tracker.ui.widgets.form import FormDialog, FormSpec

if TYPE_CHECKING:
    from sqlmodel import Session

# The step each button or key takes, and the status it leads to. No key is a section's letter
# (d e s c a h m r always open a section), so a key never changes meaning with the complaint's status.
STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("acknowledge", "k", "Acknowledge (first response)", flow.ACKNOWLEDGED),
    ("investigate", "g", "Start investigation", flow.INVESTIGATING),
    ("resolve", "o", "Resolve", flow.RESOLVED),
    ("dismiss", "j", "Dismiss with reason", flow.DISMISSED),
)
REPLY_KEY = "p"


class ComplaintScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        *(Binding(key, f"step('{name}')", label) for name, key, label, _ in STEPS),
        Binding(REPLY_KEY, "reply", "Add reply"),
        Binding(REPLY_KEY, "automatic_reply", "Record automatic reply"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref.upper()
        self.view: complaint_queries.ComplaintView | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(as_content(self.ref), id="c-title", classes="detail-title detail")
            yield Static("Loading…", id="c-facts", classes="detail")
            yield Static("", id="c-speed", classes="detail")
            with Horizontal(classes="actions-bar", id="c-steps"):
                for name, key, label, _ in STEPS:
                    yield Button(f"{label} ({key})", id=f"step-{name}", compact=True)
                yield Button(f"Add reply ({REPLY_KEY})", id="step-reply", compact=True)
                yield Button(f"Record automatic reply ({REPLY_KEY})", id="step-automatic_reply", compact=True)
            yield Static("Timeline", classes="section-title")
            yield DataTable(id="c-timeline", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#c-timeline", DataTable)
        table.add_columns("When", "What", "By", "Details")
        self.action_refresh()

    def on_return(self) -> None:
        """Back from another screen or section, where the complaint may have moved on (another page,
        the command line, another supervisor): show it as it stands, not as it was."""
        if self.view is not None:
            self.action_refresh()

    def action_refresh(self) -> None:
        ref = self.ref

        def load(session: Session) -> tuple[complaint_queries.ComplaintView, list[AuditEvent]]:
            return complaint_queries.get_complaint(session, ref), audit_store.recent(
                session, entity="complaint", key=ref, limit=100
            )

        self.read(load, self.show)

    def show(self, loaded: tuple[complaint_queries.ComplaintView, list[AuditEvent]]) -> None:
        view, events = loaded
        self.view = view
        c = view.complaint
        self.query_one("#c-title", Static).update(
            as_content(f"{c.ref} — {c.status.upper()}{'  URGENT' if c.urgent else ''}  (severity {c.severity})")
        )
        rules = "\n".join(f"  {rule_id}  {title}" for rule_id, title in view.rules) or "  none cited"
        facts = [
            f"Received   {format_local(c.received_at)} via {view.channel_name}",
            f"Employee   {view.employee_number or 'unknown'} {view.employee_name or ''}",
            f"Customer   {c.customer_name or '—'}  {c.customer_contact or ''}",
            f"Summary    {c.summary}",
            *([f"Contact    {view.contact}"] if view.contact else []),
            f"Rules breached:\n{rules}",
        ]
        if c.resolution:
            facts.append(f"Resolution {c.resolution}")
        if c.dismissal_reason:
            facts.append(f"Dismissed  {c.dismissal_reason}")
        self.query_one("#c-facts", Static).update(as_content("\n".join(facts)))  # data: never markup, controls escaped
        if c.first_response_at is None:
            speed = (
                f"[bold red]First response MISSED: none yet, target {view.target}[/]"
                if view.target_missed
                else f"Waiting for the first response (target {view.target})"
            )
        else:
            verdict = "[bold red]MISSED[/]" if view.target_missed else "[green]within target[/]"
            speed = (
                f"First response after {format_seconds(view.first_response_seconds)} — target {view.target}: {verdict}"
            )
        speed += f"\nResponse time (mean wait for an answer, SPD-03): {format_seconds(view.response_time_seconds)}"
        self.query_one("#c-speed", Static).update(speed)
        allowed = set(view.allowed_next)
        for name, _, _, target in STEPS:
            self.query_one(f"#step-{name}", Button).display = target in allowed
        self.refresh_bindings()
        self.query_one("#step-reply", Button).display = self._replies_open(c.status)
        self.query_one("#step-automatic_reply", Button).display = c.status == flow.RECEIVED
        table = self.query_one("#c-timeline", DataTable)
        table.clear()
        entries = [(c.received_at, "received", c.created_by, f"via {view.channel_name}")]
        entries += [
            (r.replied_at, "automatic reply" if r.automatic else "reply", r.recorded_by, r.note or "")
            for r in view.replies
        ]
        if c.first_response_at is not None and not any(not r.automatic for r in view.replies):
            entries.append((c.first_response_at, "first response", c.created_by, "from the imported history"))
        entries += [(e.at, e.action.removeprefix("complaint."), e.actor, "") for e in events]
        for when, what, who, details in sorted(entries, key=lambda entry: entry[0]):
            table.add_row(format_local(when), as_text(what), as_text(who), as_text(details[:100]))

    # --- steps ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the steps the handbook's flow allows now appear in the footer."""
        if self.view is None:
            return True
        status = self.view.complaint.status
        if action == "step" and parameters:
            target = next((t for n, _, _, t in STEPS if n == parameters[0]), None)
            return target in self.view.allowed_next
        if action == "reply":
            return self._replies_open(status)
        if action == "automatic_reply":
            return status == flow.RECEIVED
        return True

    @staticmethod
    def _replies_open(status: str) -> bool:
        """A reply by a person is the acknowledgement while the complaint is received; after it,
        replies are added until the complaint is closed."""
        return status not in flow.CLOSED_STATUSES and status != flow.RECEIVED

    def _ready(self) -> complaint_queries.ComplaintView | None:
        if self.view is None:
            self.notify("Still loading the complaint.", severity="warning")
        return self.view

    def action_step(self, name: str) -> None:
        view = self._ready()
        if view is None:
            return
        target = next(t for n, _, _, t in STEPS if n == name)
        if target not in view.allowed_next:
            allowed = ", ".join(flow.VERB[s] for s in view.allowed_next) or "none (closed)"
            self.notify(
                f"Cannot {name} a complaint that is {view.complaint.status}; next allowed: {allowed}.",
                severity="warning",
            )
            return
        revision = view.complaint.revision
        if name == "acknowledge":
            self._form(
                reply_form(self.backend, self.ref, first=True, revision=revision, on_conflict=self.action_refresh)
            )
        elif name in ("resolve", "dismiss"):
            self._form(
                outcome_form(
                    self.backend,
                    self.ref,
                    dismiss=name == "dismiss",
                    revision=revision,
                    on_conflict=self.action_refresh,
                )
            )
        else:
            self.app.push_screen(
                ConfirmDialog(
                    "Start the investigation?",
                    f"{self.ref} moves to investigating: talk to the employee and hear their side.",
                    yes="Investigate",
                ),
                lambda ok: self._investigate(revision) if ok else None,
            )

    def _investigate(self, revision: int) -> None:
        ref = self.ref
        self.write(
            lambda s: complaint_commands.investigate(
                ref, session=s, actor=self.backend.actor, expected_revision=revision
            ),
            self._investigated,
            failed=self._failed,
        )

    def _investigated(self, complaint: Complaint) -> None:
        self.notify(f"{complaint.ref} is being investigated.")
        self.action_refresh()

    def _failed(self, exc: BaseException) -> None:
        self.notify(error_message(exc), severity="error", timeout=10)
        if isinstance(exc, ConflictError):
            self.action_refresh()  # show the other supervisor's change

    def action_reply(self) -> None:
        view = self._ready()
        if view is None:
            return
        if view.complaint.status in flow.CLOSED_STATUSES:
            self.notify(f"{self.ref} is {view.complaint.status}; replies are closed.", severity="warning")
            return
        self._form(reply_form(self.backend, self.ref, first=False, revision=view.complaint.revision))

    def action_automatic_reply(self) -> None:
        """Before the first response only an automatic reply may be recorded (as on the command line,
        ``complaints reply --automatic``); it never counts as the first response."""
        view = self._ready()
        if view is None:
            return
        if view.complaint.status != flow.RECEIVED:
            self.action_reply()
            return
        self._form(
            reply_form(self.backend, self.ref, first=False, revision=view.complaint.revision, automatic_only=True)
        )

    def _form(self, spec: FormSpec[Any]) -> None:
        self.app.push_screen(FormDialog(spec), lambda result: self.action_refresh())

    @on(Button.Pressed, "#c-steps Button")
    def _pressed(self, event: Button.Pressed) -> None:
        name = (event.button.id or "").removeprefix("step-")
        if name == "reply":
            self.action_reply()
        elif name == "automatic_reply":
            self.action_automatic_reply()
        else:
            self.action_step(name)
