"""Forms of the complaint flow: log, acknowledge / reply, resolve / dismiss."""

from __future__ import annotations

from typing import Callable

from tracker.backend import Backend
from tracker.db.models import Complaint
from tracker.domain.complaint_flow import SEVERITIES
from tracker.domain.handbook.model import Standards
from tracker.domain.inputs import ComplaintInput, OutcomeInput, ReplyInput
from tracker.domain.timeutil import format_local, utcnow
from tracker.records.complaints import commands as store
from tracker.ui.widgets.form import Field, FormSpec

MOMENT_HINT = "Local time, YYYY-MM-DD HH:MM"


def now_text() -> str:
    return format_local(utcnow())


def rule_options(std: Standards) -> list[tuple[str, str]]:
    """The rules a complaint or an action may cite: guidance (a value, a definition) is not offered."""
    return [
        (f"{rule_id}  {title}", rule_id)
        for rule_id, title in sorted(std.rule_titles.items())
        if rule_id not in std.not_citable
    ]


def log_complaint_form(backend: Backend, std: Standards, employee_number: str | None = None) -> FormSpec[Complaint]:
    def save(data: dict) -> Complaint:
        model = ComplaintInput.model_validate(dict(data.items()))
        return backend.write(lambda s: store.log_complaint(model, session=s, actor=backend.actor))

    channels = [(f"{c.name} (first response within {c.target})", code) for code, c in std.channels.items()]
    return FormSpec(
        title="Log a complaint",
        intro=f"Checked against handbook version {std.label}. The first-response target comes from the channel.",
        fields=[
            Field("channel", "Channel", "select", channels),
            Field("received_at", "Received at", value=now_text(), hint=MOMENT_HINT),
            Field("employee_number", "Employee number (leave empty if unknown)", value=employee_number or ""),
            Field("rule_ids", "Rules breached (space to tick)", "multi", rule_options(std)),
            Field("summary", "What the customer complained about", "longtext"),
            Field("severity", "Severity", "select", [(s.capitalize(), s) for s in SEVERITIES], value="medium"),
            Field("urgent", "Urgent", "bool", placeholder="Urgent: site outage, publicity or key customer"),
            Field("customer_name", "Customer name (optional)"),
            Field("customer_contact", "Customer email or phone (optional)"),
            Field("contact", "Imported contact it came from, SOURCE:ID (optional)", placeholder="zendesk:16988"),
        ],
        model=ComplaintInput,
        save=save,
        success=lambda c: f"Logged {c.ref}.",
        aliases={"employee": "employee_number"},
        save_label="Log complaint",
    )


def reply_form(
    backend: Backend,
    ref: str,
    *,
    first: bool,
    revision: int,
    on_conflict: Callable[[], object] | None = None,
    automatic_only: bool = False,
) -> FormSpec[object]:
    """``first``: the acknowledgement (first response by a person); otherwise a further reply.

    ``automatic_only``: the complaint has no first response yet, and the flow allows only an automatic
    reply before it (``records.complaints.commands.add_reply``, as ``complaints reply --automatic``);
    the form says so rather than offering a tick box that could only be refused.
    """

    def save(data: dict) -> object:
        model = ReplyInput.model_validate(data)
        if first:
            return backend.write(
                lambda s: store.acknowledge(ref, model, session=s, actor=backend.actor, expected_revision=revision)
            )
        return backend.write(lambda s: store.add_reply(ref, model, session=s, actor=backend.actor))

    fields = [Field("replied_at", "Replied at", value=now_text(), hint=MOMENT_HINT)]
    if not first and not automatic_only:
        fields.append(
            Field("automatic", "Automatic", "bool", placeholder="Automatic reply (never counts as a response)")
        )
    fields.append(Field("note", "What was said (optional)", "longtext"))
    if first:
        title, intro, label = (
            f"Acknowledge {ref}: first response by a person",
            "An automatic 'we are looking at it' message is not a first response.",
            "Acknowledge",
        )
    elif automatic_only:
        title, intro, label = (
            f"Record an automatic reply to {ref}",
            "An automatic reply is kept in the timeline but never counts as the first response: "
            "the complaint still waits for a person to acknowledge it (k).",
            "Record automatic reply",
        )
    else:
        title, intro, label = f"Add a reply to {ref}", "", "Add reply"
    return FormSpec(
        title=title,
        intro=intro,
        fields=fields,
        model=ReplyInput,
        fixed={"automatic": False} if first else {"automatic": True} if automatic_only else {},
        save=save,
        success=lambda _: (
            f"{ref} acknowledged."
            if first
            else f"Automatic reply recorded on {ref}."
            if automatic_only
            else f"Reply recorded on {ref}."
        ),
        aliases={"automatic": "replied_at"} if first or automatic_only else {},
        save_label=label,
        on_conflict=on_conflict,
    )


def outcome_form(
    backend: Backend, ref: str, *, dismiss: bool, revision: int, on_conflict: Callable[[], object] | None = None
) -> FormSpec[Complaint]:
    def save(data: dict) -> Complaint:
        model = OutcomeInput.model_validate(data)
        action = store.dismiss if dismiss else store.resolve
        return backend.write(lambda s: action(ref, model, session=s, actor=backend.actor, expected_revision=revision))

    return FormSpec(
        title=f"Dismiss {ref}" if dismiss else f"Resolve {ref}",
        intro=(
            "A dismissal needs a written reason; the customer is told why."
            if dismiss
            else "Write what was done and what the customer was told."
        ),
        fields=[Field("text", "Reason for dismissing" if dismiss else "Resolution", "longtext")],
        model=OutcomeInput,
        save=save,
        success=lambda c: f"{c.ref} {c.status}.",
        save_label="Dismiss" if dismiss else "Resolve",
        on_conflict=on_conflict,
    )
