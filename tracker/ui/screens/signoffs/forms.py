"""Sign-off dialogs: record (form, then a confirmation of exactly what is
stored), revoke with a reason, and the rules changed since the last sign-off.

Recording goes form → confirmation → write. The form's save only runs the
checks (``storage.signoffs.prepare_signoff``), so a refusal appears under its
field before anything is asked; the confirmation shows the printed name and
the meaning exactly as they will be stored; only "yes" writes. Answering "no",
or a refusal at the last moment, reopens the form with everything typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

from tracker.backend import Backend, error_message
from tracker.db.models import Signoff, SignoffRevocation
from tracker.domain.errors import InputError, NotFound
from tracker.domain.inputs import RevokeInput, SignoffInput
from tracker.domain.signing import SIGN_METHODS
from tracker.domain.timeutil import today
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import list_versions, version_in_force
from tracker.records.signoffs import commands as signoff_commands
from tracker.records.signoffs import queries as signoff_queries
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.text import as_content, assemble, shown
from tracker.ui.widgets.form import Field, FormSpec, PrefilledFormDialog

if TYPE_CHECKING:
    from sqlmodel import Session

# The sign-off commands' keys, the same on every screen that offers them (the sign-offs list, an
# employee's page, the rules-changed dialog). A section's letter (s) always opens the section; its
# capital records a new one, as C and A log a complaint and issue an action on an employee's page.
RECORD_SIGNOFF_KEY = "S"
CHANGES_KEY = "v"
REVOKE_KEY = "z"

T = TypeVar("T")

# Storage error field -> form field
ALIASES = {"employee": "employee_number", "version": "version_label"}
METHOD_OPTIONS = [(text[0].upper() + text[1:], code) for code, text in SIGN_METHODS.items()]


# --- recording -------------------------------------------------------------------


@dataclass(frozen=True)
class SignoffContext:
    versions: list[tuple[str, str]]  # (label shown, version label), newest first
    in_force: str
    employee_number: str
    employee_name: str


def load_context(session: Session, employee_number: str | None) -> SignoffContext:
    in_force = version_in_force(session)
    versions = []
    for version in list_versions(session):
        notes = [n for n, on_ in (("in force", version.id == in_force.id), ("editorial", version.editorial)) if on_]
        versions.append(
            (
                f"{version.label} (published {version.published_on}{', ' + ', '.join(notes) if notes else ''})",
                version.label,
            )
        )
    name = ""
    if employee_number:
        try:
            name = get_employee(session, employee_number).name
        except NotFound:
            pass
    return SignoffContext(versions, in_force.label, (employee_number or "").upper(), name)


def signoff_form(
    backend: Backend, context: SignoffContext, values: dict[str, Any], remember: Callable[[dict[str, Any]], None]
) -> FormSpec[signoff_commands.PreparedSignoff]:
    """The form only checks; ``remember`` keeps what was typed for reopening."""

    def save(data: dict[str, Any]) -> signoff_commands.PreparedSignoff:
        remember(dict(data))
        model = SignoffInput.model_validate(data)
        return backend.read(lambda s: signoff_commands.prepare_signoff(model, session=s, today=today()))

    def value(name: str, default: Any) -> Any:
        return values.get(name, default)

    return FormSpec(
        title="Record a handbook sign-off",
        intro="Copy what is written on the signed acknowledgement page. "
        "You will see the signature exactly as it will be stored before anything is saved.",
        fields=[
            Field("employee_number", "Employee number", value=value("employee_number", context.employee_number)),
            Field(
                "version_label",
                "Handbook version signed",
                "select",
                context.versions,
                value=value("version_label", context.in_force),
            ),
            Field(
                "signed_on",
                "Date written on the form",
                value=value("signed_on", today().isoformat()),
                hint="YYYY-MM-DD; not in the future, not before the version was published",
            ),
            Field("method", "How it was signed", "select", METHOD_OPTIONS, value=value("method", None)),
            Field(
                "filing_ref",
                "Where the paper form is filed (required for paper)",
                value=value("filing_ref", ""),
                placeholder=f"e.g. personnel file {context.employee_number or 'E-1042'}",
            ),
            Field(
                "printed_name",
                "Printed name (as written on the form)",
                value=value("printed_name", context.employee_name),
                hint="Leave empty to use the employee's name on record",
            ),
        ],
        model=SignoffInput,
        save=save,
        success=lambda p: f"Checked. Confirm {p.employee.number}'s signature to record it.",
        aliases=ALIASES,
        save_label="Check and continue",
    )


def confirmation_text(prepared: signoff_commands.PreparedSignoff) -> Content:
    """Exactly what will be stored; a control character in a name stored earlier is shown escaped
    (``assemble``), so the confirmation cannot be disguised (recording it is then refused)."""
    data = prepared.data
    method = SIGN_METHODS[data.method]
    filed = f"\nFiled at:     {data.filing_ref}" if data.filing_ref else ""
    return assemble(
        f"Employee:     {prepared.employee.number} {prepared.employee.name}\n"
        f"Version:      {prepared.version.label}\n"
        f"Signed on:    {data.signed_on} ({method}){filed}\n\n"
        "Printed name: ",
        (prepared.printed_name, "bold"),
        "\nMeaning of the signature:\n  ",
        (f"“{prepared.meaning}”", "bold"),
        "\n\nA sign-off is never edited: a mistake is corrected by revoking it and recording a new one.",
    )


class RecordSignoff:
    """Form → confirmation → write, reopening the form with what was typed
    whenever the user says no or the database refuses."""

    def __init__(self, screen: Any, employee_number: str | None, done: Callable[[Signoff], object]) -> None:
        self.screen = screen  # a TrackerScreen: read() / write() run in workers
        self.employee_number = employee_number
        self.done = done
        self.values: dict[str, Any] = {}
        self.context: SignoffContext | None = None

    @property
    def backend(self) -> Backend:
        return self.screen.backend

    def start(self) -> None:
        number = self.employee_number
        self.screen.read(lambda s: load_context(s, number), self._loaded)

    def _loaded(self, context: SignoffContext) -> None:
        self.context = context
        self.open_form()

    def _remember(self, values: dict[str, Any]) -> None:
        self.values = values

    def open_form(self, problems: dict[str, str] | None = None, message: str = "") -> None:
        assert self.context is not None
        spec = signoff_form(self.backend, self.context, self.values, self._remember)
        self.screen.app.push_screen(PrefilledFormDialog(spec, problems, message), self._checked)

    def _checked(self, prepared: signoff_commands.PreparedSignoff | None) -> None:
        if prepared is None:
            return  # cancelled
        self.screen.app.push_screen(
            ConfirmDialog("Record this signature?", confirmation_text(prepared), yes="Record sign-off"),
            lambda ok: self._answered(bool(ok), prepared),
        )

    def _answered(self, ok: bool, prepared: signoff_commands.PreparedSignoff) -> None:
        if not ok:
            self.screen.notify("Nothing was recorded; the form still has what you typed.")
            self.open_form()
            return
        data = prepared.data
        backend = self.backend
        self.screen.write(
            lambda s: signoff_commands.record_signoff(data, session=s, actor=backend.actor, today=today()),
            self._recorded,
            failed=self._failed,
        )

    def _recorded(self, signoff: Signoff) -> None:
        self.screen.notify(f"Recorded sign-off {signoff.id}: {signoff.printed_name} — “{signoff.meaning}”")
        self.done(signoff)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, InputError):
            self.open_form({ALIASES.get(exc.field, exc.field): exc.reason})
        else:
            self.screen.notify(error_message(exc), severity="error", timeout=10)
            self.open_form(message=error_message(exc))


# --- revoking ----------------------------------------------------------------------


def revoke_form(backend: Backend, view: signoff_queries.SignoffView) -> FormSpec[SignoffRevocation]:
    signoff_id = view.signoff.id or 0

    def save(data: dict[str, Any]) -> SignoffRevocation:
        model = RevokeInput.model_validate(data)
        return backend.write(
            lambda s: signoff_commands.revoke_signoff(signoff_id, model, session=s, actor=backend.actor)
        )

    s = view.signoff
    return FormSpec(
        title=f"Revoke sign-off {signoff_id}",
        intro=(
            f"{view.employee_number} {view.employee_name} signed version {view.version_label} "
            f"on {s.signed_on} ({SIGN_METHODS.get(s.method, s.method)}). The sign-off is kept as it is; the "
            "revocation is a new record with your reason, and the employee must sign again."
        ),
        fields=[
            Field(
                "reason",
                "Why is this sign-off not valid?",
                "longtext",
                hint="e.g. 'signed the wrong version's page' — kept in the record",
            )
        ],
        model=RevokeInput,
        save=save,
        success=lambda r: f"Revoked sign-off {r.signoff_id}.",
        aliases={"signoff": "reason"},
        save_label="Revoke sign-off",
    )


# --- what changed since the last sign-off ---------------------------------------------


class RuleChangesDialog(ModalScreen[bool]):
    """The rules added, changed or removed since the employee last signed.
    Returns True when the supervisor goes on to record a sign-off."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding(RECORD_SIGNOFF_KEY, "record_signoff", "Record sign-off"),
    ]

    def __init__(self, standing: signoff_queries.SignoffStanding) -> None:
        super().__init__()
        self.standing = standing

    def compose(self) -> ComposeResult:
        st = self.standing
        with Vertical(classes="dialog", id="rule-changes"):
            yield Static(as_content(f"What changed for {st.number} {st.name}"), classes="dialog-title")
            if st.last_signed is None:
                summary = (
                    f"{st.name} has never signed the handbook: every rule of version {st.in_force} is new "
                    "to them. Give them the whole handbook to read (the Handbook section, h)."
                )
            elif not st.changes:
                summary = f"No rule changed between version {st.last_signed}, which they signed, and {st.in_force}."
            else:
                summary = f"From version {st.last_signed}, which they signed, to version {st.in_force} in force:"
            if st.up_to_date:
                summary += "\nThey already hold a valid sign-off covering the current version."
            yield Static(as_content(summary), classes="dialog-intro")
            with VerticalScroll(id="changes-body"):
                for kind, heading in (("added", "Added"), ("changed", "Changed"), ("removed", "Removed")):
                    items = [c for c in st.changes if c.change == kind]
                    if not items:
                        continue
                    yield Static(f"{heading} ({len(items)})", classes="changes-heading")
                    for change in items:
                        yield Static(as_content(f"{change.rule_id}  {change.title}"), classes="changes-rule")
                        if kind == "changed" or (kind == "added" and st.last_signed is not None):
                            yield Markdown(shown(st.texts.get(change.rule_id, "")), classes="changes-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    f"Record sign-off ({RECORD_SIGNOFF_KEY})", id="record", variant="primary", disabled=not st.active
                )
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#changes-body").focus()

    @on(Button.Pressed, "#record")
    def _record(self) -> None:
        self.action_record_signoff()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(False)

    def action_close(self) -> None:
        self.dismiss(False)

    def action_record_signoff(self) -> None:
        if not self.standing.active:
            self.notify(f"{self.standing.number} is inactive; only active employees sign.", severity="warning")
            return
        self.dismiss(True)


def show_rule_changes(screen: Any, employee_number: str, on_record: Callable[[], object]) -> None:
    """Load what changed for the employee and show it; ``on_record`` if they go on to sign."""

    def shown(standing: signoff_queries.SignoffStanding) -> None:
        screen.app.push_screen(RuleChangesDialog(standing), lambda record: on_record() if record else None)

    screen.read(lambda s: signoff_queries.signoff_standing(s, employee_number), shown)
