"""One employee: the facts, where they stand with the handbook, and their whole
record in date order; sign-offs, complaints and actions are recorded from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Input, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from tracker.backend import error_message
from tracker.db.models import Employee
from tracker.domain.errors import ConflictError, NoVersionPublished
from tracker.domain.handbook.model import Standards
from tracker.domain.wording import plural
from tracker.output.employee_file import FORMATS, record_counts, render_employee_file
from tracker.records.employees import commands as employee_commands
from tracker.records.employees import queries as employee_queries
from tracker.records.handbook.queries import standards, version_in_force
from tracker.records.signoffs import queries as signoff_store
from tracker.reporting.employee_file import EmployeeFile, EntryKind, TimelineEntry, employee_file
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.dialogs.export import open_export
from tracker.ui.screens.actions.forms import IssueContext, issue_action_form, load_issue_context
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.complaints.forms import log_complaint_form
from tracker.ui.screens.employees.forms import EditState, edit_employee_form
from tracker.ui.screens.signoffs.forms import (
    CHANGES_KEY,
    RECORD_SIGNOFF_KEY,
    REVOKE_KEY,
    RecordSignoff,
    revoke_form,
    show_rule_changes,
)
from tracker.ui.text import as_content, as_text, assemble
from tracker.ui.widgets.form import FormDialog, LiveFormDialog

# The page's keys. None is a section's letter (d e s c a h m r always open a section); a section's
# capital records a new one of its kind for this employee (S sign-off, C complaint, A action), and
# the sign-off keys are those of the sign-offs list. Export is x, as on the Reports section.
ACTIVE_KEY = "b"
EXPORT_KEY = "x"
WHOLE_KEY = "w"
# Complaints the page reads first: an employee with thousands opens as fast as one with ten; the
# whole file is one key away (and is what an export or printout always holds).
LATEST_COMPLAINTS = 200
KEYS = {
    "signoff": RECORD_SIGNOFF_KEY,
    "changes": CHANGES_KEY,
    "complaint": "C",
    "action": "A",
    "edit": "u",
    "active": ACTIVE_KEY,
    "export": EXPORT_KEY,
}
# (id, key, label) of the buttons; the bindings below carry the same keys.
BUTTONS = (
    ("signoff", KEYS["signoff"], "Sign-off"),
    ("changes", KEYS["changes"], "Changes"),
    ("complaint", KEYS["complaint"], "Complaint"),
    ("action", KEYS["action"], "Action"),
    ("edit", KEYS["edit"], "Edit"),
    ("active", KEYS["active"], "Deactivate"),
    ("export", KEYS["export"], "Export"),
)

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class Loaded:
    employee: Employee
    record: EmployeeFile
    standing: signoff_store.SignoffStanding | None  # None: no handbook published
    teams: list[str]


def load(session: Session, number: str, *, whole: bool = False) -> Loaded:
    employee = employee_queries.get_employee(session, number)
    try:
        standing: signoff_store.SignoffStanding | None = signoff_store.signoff_standing(session, number)
    except NoVersionPublished:
        standing = None
    record = employee_file(session, number, latest=None if whole else LATEST_COMPLAINTS)
    return Loaded(employee, record, standing, employee_queries.teams(session))


def _kind_cell(entry: TimelineEntry, valid_signoffs: set[str]) -> Text:
    """The Record column: the page's shorter word for the entry, coloured by kind."""
    if entry.kind is EntryKind.SIGNOFF:
        if entry.about in valid_signoffs:
            return Text("sign-off", style="green")
        return Text("sign-off (REVOKED)", style="bold red")
    word, style = _KIND_CELLS[entry.kind]
    return Text(word, style=style)


_KIND_CELLS: dict[EntryKind, tuple[str, str]] = {
    EntryKind.REVOCATION: ("revocation", "red"),
    EntryKind.COMPLAINT: ("complaint", "yellow"),
    EntryKind.ACTION: ("action", "magenta"),
    EntryKind.FOLLOW_UP: ("follow-up", ""),
    EntryKind.CLOSED: ("action closed", ""),
}
# The part of its record an entry's row key names, after ``about`` (a follow-up's adds its number).
_KEY_SUFFIX = {EntryKind.REVOCATION: ":revoked", EntryKind.CLOSED: ":closed"}


