"""The form framework: one form dialog for every record, fields, inline validation, save in a worker.

``LiveFormDialog`` lets fields follow each other as the user types; ``PrefilledFormDialog``
reopens a form with what was typed and the problems found with it.

Fields are checked against the same pydantic input model the command line
uses: as the user leaves a field (and as they type once it has been marked),
the message appears under it. Save is refused while a field is invalid; a save
refused by the database (a rule, a conflict) shows its message and keeps
everything typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Sequence, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from tracker.backend import error_message
from tracker.domain.errors import ConflictError, InputError
from tracker.domain.inputs import field_errors
from tracker.ui.dialogs.confirm import ConfirmDialog
from tracker.ui.text import as_content, as_text, shown
from tracker.ui.widgets.text_input import TextInput
from tracker.ui.worker import run_db

T = TypeVar("T")


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text, longtext, select, multi, bool
    options: Sequence[tuple[str, str]] = ()
    value: Any = None
    placeholder: str = ""
    hint: str = ""


@dataclass
class FormSpec(Generic[T]):
    title: str
    fields: list[Field]
    save: Callable[[dict[str, Any]], T]  # runs in a worker thread
    model: type[BaseModel] | None = None
    fixed: dict[str, Any] = field(default_factory=dict)  # model values not shown in the form
    intro: str | Content = ""
    success: Callable[[T], str] | None = None
    save_label: str = "Save"
    aliases: dict[str, str] = field(default_factory=dict)  # error field name -> form field name
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None  # extra checks beyond the model
    on_conflict: Callable[[], object] | None = None  # e.g. reload the record underneath to show the change


def cross_field_errors(model: type[BaseModel], data: dict[str, Any], invalid: set[str]) -> dict[str, str]:
    """The model's cross-field checks (its "after" validators) on the fields that are valid.

    Pydantic runs those checks only once every field is valid, so a save with an empty text and a
    follow-up date before the issue date would be told about the date only on the next save. The
    user is told everything at once: each check runs on the valid fields alone; a check that needs
    an invalid field (missing from the partial model) says nothing."""
    valid: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in data and name not in invalid:
            try:
                valid[name] = TypeAdapter(info.rebuild_annotation()).validate_python(data[name])
            except ValidationError:
                return {}  # valid only together with other fields: leave it to the model
    partial = model.model_construct(**valid)
    for name in invalid:
        if name in model.model_fields:
            partial.__dict__.pop(name, None)  # a check that reads it fails rather than reading a default
    found: dict[str, str] = {}
    for decorator in model.__pydantic_decorators__.model_validators.values():
        if decorator.info.mode != "after":
            continue
        try:
            decorator.func(partial)
        except ValueError as exc:
            where, reason = getattr(exc, "field", None), getattr(exc, "reason", None)
            if isinstance(where, str) and isinstance(reason, str) and where not in invalid:
                found.setdefault(where, reason)
        except Exception:  # noqa: BLE001 - a check that needs a field still invalid: shown once it is valid
            continue
    return found


class FormDialog(ModalScreen[T | None]):
    takes_type_ahead = True  # keys typed after the one that opened it are typed into it (app.on_key)

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        # Not a priority key: a priority key runs as soon as it is read, ahead of the keys typed
        # before it (the date still being typed, or the form still opening); this one waits its turn.
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, spec: FormSpec[T]) -> None:
        super().__init__()
        self.spec = spec
        self.touched: set[str] = set()
        self.saving = False
        self.started: dict[str, Any] | None = None  # the values as the form opened, to tell what was typed

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", classes="dialog"):
            yield Static(as_content(self.spec.title), classes="dialog-title")
            if self.spec.intro:
                yield Static(as_content(self.spec.intro), classes="dialog-intro")
            yield Static("", id="form-error", classes="form-error")
            for item in self.spec.fields:
                yield Label(as_content(item.label), classes="field-label")
                yield self._widget(item)
                if item.hint:
                    yield Static(as_content(item.hint), classes="field-hint")
                yield Static("", id=f"error-{item.name}", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.spec.save_label} (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def _widget(self, item: Field) -> Widget:
        """The field's widget: option labels and placeholders escaped, a value exactly as given (an
        edit form shows the record as stored; saving a control character is refused under the field)."""
        wid = f"field-{item.name}"
        options = [(shown(label), value) for label, value in item.options]
        if item.kind == "select":
            return Select(
                options,
                id=wid,
                value=item.value if item.value is not None else Select.NULL,
                allow_blank=True,
                prompt=shown(item.placeholder or "Choose…"),
            )
        if item.kind == "multi":
            chosen = set(item.value or ())
            return SelectionList[str](*((as_text(label), value, value in chosen) for label, value in options), id=wid)
        if item.kind == "bool":
            return Checkbox(as_content(item.placeholder or item.label), value=bool(item.value), id=wid)
        if item.kind == "longtext":
            return TextArea(str(item.value or ""), id=wid, classes="longtext")
        return TextInput(value=str(item.value or ""), placeholder=item.placeholder, id=wid)

    def on_mount(self) -> None:
        """Focus the first field and remember the values as opened, before any key is handled.

        Keys typed while the form opens are queued behind its mount, so ``started`` is known
        before the first of them and Escape asks before throwing them away (a subclass's own
        ``on_mount``, such as a live form's first reaction, runs before this one)."""
        first = self.query(
            ".dialog Input, .dialog Select, .dialog TextArea, .dialog SelectionList, .dialog Checkbox"
        ).first()
        first.focus()
        if isinstance(first, Input):
            first.select_all()  # what select_on_focus does, before an early key reaches it
        self.started = self.values()

    def on_key(self, event: events.Key) -> None:
        """A character typed before the form had focus reached the form itself: put it in the field.

        Textual sends a key to the screen while nothing has focus yet (the form is still opening);
        a focused text field takes every character, so a character arriving here was meant for it
        and would otherwise be lost without a word."""
        field = self.focused
        if not event.is_printable or event.character is None or not isinstance(field, (Input, TextArea)):
            return
        event.stop()
        if isinstance(field, Input):
            start, end = sorted(field.selection)
            field.replace(event.character, start, end)
        else:
            field.replace(event.character, *field.selection)

    # --- values and validation --------------------------------------------

    def value_of(self, item: Field) -> Any:
        widget = self.query_one(f"#field-{item.name}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, SelectionList):
            return tuple(widget.selected)
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def values(self) -> dict[str, Any]:
        return {item.name: self.value_of(item) for item in self.spec.fields}

    def problems(self) -> dict[str, str]:
        data = self.spec.fixed | self.values()
        found: dict[str, str] = {}
        if self.spec.model is not None:
            errors = field_errors(self.spec.model, data)
            if errors:
                errors = cross_field_errors(self.spec.model, data, set(errors)) | errors
            for name, reason in errors.items():
                found[self.spec.aliases.get(name, name)] = reason
        if self.spec.check is not None:
            for name, reason in self.spec.check(data).items():
                found.setdefault(name, reason)
        return found

    def show_problems(self, problems: dict[str, str], only: set[str] | None = None) -> None:
        names = {item.name for item in self.spec.fields}
        for item in self.spec.fields:
            if only is not None and item.name not in only:
                continue
            message = problems.get(item.name, "")
            self.query_one(f"#error-{item.name}", Static).update(as_content(message))
            self.query_one(f"#field-{item.name}").set_class(bool(message), "-invalid")
        stray = [f"{name}: {reason}" for name, reason in problems.items() if name not in names]
        if only is None:
            self.query_one("#form-error", Static).update(as_content("; ".join(stray)))

    def focus_field(self, name: str) -> None:
        """Focus a refused field with its text selected, so what the user types next replaces it.

        A field that already has focus gets no new focus event (Textual's ``select_on_focus``
        does nothing then): without the explicit selection a retyped date would be appended to
        the refused one ("52026-12-01 10:00")."""
        widget = self.query_one(f"#field-{name}")
        widget.focus()
        if isinstance(widget, (Input, TextArea)):
            widget.select_all()

    def _revalidate(self, name: str) -> None:
        if name in self.touched:
            self.show_problems(self.problems(), only={name})

    def _name_of(self, widget: Widget | None) -> str | None:
        if widget is None or widget.id is None or not widget.id.startswith("field-"):
            return None
        return widget.id.removeprefix("field-")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        name = self._name_of(event.widget)
        if name is not None:
            self.touched.add(name)
            self._revalidate(name)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Message) -> None:
        widget = (
            getattr(event, "control", None)
            or getattr(event, "text_area", None)
            or getattr(event, "selection_list", None)
        )
        name = self._name_of(widget)
        if name is not None:
            self._revalidate(name)

    # --- actions ---------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close without saving; what was typed is only thrown away when the user says so."""
        if self.started is None or self.values() == self.started:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog("Discard what you typed?", "Nothing of this form has been saved.", yes="Discard"), answered
        )

    def action_save(self) -> None:
        if self.saving:
            return
        if self.started is None:  # not open yet: a save now would send the defaults, unseen
            self.notify("The form is still opening; nothing was saved. Check it, then save again.", severity="warning")
            return
        self.touched.update(item.name for item in self.spec.fields)
        problems = self.problems()
        self.show_problems(problems)
        if problems:
            first = next((item.name for item in self.spec.fields if item.name in problems), None)
            if first is not None:
                self.focus_field(first)
            self.notify("Fix the marked fields; nothing was saved.", severity="warning")
            return
        data = self.spec.fixed | self.values()
        self.saving = True
        self.query_one("#save", Button).disabled = True
        run_db(self, lambda: self.spec.save(data), self._saved, self._failed, group="form-save")

    def _saved(self, result: T) -> None:
        self.saving = False
        message = self.spec.success(result) if self.spec.success else "Saved."
        self.app.notify(message)
        self.dismiss(result)

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.query_one("#save", Button).disabled = False
        if isinstance(exc, InputError):
            name = self.spec.aliases.get(exc.field, exc.field)
            if any(item.name == name for item in self.spec.fields):
                self.show_problems({name: exc.reason}, only={name})
                self.focus_field(name)
                self.query_one("#form-error", Static).update("")
                return
        self.query_one("#form-error", Static).update(as_content(error_message(exc)))
        self.notify(error_message(exc), severity="error", timeout=8)
        if isinstance(exc, ConflictError) and self.spec.on_conflict is not None:
            self.spec.on_conflict()


