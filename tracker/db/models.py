"""Every table of the tracker, in one place.

The database backs each rule the Python validation enforces (NOT NULL, CHECK,
foreign keys, unique keys), so a record that skips the record-keeping functions
still cannot break the rules. Handbook channels, ladder levels and rules are
snapshotted per published version, which lets foreign keys check that a
complaint's channel or an action's level existed in the version in force.

Times are naive UTC; dates are the local calendar dates people write on forms.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Text,
    text,
    true,
)
from sqlmodel import Field, SQLModel

from tracker.db.predicates import OPEN_COMPLAINT, one_of
from tracker.domain import action_flow, complaint_flow, contact_words, limits, signing
from tracker.domain.signing import SIGN_METHODS

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _nonblank(column: str) -> str:
    return f"length(trim({column})) > 0"


class Employee(SQLModel, table=True):
    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint(_nonblank("number"), name="number_nonblank"),
        CheckConstraint(_nonblank("name"), name="name_nonblank"),
        CheckConstraint(_nonblank("team"), name="team_nonblank"),
        Index("ix_employee_team_name", "team", "name"),
        Index("ix_employee_active_name", "active", "name", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=limits.EMPLOYEE_NUMBER)
    name: str = Field(max_length=limits.PERSON_NAME)
    team: str = Field(max_length=limits.TEAM)
    hire_date: date
    active: bool = Field(default=True)
    created_at: datetime
    created_by: str = Field(max_length=limits.ACTOR)
    updated_at: datetime
    updated_by: str = Field(max_length=limits.ACTOR)
    revision: int = Field(default=1)


class HandbookVersion(SQLModel, table=True):
    """A published handbook: the exact text every sign-off of it refers to."""

    __tablename__ = "handbook_version"
    __table_args__ = (CheckConstraint(_nonblank("label"), name="label_nonblank"),)

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(unique=True, max_length=limits.VERSION_LABEL)
    content_hash: str = Field(max_length=64)
    editorial: bool = Field(default=False)
    published_at: datetime
    published_on: date  # the local calendar date, which sign-off dates compare with
    published_by: str = Field(max_length=limits.ACTOR)
    look_back: str = Field(max_length=limits.PERIOD_TEXT)
    grace_period: str = Field(max_length=limits.PERIOD_TEXT)


class HandbookRule(SQLModel, table=True):
    __tablename__ = "handbook_rule"

    version_id: int = Field(foreign_key="handbook_version.id", primary_key=True)
    rule_id: str = Field(primary_key=True, max_length=6)
    title: str = Field(max_length=limits.RULE_TITLE)
    text: str = Field(sa_type=Text)
    hash: str = Field(max_length=64)
    page: str = Field(max_length=limits.HANDBOOK_PAGE)
    tags: str = Field(default="", max_length=limits.RULE_TAGS)
    # Guidance no complaint or action may cite (migration 0009; every earlier rule counts as citable).
    citable: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class HandbookChannel(SQLModel, table=True):
    __tablename__ = "handbook_channel"
    __table_args__ = (CheckConstraint("target_seconds > 0", name="target_positive"),)

    version_id: int = Field(foreign_key="handbook_version.id", primary_key=True)
    code: str = Field(primary_key=True, max_length=limits.CHANNEL_CODE)
    name: str = Field(max_length=limits.TABLE_NAME)
    target: str = Field(max_length=limits.PERIOD_TEXT)
    target_seconds: int


class HandbookLevel(SQLModel, table=True):
    __tablename__ = "handbook_level"
    __table_args__ = (
        CheckConstraint("step >= 1", name="step_positive"),
        CheckConstraint("follow_up IS NOT NULL OR is_final", name="follow_up_unless_final"),
    )

    version_id: int = Field(foreign_key="handbook_version.id", primary_key=True)
    code: str = Field(primary_key=True, max_length=limits.CHANNEL_CODE)
    step: int
    name: str = Field(max_length=limits.TABLE_NAME)
    follow_up: str | None = Field(default=None, max_length=limits.PERIOD_TEXT)
    is_final: bool = Field(default=False)


class HandbookService(SQLModel, table=True):
    """What a published version sets for measuring service, beyond each channel's first-response
    target: when the clock runs (opening hours, holidays, time zone), each channel's response-time
    aim, ceiling, handle-time guides and export names, the new-hire period. One canonical JSON text,
    append-only and covered by the version's audit snapshot. Versions published before the
    handbook stated these have no row: their contacts are measured on first response only."""

    __tablename__ = "handbook_service"

    version_id: int = Field(foreign_key="handbook_version.id", primary_key=True)
    standards: str = Field(sa_type=Text)


class Signoff(SQLModel, table=True):
    """An employee's signature on one handbook version. Never updated or deleted."""

    __tablename__ = "signoff"
    __table_args__ = (
        CheckConstraint(one_of("method", SIGN_METHODS), name="method_known"),
        CheckConstraint(
            f"method <> '{signing.PAPER}' OR (filing_ref IS NOT NULL AND {_nonblank('filing_ref')})",
            name="paper_is_filed",
        ),
        CheckConstraint("signed_on <= recorded_on", name="not_future"),
        CheckConstraint(_nonblank("printed_name"), name="printed_name_nonblank"),
        Index("ix_signoff_employee_version", "employee_id", "version_id"),
        Index("ix_signoff_version", "version_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id")
    version_id: int = Field(foreign_key="handbook_version.id")
    signed_on: date
    method: str = Field(max_length=20)
    filing_ref: str | None = Field(default=None, max_length=limits.FILING_REF)
    printed_name: str = Field(max_length=limits.PERSON_NAME)
    meaning: str = Field(max_length=limits.MEANING)
    recorded_by: str = Field(max_length=limits.ACTOR)
    recorded_at: datetime
    recorded_on: date  # local calendar date of recording


class SignoffRevocation(SQLModel, table=True):
    """The correction of a sign-off: a new record saying which one and why."""

    __tablename__ = "signoff_revocation"
    __table_args__ = (CheckConstraint(_nonblank("reason"), name="reason_nonblank"),)

    id: int | None = Field(default=None, primary_key=True)
    signoff_id: int = Field(foreign_key="signoff.id", unique=True)
    reason: str = Field(sa_type=Text)
    revoked_by: str = Field(max_length=limits.ACTOR)
    revoked_at: datetime


class Complaint(SQLModel, table=True):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(one_of("status", complaint_flow.STATUSES), name="status_known"),
        CheckConstraint(one_of("severity", complaint_flow.SEVERITIES), name="severity_known"),
        CheckConstraint(_nonblank("summary"), name="summary_nonblank"),
        CheckConstraint(
            f"status <> '{complaint_flow.RESOLVED}' OR (resolution IS NOT NULL AND {_nonblank('resolution')})",
            name="resolved_has_resolution",
        ),
        CheckConstraint(
            f"status <> '{complaint_flow.DISMISSED}' OR (dismissal_reason IS NOT NULL AND {_nonblank('dismissal_reason')})",
            name="dismissed_has_reason",
        ),
        CheckConstraint(
            # A complaint recorded in error is dismissed before anyone replied (migration 0008).
            f"status IN ('{complaint_flow.RECEIVED}', '{complaint_flow.DISMISSED}') OR first_response_at IS NOT NULL",
            name="acknowledged_has_first_response",
        ),
        CheckConstraint("first_response_at IS NULL OR first_response_at >= received_at", name="response_after_receipt"),
        CheckConstraint(
            "(first_response_at IS NULL) = (first_response_seconds IS NULL)", name="response_seconds_derived"
        ),
        ForeignKeyConstraint(["version_id", "channel"], ["handbook_channel.version_id", "handbook_channel.code"]),
        Index("ix_complaint_received", "received_at", "id"),
        Index("ix_complaint_status_received", "status", "received_at", "id"),
        Index("ix_complaint_channel_received", "channel", "received_at", "id"),
        Index("ix_complaint_employee_received", "employee_id", "received_at", "id"),
        Index("ix_complaint_import", "import_seq", "id"),
        Index("ix_complaint_contact", "contact_id"),
        # The list supervisors open most ("open" complaints, newest first) reads this partial index in
        # order and stops after one page, however many closed complaints there are.
        Index(
            "ix_complaint_open_received",
            "received_at",
            "id",
            sqlite_where=text(OPEN_COMPLAINT),
            postgresql_where=text(OPEN_COMPLAINT),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, max_length=20)
    received_at: datetime
    version_id: int = Field(foreign_key="handbook_version.id")
    channel: str = Field(max_length=limits.CHANNEL_CODE)
    target_seconds: int
    customer_name: str | None = Field(default=None, max_length=limits.PERSON_NAME)
    customer_contact: str | None = Field(default=None, max_length=limits.CUSTOMER_CONTACT)
    employee_id: int | None = Field(default=None, foreign_key="employee.id")
    summary: str = Field(sa_type=Text)
    severity: str = Field(default=complaint_flow.DEFAULT_SEVERITY, max_length=10)
    urgent: bool = Field(default=False)
    status: str = Field(default=complaint_flow.RECEIVED, max_length=20)
    first_response_at: datetime | None = None
    # Derived from first_response_at when it is recorded, for portable, index-free aggregates.
    first_response_seconds: int | None = Field(default=None, sa_type=BigInteger)
    resolution: str | None = Field(default=None, sa_type=Text)
    dismissal_reason: str | None = Field(default=None, sa_type=Text)
    closed_at: datetime | None = None
    # Set when the complaint came in a bulk import: the seq of the audit event that
    # covers it (appended when the import commits, so not a foreign key).
    import_seq: int | None = None
    # The customer contact the complaint came from, when it was imported (migration 0006).
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime
    created_by: str = Field(max_length=limits.ACTOR)
    updated_at: datetime
    updated_by: str = Field(max_length=limits.ACTOR)
    revision: int = Field(default=1)


class ComplaintRule(SQLModel, table=True):
    __tablename__ = "complaint_rule"
    __table_args__ = (
        ForeignKeyConstraint(["version_id", "rule_id"], ["handbook_rule.version_id", "handbook_rule.rule_id"]),
        Index("ix_complaint_rule_rule", "rule_id", "complaint_id"),
    )

    complaint_id: int = Field(foreign_key="complaint.id", primary_key=True)
    rule_id: str = Field(primary_key=True, max_length=6)
    version_id: int


class ComplaintReply(SQLModel, table=True):
    __tablename__ = "complaint_reply"
    __table_args__ = (Index("ix_complaint_reply_complaint", "complaint_id", "replied_at"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id")
    replied_at: datetime
    automatic: bool = Field(default=False)
    note: str | None = Field(default=None, sa_type=Text)
    recorded_by: str = Field(max_length=limits.ACTOR)
    recorded_at: datetime


class CorrectiveAction(SQLModel, table=True):
    __tablename__ = "corrective_action"
    __table_args__ = (
        CheckConstraint(one_of("status", action_flow.STATUSES), name="status_known"),
        CheckConstraint(_nonblank("expectations"), name="expectations_nonblank"),
        CheckConstraint("is_final OR follow_up_due IS NOT NULL", name="follow_up_unless_final"),
        CheckConstraint("follow_up_due IS NULL OR follow_up_due > issued_on", name="due_after_issue"),
        CheckConstraint(
            f"status <> '{action_flow.CLOSED}' OR (effectiveness_check IS NOT NULL AND {_nonblank('effectiveness_check')})",
            name="closed_has_effectiveness_check",
        ),
        ForeignKeyConstraint(["version_id", "level"], ["handbook_level.version_id", "handbook_level.code"]),
        Index("ix_corrective_action_status_due", "status", "follow_up_due", "id"),
        Index("ix_corrective_action_employee_issued", "employee_id", "issued_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id")
    version_id: int = Field(foreign_key="handbook_version.id")
    level: str = Field(max_length=limits.CHANNEL_CODE)
    step: int
    is_final: bool = Field(default=False)
    expectations: str = Field(sa_type=Text)
    issued_on: date
    issued_by: str = Field(max_length=limits.ACTOR)
    follow_up_due: date | None = None
    follow_up_done: bool = Field(default=False)  # the follow-up due was held (improved / not improved)
    gross_misconduct_reason: str | None = Field(default=None, sa_type=Text)
    suggested_level: str = Field(max_length=limits.CHANNEL_CODE)
    suggestion_reason: str = Field(sa_type=Text)
    employee_response: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=action_flow.OPEN, max_length=10)
    closed_on: date | None = None
    effectiveness_check: str | None = Field(default=None, sa_type=Text)
    created_at: datetime
    updated_at: datetime
    updated_by: str = Field(max_length=limits.ACTOR)
    revision: int = Field(default=1)


class ActionComplaint(SQLModel, table=True):
    __tablename__ = "action_complaint"

    action_id: int = Field(foreign_key="corrective_action.id", primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", primary_key=True)


class ActionRule(SQLModel, table=True):
    __tablename__ = "action_rule"
    __table_args__ = (
        ForeignKeyConstraint(["version_id", "rule_id"], ["handbook_rule.version_id", "handbook_rule.rule_id"]),
    )

    action_id: int = Field(foreign_key="corrective_action.id", primary_key=True)
    rule_id: str = Field(primary_key=True, max_length=6)
    version_id: int


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (
        CheckConstraint(one_of("outcome", action_flow.FOLLOW_UP_OUTCOMES), name="outcome_known"),
        CheckConstraint(
            f"(outcome = '{action_flow.MORE_TIME}') = (new_due_date IS NOT NULL)", name="new_date_only_for_more_time"
        ),
        Index("ix_follow_up_action", "action_id", "held_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="corrective_action.id")
    held_on: date
    outcome: str = Field(max_length=20)
    notes: str | None = Field(default=None, sa_type=Text)
    new_due_date: date | None = None
    recorded_by: str = Field(max_length=limits.ACTOR)
    recorded_at: datetime


class ContactImport(SQLModel, table=True):
    """One run of ``tracker contacts import``: what came in, and the audit event that records it."""

    __tablename__ = "contact_import"

    id: int | None = Field(default=None, primary_key=True)
    profile: str = Field(max_length=40)
    files: str = Field(sa_type=Text)  # JSON: each file's name and SHA-256
    new: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)
    rejected: int = Field(default=0)
    imported_at: datetime
    imported_by: str = Field(max_length=limits.ACTOR)


class Contact(SQLModel, table=True):
    """One customer conversation from a help desk (a ticket, chat, call or post). A service
    measure, never a conduct record: it enters no employee's file. Keyed by its source system's
    ID, so importing the same or an overlapping export again changes nothing that did not change.

    The measures are derived when the contact is written, from its messages and the handbook
    version in force when it arrived (``version_id``), and stored for fast reports;
    ``content_hash`` covers the facts they are derived from.
    """

    __tablename__ = "contact"
    __table_args__ = (
        CheckConstraint(_nonblank("source"), name="source_nonblank"),
        CheckConstraint(_nonblank("external_id"), name="external_id_nonblank"),
        CheckConstraint(
            "talk_seconds >= 0 AND hold_seconds >= 0 AND wrap_seconds >= 0", name="handle_parts_not_negative"
        ),
        CheckConstraint("reply_count >= 0 AND reply_wait_seconds >= 0", name="reply_sums_not_negative"),
        CheckConstraint(
            one_of("first_response_state", contact_words.FIRST_RESPONSE_STATES), name="first_response_state_known"
        ),
        ForeignKeyConstraint(["version_id", "channel"], ["handbook_channel.version_id", "handbook_channel.code"]),
        Index("uq_contact_source_external", "source", "external_id", unique=True),
        Index("ix_contact_received", "received_at", "id"),
        Index("ix_contact_employee_received", "employee_id", "received_at", "id"),
        Index("ix_contact_channel_received", "channel", "received_at", "id"),
        # Covers the service report and the dashboard's weekly attainment: a period's contacts are
        # counted from this index alone, not from their rows (migration 0005).
        Index(
            "ix_contact_service",
            "received_at",
            "employee_id",
            "channel",
            "first_response_state",
            "first_response_due",
            "closed_at",
            "first_response_seconds",
            "reply_count",
            "reply_wait_seconds",
            "over_ceiling",
            "talk_seconds",
            "hold_seconds",
            "wrap_seconds",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=limits.CONTACT_SOURCE)
    external_id: str = Field(max_length=limits.EXTERNAL_ID)
    channel: str = Field(max_length=limits.CHANNEL_CODE)
    version_id: int = Field(foreign_key="handbook_version.id")
    received_at: datetime
    topic: str | None = Field(default=None, max_length=limits.TOPIC)
    priority: str | None = Field(default=None, max_length=limits.TOPIC)
    urgent: bool = Field(default=False)
    employee_id: int | None = Field(default=None, foreign_key="employee.id")
    status: str | None = Field(default=None, max_length=limits.TOPIC)
    closed_at: datetime | None = None
    reported_first_response_seconds: int | None = Field(default=None, sa_type=BigInteger)
    talk_seconds: int | None = Field(default=None, sa_type=BigInteger)
    hold_seconds: int | None = Field(default=None, sa_type=BigInteger)
    wrap_seconds: int | None = Field(default=None, sa_type=BigInteger)
    # Derived (contact_measures.measure), never typed:
    first_response_at: datetime | None = None
    first_response_due: datetime | None = None  # when the target passes (opening hours counted where they count)
    first_response_seconds: int | None = Field(default=None, sa_type=BigInteger)
    first_response_state: str = Field(max_length=20)
    reply_count: int = Field(default=0)
    reply_wait_seconds: int = Field(default=0, sa_type=BigInteger)
    over_ceiling: bool | None = None
    content_hash: str = Field(max_length=64)
    import_id: int = Field(foreign_key="contact_import.id")


class ContactMessage(SQLModel, table=True):
    """One message of a contact, in the order it was written."""

    __tablename__ = "contact_message"
    __table_args__ = (
        CheckConstraint(one_of("author", contact_words.AUTHORS), name="author_known"),
        Index("ix_contact_message_contact", "contact_id", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    at: datetime
    author: str = Field(max_length=20)
    employee_id: int | None = Field(default=None, foreign_key="employee.id")


class AuditEvent(SQLModel, table=True):
    """One link of the hash chain. Never updated or deleted (database triggers)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_audit_event_entity", "entity", "entity_key", "seq"),
    )

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime
    actor: str = Field(max_length=limits.ACTOR)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_key: str = Field(max_length=100)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
    prev_hash: str = Field(unique=True, max_length=64)
    hash: str = Field(unique=True, max_length=64)


class ComplaintDay(SQLModel, table=True):
    """Complaints per UTC day and channel, kept up to date with every complaint
    written, so the dashboard's trends cost the same at a million complaints as
    at a thousand. ``tracker audit verify`` re-counts them from the complaints."""

    __tablename__ = "complaint_day"
    __table_args__ = (CheckConstraint("received >= 0 AND late >= 0 AND late <= received", name="counts_valid"),)

    day: date = Field(primary_key=True)
    channel: str = Field(primary_key=True, max_length=40)
    received: int = Field(default=0)
    late: int = Field(default=0)  # first response later than the channel's target


class RuleDay(SQLModel, table=True):
    """How often each rule was cited, per UTC day the complaints arrived."""

    __tablename__ = "rule_day"
    __table_args__ = (CheckConstraint("complaints >= 0", name="count_valid"),)

    day: date = Field(primary_key=True)
    rule_id: str = Field(primary_key=True, max_length=6)
    complaints: int = Field(default=0)


class Counter(SQLModel, table=True):
    """Named counters, e.g. the next complaint number of a year."""

    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=60)
    value: int = Field(default=0)


__all__ = [
    "ActionComplaint",
    "ActionRule",
    "AuditEvent",
    "Complaint",
    "Contact",
    "ContactImport",
    "ContactMessage",
    "ComplaintReply",
    "ComplaintRule",
    "CorrectiveAction",
    "ComplaintDay",
    "Counter",
    "Employee",
    "FollowUp",
    "HandbookChannel",
    "HandbookLevel",
    "HandbookRule",
    "HandbookService",
    "HandbookVersion",
    "RuleDay",
    "Signoff",
    "SignoffRevocation",
    "metadata",
]