def timeline_rows(record: EmployeeFile) -> list[tuple[str, date, Text, str]]:
    """(key, date, kind, details) in date order: the employee file's timeline (``EmployeeFile.entries``)
    with the page's keys (what Enter opens) and styles."""
    valid = {f"signoff:{s.signoff.id}" for s in record.signoffs if s.valid}
    follow_ups: dict[str, int] = {}
    rows: list[tuple[str, date, Text, str]] = []
    for entry in record.entries():
        if entry.line is None:
            continue
        key = entry.about + _KEY_SUFFIX.get(entry.kind, "")
        if entry.kind is EntryKind.FOLLOW_UP:
            index = follow_ups[entry.about] = follow_ups.get(entry.about, -1) + 1
            key = f"{entry.about}:fu{index}"
        rows.append((key, entry.day, _kind_cell(entry, valid), entry.line))
    return rows


class EmployeeScreen(TrackerScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding(KEYS["signoff"], "record_signoff", "Record sign-off"),
        Binding(KEYS["changes"], "changes", "What changed"),
        Binding(KEYS["complaint"], "log_complaint", "Log complaint"),
        Binding(KEYS["action"], "issue_action", "Issue action"),
        Binding(KEYS["edit"], "edit", "Edit"),
        Binding(ACTIVE_KEY, "toggle_active(False)", "Deactivate"),
        Binding(ACTIVE_KEY, "toggle_active(True)", "Reactivate"),
        Binding(EXPORT_KEY, "export", "Export"),
        Binding(REVOKE_KEY, "revoke", "Revoke sign-off"),
        Binding(WHOLE_KEY, "whole_record", "Whole record"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number.strip().upper()
        self.loaded: Loaded | None = None
        self.whole = False  # the whole timeline asked for (else the latest LATEST_COMPLAINTS complaints)
        self.valid_signoffs: set[str] = set()
        self.seen_revision = 0  # the revision the user has seen; edits and deactivation expect it

    def body(self) -> ComposeResult:
        with Vertical(id="employee-page"):
            yield Static(as_content(self.number), id="emp-title", classes="detail-title detail")
            yield Static("Loading…", id="emp-facts", classes="detail")
            with Grid(id="emp-actions"):
                for name, key, label in BUTTONS:
                    yield Button(f"{label} ({key})", id=f"emp-{name}", compact=True)
            yield Static("Timeline", classes="section-title", id="emp-timeline-title")
            yield DataTable(id="emp-timeline", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#emp-timeline", DataTable)
        table.add_columns("Date", "Record", "Details")
        # A long line of details brings a horizontal scrollbar once the rows are laid out, one line
        # less to show them in: scroll again, or the latest entry was at random just out of view.
        self.watch(table, "show_horizontal_scrollbar", lambda _: table.move_cursor(row=table.cursor_row), init=False)
        self.action_refresh()
        table.focus()

    def on_return(self) -> None:
        if self.loaded is not None:
            self.action_refresh()  # back from a complaint or another section

    def action_refresh(self) -> None:
        number, whole = self.number, self.whole
        self.read(
            lambda s: load(s, number, whole=whole),
            self.show,
            group="employee-page",
            exclusive=True,
            failed=self._load_failed,
        )

    def action_whole_record(self) -> None:
        self.whole = True
        self.notify("Reading the whole record…", timeout=3)
        self.action_refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self.notify(error_message(exc), severity="error", timeout=8)
        if self.loaded is None and self.app.screen is self:
            self.app.pop_screen()  # e.g. no such employee: back to the list

    # --- drawing ------------------------------------------------------------------

    def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.seen_revision = loaded.employee.revision
        e, record, standing = loaded.employee, loaded.record, loaded.standing
        state = ("active", "green") if e.active else ("INACTIVE", "bold red")
        self.query_one("#emp-title", Static).update(assemble(f"{e.number}  {e.name} — ", state))
        handbook: Content
        if standing is None:
            handbook = Content("Handbook: no version published yet (Handbook section, h).")
        elif not e.active:
            handbook = Content(
                f"Handbook: not expected to sign while inactive (last signed {standing.last_signed or 'never'}; "
                f"{standing.in_force} in force). {ACTIVE_KEY} reactivates."
            )
        elif standing.up_to_date:
            covers = (
                f" (covers {standing.material_version})" if standing.last_signed != standing.material_version else ""
            )
            handbook = Content.assemble(
                "Handbook: ", ("signed", "green"), f" {standing.last_signed}{covers}; {standing.in_force} in force."
            )
        else:
            last = (
                f"last signed {standing.last_signed}"
                if standing.last_signed
                else "no valid sign-off"
                if record.signoffs
                else "never signed"
            )
            changed = (
                f"{plural(len(standing.changes), 'rule')} changed since"
                if standing.last_signed
                else "all rules are new"
            )
            handbook = Content.assemble(
                "Handbook: ",
                ("NOT signed", "bold yellow"),
                f" {standing.material_version} ({last}; {changed}) — press {CHANGES_KEY} to show them, "
                f"{RECORD_SIGNOFF_KEY} to record the signature.",
            )
        counts = record_counts(record)
        self.query_one("#emp-facts", Static).update(
            assemble(
                f"Team {e.team} · hired {e.hire_date} · {counts}\n",
                handbook,
                "\n",
                (f"Last changed by {e.updated_by} (revision {e.revision})", "dim"),
            )
        )
        self.query_one("#emp-active", Button).label = f"{'Deactivate' if e.active else 'Reactivate'} ({ACTIVE_KEY})"
        self.query_one("#emp-signoff", Button).disabled = not e.active
        table = self.query_one("#emp-timeline", DataTable)
        first = table.row_count == 0
        keep, kept = table.cursor_row, self._highlighted()
        table.clear()
        self.valid_signoffs = {f"signoff:{s.signoff.id}" for s in record.signoffs if s.valid}
        rows = timeline_rows(record)
        for key, day, kind, details in rows:
            table.add_row(Text(str(day)), kind, as_text(details), key=key)  # never markup, controls escaped
        if rows:
            # First time: the latest entry (the table scrolls to the recent past); later: the entry the
            # user was on, wherever it now is (the whole record puts earlier entries above it).
            keys = [key for key, *_ in rows]
            at = keys.index(kept) if kept in keys else min(keep, len(rows) - 1)
            row = len(rows) - 1 if first else at
            table.move_cursor(row=row)
        title = self.query_one("#emp-timeline-title", Static)
        if record.earlier_complaints:
            title.update(
                f"Timeline from {record.from_day}, the latest {plural(len(record.complaints), 'complaint')}: "
                f"{plural(record.earlier_complaints, 'earlier complaint')} not shown — {WHOLE_KEY} shows the whole record"
            )
        elif rows:
            title.update(f"Timeline — Enter opens a complaint or action; {REVOKE_KEY} revokes a sign-off")
        else:
            title.update(
                f"Timeline — nothing recorded yet: {RECORD_SIGNOFF_KEY} records a sign-off, "
                f"{KEYS['complaint']} logs a complaint"
            )
        self.refresh_bindings()

    # --- which keys apply -------------------------------------------------------------

    def _highlighted(self) -> str | None:
        table = self.query_one("#emp-timeline", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except (CellDoesNotExist, RowDoesNotExist):
            return None
        return str(key) if key is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "whole_record":
            return self.loaded is not None and self.loaded.record.earlier_complaints > 0
        if action == "revoke":
            return self._highlighted() in self.valid_signoffs
        if action == "toggle_active":
            return self.loaded is not None and self.loaded.employee.active != parameters[0]
        return True

    @on(DataTable.RowHighlighted, "#emp-timeline")
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#emp-timeline")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value or "")
        kind, _, rest = key.partition(":")
        ident = rest.split(":")[0]
        if kind == "complaint":
            from tracker.ui.screens.complaints.detail import ComplaintScreen

            self.app.push_screen(ComplaintScreen(ident))
        elif kind == "action":
            from tracker.ui.screens.actions.detail import ActionScreen

            self.app.push_screen(ActionScreen(int(ident)))
        elif kind == "signoff" and key in self.valid_signoffs:
            self.action_revoke()

    def _ready(self) -> Loaded | None:
        if self.loaded is None:
            self.notify("Still loading the employee.", severity="warning")
        return self.loaded

    # --- sign-offs -----------------------------------------------------------------------

    def action_record_signoff(self) -> None:
        loaded = self._ready()
        if loaded is None:
            return
        if not loaded.employee.active:
            self.notify(
                f"{self.number} is inactive; only active employees sign. Reactivate them first ({ACTIVE_KEY}).",
                severity="warning",
            )
            return
        RecordSignoff(self, self.number, lambda _: self.action_refresh()).start()

    def action_changes(self) -> None:
        show_rule_changes(self, self.number, self.action_record_signoff)

    def action_revoke(self) -> None:
        key = self._highlighted()
        if key not in self.valid_signoffs or key is None:
            self.notify("Highlight a valid sign-off in the timeline to revoke it.", severity="warning")
            return
        signoff_id = int(key.split(":")[1])

        def ready(view: signoff_store.SignoffView) -> None:
            if not view.valid:
                self.notify(f"Sign-off {signoff_id} is already revoked.", severity="warning")
                self.action_refresh()
                return
            self.app.push_screen(FormDialog(revoke_form(self.backend, view)), lambda _: self.action_refresh())

        self.read(lambda s: signoff_store.get_signoff(s, signoff_id), ready)

    # --- complaints and actions ------------------------------------------------------------

    def action_log_complaint(self) -> None:
        number = self.number

        def ready(std: Standards) -> None:
            self.app.push_screen(
                FormDialog(log_complaint_form(self.backend, std, number)),
                lambda complaint: self.action_refresh() if complaint is not None else None,
            )

        self.read(lambda s: standards(s, version_in_force(s)), ready)

    def action_issue_action(self) -> None:
        number = self.number

        def ready(ctx: IssueContext) -> None:
            spec = issue_action_form(
                self.backend, ctx.std, ctx.suggestion, ctx.employee_number, employee_name=ctx.employee_name
            )
            self.app.push_screen(
                LiveFormDialog(spec), lambda action: self.action_refresh() if action is not None else None
            )

        self.read(lambda s: load_issue_context(s, number), ready)

    # --- the employee ----------------------------------------------------------------------

    def action_edit(self) -> None:
        loaded = self._ready()
        if loaded is None:
            return
        state = EditState.of(loaded.employee)
        spec = edit_employee_form(
            self.backend, loaded.employee, loaded.teams, state=state, on_conflict=lambda: self._edit_conflict(state)
        )
        self.app.push_screen(FormDialog(spec), lambda saved: self.action_refresh() if saved is not None else None)

    def _edit_conflict(self, state: EditState) -> None:
        """Someone else saved the employee since the form opened. Nothing was
        overwritten. Show their version on the page and in the fields the user
        had not touched; what the user typed stays, and saving again applies
        just those changes on top of theirs."""
        number = self.number

        def reloaded(loaded: Loaded) -> None:
            self.show(loaded)
            e = loaded.employee
            fresh = EditState.of(e)
            dialog = self.app.screen
            if isinstance(dialog, FormDialog):
                for item in dialog.spec.fields:
                    widget = dialog.query_one(f"#field-{item.name}", Input)
                    if widget.value.strip() == state.values.get(item.name):
                        widget.value = fresh.values[item.name]
                dialog.query_one("#form-error", Static).update(
                    as_content(
                        f"Not saved: {e.updated_by} changed {e.number} since you opened it.\n"
                        f"Now on record: {e.name}, team {e.team}, hired {e.hire_date}.\n"
                        "Your changes are kept below: ctrl+s applies them on top, esc cancels."
                    )
                )
            state.revision, state.values = fresh.revision, fresh.values

        whole = self.whole
        self.read(lambda s: load(s, number, whole=whole), reloaded)

    def action_toggle_active(self, active: bool | None = None) -> None:
        loaded = self._ready()
        if loaded is None:
            return
        e = loaded.employee
        if active is not None and active == e.active:
            return
        revision = self.seen_revision
        if e.active:
            title, yes = f"Deactivate {e.number} {e.name}?", "Deactivate"
            message = (
                "They leave the lists of active employees and of pending sign-offs. Their record is kept "
                "and they can be reactivated later."
            )
        else:
            title, yes = f"Reactivate {e.number} {e.name}?", "Reactivate"
            message = "They return to the active lists and must hold a current handbook sign-off."

        def answered(ok: bool | None) -> None:
            if ok:
                number, active, backend = e.number, not e.active, self.backend
                self.write(
                    lambda s: employee_commands.set_active(
                        number, active, session=s, actor=backend.actor, expected_revision=revision
                    ),
                    self._toggled,
                    failed=self._failed,
                )

        self.app.push_screen(ConfirmDialog(title, message, yes=yes), answered)

    def _toggled(self, employee: Employee) -> None:
        self.notify(f"{employee.number} {employee.name} is now {'active' if employee.active else 'inactive'}.")
        self.action_refresh()

    def _failed(self, exc: BaseException) -> None:
        self.notify(error_message(exc), severity="error", timeout=10)
        if isinstance(exc, ConflictError):
            self.action_refresh()  # show the other supervisor's change

    def action_export(self) -> None:
        number, backend = self.number, self.backend

        def render(fmt: str) -> tuple[str, int]:
            record = backend.read(lambda s: employee_file(s, number))
            return render_employee_file(record, fmt), len(record.timeline())

        open_export(self, f"Export the employee file of {number}", f"~/employee-file-{number}.html", render, FORMATS)

    @on(Button.Pressed, "#emp-actions Button")
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "signoff": self.action_record_signoff,
            "changes": self.action_changes,
            "complaint": self.action_log_complaint,
            "action": self.action_issue_action,
            "edit": self.action_edit,
            "active": self.action_toggle_active,
            "export": self.action_export,
        }
        actions[(event.button.id or "").removeprefix("emp-")]()