@dataclass
class LiveFormSpec(FormSpec[T], Generic[T]):
    """A FormSpec with ``react(dialog, field_name)``, called when a field changes
    (and once with '' when the dialog opens)."""

    react: Callable[[FormDialog[Any], str], None] | None = None


class LiveFormDialog(FormDialog[T]):
    """A FormDialog that lets a ``LiveFormSpec`` update fields from other fields."""

    def on_mount(self) -> None:  # runs after FormDialog.on_mount (Textual calls both)
        self._react("")

    def _react(self, name: str) -> None:
        react = getattr(self.spec, "react", None)
        if react is not None:
            react(self, name)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _live_changed(self, event: Any) -> None:
        widget = getattr(event, "control", None) or getattr(event, "text_area", None)
        name = self._name_of(widget)
        if name is not None:
            self._react(name)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in a one-line question (e.g. the employee number) answers it."""
        if len(self.spec.fields) == 1:
            self.action_save()


class PrefilledFormDialog(FormDialog[T], Generic[T]):
    """A form reopened with earlier values and the problems found with them."""

    def __init__(self, spec: FormSpec[T], problems: dict[str, str] | None = None, message: str = "") -> None:
        super().__init__(spec)
        self.initial_problems = problems or {}
        self.initial_message = message

    def on_mount(self) -> None:
        if self.initial_problems or self.initial_message:
            self.call_after_refresh(self._show_initial)

    def _show_initial(self) -> None:
        names = {item.name for item in self.spec.fields}
        shown = {name: reason for name, reason in self.initial_problems.items() if name in names}
        self.touched.update(shown)
        self.show_problems(shown, only=set(shown))
        stray = [f"{name}: {reason}" for name, reason in self.initial_problems.items() if name not in names]
        message = "; ".join(filter(None, [self.initial_message, *stray]))
        self.query_one("#form-error", Static).update(as_content(message))
        if shown:
            first = next(item.name for item in self.spec.fields if item.name in shown)
            self.focus_field(first)
